package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// EnvAddr is the environment variable of the programs' --metrics-addr.
const EnvAddr = "SEATWARDEN_METRICS_ADDR"

// Endpoint serves the metrics on an address of their own; see
// [Metrics.Listen].
type Endpoint struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// Listen serves the metrics at /metrics on addr (host:port; port 0 for
// any free port), without authentication — keep the address on a
// private network — until [Endpoint.Close]. Other paths are 404.
func (m *Metrics) Listen(addr string) (*Endpoint, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	e := &Endpoint{ln: ln, done: make(chan struct{}),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}}
	go func() {
		defer close(e.done)
		_ = e.srv.Serve(ln) // ends with ErrServerClosed at Close
	}()
	return e, nil
}

// URL is the metrics' URL, e.g. "http://127.0.0.1:9464/metrics".
func (e *Endpoint) URL() string { return "http://" + e.ln.Addr().String() + "/metrics" }

// Close stops serving, letting scrapes under way finish until ctx is
// done.
func (e *Endpoint) Close(ctx context.Context) error {
	err := e.srv.Shutdown(ctx)
	<-e.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
