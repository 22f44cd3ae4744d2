package jiratest

import (
	"net/http"
	"time"
)

// serveFakeLogin serves POST /_fake/login?user=ID[&at=RFC3339]: it records
// a login of the user (a name, key, accountId or email) at at (default
// now), as [Server.SetLastLogin] does, and answers 204; 404 for an unknown
// user, 400 for a bad time. Black-box tests use it to make a user log in.
func (s *Server) serveFakeLogin(w http.ResponseWriter, r *http.Request) {
	at := time.Now().UTC()
	if v := r.URL.Query().Get("at"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, []string{"at: want an RFC 3339 time"}, nil)
			return
		}
		at = t
	}
	if !s.SetLastLogin(r.URL.Query().Get("user"), at) {
		writeErrors(w, http.StatusNotFound, []string{"no such user"}, nil)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
