package usermgmt_test

import (
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/usermgmt"
)

type failingTransport struct {
	err error
	n   atomic.Int32
}

func (f *failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.n.Add(1)
	return nil, f.err
}

// TestDetectFlavorFailsFast: a host that does not resolve is reported at
// once, a refused connection after three attempts in under a second.
func TestDetectFlavorFailsFast(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		err      error
		attempts int32
		took     time.Duration
	}{
		{"no such host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "jira.invalid", IsNotFound: true}}, 1, 0},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, 3, 750 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := &failingTransport{err: tt.err}
				start := time.Now()
				_, err := usermgmt.DetectFlavor(t.Context(), usermgmt.Site{URL: "https://jira.invalid", Transport: rt})
				require.Error(t, err)
				assert.Equal(t, tt.attempts, rt.n.Load())
				assert.Equal(t, tt.took, time.Since(start))
			})
		})
	}
}
