package transport

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// testBase is the base URL of every test client.
const testBase = "https://jira.example.com/jira"

// handlerTransport is an in-memory RoundTripper that calls a handler
// directly: no sockets, so it is usable inside synctest bubbles.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	sreq := req.Clone(req.Context()) // what a server would see
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	sreq.Host = req.URL.Host
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, sreq)
	if err := req.Context().Err(); err != nil {
		return nil, err // the client gave up before the answer came
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// rtFunc adapts a function to http.RoundTripper.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// errTransport fails every attempt with err, counting attempts.
type errTransport struct {
	mu  sync.Mutex
	n   int
	err error
}

func (t *errTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	return nil, t.err
}

func (t *errTransport) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// attempt is one request as a scripted server saw it.
type attempt struct {
	at     time.Time
	method string
	url    *url.URL
	header http.Header
	body   []byte
}

// script is a scripted server: the i-th request gets the i-th reply, and
// every later one the last reply.
type script struct {
	mu       sync.Mutex
	replies  []http.HandlerFunc
	attempts []attempt
}

func newScript(replies ...http.HandlerFunc) *script { return &script{replies: replies} }

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := min(len(s.attempts), len(s.replies)-1)
	s.attempts = append(s.attempts, attempt{at: time.Now(), method: r.Method, url: r.URL, header: r.Header.Clone(), body: body})
	reply := s.replies[i]
	s.mu.Unlock()
	reply(w, r)
}

func (s *script) got() []attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]attempt(nil), s.attempts...)
}

// gaps returns the time between consecutive attempts.
func (s *script) gaps() []time.Duration {
	a := s.got()
	var g []time.Duration
	for i := 1; i < len(a); i++ {
		g = append(g, a[i].at.Sub(a[i-1].at))
	}
	return g
}

// reply answers with status, headers given as name, value pairs, and body.
func reply(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// newTestClient builds a client over rt with no rate limit, no jitter and
// the default retry settings; mod adjusts the config.
func newTestClient(t *testing.T, rt http.RoundTripper, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: testBase, Base: rt, Rate: rate.Inf}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	c.jitter = func(int64) int64 { return 0 }
	return c
}

// logBuffer returns a debug-level JSON logger writing into a buffer.
func logBuffer() (*slog.Logger, *syncBuffer) {
	var b syncBuffer
	return slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
