package jiratest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// InMemoryURL is the base URL of a [Server] that has no listener: requests
// reach it through [Server.Transport], whatever host they name.
const InMemoryURL = "http://jira.invalid"

// Default credentials. Each can be changed with [WithCredentials].
const (
	DefaultDCUser     = "admin"
	DefaultDCPassword = "admin"
	DefaultDCToken    = "demo-token"
	DefaultCloudEmail = "admin@example.com"
	DefaultCloudToken = "demo-token"
	DefaultOrgID      = "demo-org"
	DefaultOrgKey     = "demo-org-key"
	DefaultDCVersion  = "10.3.24"
)

// Credentials are what the fake accepts. The DC user (and the Cloud email)
// is created as a site administrator.
type Credentials struct {
	DCUser     string // Basic user name on DC
	DCPassword string // Basic password on DC
	DCToken    string // personal access token (Bearer) for DCUser
	CloudEmail string // Basic user on Cloud
	CloudToken string // API token for CloudEmail
	OrgID      string // Atlassian organisation id served by the Admin API
	OrgKey     string // Admin API key (Bearer)
}

// DefaultCredentials returns the credentials a fake accepts unless told
// otherwise: DC admin:admin and Bearer demo-token; Cloud
// admin@example.com:demo-token; Admin API Bearer demo-org-key for org demo-org.
func DefaultCredentials() Credentials {
	return Credentials{
		DCUser: DefaultDCUser, DCPassword: DefaultDCPassword, DCToken: DefaultDCToken,
		CloudEmail: DefaultCloudEmail, CloudToken: DefaultCloudToken,
		OrgID: DefaultOrgID, OrgKey: DefaultOrgKey,
	}
}

type config struct {
	flavor        jira.Flavor
	dcVersion     string
	dcBasic       bool
	creds         Credentials
	org           *Org
	rate          float64
	burst         int
	latency       time.Duration
	seed          uint64
	lenient       bool
	scopedOrgKey  string
	jiraAdmin     [2]string // Cloud: email and API token of a Jira-admin-only user
	pickerLimit   int
	webhookClient *http.Client
	logCap        int
}

// Option configures a [Server].
type Option func(*config)

// WithFlavor chooses the flavour of Jira to emulate: [jira.DataCenter] (the
// default) or [jira.Cloud], which also serves the Atlassian Admin API.
func WithFlavor(f jira.Flavor) Option { return func(c *config) { c.flavor = f } }

// WithDCVersion sets the Jira DC version to emulate, e.g. "9.12", "10.0",
// "10.3.24" (the default) or "11.0", with the routes and limits of that
// release:
//
//   - before 10: no lastLoginTime, user/search pages 1000 at a time, the
//     webhooks REST at /rest/webhooks/1.0/webhook, no user/session;
//   - 10.0 to 10.2: lastLoginTime, no GET /user/list, user/search serves
//     only the first 100 results in total, webhooks at
//     /rest/jira-webhook/1.0/webhooks only;
//   - 10.3 and later: GET /user/list as well;
//   - 11 and later: Basic authentication is refused (personal access
//     tokens only) unless [WithDCBasicAuth] turns it back on.
//
// GET /serverInfo reports the version.
func WithDCVersion(v string) Option { return func(c *config) { c.dcVersion = v } }

// WithDCBasicAuth accepts Basic authentication on Jira DC 11 and later,
// as a site whose administrator turned it back on does.
func WithDCBasicAuth() Option { return func(c *config) { c.dcBasic = true } }

// WithCredentials replaces the accepted credentials. Empty fields keep their
// defaults.
func WithCredentials(cr Credentials) Option {
	return func(c *config) {
		d := &c.creds
		for _, p := range []struct {
			dst *string
			v   string
		}{
			{&d.DCUser, cr.DCUser}, {&d.DCPassword, cr.DCPassword}, {&d.DCToken, cr.DCToken},
			{&d.CloudEmail, cr.CloudEmail}, {&d.CloudToken, cr.CloudToken},
			{&d.OrgID, cr.OrgID}, {&d.OrgKey, cr.OrgKey},
		} {
			if p.v != "" {
				*p.dst = p.v
			}
		}
	}
}

// WithOrg loads an organisation (see [GenerateOrg]) into the fake.
func WithOrg(o *Org) Option { return func(c *config) { c.org = o } }

// WithRateLimit turns rate limiting on: a token bucket per caller refilled
// at perSecond requests per second, holding at most burst. DC answers with
// its X-RateLimit-* headers on every response; Cloud with Retry-After,
// X-RateLimit-Reset and RateLimit-Reason on a 429 and
// X-RateLimit-NearLimit when less than 20% of the bucket is left.
// Rate limiting is off by default.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) { c.rate, c.burst = perSecond, max(burst, 1) }
}

// WithLatency delays every response by d.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithSeed seeds the random faults, so a run with the same seed and the same
// requests fails the same way.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithLenientParams makes the fake ignore query parameters it does not know,
// as real Jira does. By default it answers them with 400, which catches
// misspelt parameters in clients; see the package documentation.
func WithLenientParams() Option { return func(c *config) { c.lenient = true } }

// WithScopedOrgKey makes key a second organisation API key that acts as
// one created with scopes: the Admin API accepts it, the user management
// API (/users/{accountId}/manage...) answers it 403 {"key":"forbidden"},
// as real Cloud is reported to.
func WithScopedOrgKey(key string) Option { return func(c *config) { c.scopedOrgKey = key } }

// WithJiraAdmin adds, on Cloud, a second administrator who can
// authenticate with email and API token: one in jira-admins only
// (Administer Jira), not in site-admins. Group writes (POST/DELETE
// group/user, POST/DELETE group) and DELETE user answer it 403, as real
// Cloud answers a Jira administrator who is not a site administrator.
func WithJiraAdmin(email, token string) Option {
	return func(c *config) { c.jiraAdmin = [2]string{email, token} }
}

// WithPickerLimit sets the cap on groups/picker results, Jira's
// jira.ajax.autocomplete.limit (default 20).
func WithPickerLimit(n int) Option { return func(c *config) { c.pickerLimit = n } }

// WithWebhookClient sets the client used to deliver webhooks (default: a
// client with a 10 s timeout).
func WithWebhookClient(hc *http.Client) Option { return func(c *config) { c.webhookClient = hc } }

// WithRequestLog sets how many requests [Server.Requests] keeps (default
// 100,000; the oldest are dropped first). Counts per route are always kept.
func WithRequestLog(n int) Option { return func(c *config) { c.logCap = n } }

// Server is a fake Jira site. It is safe for concurrent use. Build one with
// [NewServer] in tests or [New] elsewhere.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:40123"; [InMemoryURL]
	// until the server listens.
	URL string

	cfg    config
	dcCaps dcCaps
	mux    *http.ServeMux
	routes map[string]*route

	mu         sync.Mutex // guards everything below
	st         *state
	tokens     map[string]string // Bearer token → user key/accountId
	orgs       []orgInfo
	counts     map[string]int
	log        []Request
	faults     map[string][]Fault
	scripts    map[string][]Fault
	rng        *rand.Rand
	buckets    map[string]*bucket
	deliveries []Delivery

	hooks sync.WaitGroup
	hs    *http.Server
	ln    net.Listener
	once  sync.Once
}

// New returns a fake Jira that is not listening: use it as an
// [http.Handler], through [Server.Transport], or start it with
// [Server.Start]. It panics if the options or the organisation are invalid,
// as [NewServer] does, because that is a programming error.
func New(opts ...Option) *Server {
	cfg := config{
		flavor:      jira.DataCenter,
		dcVersion:   DefaultDCVersion,
		creds:       DefaultCredentials(),
		pickerLimit: 20,
		logCap:      100_000,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.flavor != jira.DataCenter && cfg.flavor != jira.Cloud {
		panic(fmt.Sprintf("jiratest: unknown flavor %v", cfg.flavor))
	}
	if cfg.webhookClient == nil {
		cfg.webhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		URL:     InMemoryURL,
		cfg:     cfg,
		dcCaps:  dcCapsOf(cfg.dcVersion),
		mux:     http.NewServeMux(),
		routes:  map[string]*route{},
		st:      newState(cfg.flavor),
		tokens:  map[string]string{},
		counts:  map[string]int{},
		faults:  map[string][]Fault{},
		scripts: map[string][]Fault{},
		rng:     rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15)),
		buckets: map[string]*bucket{},
	}
	s.orgs = []orgInfo{{id: cfg.creds.OrgID, name: "Demo Organization"}}
	s.registerRoutes()
	if err := s.seedDefaults(); err != nil {
		panic("jiratest: " + err.Error())
	}
	if cfg.org != nil {
		if err := s.Load(cfg.org); err != nil {
			panic("jiratest: " + err.Error())
		}
	}
	return s
}

// NewServer starts a fake Jira on a loopback port for the test and closes it
// when the test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := New(opts...)
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("jiratest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Flavor returns the flavour the server emulates.
func (s *Server) Flavor() jira.Flavor { return s.cfg.flavor }

// Credentials returns the credentials the server accepts.
func (s *Server) Credentials() Credentials { return s.cfg.creds }

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
// URL is set to the address it listens on.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.hs.Serve(ln) }()
	return nil
}

// Close stops the listener, if any, and waits for webhook deliveries in
// flight. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		if s.hs != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = s.hs.Shutdown(ctx)
		}
		s.hooks.Wait()
	})
}

// Shutdown stops the listener gracefully, waiting for requests in flight
// until ctx is done, then for webhook deliveries.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.once.Do(func() {
		if s.hs != nil {
			err = s.hs.Shutdown(ctx)
		}
		s.hooks.Wait()
	})
	return err
}

// Client returns an HTTP client that reaches the server in memory, with no
// socket, whatever host a request names.
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.Transport()} }

// Transport returns an in-memory [http.RoundTripper] that calls the server's
// handler directly, with no socket, so tests of time-based code can run
// under testing/synctest. A dropped-connection fault surfaces as an error
// from RoundTrip.
func (s *Server) Transport() http.RoundTripper { return memTransport{s} }

type memTransport struct{ s *Server }

// errConnReset is what a client of the in-memory transport sees when the
// fake drops the connection.
var errConnReset = errors.New("jiratest: connection reset by peer")

func (t memTransport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	// The handler gets a request as a server would see it.
	sr := req.Clone(req.Context())
	sr.RequestURI = req.URL.RequestURI()
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				resp, err = nil, errConnReset
				return
			}
			panic(p)
		}
	}()
	t.s.ServeHTTP(rec, sr)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}

// ServeHTTP serves the fake Jira: it counts the request, applies latency,
// faults, authentication and rate limits, then the route's handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_fake/") {
		s.serveFake(w, r)
		return
	}
	h, pattern := s.mux.Handler(r)
	rt := s.routes[pattern]
	sw := &statusWriter{ResponseWriter: w}
	start := time.Now()
	defer func() {
		routeName := pattern
		if rt == nil {
			routeName = "(unmatched)"
		}
		s.record(Request{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Route: routeName,
			Status: sw.status, Time: start,
		})
	}()
	if !sleep(r.Context(), s.cfg.latency) {
		return
	}
	if rt == nil {
		// No route: the mux knows whether the path exists with another
		// method (405, with Allow) or not at all (404).
		probe := httptest.NewRecorder()
		h.ServeHTTP(probe, r)
		if probe.Code == http.StatusMethodNotAllowed {
			sw.Header().Set("Allow", probe.Header().Get("Allow"))
			writeErrors(sw, http.StatusMethodNotAllowed, []string{"Method " + r.Method + " is not allowed for " + r.URL.Path}, nil)
			return
		}
		writeErrors(sw, http.StatusNotFound, []string{"null for uri: " + r.URL.Path}, nil)
		return
	}
	if f, ok := s.pickFault(pattern); ok {
		if !sleep(r.Context(), f.Delay) {
			return
		}
		if f.Status != 0 || f.Reset {
			s.serveFault(sw, r, f)
			return
		}
	}
	s.mux.ServeHTTP(sw, r)
}

// sleep waits for d, or until ctx is done; it reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
