package usermgmt

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/email"
	history "github.com/seatwarden/seatwarden/report/history/store" // the interfaces, without SQLite
	"github.com/seatwarden/seatwarden/report/insights"
)

// Config configures a [Manager]. Only Policies (or, for plans of
// policies built in Go, Site) is required.
type Config struct {
	// Policies are the compiled policies and their sites, from [Load],
	// [Parse] or [File.Compile]: the only form a Manager runs.
	Policies *PolicySet
	// Site is the site of policies whose file names none, of plans of
	// policies built in Go ([Manager.PlanPolicies]) and of undo.
	Site Site
	// Connect returns a client for a site (default [Connect]). Tests
	// and demos return a client of a fake. Ignored when Clients is set.
	Connect func(ctx context.Context, s Site) (Client, error)
	// Clients shares one client (one rate limiter, one connection pool)
	// per site, and concurrent snapshots, among every Manager of a
	// program that is given the same value. Without it the Manager makes
	// its own from Connect: its operations share clients with each other
	// but with no other Manager.
	Clients *Clients
	// Now is the clock (default time.Now). Plans are made at Now(), and
	// the criteria are evaluated at that instant.
	Now func() time.Time
	// Logger receives the manager's records, each with a run_id
	// attribute (default: discard).
	Logger *slog.Logger
	// ReportLogger receives the summaries of the policies' log sinks
	// (default Logger).
	ReportLogger *slog.Logger
	// Progress, when set, is called as the snapshot is read and as the
	// plan is applied, from one goroutine at a time.
	Progress func(Progress)
	// Sinks receive the report of every applied run, besides the sinks
	// the policies' reporting sections name.
	Sinks []report.Sink
	// Store, when set, keeps the history: every applied run and a
	// summary of every snapshot taken.
	Store history.Store
	// SMTP and MailFrom configure the policies' email sinks; without
	// SMTP an email sink is reported as not delivered.
	SMTP     *email.SMTP
	MailFrom string
	// ReportUsers puts the snapshot's users in the reports, with the
	// insights (levels, licences and tiers, login recency, the seats the
	// plan frees) that the HTML report draws.
	ReportUsers bool
	// SnapshotMaxAge, when positive, lets a plan use a snapshot of its
	// site taken at most this long ago by another operation sharing
	// Clients. Zero (the default) plans on a fresh snapshot, though it
	// joins an identical one being fetched when it starts.
	SnapshotMaxAge time.Duration
	// Concurrency is how many users are written at once (default 4).
	Concurrency int
	// ReadOnlyDirectories name user directories (an LDAP directory Jira
	// only reads) whose users are protected, when the snapshot shows the
	// users' directories: plans exempt them rather than fail to write.
	ReadOnlyDirectories []string
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Policies == nil && c.Site.URL == "" {
		return errors.New("usermgmt: config: policies or a site are required")
	}
	if c.Concurrency < 0 {
		return errors.New("usermgmt: config: negative concurrency")
	}
	if c.SMTP != nil && c.MailFrom == "" {
		return errors.New("usermgmt: config: SMTP needs MailFrom")
	}
	return nil
}

// Stage names a part of a run, in [Progress].
type Stage string

// The stages a [Manager] reports progress for.
const (
	StageSnapshot Stage = "snapshot" // reading users; Total unknown (0)
	StageApply    Stage = "apply"    // writing; Done of Total users
	StageReport   Stage = "report"   // writing the report through the sinks
)

// Progress says how far a manager's work is.
type Progress struct {
	RunID string
	Stage Stage
	// Site is the site's name or URL.
	Site string
	// Done of Total; Total is 0 when unknown.
	Done, Total int
}

// Manager plans, applies, reports and undoes policies: the facade over
// snapshot → select → exempt → plan → approve → apply → report. It is safe
// for concurrent use.
//
// A Manager shares its clients: every operation gets the site's client
// from Config.Clients (one connection pool, one rate limiter, one flavour
// detection per site, created on first use), and concurrent snapshots of
// a site with compatible options are one fetch. Managers a program makes
// with the same *Clients share all of that; a Manager without one makes
// its own, shared by its operations only.
type Manager struct {
	cfg  Config
	file *compiledSet // cfg.Policies' compiled file, never changed

	mu     sync.Mutex
	adhoc  map[string]adhoc  // plan id → the Go policies it was made from
	issues map[string]string // plan id → the approval issue this manager opened
}

// New returns a manager with cfg, validated.
func New(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Clients == nil {
		cfg.Clients = NewClients(cfg.Connect)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	file := &compiledSet{File: &File{Version: Version}, sites: map[string]Site{}}
	if cfg.Policies != nil {
		file = cfg.Policies.f
	}
	return &Manager{cfg: cfg, file: file, adhoc: map[string]adhoc{}, issues: map[string]string{}}, nil
}

// ApprovalRequiredError is returned by [Manager.Apply] (and Run) for a
// plan of a policy with an approval: the approval issue was created and
// the plan waits for it. Apply it with [Manager.Apply] and [ApplyOptions].ApprovalIssue once the
// issue is approved.
type ApprovalRequiredError struct {
	PlanID   string
	Policy   string
	IssueKey string
	// Status is the issue's status when known ("" for a new issue).
	Status string
}

func (e *ApprovalRequiredError) Error() string {
	s := fmt.Sprintf("usermgmt: plan %s of policy %s waits for approval on issue %s", e.PlanID, e.Policy, e.IssueKey)
	if e.Status != "" {
		s += " (status " + e.Status + ")"
	}
	return s
}

// Is matches [ErrApprovalRequired].
func (e *ApprovalRequiredError) Is(target error) bool { return target == ErrApprovalRequired }

// ErrApprovalRequired matches an *ApprovalRequiredError.
var ErrApprovalRequired = errors.New("usermgmt: approval required")

// ErrRejected is returned by [Manager.Apply] when the approval
// issue was rejected.
var ErrRejected = errors.New("usermgmt: the plan was rejected")

// Refused reports whether err is a refusal rather than a failure: a
// blast-radius limit ([actions.ErrLimitExceeded]), an approval still
// awaited, a rejection, a plan that does not match its policies
// ([actions.ErrPlanMismatch]), an issue that is not the plan's approval,
// or a journal another run holds ([actions.ErrLocked]).
func Refused(err error) bool {
	return errors.Is(err, actions.ErrLimitExceeded) || errors.Is(err, ErrApprovalRequired) || errors.Is(err, ErrRejected) ||
		errors.Is(err, actions.ErrPlanMismatch) || errors.Is(err, ErrNotApprovalIssue) || errors.Is(err, actions.ErrLocked)
}

// run is one call of a manager's method: its id and logger.
type run struct {
	id  string
	log *slog.Logger
	// fresh makes its snapshots new ones (Config.SnapshotMaxAge does not
	// apply): a plan is verified against the site as it is now.
	fresh bool
}

func (m *Manager) newRun(ctx context.Context, what string) run {
	id := newRunID()
	r := run{id: id, log: m.cfg.Logger.With("run_id", id)}
	r.log.LogAttrs(ctx, slog.LevelInfo, what+" started")
	return r
}

// maxAdhoc bounds the plans of policies built in Go kept for their
// verification at apply.
const maxAdhoc = 256

// newRunID returns a UUID v7, or a v4 if the clock fails.
func newRunID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

func (m *Manager) progress(p Progress) {
	if m.cfg.Progress != nil {
		m.cfg.Progress(p)
	}
}

// policies returns the named policies of the file, all of them when
// names is empty; they must share their sites.
func (m *Manager) policies(names []string) ([]*CompiledPolicy, error) {
	f := m.file
	if len(names) == 0 {
		for _, p := range f.Policies {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return nil, errors.New("usermgmt: no policy to plan")
	}
	var out []*CompiledPolicy
	for _, n := range names {
		i := slices.IndexFunc(f.policies, func(p CompiledPolicy) bool { return p.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("usermgmt: no policy %q", n)
		}
		p := &f.policies[i]
		if len(out) > 0 && (p.Site != out[0].Site || p.ActOn != out[0].ActOn) {
			return nil, fmt.Errorf("usermgmt: policies %s and %s act on different sites; plan them apart", out[0].Name, p.Name)
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// defaultSite is the site of plans of no policy of the file: Config.Site
// (""), or else the file's only site.
func (m *Manager) defaultSite() string {
	if m.cfg.Site.URL == "" && len(m.file.Sites) == 1 {
		for n := range m.file.Sites {
			return n
		}
	}
	return ""
}

// site resolves a site name of the file; "" is the default site.
func (m *Manager) site(name string) (Site, error) {
	if name == "" {
		name = m.defaultSite()
	}
	if name == "" {
		if m.cfg.Site.URL == "" {
			return Site{}, errors.New("usermgmt: no site: the policy file names none and Config.Site is empty")
		}
		return m.cfg.Site, nil
	}
	s, ok := m.file.site(name)
	if !ok {
		return Site{}, fmt.Errorf("usermgmt: no site %q", name)
	}
	return s, nil
}

func (m *Manager) client(ctx context.Context, name string) (Client, Site, error) {
	s, err := m.site(name)
	if err != nil {
		return nil, s, err
	}
	c, err := m.cfg.Clients.Client(ctx, s)
	if err != nil {
		return nil, s, m.siteError(s, err) // sitecheck.go
	}
	return c, s, nil
}

func siteLabel(s Site) string { return cmpOr(s.Name, s.URL) }

func cmpOr(a, b string) string { return cmp.Or(a, b) }

// Plan plans the named policies of the file together (all of them when
// no name is given) against one snapshot of their site: the dry run.
// Policies planned together must act on the same site; the plan lists,
// for each user, every policy that selected it, and the conflicts
// between their steps — the interaction report ([InteractionReport]).
//
// A policy with actOn selects users on its site and plans the actions
// for the accounts with the same emails on the actOn site; selected users
// with no email, or no such account, are in the plan's Problems.
//
// Plan returns the snapshot the plan was made from with it: the manager
// keeps nothing of a plan it made but, for a plan of policies built in Go,
// those policies (to verify it at apply).
func (m *Manager) Plan(ctx context.Context, names ...string) (*actions.Plan, *Snapshot, error) {
	r := m.newRun(ctx, "plan")
	sim, err := m.plan(ctx, r, names, true)
	if err != nil {
		r.log.LogAttrs(ctx, slog.LevelError, "plan failed", slog.String("error", err.Error()))
		return nil, nil, err
	}
	return sim.Plan, sim.Snapshot, nil
}

// Simulation is the outcome of [Manager.Simulate]: the plan of the
// policies against a snapshot, the snapshot's users, and how the policies
// interact.
type Simulation struct {
	Plan *actions.Plan
	// Users is the snapshot of the site the plan acts on.
	Users []jira.User
	// Snapshot is that snapshot, with when and how it was taken.
	Snapshot *Snapshot
	// Overlaps are the users several policies selected.
	Overlaps []Overlap
	// Unmatched are users an actOn policy selected on its site that have
	// no account on the site it acts on.
	Unmatched []actions.SelectionProblem
}

// Overlap is a user several policies selected, and what the plan does.
type Overlap struct {
	User     actions.Identity
	Policies []string
	Steps    []string
}

// Simulate plans the policies against a snapshot, without writing
// anything or saving history, and reports how they interact.
func (m *Manager) Simulate(ctx context.Context, names ...string) (*Simulation, error) {
	r := m.newRun(ctx, "simulate")
	return m.plan(ctx, r, names, false)
}

// PlanPolicies plans policies built in Go (ad-hoc work, such as a CSV
// list of users to add to a group) on Config.Site, or the file's only
// site when Config.Site is empty.
func (m *Manager) PlanPolicies(ctx context.Context, policies ...actions.Policy) (*actions.Plan, *Snapshot, error) {
	r := m.newRun(ctx, "plan")
	c, s, err := m.client(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	opts := actions.Requirements(c.Flavor(), policies, actions.Exemptions{})
	snap, err := m.snapshot(ctx, r, c, s, opts)
	if err != nil {
		return nil, nil, err
	}
	plan, err := m.newPlan(ctx, m.cfg.Now(), c, s, snap.Users, policies, actions.Exemptions{}, opts)
	if err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	for id := range m.adhoc {
		if len(m.adhoc) < maxAdhoc {
			break
		}
		delete(m.adhoc, id) // plans never applied
	}
	m.adhoc[plan.ID] = adhoc{policies: slices.Clone(policies)}
	m.mu.Unlock()
	return plan, snap, nil
}

func (m *Manager) plan(ctx context.Context, r run, names []string, save bool) (*Simulation, error) {
	ps, err := m.policies(names)
	if err != nil {
		return nil, err
	}
	now := m.cfg.Now()
	f := m.file
	common, err := f.commonExemptions()
	if err != nil {
		return nil, err
	}
	common = atClock(common, now)
	aps := make([]actions.Policy, len(ps))
	for i, p := range ps {
		if aps[i], err = f.actionsPolicy(p.Name); err != nil {
			return nil, err
		}
		if p.where != nil {
			aps[i].Select = clocked{p.where, now}
		}
		aps[i].Exemptions = atClock(aps[i].Exemptions, now)
	}
	target := ps[0].Site
	if ps[0].ActOn != "" {
		target = ps[0].ActOn
	}
	c, s, err := m.client(ctx, target)
	if err != nil {
		return nil, err
	}
	var unmatched []actions.SelectionProblem
	if ps[0].ActOn != "" {
		if unmatched, err = m.crossSite(ctx, r, ps, aps, now); err != nil {
			return nil, err
		}
	}
	if err := m.checkSite(ctx, c, s, ps, aps, &common); err != nil { // sitecheck.go
		return nil, err
	}
	// With actOn the criteria ran on the source site; the target needs
	// what the actions, protections and exemptions read.
	opts := f.snapshotOptions(c.Flavor(), aps, common, ps[0].ActOn == "")
	// The plan's fingerprints cover what the policies read, not what the
	// reports add: one plan is the same document whether a program keeps
	// a history (the server) or not (the CLI), and verifies either way.
	planOpts := opts
	if m.cfg.Store != nil || m.cfg.ReportUsers {
		// The history's summaries and the report's insights count last
		// logins and licences.
		opts.LastLogin, opts.Licences = true, true
	}
	opts.Result = &jira.SnapshotResult{} // newPlan reads whether it is partial
	planOpts.Result = opts.Result
	snap, err := m.snapshot(ctx, r, c, s, opts)
	if err != nil {
		return nil, err
	}
	users := snap.Users
	if save && m.cfg.Store != nil {
		if err := m.cfg.Store.SaveSnapshot(ctx, report.Summarize(s.URL, users, now)); err != nil {
			r.log.LogAttrs(ctx, slog.LevelWarn, "history: snapshot not saved", slog.String("error", err.Error()))
		}
	}
	// One instant for the criteria, the exemptions' expiry and the plan.
	plan, err := m.newPlan(ctx, now, c, s, users, aps, common, planOpts)
	if err != nil {
		return nil, err
	}
	plan.Problems = append(plan.Problems, unmatched...)
	r.log.LogAttrs(ctx, slog.LevelInfo, "planned", slog.String("plan_id", plan.ID), slog.Int("users", len(plan.Users)),
		slog.Int("exempt", len(plan.Exempt)), slog.Int("conflicts", len(plan.Conflicts)), slog.Int("unmatched", len(unmatched)))
	sim := &Simulation{Plan: plan, Users: users, Snapshot: snap, Unmatched: unmatched}
	for _, up := range plan.Users {
		if len(up.Policies) > 1 {
			steps := make([]string, len(up.Steps))
			for i, st := range up.Steps {
				steps[i] = st.String()
			}
			sim.Overlaps = append(sim.Overlaps, Overlap{User: up.User, Policies: up.Policies, Steps: steps})
		}
	}
	return sim, nil
}

func (m *Manager) snapshot(ctx context.Context, r run, _ Client, s Site, opts jira.SnapshotOptions) (*Snapshot, error) {
	label := siteLabel(s)
	// A snapshot that cannot see every user fails (jira.ErrIncomplete)
	// unless the site allows a partial one; then the log says so.
	opts.AllowPartial = s.AllowPartialSnapshot
	maxAge := m.cfg.SnapshotMaxAge
	if r.fresh {
		maxAge = 0
	}
	snap, err := m.cfg.Clients.Snapshot(ctx, SnapshotRequest{Site: s, Options: opts, MaxAge: maxAge,
		Progress: func(n int) { m.progress(Progress{RunID: r.id, Stage: StageSnapshot, Site: label, Done: n}) }})
	if err != nil {
		return nil, fmt.Errorf("usermgmt: snapshot of %s: %w", label, err)
	}
	if opts.Result != nil {
		*opts.Result = snap.Result
	}
	if snap.Result.Partial {
		r.log.LogAttrs(ctx, slog.LevelWarn, "partial snapshot", slog.String("site", label), slog.String("unseen", snap.Result.Unseen))
	}
	users := snap.Users
	m.progress(Progress{RunID: r.id, Stage: StageSnapshot, Site: label, Done: len(users), Total: len(users)})
	r.log.LogAttrs(ctx, slog.LevelInfo, "snapshot taken", slog.String("site", label), slog.Int("users", len(users)),
		slog.Bool("shared", snap.Shared), slog.Duration("age", snap.Age(time.Now()).Round(time.Millisecond)))
	return snap, nil
}

func (m *Manager) newPlan(ctx context.Context, now time.Time, c Client, s Site, users []jira.User, aps []actions.Policy, common actions.Exemptions, opts jira.SnapshotOptions) (*actions.Plan, error) {
	if opts.Result != nil && opts.Result.Partial {
		// A percentage of a partial count is wrong: refuse it.
		for _, p := range aps {
			if p.Limits.MaxPercent > 0 {
				return nil, fmt.Errorf("usermgmt: %s: policy %q limits a percentage of the active users, but the snapshot is partial (%s): %w",
					siteLabel(s), p.Name, opts.Result.Unseen, jira.ErrIncomplete)
			}
		}
	}
	if err := m.checkDirectories(s, users); err != nil { // sitecheck.go
		return nil, err
	}
	me, err := c.Myself(ctx)
	if err != nil {
		return nil, fmt.Errorf("usermgmt: %s: myself: %w", siteLabel(s), err)
	}
	seq := func(yield func(jira.User, error) bool) {
		for _, u := range users {
			if !yield(u, nil) {
				return
			}
		}
	}
	return actions.NewPlan(ctx, seq, aps, actions.PlanOptions{Now: now, Flavor: c.Flavor(), Site: s.URL,
		Myself: me, Snapshot: opts, Exemptions: common,
		ReadOnlyDirectories: slices.Concat(m.cfg.ReadOnlyDirectories, s.ReadOnlyDirectories)})
}

// crossSite selects the users of the policies on their site and makes
// each policy select, on the site it acts on, the accounts with the
// same emails. It returns the selected users that match no account.
func (m *Manager) crossSite(ctx context.Context, r run, ps []*CompiledPolicy, aps []actions.Policy, now time.Time) ([]actions.SelectionProblem, error) {
	src, s, err := m.client(ctx, ps[0].Site)
	if err != nil {
		return nil, err
	}
	dst, _, err := m.client(ctx, ps[0].ActOn)
	if err != nil {
		return nil, err
	}
	var opts jira.SnapshotOptions
	for _, p := range ps {
		if p.where != nil {
			opts = withNeeds(opts, p.where.Needs())
		}
	}
	snap, err := m.snapshot(ctx, r, src, s, opts)
	if err != nil {
		return nil, err
	}
	users := snap.Users
	// The emails of the target's accounts, to report the unmatched.
	have := map[string]bool{}
	for u, err := range dst.Snapshot(ctx, jira.SnapshotOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("usermgmt: snapshot of %s: %w", ps[0].ActOn, err)
		}
		if u.Email != "" {
			have[strings.ToLower(u.Email)] = true
		}
	}
	var problems []actions.SelectionProblem
	for i, p := range ps {
		chosen := map[string]string{} // email → why
		for _, u := range users {
			ok := true
			if p.where != nil {
				if ok, err = p.where.MatchAt(&u, now); err != nil {
					ok = false
				}
			}
			if !ok {
				continue
			}
			id := cmpOr(u.Name, cmpOr(u.AccountID, u.Key))
			email := strings.ToLower(u.Email)
			switch {
			case email == "":
				problems = append(problems, actions.SelectionProblem{Policy: p.Name, Value: id,
					Reason: "selected on " + p.Site + " but has no email to match on " + p.ActOn})
			case !have[email]:
				problems = append(problems, actions.SelectionProblem{Policy: p.Name, Value: u.Email,
					Reason: "selected on " + p.Site + " but no account with this email on " + p.ActOn})
			default:
				why := "selected on " + p.Site + " as " + id
				if p.where != nil {
					why += ": " + p.where.Why(&u, now)
				}
				chosen[email] = why
			}
		}
		aps[i].Select = emailMatcher{chosen}
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "matched by email", slog.String("site", ps[0].Site),
		slog.String("act_on", ps[0].ActOn), slog.Int("unmatched", len(problems)))
	return problems, nil
}

// emailMatcher selects the users whose emails were chosen on another site.
type emailMatcher struct{ chosen map[string]string }

func (e emailMatcher) Match(_ context.Context, u *jira.User) (bool, error) {
	_, ok := e.chosen[strings.ToLower(u.Email)]
	return ok, nil
}

func (e emailMatcher) Why(u *jira.User, _ time.Time) string {
	return e.chosen[strings.ToLower(u.Email)]
}

// atMatcher is a criterion evaluated at a given instant.
type atMatcher interface {
	MatchAt(u *jira.User, now time.Time) (bool, error)
	Why(u *jira.User, now time.Time) string
}

// clocked evaluates a criterion at the plan's instant, whatever clock the
// file was loaded with.
type clocked struct {
	p   atMatcher
	now time.Time
}

func (c clocked) Match(_ context.Context, u *jira.User) (bool, error) { return c.p.MatchAt(u, c.now) }

func (c clocked) Why(u *jira.User, _ time.Time) string { return c.p.Why(u, c.now) }

func atClock(x actions.Exemptions, now time.Time) actions.Exemptions {
	rules := slices.Clone(x.Rules)
	for i, r := range rules {
		if am, ok := r.Matcher.(atMatcher); ok {
			rules[i].Matcher = clocked{am, now}
		}
	}
	x.Rules = rules
	return x
}

// InteractionReport describes how the policies of a plan interact: the
// users several policies selected, the conflicts between their steps and
// how they were resolved, and the users that could not be selected.
func InteractionReport(p *actions.Plan) string {
	var b strings.Builder
	names := make([]string, len(p.Policies))
	for i, pr := range p.Policies {
		names[i] = pr.Name
	}
	fmt.Fprintf(&b, "Interactions of %s:\n", strings.Join(names, ", "))
	per := map[string]int{}
	overlaps := 0
	for _, up := range p.Users {
		for _, n := range up.Policies {
			per[n]++
		}
		if len(up.Policies) > 1 {
			overlaps++
		}
	}
	for _, n := range names {
		fmt.Fprintf(&b, "  %s selects %d users\n", n, per[n])
	}
	fmt.Fprintf(&b, "  %d users selected by more than one policy\n", overlaps)
	shown := 0
	for _, up := range p.Users {
		if len(up.Policies) < 2 || shown == 10 {
			continue
		}
		shown++
		steps := make([]string, len(up.Steps))
		for i, s := range up.Steps {
			steps[i] = s.String()
		}
		fmt.Fprintf(&b, "    %s: %s → %s\n", up.User, strings.Join(up.Policies, " + "), cmpOr(strings.Join(steps, ", "), "nothing"))
	}
	if overlaps > shown {
		fmt.Fprintf(&b, "    … and %d more\n", overlaps-shown)
	}
	fmt.Fprintf(&b, "  %d conflicts\n", len(p.Conflicts))
	for _, c := range p.Conflicts {
		fmt.Fprintf(&b, "    %s (%s): %s → %s\n", c.User, strings.Join(c.Policies, " + "), c.Rule, c.Resolution)
	}
	if len(p.Problems) > 0 {
		fmt.Fprintf(&b, "  %d users not selected (selection problems, unmatched accounts)\n", len(p.Problems))
	}
	return b.String()
}

// ApplyOptions say how [Manager.Apply] applies a plan.
type ApplyOptions struct {
	// Journal is the path of the run's journal (none when empty):
	// applying the same plan with the same journal again resumes it; a
	// journal another run holds is refused (see [actions.OpenJournal]).
	Journal string
	// ApprovalIssue is the key of the plan's approval issue, for a plan of
	// a policy with an approval that waited for it: Apply checks that it
	// is this plan's approval issue (in the history store when it keeps
	// plans, else among the issues this manager created) and reads its
	// status first. The plan is applied only at the policy's
	// approvedStatus (default Approved, compared as Jira does, ignoring
	// case); at its rejectedStatus (default Rejected) Apply returns
	// [ErrRejected], otherwise an *ApprovalRequiredError with the status.
	ApprovalIssue string
	// OverrideLimits is a person's reason for applying a plan above a
	// blast-radius limit (see [actions.ApplyOptions].OverrideLimits):
	// empty or blank, such a plan is refused; otherwise it is applied and
	// the limit and the reason are recorded in the journal, the run
	// ([actions.Run].LimitOverride), the report and the log. Approval is
	// not overridden.
	OverrideLimits string
}

// Apply applies a plan (see [ApplyOptions] for its journal and approval).
//
// The plan is a proposal, not an authority: Apply plans its policies
// again, from the policy file as it is now (or, for a plan of
// [Manager.PlanPolicies], from the policies this manager planned it with)
// on a new snapshot of their site, and applies only what both agree on
// ([actions.Verify]). A plan whose policies, hashes, flavour or site
// differ is refused as a whole (an error matching
// [actions.ErrPlanMismatch]); a user with a step the policies would not
// plan now has its steps [actions.Refused], reported in the run, and
// nothing written. Limits, the run issue and approval come from the
// policies, never from the plan.
//
// A plan above a blast-radius limit is refused before any write with an
// error matching [actions.ErrLimitExceeded] (an *actions.LimitError),
// unless opts.OverrideLimits gives a reason. A plan of a policy with an approval, without ApprovalIssue, is not
// applied: the approval issue is created and an *ApprovalRequiredError
// returned (the [Approvals] component does this, records the plan and
// applies it once approved). After the run, the report goes to the sinks
// and the history; its users are those of the snapshot the plan was
// verified against.
func (m *Manager) Apply(ctx context.Context, plan *actions.Plan, opts ApplyOptions) (*actions.Run, error) {
	if opts.ApprovalIssue != "" {
		r := m.newRun(ctx, "apply approved")
		return m.apply(ctx, r, plan, opts.Journal, applyApproved, opts.ApprovalIssue, opts.OverrideLimits)
	}
	r := m.newRun(ctx, "apply")
	return m.apply(ctx, r, plan, opts.Journal, applyNew, "", opts.OverrideLimits)
}

// ErrNotApprovalIssue is returned by [Manager.Apply] for an issue
// that is not the approval issue of the plan.
var ErrNotApprovalIssue = errors.New("usermgmt: not the plan's approval issue")

// planByIssue is what a history store that keeps plans offers
// (history.SQLite does): the plan an approval issue was opened for.
type planByIssue interface {
	PlanByIssue(ctx context.Context, key string) (history.PlanRecord, error)
}

// checkApprovalIssue verifies that issue is the approval issue of plan:
// one this manager filed, the store's record of the plan, or an issue of
// the approval's project whose summary names the plan (as every approval
// issue's does) — a program without a store (the CLI) finds the issue a
// plan was filed with that way, and an issue of another plan is refused.
func (m *Manager) checkApprovalIssue(ctx context.Context, planID, key string, issue jira.Issue, ap *CompiledPolicy) error {
	if strings.HasPrefix(strings.ToUpper(issue.Key), strings.ToUpper(ap.Approval.Project)+"-") &&
		strings.Contains(issue.Summary, "seatwarden plan "+planID+":") {
		return nil
	}
	m.mu.Lock()
	mine := m.issues[planID]
	m.mu.Unlock()
	if mine != "" && strings.EqualFold(mine, key) {
		return nil
	}
	if st, ok := m.cfg.Store.(planByIssue); ok {
		rec, err := st.PlanByIssue(ctx, key)
		if err == nil && rec.ID == planID {
			return nil
		}
		if err != nil && !errors.Is(err, history.ErrNoPlan) {
			return fmt.Errorf("usermgmt: approval issue %s: %w", key, err)
		}
	}
	return fmt.Errorf("%w: issue %s was not opened for plan %s", ErrNotApprovalIssue, key, planID)
}

func targetOf(p *CompiledPolicy) string { return cmpOr(p.ActOn, p.Site) }

func approvalRequest(p *CompiledPolicy, plan *actions.Plan, s Site) jira.IssueRequest {
	n := len(plan.Users)
	return jira.IssueRequest{
		Project: p.Approval.Project, IssueType: p.Approval.IssueType,
		Summary: fmt.Sprintf("Approve seatwarden plan %s: %s changes %d users on %s", plan.ID, p.Name, n, siteLabel(s)),
		Description: fmt.Sprintf("Policy %s plans changes to %d users. Move this issue to %s to apply the plan, or to %s to drop it.\n\n%s",
			p.Name, n, cmpOr(p.Approval.ApprovedStatus, "Approved"), cmpOr(p.Approval.RejectedStatus, "Rejected"), plan.Summary()),
		Labels: []string{"seatwarden", "approval"},
	}
}

// planPolicies returns the file's policies a plan names, and an error for
// a name the file does not have.
func (m *Manager) planPolicies(plan *actions.Plan) ([]*CompiledPolicy, error) {
	var out []*CompiledPolicy
	for _, pr := range plan.Policies {
		i := slices.IndexFunc(m.file.policies, func(p CompiledPolicy) bool { return p.Name == pr.Name })
		if i < 0 {
			return nil, fmt.Errorf("%w: the policy file has no policy %q", actions.ErrPlanMismatch, pr.Name)
		}
		out = append(out, &m.file.policies[i])
	}
	return out, nil
}

func (m *Manager) refused(ctx context.Context, r run, err error) error {
	r.log.LogAttrs(ctx, slog.LevelInfo, "refused", slog.String("error", err.Error()))
	return err
}

// applyMode says which door a plan came in by.
type applyMode int

const (
	applyNew      applyMode = iota // Apply: ask for approval when a policy has one
	applyApproved                  // ApplyOptions.ApprovalIssue: the issue decides
	applyUndo                      // Undo: a plan this manager made from a journal
)

// approved returns nil when issueKey is the approval issue of plan (see
// checkApprovalIssue) and has the approval policy's approved status;
// ErrRejected at its rejected status; an *ApprovalRequiredError else.
func (m *Manager) approved(ctx context.Context, r run, plan *actions.Plan, issueKey string) error {
	ps, err := m.planPolicies(plan)
	if err != nil {
		return m.refused(ctx, r, err)
	}
	var ap *CompiledPolicy
	for _, p := range ps {
		if p.Approval != nil {
			ap = p
			break
		}
	}
	if ap == nil {
		return fmt.Errorf("usermgmt: plan %s has no policy with an approval", plan.ID)
	}
	c, _, err := m.client(ctx, targetOf(ap))
	if err != nil {
		return err
	}
	issue, err := c.Issue(ctx, issueKey)
	if err != nil {
		return fmt.Errorf("usermgmt: approval issue %s: %w", issueKey, err)
	}
	if err := m.checkApprovalIssue(ctx, plan.ID, issueKey, issue, ap); err != nil {
		return m.refused(ctx, r, err)
	}
	approved, rejected := cmpOr(ap.Approval.ApprovedStatus, "Approved"), cmpOr(ap.Approval.RejectedStatus, "Rejected")
	switch {
	case strings.EqualFold(issue.Status, approved):
		r.log.LogAttrs(ctx, slog.LevelInfo, "approved", slog.String("plan_id", plan.ID), slog.String("issue", issueKey))
		return nil
	case strings.EqualFold(issue.Status, rejected):
		r.log.LogAttrs(ctx, slog.LevelInfo, "rejected", slog.String("plan_id", plan.ID), slog.String("issue", issueKey))
		return fmt.Errorf("%w: issue %s is %s", ErrRejected, issueKey, issue.Status)
	}
	return &ApprovalRequiredError{PlanID: plan.ID, Policy: ap.Name, IssueKey: issueKey, Status: issue.Status}
}

// adhoc is a plan of policies built in Go, kept to verify it at apply.
type adhoc struct {
	policies []actions.Policy
	site     string
}

// verified is a plan verified at apply: the plan to apply, the steps
// refused, the file's policies it names, the client and site it acts on,
// and the new snapshot it was verified against (the report's users).
type verified struct {
	plan    *actions.Plan
	refused []actions.Result
	ps      []*CompiledPolicy
	c       Client
	s       Site
	users   []jira.User
}

// verify plans plan's policies again on a new snapshot and returns what
// to apply (see [actions.Verify]).
func (m *Manager) verify(ctx context.Context, r run, plan *actions.Plan, j *actions.Journal) (verified, error) {
	r.fresh = true
	var v verified
	if len(plan.Policies) == 0 {
		return v, fmt.Errorf("%w: plan %s names no policy", actions.ErrPlanMismatch, plan.ID)
	}
	m.mu.Lock()
	ad, isAdhoc := m.adhoc[plan.ID]
	m.mu.Unlock()
	var fresh *actions.Plan
	var err error
	if isAdhoc {
		if v.c, v.s, err = m.client(ctx, ad.site); err != nil {
			return v, err
		}
		opts := actions.Requirements(v.c.Flavor(), ad.policies, actions.Exemptions{})
		snap, err := m.snapshot(ctx, r, v.c, v.s, opts)
		if err != nil {
			return v, err
		}
		v.users = snap.Users
		if fresh, err = m.newPlan(ctx, m.cfg.Now(), v.c, v.s, snap.Users, ad.policies, actions.Exemptions{}, opts); err != nil {
			return v, err
		}
	} else {
		if v.ps, err = m.planPolicies(plan); err != nil {
			return v, err
		}
		names := make([]string, len(v.ps))
		for i, p := range v.ps {
			names[i] = p.Name
		}
		if v.c, v.s, err = m.client(ctx, targetOf(v.ps[0])); err != nil {
			return v, err
		}
		sim, err := m.plan(ctx, r, names, false)
		if err != nil {
			return v, err
		}
		fresh, v.users = sim.Plan, sim.Users
	}
	if v.plan, v.refused, err = actions.Verify(plan, fresh, j); err != nil {
		return v, fmt.Errorf("usermgmt: plan %s: %w", plan.ID, err)
	}
	if len(v.refused) > 0 {
		r.log.LogAttrs(ctx, slog.LevelWarn, "plan steps refused", slog.String("plan_id", plan.ID), slog.Int("steps", len(v.refused)),
			slog.String("first", v.refused[0].User.ID()+": "+v.refused[0].Message))
	}
	return v, nil
}

// apply verifies plan (except an undo plan, made here from a journal),
// asks for or checks its approval (issueKey), applies it on the site its
// policies act on (for an undo, the site named issueKey) and reports the
// run. A reason in override lets a plan over its limits through.
func (m *Manager) apply(ctx context.Context, r run, plan *actions.Plan, journalPath string, mode applyMode, issueKey, override string) (*actions.Run, error) {
	var j *actions.Journal
	if journalPath != "" {
		var err error
		if j, err = actions.OpenJournal(journalPath); err != nil {
			return nil, fmt.Errorf("usermgmt: %w", err)
		}
		defer func() { _ = j.Close() }()
	}
	vd := verified{plan: plan}
	var err error
	approvalIssue := ""
	if mode == applyApproved {
		// The issue first: a plan still waiting costs no snapshot.
		if err := m.approved(ctx, r, plan, issueKey); err != nil {
			return nil, err
		}
		approvalIssue = issueKey
	}
	if mode == applyUndo {
		if vd.c, vd.s, err = m.client(ctx, issueKey); err != nil {
			return nil, err
		}
		if !sameURL(plan.Site, vd.s.URL) {
			return nil, fmt.Errorf("usermgmt: undo of a run on %s, but the site is %s", plan.Site, vd.s.URL)
		}
	} else if vd, err = m.verify(ctx, r, plan, j); err != nil {
		return nil, m.refused(ctx, r, err)
	}
	v, refused, ps, c, s := vd.plan, vd.refused, vd.ps, vd.c, vd.s
	if c.Flavor() != v.Flavor {
		return nil, fmt.Errorf("usermgmt: plan %s is for a %v site; %s is %v", plan.ID, v.Flavor, siteLabel(s), c.Flavor())
	}
	if err := v.CheckLimits(); err != nil && strings.TrimSpace(override) == "" {
		return nil, m.refused(ctx, r, err)
	}
	var ap *CompiledPolicy
	for _, p := range ps {
		if p.Approval != nil {
			ap = p
			break
		}
	}
	switch {
	case mode == applyApproved && ap == nil:
		return nil, fmt.Errorf("usermgmt: plan %s has no policy with an approval", plan.ID)
	case mode == applyNew && ap != nil && len(v.Users) > 0:
		issue, err := c.CreateIssue(ctx, approvalRequest(ap, v, s))
		if err != nil {
			return nil, fmt.Errorf("usermgmt: approval issue of plan %s: %w", plan.ID, err)
		}
		m.mu.Lock()
		m.issues[plan.ID] = issue.Key
		m.mu.Unlock()
		r.log.LogAttrs(ctx, slog.LevelInfo, "approval requested", slog.String("plan_id", plan.ID),
			slog.String("policy", ap.Name), slog.String("issue", issue.Key))
		return nil, &ApprovalRequiredError{PlanID: plan.ID, Policy: ap.Name, IssueKey: issue.Key}
	}
	opts := actions.ApplyOptions{Now: m.cfg.Now, Logger: m.cfg.Logger, RunID: r.id, Concurrency: m.cfg.Concurrency,
		Journal: j, NoFingerprints: mode == applyUndo, OverrideLimits: override, Mailer: m.mailer(c, r.log),
		Progress: func(p actions.Progress) {
			m.progress(Progress{RunID: r.id, Stage: StageApply, Site: siteLabel(s), Done: p.UsersDone, Total: p.Users})
		}}
	run, err := actions.Apply(ctx, c, v, opts)
	if run != nil && len(refused) > 0 {
		run.Results = append(run.Results, refused...)
		run.Counts[actions.Refused] += len(refused)
	}
	if err != nil {
		if errors.Is(err, actions.ErrLimitExceeded) {
			return run, m.refused(ctx, r, err)
		}
		r.log.LogAttrs(ctx, slog.LevelError, "apply failed", slog.String("error", err.Error()))
		return run, err
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "applied", slog.String("plan_id", plan.ID),
		slog.Int("applied", run.Counts[actions.Applied]), slog.Int("failed", run.Counts[actions.Failed]),
		slog.Int("refused", run.Counts[actions.Refused]))
	m.report(ctx, r, vd, run, approvalIssue)
	return run, nil
}

func sameURL(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// report sends the report of a run to the sinks and the history. A sink
// that fails is logged: the run is done either way.
func (m *Manager) report(ctx context.Context, r run, vd verified, run *actions.Run, approvalIssue string) {
	c, s, plan, ps := vd.c, vd.s, vd.plan, vd.ps
	rep := report.FromRun(run, plan)
	rep.ApprovalIssue = approvalIssue
	if rep.Site == "" {
		rep.Site = s.URL // the history's key, as the snapshots'
	}
	if m.cfg.ReportUsers {
		// The users of the snapshot the plan was verified against (an
		// undo has none: the site is read for its report).
		users, ok := vd.users, vd.users != nil
		if !ok {
			for u, err := range c.Snapshot(ctx, jira.SnapshotOptions{LastLogin: true, Licences: true}) {
				if err != nil {
					r.log.LogAttrs(ctx, slog.LevelWarn, "report: users not read", slog.String("error", err.Error()))
					users = nil
					break
				}
				users = append(users, u)
			}
		}
		rep.Users = users
		// The licences' seats as the site counts them; without them (a
		// site that does not say, or an error: logged) they are counted
		// from the users, which cannot know the licence's size.
		seats, err := insights.SiteSeats(ctx, c)
		if err != nil {
			r.log.LogAttrs(ctx, slog.LevelWarn, "report: the site's seats not read; counted from the users", slog.String("error", err.Error()))
			seats = nil
		}
		in, err := insights.New(ctx, insights.Options{Site: rep.Site, Flavor: plan.Flavor, Now: m.cfg.Now(), Users: users, Plan: plan, Seats: seats})
		if err != nil {
			r.log.LogAttrs(ctx, slog.LevelWarn, "report: no insights", slog.String("error", err.Error()))
		} else {
			rep.Insights = in
		}
	}
	sinks := slices.Clone(m.cfg.Sinks)
	for _, p := range ps {
		sinks = append(sinks, m.sinks(p, c, approvalIssue, r)...)
	}
	m.progress(Progress{RunID: r.id, Stage: StageReport, Site: siteLabel(s), Total: len(sinks)})
	if len(sinks) > 0 {
		for i, d := range report.NewFanout(r.log, sinks...).Deliver(ctx, rep) {
			if d.Err != nil {
				r.log.LogAttrs(ctx, slog.LevelWarn, "report not delivered", slog.String("sink", d.Sink), slog.String("error", d.Err.Error()))
			}
			m.progress(Progress{RunID: r.id, Stage: StageReport, Site: siteLabel(s), Done: i + 1, Total: len(sinks)})
		}
	}
	if m.cfg.Store != nil {
		if err := m.cfg.Store.SaveRun(ctx, rep); err != nil {
			r.log.LogAttrs(ctx, slog.LevelWarn, "history: run not saved", slog.String("error", err.Error()))
		}
	}
}

// sinks returns the sinks a policy's reporting section names, paths
// relative to the policy file.
func (m *Manager) sinks(p *CompiledPolicy, c Client, approvalIssue string, r run) []report.Sink {
	var out []report.Sink
	path := func(s string) string {
		if s == "" || filepath.IsAbs(s) {
			return s // made absolute by Merge, from a path checked at load
		}
		return filepath.Join(cmpOr(p.base, m.file.dir), s)
	}
	for _, s := range p.Reporting.Sinks {
		if s.Path != "" && !filepath.IsAbs(s.Path) {
			if _, err := insidePath(cmpOr(p.base, m.file.dir), s.Path, true); err != nil {
				out = append(out, failing{string(s.Type) + " " + s.Path, err})
				continue
			}
		}
		switch s.Type {
		case SinkJSONL:
			out = append(out, report.JSONLFile(mkdir(path(s.Path))))
		case SinkCSV:
			out = append(out, &report.CSV{Path: mkdir(path(s.Path))})
		case SinkHTML:
			out = append(out, &report.HTML{Path: mkdir(path(s.Path))})
		case SinkLog:
			l := m.cfg.Logger // the sink adds the run_id
			if m.cfg.ReportLogger != nil {
				l = m.cfg.ReportLogger
			}
			out = append(out, report.NewSlog(l))
		case SinkEmail:
			if m.cfg.SMTP == nil {
				out = append(out, failing{"email " + strings.Join(s.To, ","), errors.New("no SMTP server configured (Config.SMTP)")})
				continue
			}
			e := &email.Sink{SMTP: *m.cfg.SMTP, From: m.cfg.MailFrom, To: s.To, Subject: s.Subject, Logger: r.log}
			if gm, ok := c.(email.GroupMembers); ok {
				e.Groups = gm
			}
			out = append(out, e)
		case SinkComment:
			cm, ok := c.(report.Commenter)
			switch {
			case approvalIssue == "":
				// Only approved runs have an issue to comment on.
			case !ok:
				out = append(out, failing{"comment", errors.New("the site's client cannot comment")})
			default:
				out = append(out, report.NewComment(cm))
			}
		}
	}
	return out
}

// mkdir creates the directory of a sink's file.
func mkdir(path string) string {
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	return path
}

// failing is a sink that cannot be delivered, reported as such.
type failing struct {
	name string
	err  error
}

func (f failing) Name() string                                { return f.name }
func (f failing) Write(context.Context, *report.Report) error { return f.err }

// RunOptions say what [Manager.Run] does. The zero value is a dry run of
// every policy of the file.
type RunOptions struct {
	// Policies are the names of the policies to run (all when empty).
	Policies []string
	// Apply applies the plan; without it the run is a dry run.
	Apply bool
	// Journal is the path of the journal of an applied run (none when
	// empty); see [ApplyOptions].
	Journal string
	// OverrideLimits is the reason for applying a plan over a
	// blast-radius limit; see [ApplyOptions].
	OverrideLimits string
}

// Run plans the policies and, with opts.Apply, applies the plan. A dry run
// returns the plan and a nil run.
func (m *Manager) Run(ctx context.Context, opts RunOptions) (*actions.Plan, *actions.Run, error) {
	plan, _, err := m.Plan(ctx, opts.Policies...)
	if err != nil || !opts.Apply {
		return plan, nil, err
	}
	run, err := m.Apply(ctx, plan, ApplyOptions{Journal: opts.Journal, OverrideLimits: opts.OverrideLimits})
	return plan, run, err
}

// UndoOptions say what [Manager.Undo] does. The zero value of Apply is the
// dry run: the undo plan is returned, nothing is written.
type UndoOptions struct {
	// Journal is the path of the journal of the run to undo (required).
	Journal string
	// Apply applies the undo plan, journaled to Journal + ".undo".
	Apply bool
}

// ErrAlreadyUndone is returned by [Manager.Undo] when the undo's own
// journal shows every step of it done.
var ErrAlreadyUndone = errors.New("usermgmt: the run is already undone")

// Undo reads the journal at opts.Journal and returns the plan that
// reverses what it applied (see actions.Undo); with opts.Apply it also
// applies that plan, journaled to Journal + ".undo": an undo that was
// interrupted resumes, and one that is done returns [ErrAlreadyUndone] and
// writes nothing (a dry run of it too). The site is the one the journal's
// run changed: the policy file's site (or Config.Site) with that URL; the
// file's only site or Config.Site for an older journal that names none.
// Undo acts on no other site. The undo plan is not verified against
// policies (it is made here, from the journal), but every user is read
// again before its first change and protected users are left alone.
func (m *Manager) Undo(ctx context.Context, opts UndoOptions) (*actions.Plan, *actions.Run, error) {
	r := m.newRun(ctx, "undo")
	journalPath := opts.Journal
	if journalPath == "" {
		return nil, nil, errors.New("usermgmt: undo: no journal")
	}
	fh, err := os.Open(journalPath)
	if err != nil {
		return nil, nil, fmt.Errorf("usermgmt: %w", err)
	}
	entries, err := actions.ReadJournal(fh)
	_ = fh.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("usermgmt: journal %s: %w", journalPath, err)
	}
	var fl jira.Flavor
	runSite := ""
	for _, e := range entries {
		fl = cmp.Or(fl, e.Flavor)
		if e.Type == actions.EntryRun && runSite == "" {
			runSite = e.Site
		}
	}
	name := ""
	if runSite != "" {
		// The site of the file with the run's URL, else Config.Site.
		for n := range m.file.Sites {
			if s, ok := m.file.site(n); ok && sameURL(s.URL, runSite) {
				name = n
			}
		}
	} else {
		name = m.defaultSite()
		if name == "" && m.cfg.Site.URL == "" {
			// The only site of the journal's flavour.
			for n := range m.file.Sites {
				if s, ok := m.file.site(n); ok && s.Flavor == fl && fl != 0 {
					if name != "" {
						return nil, nil, fmt.Errorf("usermgmt: undo: several %v sites in the policy file; give Config.Site", fl)
					}
					name = n
				}
			}
		}
	}
	s, err := m.site(name)
	if err != nil {
		return nil, nil, err
	}
	plan, err := actions.Undo(entries, actions.UndoOptions{Now: m.cfg.Now(), Site: s.URL})
	if err != nil {
		return nil, nil, fmt.Errorf("usermgmt: %w", err)
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "undo planned", slog.String("plan_id", plan.ID), slog.Int("users", len(plan.Users)))
	// Done already, the dry run says so too: its plan would change nothing.
	undoJournal := journalPath + ".undo"
	if _, err := os.Stat(undoJournal); err == nil {
		j, err := actions.OpenJournal(undoJournal)
		if err != nil {
			return plan, nil, fmt.Errorf("usermgmt: %w", err)
		}
		done := j.Done(plan)
		_ = j.Close()
		if done {
			return plan, nil, fmt.Errorf("%w (%s)", ErrAlreadyUndone, undoJournal)
		}
	}
	if !opts.Apply {
		return plan, nil, nil
	}
	if plan.Flavor == 0 {
		c, err := m.cfg.Clients.Client(ctx, s)
		if err != nil {
			return plan, nil, err
		}
		plan.Flavor = c.Flavor()
	}
	run, err := m.apply(ctx, r, plan, undoJournal, applyUndo, name, "")
	return plan, run, err
}
