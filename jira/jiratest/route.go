package jiratest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

type authLevel int

const (
	authAnon  authLevel = iota // anonymous callers allowed
	authUser                   // any authenticated user
	authAdmin                  // Jira administrators (DC) or site/Jira admins (Cloud)
	authOrg                    // Atlassian Admin API: Bearer org API key
)

// route is one endpoint of the fake: a method, a path pattern as
// [http.ServeMux] reads it, the query parameters it accepts, and who may
// call it.
type route struct {
	method string
	path   string
	params []string
	auth   authLevel
	h      func(*call)
	// refused are query parameters answered with 400 and the message
	// given, even when parameters are lenient: ones a client might send
	// and believe honoured (expand where the API has none).
	refused map[string]string
}

// Pattern returns the route as "METHOD /path", the key of counts and faults.
func (rt *route) pattern() string { return rt.method + " " + rt.path }

// Route describes one endpoint the fake serves.
type Route struct {
	Method string   // e.g. "GET"
	Path   string   // e.g. "/rest/api/2/user/properties/{propertyKey}"
	Params []string // the query parameters it accepts
}

// String returns "METHOD /path", the name [Server.Count] and
// [Server.SetFaults] use.
func (r Route) String() string { return r.Method + " " + r.Path }

// Routes returns the endpoints the server serves, sorted.
func (s *Server) Routes() []Route {
	out := make([]Route, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, Route{Method: rt.method, Path: rt.path, Params: slices.Clone(rt.params)})
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// handle registers a route. Besides the query parameters given, it accepts
// every parameter the official OpenAPI document declares for the
// operation (declaredParams), so a client sending a documented parameter
// is never refused, even when the fake ignores it.
func (s *Server) handle(method, path string, auth authLevel, params []string, h func(*call)) *route {
	params = slices.Clone(params)
	for _, p := range declaredParams[s.cfg.flavor.String()+" "+method+" "+path] {
		if !slices.Contains(params, p) {
			params = append(params, p)
		}
	}
	rt := &route{method: method, path: path, params: params, auth: auth, h: h}
	s.routes[rt.pattern()] = rt
	s.mux.HandleFunc(rt.pattern(), func(w http.ResponseWriter, r *http.Request) { s.dispatch(rt, w, r) })
	return rt
}

// call is one request being served, with the state locked.
type call struct {
	s      *Server
	st     *state
	w      http.ResponseWriter
	r      *http.Request
	rt     *route
	caller *user
	events []event
	// scopedKey: the caller used the organisation API key created with
	// scopes, which the user management API refuses.
	scopedKey bool
	// pending is a webhook secret read from a request body, on its way to
	// the state's secrets.
	pending string
}

func (s *Server) dispatch(rt *route, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c := &call{s: s, st: s.st, w: w, r: r, rt: rt}
	ok := s.authenticate(c) && s.limit(c) && c.checkParams() && c.checkContentType()
	if ok && rt.auth == authAdmin && !s.st.isAdmin(c.caller) {
		c.errorf(http.StatusForbidden, "You do not have the permission to perform this operation.")
		ok = false
	}
	if ok {
		rt.h(c)
	}
	events := c.events
	s.mu.Unlock()
	for _, e := range events {
		s.fire(e)
	}
}

// authenticate resolves the caller. It writes 401 and reports false when
// the route needs a caller and the credentials are missing or wrong.
func (s *Server) authenticate(c *call) bool {
	h := c.r.Header.Get("Authorization")
	if c.rt.auth == authOrg {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if ok && tok == s.cfg.creds.OrgKey {
			return true
		}
		if ok && s.cfg.scopedOrgKey != "" && tok == s.cfg.scopedOrgKey {
			c.scopedKey = true
			return true
		}
		c.writeJSON(http.StatusUnauthorized, map[string]any{"code": 401, "message": "Unauthorized"})
		return false
	}
	c.caller = s.callerFor(h)
	if c.caller != nil || c.rt.auth == authAnon && h == "" {
		return true
	}
	if s.cfg.flavor == jira.DataCenter {
		c.w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
		c.errorf(http.StatusUnauthorized, "You are not authenticated. Authentication required to perform this operation.")
	} else {
		c.errorf(http.StatusUnauthorized, "Client must be authenticated to access this resource.")
	}
	return false
}

// callerFor returns the user the Authorization header authenticates, or nil.
func (s *Server) callerFor(h string) *user {
	var u *user
	switch {
	case strings.HasPrefix(h, "Bearer "):
		if s.cfg.flavor != jira.DataCenter {
			return nil // Cloud REST takes Basic email:token here; Bearer is OAuth, not emulated
		}
		if id, ok := s.tokens[strings.TrimPrefix(h, "Bearer ")]; ok {
			u = s.st.lookup(id)
		}
	case strings.HasPrefix(h, "Basic "):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		if err != nil {
			return nil
		}
		name, secret, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil
		}
		if s.cfg.flavor == jira.DataCenter {
			if s.dcCaps.basicOff && !s.cfg.dcBasic {
				return nil // Jira 11: Basic authentication is off
			}
			u = s.st.byName[strings.ToLower(name)]
			if u == nil || u.password == "" || u.password != secret {
				return nil
			}
		} else {
			u = s.st.byEmail[strings.ToLower(name)]
			if u == nil || u.apiToken == "" || u.apiToken != secret {
				return nil
			}
		}
	}
	if u == nil || !u.jiraActive() || u.removed {
		return nil
	}
	return u
}

// AddToken makes token a valid Bearer token (DC personal access token) for
// the user with the given name or key. It reports false when there is no
// such user.
func (s *Server) AddToken(token, user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.lookup(user)
	if u == nil {
		return false
	}
	s.tokens[token] = u.key
	return true
}

// SetPassword sets the password (DC Basic) or API token (Cloud Basic with
// the email) of the user with the given identity. It reports false when
// there is no such user.
func (s *Server) SetPassword(user, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.lookup(user)
	if u == nil {
		return false
	}
	if s.cfg.flavor == jira.DataCenter {
		u.password = secret
	} else {
		u.apiToken = secret
	}
	return true
}

// checkParams answers 400 for a query parameter the route refuses, and,
// unless parameters are lenient, for one it does not take.
func (c *call) checkParams() bool {
	for name, msg := range c.rt.refused {
		if !c.has(name) {
			continue
		}
		if c.rt.auth == authOrg {
			c.adminError(http.StatusBadRequest, "ADMIN-400-0", "Bad Request", msg)
		} else {
			c.errorf(http.StatusBadRequest, "%s", msg)
		}
		return false
	}
	if c.s.cfg.lenient {
		return true
	}
	for name := range c.r.URL.Query() {
		if !slices.Contains(c.rt.params, name) {
			if c.rt.auth == authOrg {
				c.adminError(http.StatusBadRequest, "ADMIN-400-0", "Bad Request", "Unrecognized query parameter: "+name)
			} else {
				c.errorf(http.StatusBadRequest, "Unrecognized query parameter: %s", name)
			}
			return false
		}
	}
	return true
}

// checkContentType answers 415 to a POST to the Admin or user management
// API that does not say its body is JSON: those APIs refuse body-less
// POSTs (ADMIN-UAM-415-1), so clients must send {} at least.
func (c *call) checkContentType() bool {
	if c.rt.auth != authOrg || c.r.Method != http.MethodPost {
		return true
	}
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err == nil && mt == "application/json" {
		return true
	}
	c.adminError(http.StatusUnsupportedMediaType, "ADMIN-UAM-415-1", "Unsupported Media Type",
		"Content-Type must be application/json; send {} when there is nothing to say.")
	return false
}

// base returns the scheme and host the client used, for self links.
func (c *call) base() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}

func (c *call) q(name string) string { return c.r.URL.Query().Get(name) }

func (c *call) has(name string) bool { return c.r.URL.Query().Has(name) }

// intParam reads an integer query parameter. On a malformed value it
// writes 400 and reports false.
func (c *call) intParam(name string, def int) (int, bool) {
	v := c.q(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.errorf(http.StatusBadRequest, "The value '%s' is invalid for parameter %s.", v, name)
		return 0, false
	}
	return n, true
}

// boolParam reads a boolean query parameter. On a malformed value it writes
// 400 and reports false.
func (c *call) boolParam(name string, def bool) (bool, bool) {
	v := c.q(name)
	if v == "" {
		return def, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.errorf(http.StatusBadRequest, "The value '%s' is invalid for parameter %s.", v, name)
		return false, false
	}
	return b, true
}

// page reads startAt and maxResults, clamping maxResults to [1, limit]
// as Jira does. On a malformed value it writes 400 and reports false.
func (c *call) page(def, limit int) (startAt, maxResults int, ok bool) {
	if startAt, ok = c.intParam("startAt", 0); !ok {
		return 0, 0, false
	}
	if maxResults, ok = c.intParam("maxResults", def); !ok {
		return 0, 0, false
	}
	if startAt < 0 {
		startAt = 0
	}
	if maxResults <= 0 {
		maxResults = def
	}
	return startAt, min(maxResults, limit), true
}

// decode reads a JSON request body into v. On a missing or malformed body
// it writes 400 as Jira does and reports false.
func (c *call) decode(v any) bool {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
	if err != nil {
		c.errorf(http.StatusBadRequest, "Could not read the request body.")
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		c.errorf(http.StatusBadRequest, "No content to map to Object due to end of input")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			c.errorf(http.StatusBadRequest, "Unexpected character at offset %d: %v", se.Offset, err)
		} else {
			c.errorf(http.StatusBadRequest, "Can not deserialize the request body: %v", err)
		}
		return false
	}
	return true
}

// rawBody reads the request body as raw bytes (at most limit+1 bytes).
func (c *call) rawBody(limit int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(c.r.Body, limit+1))
}

func (c *call) writeJSON(status int, v any) {
	writeJSON(c.w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// errorCollection is Jira's error body on both flavours.
type errorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

func writeErrors(w http.ResponseWriter, status int, msgs []string, fields map[string]string) {
	if msgs == nil {
		msgs = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	writeJSON(w, status, errorCollection{ErrorMessages: msgs, Errors: fields})
}

// errorf answers with Jira's error body holding one message.
func (c *call) errorf(status int, format string, args ...any) {
	writeErrors(c.w, status, []string{fmt.Sprintf(format, args...)}, nil)
}

// fieldError answers with Jira's error body holding one field error.
func (c *call) fieldError(status int, field, msg string) {
	writeErrors(c.w, status, nil, map[string]string{field: msg})
}

// adminError answers in the Admin API's error shape.
func (c *call) adminError(status int, code, title, detail string) {
	c.writeJSON(status, map[string]any{"errors": []map[string]string{{
		"id": stableUUID("error", code+detail), "status": strconv.Itoa(status),
		"code": code, "title": title, "detail": detail,
	}}})
}

// noContent answers with a status and no body.
func (c *call) noContent(status int) { c.w.WriteHeader(status) }
