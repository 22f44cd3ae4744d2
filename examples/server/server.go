package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/email"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/historydb"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/usermgmt"
)

const userAgent = "seatwarden-server"

// maxBody bounds request bodies: the API's and Jira's webhooks (an issue
// payload is a few kilobytes).
const maxBody = 1 << 20

// serverConfig is what a server is made of.
type serverConfig struct {
	file *usermgmt.PolicySet
	// site is the site of a policy file that names none.
	site usermgmt.Site
	// connect connects to a site (default usermgmt.Connect).
	connect       func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error)
	store         historydb.Store
	apiToken      jira.Secret
	webhookSecret jira.Secret // empty: the webhook refuses every request
	dataDir       string      // journals go to dataDir/journals
	publicURL     string      // for links in approval issues
	poll          time.Duration
	// snapshotMaxAge is how old a snapshot the read routes (users,
	// insights) may reuse (default 60 s; negative: always fresh).
	snapshotMaxAge time.Duration
	// maxReads and maxWrites bound the requests reading a whole site
	// (users, plans, insights) and writing to it (apply, undo) at once
	// (defaults 4 and 2); more wait up to 2 s, then get 429.
	maxReads, maxWrites int
	now                 func() time.Time
	log                 *slog.Logger
	mail                *email.Settings // the policies' email sinks' SMTP server (nil: none)
	// links signs the pages' links (pages.go, links.go); default a key in
	// dataDir/link.key, links valid for a week.
	links *pageLinks
	// metrics count what the server does (nil: new ones, see metrics.go);
	// metricsElsewhere: served on --metrics-addr, not on the API's mux.
	metrics          *metrics.Metrics
	metricsElsewhere bool
}

// server is the HTTP service: the API, the webhook and the background
// work (approved plans being applied, triggers, polling).
type server struct {
	cfg       serverConfig
	clients   *usermgmt.Clients // one client per site, for every request
	m         *usermgmt.Manager
	approvals *usermgmt.Approvals
	tokenHash [32]byte
	mux       *http.ServeMux

	ctx    context.Context // the background work's; cancelled by stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newServer(ctx context.Context, cfg serverConfig) (*server, error) {
	if cfg.apiToken == "" {
		return nil, errors.New("no API token")
	}
	if cfg.connect == nil {
		cfg.connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			s.UserAgent = userAgent
			return usermgmt.Connect(ctx, s)
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	if cfg.snapshotMaxAge == 0 {
		cfg.snapshotMaxAge = time.Minute
	}
	cfg.withMetrics()
	clients := usermgmt.NewClients(cfg.connect)
	m, err := usermgmt.New(cfg.managerConfig(clients, cfg.site))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(cfg.dataDir, "journals"), 0o700); err != nil {
		return nil, err
	}
	if cfg.links == nil {
		key, err := linkKey("", func(string) string { return "" }, cfg.dataDir)
		if err != nil {
			return nil, err
		}
		cfg.links = &pageLinks{key: key, ttl: defaultLinkTTL}
	}
	if cfg.links.now == nil {
		cfg.links.now = cfg.now
	}
	s := &server{cfg: cfg, clients: clients, m: m, tokenHash: sha256.Sum256([]byte(cfg.apiToken))}
	if s.approvals, err = s.newApprovals(m); err != nil {
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	// A plan left half-applied by a crash resumes from its journal.
	if err := s.approvals.Recover(ctx); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (c serverConfig) managerConfig(clients *usermgmt.Clients, site usermgmt.Site) usermgmt.Config {
	cfg := usermgmt.Config{Policies: c.file, Site: site, Clients: clients, Now: c.now, Logger: c.log, Store: c.store, Sinks: c.sinks()}
	if c.mail != nil {
		cfg.SMTP, cfg.MailFrom = &c.mail.SMTP, c.mail.From
	}
	return cfg
}

// newApprovals returns the approval workflow of m's plans, recorded in
// the server's store.
func (s *server) newApprovals(m *usermgmt.Manager) (*usermgmt.Approvals, error) {
	return usermgmt.NewApprovals(m, usermgmt.ApprovalsConfig{Store: s.cfg.store, Journal: s.journal, Now: s.cfg.now, Logger: s.cfg.log,
		Link: s.planPageURL}) // a signed page a person opens from the issue (pages.go)
}

// pollLoop checks the pending plans' issues every poll interval: the
// fallback for webhooks that never came.
func (s *server) pollLoop() {
	if s.cfg.poll > 0 {
		s.background(func(ctx context.Context) { s.approvals.PollEvery(ctx, s.cfg.poll) })
	}
}

// snapshot reads the site's users for a read route: shared with other
// requests that want them at the same time, or reused while younger than
// the configured maximum age.
func (s *server) snapshot(ctx context.Context, site usermgmt.Site, opts jira.SnapshotOptions) (*usermgmt.Snapshot, error) {
	return s.clients.Snapshot(ctx, usermgmt.SnapshotRequest{Site: site, Options: opts, MaxAge: max(s.cfg.snapshotMaxAge, 0)})
}

// stop cancels the background work and waits for it.
func (s *server) stop() {
	s.cancel()
	s.wg.Wait()
}

// background runs fn in the background, until stop.
func (s *server) background(fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}

// Handler returns the service's handler.
func (s *server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *server) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.cfg.store.Version(r.Context()); err != nil {
			writeError(w, http.StatusServiceUnavailable, "history store unavailable")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /webhooks/jira", s.webhook)
	s.metricsRoute(mux)
	reads, writes := newSlots(s.cfg.maxReads, defaultMaxReads), newSlots(s.cfg.maxWrites, defaultMaxWrites)
	api := map[string]http.HandlerFunc{
		"GET /api/v1/users":              reads.limit(s.listUsers),
		"POST /api/v1/plans":             reads.limit(s.createPlan),
		"GET /api/v1/plans":              s.listPlans,
		"GET /api/v1/plans/{id}":         s.getPlan,
		"POST /api/v1/plans/{id}/apply":  writes.limit(s.applyPlan),
		"POST /api/v1/plans/{id}/cancel": s.cancelPlan,
		"GET /api/v1/runs":               s.listRuns,
		"GET /api/v1/runs/{id}":          s.getRun,
		"POST /api/v1/runs/{id}/undo":    writes.limit(s.undoRun),
		"GET /insights":                  reads.limit(s.insights),
		"GET /api/v1/insights":           reads.limit(s.insightsJSON), // insights.go
	}
	s.pageRoutes(mux) // signed links, no bearer token (pages.go)
	idem := newIdempotency(time.Now)
	for pattern, h := range api {
		mux.Handle(pattern, s.auth(idem.wrap(h)))
	}
	s.mux = mux
}

// serveHTTP answers unknown routes and methods in JSON too.
func (s *server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, p := s.mux.Handler(r2); p != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, "method %s not allowed", r.Method)
			return
		}
		writeError(w, http.StatusNotFound, "no such route")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// auth requires the API token as a bearer token.
func (s *server) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := r.Header.Get("Authorization")
		ok := len(hdr) > len("Bearer ") && strings.EqualFold(hdr[:len("Bearer ")], "Bearer ")
		tok := ""
		if ok {
			tok = hdr[len("Bearer "):]
		}
		// Hashes have the same length, so the comparison's time says
		// nothing about the token's length either.
		got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		if !ok || subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="seatwarden"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		h.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = report.WriteJSON(w, v) // "&&" stays "&&", as the CLI prints it (nosniff JSON)
}

func writeError(w http.ResponseWriter, code int, format string, a ...any) {
	writeJSON(w, code, map[string]string{"error": fmt.Sprintf(format, a...)})
}

// decode reads a JSON body into v; an empty body leaves v as it is. It
// answers the error itself and returns false on one.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// One JSON document: anything after it is an error.
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON document")
			if errors.As(terr, new(*http.MaxBytesError)) {
				err = terr
			}
		}
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil || errors.Is(err, io.EOF):
		return true
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, "request body over %d bytes", mbe.Limit)
	default:
		writeError(w, http.StatusBadRequest, "bad JSON body: %v", err)
	}
	return false
}

// siteFor returns the site named (the policy file's only site, or the
// configured one, when name is empty).
func (s *server) siteFor(name string) (usermgmt.Site, error) {
	f := s.cfg.file
	if name == "" {
		switch sites := f.SiteNames(); {
		case len(sites) == 1:
			name = sites[0]
		case len(sites) == 0:
			return s.cfg.site, nil
		default:
			return usermgmt.Site{}, fmt.Errorf("the policy file has %d sites: name one with ?site=", len(sites))
		}
	}
	site, ok := f.Site(name)
	if !ok {
		return site, fmt.Errorf("no site %q in the policy file", name)
	}
	return site, nil
}

// GET /api/v1/users?where=EXPR&site=NAME
func (s *server) listUsers(w http.ResponseWriter, r *http.Request) {
	where := r.URL.Query().Get("where")
	var p *criteria.Program
	var opts jira.SnapshotOptions
	if where != "" {
		var err error
		if p, err = criteria.Compile(where); err != nil {
			writeError(w, http.StatusBadRequest, "where: %v", err)
			return
		}
		n := p.Needs()
		if n.AllProperties {
			writeError(w, http.StatusBadRequest, "where: name each property read: property(\"key\", default)")
			return
		}
		opts = jira.SnapshotOptions{Groups: n.Groups, AllGroups: n.AllGroups, Licences: n.Licences, Properties: n.Properties,
			LastLogin: n.LastLogin || n.Created || n.LastActive || n.LoginCount}
		if opts.AllGroups {
			opts.Groups = nil
		}
	}
	site, err := s.siteFor(r.URL.Query().Get("site"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	snap, err := s.snapshot(r.Context(), site, opts)
	if err != nil {
		jiraFailed(w, "reading the users", err)
		return
	}
	now := s.cfg.now()
	out := struct {
		Site    string `json:"site"`
		Where   string `json:"where,omitempty"`
		Read    int    `json:"read"`
		Matched int    `json:"matched"`
		Errors  int    `json:"errors,omitempty"`
		// Users have the shape of the CLI's 'users list --output json'.
		Users []report.User `json:"users"`
		// SnapshotAge is how old the users read are, in seconds: a
		// snapshot younger than the server's maximum age is shared.
		SnapshotAge float64 `json:"snapshotAgeSeconds"`
	}{Site: site.URL, Where: where, Users: []report.User{}, SnapshotAge: snap.Age(time.Now()).Seconds()}
	for _, u := range snap.Users {
		out.Read++
		if p != nil {
			ok, err := p.MatchAt(&u, now)
			if err != nil {
				out.Errors++ // fails closed: not a match
			}
			if !ok {
				continue
			}
		}
		out.Matched++
		out.Users = append(out.Users, report.NewUser(&u, opts))
	}
	writeJSON(w, http.StatusOK, out)
}

// planView is a stored plan as the API shows it.
type planView struct {
	ID       string             `json:"id"`
	Status   history.PlanStatus `json:"status"`
	Policies []string           `json:"policies"`
	Source   string             `json:"source"`
	IssueKey string             `json:"issueKey,omitempty"`
	RunID    string             `json:"runId,omitempty"`
	Error    string             `json:"error,omitempty"`
	Created  time.Time          `json:"created"`
	Updated  time.Time          `json:"updated"`
	Links    map[string]string  `json:"links"`
	Plan     json.RawMessage    `json:"plan,omitempty"`
}

func (s *server) view(p history.PlanRecord, withPlan bool) planView {
	v := planView{ID: p.ID, Status: p.Status, Policies: p.Policies, Source: p.Source, IssueKey: p.IssueKey, RunID: p.RunID,
		Error: p.Error, Created: p.Created, Updated: p.Updated,
		Links: map[string]string{"self": s.cfg.publicURL + "/api/v1/plans/" + p.ID}}
	if p.Status == history.PlanPlanned || p.Status == history.PlanPending {
		v.Links["apply"] = v.Links["self"] + "/apply"
		v.Links["cancel"] = v.Links["self"] + "/cancel"
	}
	if p.RunID != "" {
		v.Links["run"] = s.cfg.publicURL + "/api/v1/runs/" + p.RunID
	}
	if withPlan {
		v.Plan = p.Plan
	}
	return v
}

// POST /api/v1/plans {"policies": ["name", …]}: the dry run. A plan of a
// policy with an approval opens its approval issue and waits.
func (s *server) createPlan(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Policies []string `json:"policies"`
	}
	if !decode(w, r, &body) {
		return
	}
	if len(body.Policies) == 0 {
		writeError(w, http.StatusBadRequest, `name the policies to plan: {"policies": ["name", …]}`)
		return
	}
	var first *usermgmt.CompiledPolicy
	for _, n := range body.Policies {
		p := s.policy(n)
		switch {
		case p == nil:
			writeError(w, http.StatusBadRequest, "no policy %q in the policy file", n)
			return
		case first == nil:
			first = p
		case p.Site != first.Site || p.ActOn != first.ActOn:
			writeError(w, http.StatusBadRequest, "policies %s and %s act on different sites; plan them apart", first.Name, p.Name)
			return
		}
	}
	plan, _, err := s.m.Plan(r.Context(), body.Policies...)
	if err != nil {
		jiraFailed(w, "planning", err)
		return
	}
	// Once the approval issue may exist, the plan is recorded even if
	// the client goes away.
	rec, err := s.approvals.Record(context.WithoutCancel(r.Context()), plan, "api")
	if errors.Is(err, usermgmt.ErrNothingToApprove) {
		// No issue to file, no run to record.
		writeJSON(w, http.StatusOK, map[string]any{"message": "nothing to approve: the plan changes nobody", "plan": plan})
		return
	}
	if err != nil {
		jiraFailed(w, "recording the plan", err)
		return
	}
	writeJSON(w, http.StatusCreated, s.view(rec, true))
}

func (s *server) policy(name string) *usermgmt.CompiledPolicy {
	if p, ok := s.cfg.file.Policy(name); ok {
		return &p
	}
	return nil
}

func (s *server) journal(planID string) string {
	return filepath.Join(s.cfg.dataDir, "journals", filepath.Base(planID)+".journal")
}

// boolParam reads the query parameter name: absent or "false" is false,
// "true" is true; anything else is answered 400 and ok is false.
func boolParam(w http.ResponseWriter, r *http.Request, name string) (v, ok bool) {
	q := r.URL.Query()
	vals, present := q[name]
	switch {
	case !present:
		return false, true
	case len(vals) == 1 && vals[0] == "true":
		return true, true
	case len(vals) == 1 && vals[0] == "false":
		return false, true
	}
	writeError(w, http.StatusBadRequest, "%s=%s: want true or false", name, strings.Join(vals, ","))
	return false, false
}

// planStatuses are the statuses GET /api/v1/plans filters on.
var planStatuses = []history.PlanStatus{history.PlanPlanned, history.PlanPending, history.PlanApplying, history.PlanApplied,
	history.PlanRejected, history.PlanCancelled, history.PlanFailed}

// GET /api/v1/plans?status=pending
func (s *server) listPlans(w http.ResponseWriter, r *http.Request) {
	var st []history.PlanStatus
	if v := r.URL.Query().Get("status"); v != "" {
		if !slices.Contains(planStatuses, history.PlanStatus(v)) {
			writeError(w, http.StatusBadRequest, "status=%s: want one of %v", v, planStatuses)
			return
		}
		st = append(st, history.PlanStatus(v))
	}
	recs, err := s.cfg.store.Plans(r.Context(), st...)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	}
	out := []planView{}
	for _, p := range recs {
		out = append(out, s.view(p, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": out})
}

func (s *server) loadPlan(w http.ResponseWriter, r *http.Request) (history.PlanRecord, bool) {
	rec, err := s.cfg.store.Plan(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, history.ErrNoPlan):
		writeError(w, http.StatusNotFound, "no plan %q", r.PathValue("id"))
		return rec, false
	case err != nil:
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return rec, false
	}
	return rec, true
}

// GET /api/v1/plans/{id}
func (s *server) getPlan(w http.ResponseWriter, r *http.Request) {
	if rec, ok := s.loadPlan(w, r); ok {
		writeJSON(w, http.StatusOK, s.view(rec, true))
	}
}

// POST /api/v1/plans/{id}/apply: a planned plan is applied; a pending one
// only if its issue is approved by now.
func (s *server) applyPlan(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.loadPlan(w, r)
	if !ok {
		return
	}
	if rec.Status != history.PlanPlanned && rec.Status != history.PlanPending {
		writeError(w, http.StatusConflict, "plan %s is %s", rec.ID, rec.Status)
		return
	}
	run, err := s.approvals.Apply(r.Context(), rec.ID)
	if rec2, err2 := s.cfg.store.Plan(r.Context(), rec.ID); err2 == nil {
		rec = rec2
	}
	var ae *usermgmt.ApprovalRequiredError
	switch {
	case err == nil && run != nil:
		var plan actions.Plan
		if jerr := json.Unmarshal(rec.Plan, &plan); jerr != nil {
			writeError(w, http.StatusInternalServerError, "history: plan %s: %v", rec.ID, jerr)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"plan": s.view(rec, false), "run": s.newRun(run, &plan, rec.IssueKey)})
	case errors.As(err, &ae):
		writeError(w, http.StatusConflict, "plan %s waits for approval on issue %s (status %s)", rec.ID, ae.IssueKey, cmp.Or(ae.Status, "new"))
	case errors.Is(err, usermgmt.ErrPlanBusy):
		writeError(w, http.StatusConflict, "plan %s is %s", rec.ID, rec.Status)
	case usermgmt.Refused(err):
		writeError(w, http.StatusUnprocessableEntity, "refused: %v", err)
	default:
		jiraFailed(w, "applying", err)
	}
}

// POST /api/v1/plans/{id}/cancel: a planned or pending plan is dropped;
// it is never applied, whatever its approval issue says later.
func (s *server) cancelPlan(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.loadPlan(w, r)
	if !ok {
		return
	}
	moved, err := s.approvals.Cancel(r.Context(), rec.ID, "cancelled through the API")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	}
	if rec, err = s.cfg.store.Plan(r.Context(), rec.ID); err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	}
	if !moved {
		writeError(w, http.StatusConflict, "plan %s is %s", rec.ID, rec.Status)
		return
	}
	writeJSON(w, http.StatusOK, s.view(rec, false))
}

// GET /api/v1/runs?site=URL
func (s *server) listRuns(w http.ResponseWriter, r *http.Request) {
	runs, err := s.cfg.store.Runs(r.Context(), r.URL.Query().Get("site"), time.Time{}, s.cfg.now().Add(24*time.Hour))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	}
	out := []runView{}
	for _, run := range runs {
		out = append(out, s.runView(report.RunOfSummary(run, nil)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": out})
}

// runView is a run as the API shows it: the programs' run document
// (report.Run, the CLI's 'apply --output json') with the links to it.
type runView struct {
	report.Run
	Links map[string]string `json:"links"`
}

func (s *server) runView(run report.Run) runView {
	return runView{Run: run, Links: map[string]string{
		"self": s.cfg.publicURL + "/api/v1/runs/" + run.ID, "plan": s.cfg.publicURL + "/api/v1/plans/" + run.PlanID,
		"undo": s.cfg.publicURL + "/api/v1/runs/" + run.ID + "/undo"}}
}

// newRun is a run just applied as the API shows it: the run document of
// its report, as the history keeps it (approvalIssue is the plan's
// issue, if any).
func (s *server) newRun(run *actions.Run, plan *actions.Plan, approvalIssue string) runView {
	rep := report.FromRun(run, plan)
	rep.ApprovalIssue = approvalIssue
	return s.runView(report.NewRun(rep))
}

func (s *server) loadRun(w http.ResponseWriter, r *http.Request) (report.RunSummary, bool) {
	run, err := s.cfg.store.Run(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, history.ErrNoRun):
		writeError(w, http.StatusNotFound, "no run %q", r.PathValue("id"))
		return run, false
	case err != nil:
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return run, false
	}
	return run, true
}

// GET /api/v1/runs/{id}
func (s *server) getRun(w http.ResponseWriter, r *http.Request) {
	run, ok := s.loadRun(w, r)
	if !ok {
		return
	}
	res, err := s.cfg.store.Results(r.Context(), run.RunID)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	}
	if res == nil {
		res = []actions.Result{} // a run's own document lists its results
	}
	writeJSON(w, http.StatusOK, s.runView(report.RunOfSummary(run, res)))
}

// POST /api/v1/runs/{id}/undo[?dryRun=true]: the run's journal reversed.
func (s *server) undoRun(w http.ResponseWriter, r *http.Request) {
	run, ok := s.loadRun(w, r)
	if !ok {
		return
	}
	journal := s.journal(run.PlanID)
	if _, err := os.Stat(journal); err != nil {
		writeError(w, http.StatusConflict, "run %s has no journal here; it cannot be undone", run.RunID)
		return
	}
	dry, ok := boolParam(w, r, "dryRun")
	if !ok {
		return
	}
	plan, undo, err := s.m.Undo(context.WithoutCancel(r.Context()), usermgmt.UndoOptions{Journal: journal, Apply: !dry})
	switch {
	case errors.Is(err, usermgmt.ErrAlreadyUndone):
		writeError(w, http.StatusConflict, "run %s is already undone", run.RunID)
		return
	case errors.Is(err, actions.ErrLocked):
		writeError(w, http.StatusConflict, "run %s is being undone", run.RunID)
		return
	case err != nil:
		jiraFailed(w, "undo", err)
		return
	}
	out := map[string]any{"plan": plan, "run": nil} // a dry undo has no run
	if undo != nil {
		out["run"] = s.newRun(undo, plan, "")
	}
	writeJSON(w, http.StatusOK, out)
}

// GET /insights?site=NAME: the HTML report of the site's users, now.
func (s *server) insights(w http.ResponseWriter, r *http.Request) {
	in, site, flavor, ok := s.buildInsights(w, r)
	if !ok {
		return
	}
	now := in.Now
	rep := &report.Report{Site: site.URL, Flavor: flavor, Started: now, Finished: now, Insights: in, Counts: map[actions.Outcome]int{}}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := report.WriteHTML(w, rep); err != nil {
		s.cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "insights: page not written", slog.String("error", err.Error()))
	}
}

// buildInsights builds the insights of the site ?site= names, or answers
// the error and returns false (pages.go's insightsOf).
func (s *server) buildInsights(w http.ResponseWriter, r *http.Request) (*insights.Insights, usermgmt.Site, jira.Flavor, bool) {
	in, site, flavor, fail := s.insightsOf(r.Context(), r.URL.Query().Get("site"))
	if fail != nil {
		fail.writeJSON(w)
		return nil, site, 0, false
	}
	return in, site, flavor, true
}
