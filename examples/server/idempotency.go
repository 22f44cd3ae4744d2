package main

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"sync"
	"time"
)

// idempotency answers a POST that carries an Idempotency-Key header with
// the first answer given to that key, for keyTTL: a client that retries
// after a lost response (or sends the same request twice at once) gets
// the same plan, apply or undo once. The keys live in memory (bounded to
// maxKeys, oldest dropped first): a restart forgets them; the plan store's
// own guards (identical pending plans, claim once, journals) still hold
// across restarts. A key reused with another method, path or body is
// answered 422.
type idempotency struct {
	mu      sync.Mutex
	entries map[string]*idemEntry
	order   []string
	now     func() time.Time
}

const (
	keyTTL  = 24 * time.Hour
	maxKeys = 10_000
)

type idemEntry struct {
	request [32]byte // method, path and body
	done    chan struct{}
	code    int
	header  http.Header
	body    []byte
	at      time.Time
}

func newIdempotency(now func() time.Time) *idempotency {
	return &idempotency{entries: map[string]*idemEntry{}, now: now}
}

// wrap makes h idempotent for requests with an Idempotency-Key.
func (id *idempotency) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeError(w, http.StatusBadRequest, "Idempotency-Key: at most 255 characters")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBody)
			return
		}
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
		e, first := id.claim(key, sum)
		if !first {
			select {
			case <-e.done:
			case <-r.Context().Done():
				return
			}
			if e.request != sum {
				writeError(w, http.StatusUnprocessableEntity, "Idempotency-Key %q was used for another request", key)
				return
			}
			for k, v := range e.header {
				w.Header()[k] = v
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(e.code)
			_, _ = w.Write(e.body)
			return
		}
		rec := &recorder{ResponseWriter: w, code: http.StatusOK}
		r.Body = io.NopCloser(bytes.NewReader(body))
		defer func() {
			e.code, e.header, e.body = rec.code, w.Header().Clone(), rec.buf.Bytes()
			close(e.done)
		}()
		h.ServeHTTP(rec, r)
	})
}

// claim returns the entry of key, and whether this caller created it.
func (id *idempotency) claim(key string, sum [32]byte) (*idemEntry, bool) {
	id.mu.Lock()
	defer id.mu.Unlock()
	now := id.now()
	if e, ok := id.entries[key]; ok && now.Sub(e.at) < keyTTL {
		return e, false
	}
	for len(id.order) > 0 && (len(id.order) >= maxKeys || now.Sub(id.entries[id.order[0]].at) >= keyTTL) {
		delete(id.entries, id.order[0])
		id.order = id.order[1:]
	}
	e := &idemEntry{request: sum, done: make(chan struct{}), at: now}
	if _, ok := id.entries[key]; ok { // expired: replaced
		for i, k := range id.order {
			if k == key {
				id.order = append(id.order[:i], id.order[i+1:]...)
				break
			}
		}
	}
	id.entries[key] = e
	id.order = append(id.order, key)
	return e, true
}

// recorder keeps a copy of the response it writes through.
type recorder struct {
	http.ResponseWriter
	code int
	buf  bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
