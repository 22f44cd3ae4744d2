package jiratest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a failure the fake injects instead of serving a request.
type Fault struct {
	// Status is the HTTP status to answer, e.g. 429, 500, 502 or 503.
	Status int
	// Reset drops the connection instead of answering. With the in-memory
	// [Server.Transport], RoundTrip returns an error.
	Reset bool
	// AfterWrite, with Reset, serves the request first and then drops the
	// connection, so the change is made but the response is lost.
	AfterWrite bool
	// HTML answers with an HTML page, as a proxy in front of Jira does,
	// instead of Jira's JSON error body.
	HTML bool
	// Probability is the chance, from 0 to 1, that a request gets this
	// fault. It is ignored for scripted faults.
	Probability float64
	// RetryAfter is sent as Retry-After with a 429 or 503 (default 1 s
	// for 429, none for 503).
	RetryAfter time.Duration
	// Delay holds the request this long first, on top of [WithLatency]; a
	// fault with only a Delay then serves the request normally, which
	// makes one route slow.
	Delay time.Duration
}

// ParseFaults reads faults written as in the fakejira program's -faults
// flag: comma-separated STATUS=PROBABILITY pairs, where STATUS is an HTTP
// status, "reset" for a dropped connection or "html429"/"html503" for an
// HTML error page, e.g. "429=0.05,500=0.02,reset=0.01".
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, p, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("jiratest: fault %d %q: want KIND=PROBABILITY", i+1, part)
		}
		prob, err := strconv.ParseFloat(p, 64)
		if err != nil || prob < 0 || prob > 1 {
			return nil, fmt.Errorf("jiratest: fault %d %q: probability must be a number from 0 to 1", i+1, part)
		}
		f := Fault{Probability: prob}
		switch {
		case kind == "reset":
			f.Reset = true
		case strings.HasPrefix(kind, "html"):
			f.HTML = true
			kind = strings.TrimPrefix(kind, "html")
			fallthrough
		default:
			code, err := strconv.Atoi(kind)
			if err != nil || code < 400 || code > 599 {
				return nil, fmt.Errorf("jiratest: fault %d %q: kind must be an HTTP error status, reset or htmlSTATUS", i+1, part)
			}
			f.Status = code
		}
		out = append(out, f)
	}
	return out, nil
}

// SetFaults makes requests to route fail at random with the given faults,
// each with its own Probability; route is "METHOD /path" as in
// [Server.Routes], or "" for every route. It replaces the route's earlier
// faults; no faults clears them.
func (s *Server) SetFaults(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(faults) == 0 {
		delete(s.faults, route)
		return
	}
	s.faults[route] = faults
}

// Script makes the next requests to route (or to any route, for "") get
// the given faults in order, one per request; a zero Fault lets that
// request through. Scripted faults come before random ones.
func (s *Server) Script(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[route] = append(s.scripts[route], faults...)
}

// ClearFaults removes every random and scripted fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
	clear(s.scripts)
}

// pickFault decides whether the request to route fails, and how.
func (s *Server) pickFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{route, ""} {
		if q := s.scripts[key]; len(q) > 0 {
			f := q[0]
			s.scripts[key] = q[1:]
			return f, f.Status != 0 || f.Reset || f.Delay > 0
		}
	}
	for _, key := range []string{route, ""} {
		for _, f := range s.faults[key] {
			if f.Probability > 0 && s.rng.Float64() < f.Probability {
				return f, true
			}
		}
	}
	return Fault{}, false
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Reset {
		if f.AfterWrite {
			s.mux.ServeHTTP(discardWriter{h: http.Header{}}, r)
		}
		panic(http.ErrAbortHandler)
	}
	_, _ = io.Copy(io.Discard, r.Body)
	retry := f.RetryAfter
	if retry == 0 && f.Status == http.StatusTooManyRequests {
		retry = time.Second
	}
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
	}
	if f.HTML {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.Status)
		text := http.StatusText(f.Status)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head><body><h1>%d %s</h1><p>The server is busy. Please try again later.</p></body></html>\n", f.Status, text, f.Status, text)
		return
	}
	msg := http.StatusText(f.Status)
	if f.Status == http.StatusTooManyRequests {
		msg = "Rate limit exceeded."
	}
	writeErrors(w, f.Status, []string{msg}, nil)
}

// discardWriter serves a request whose response will be lost.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
