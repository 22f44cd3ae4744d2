package jiratest

import (
	"maps"
	"net/http"
	"time"
)

// Request is one request the fake received, as kept in its log.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	// Route is the route that matched, "METHOD /path" as in
	// [Server.Routes], or "(unmatched)".
	Route string
	// Status is the status answered; 0 when the connection was dropped.
	Status int
	Time   time.Time
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[r.Route]++
	if s.cfg.logCap <= 0 {
		return
	}
	if len(s.log) >= s.cfg.logCap {
		n := copy(s.log, s.log[len(s.log)-s.cfg.logCap+1:])
		s.log = s.log[:n]
	}
	s.log = append(s.log, r)
}

// Requests returns the logged requests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	copy(out, s.log)
	return out
}

// Count returns how many requests route ("METHOD /path" as in
// [Server.Routes]) has received, faults and errors included.
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Stats returns the number of requests per route.
func (s *Server) Stats() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// TotalRequests returns the number of requests received on all routes.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

// ResetStats clears the counts and the request log.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
	s.log = s.log[:0]
}

// serveFake serves the fake's own endpoints, for black-box tools:
// GET /_fake/stats answers {"total":N,"routes":{"GET /rest/api/2/user":12,…}};
// POST /_fake/stats/reset clears them; POST /_fake/login?user=ID records
// a login (fakelogin.go).
func (s *Server) serveFake(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_fake/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"total": s.TotalRequests(), "routes": s.Stats()})
	case r.URL.Path == "/_fake/stats/reset" && r.Method == http.MethodPost:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/_fake/login" && r.Method == http.MethodPost:
		s.serveFakeLogin(w, r) // fakelogin.go
	default:
		writeErrors(w, http.StatusNotFound, []string{"no such fake endpoint: " + r.Method + " " + r.URL.Path}, nil)
	}
}
