package usermgmt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report/history"
)

// DefaultLoginCheck is how often a policy with onLogin: true checks its
// site's last logins.
const DefaultLoginCheck = 15 * time.Minute

// MinLoginCheck is the shortest interval onLogin.every accepts: each check
// reads the last login of every user of the site.
const MinLoginCheck = time.Minute

// OnLogin is a policy's on-login trigger ([When].OnLogin): every Every,
// the [LoginTrigger] reads the last login of every user of the policy's
// site, compares it with what the previous check saw, and runs the policy
// for the users who logged in since and match its criterion (and its
// selection file, when it has one), less the exempt ones, as one plan.
//
// In a file it is written onLogin: true (every 15 minutes), onLogin:
// {every: 1h}, or onLogin: false (no trigger). With when.schedule too,
// the policy has two triggers: on its schedule it acts on every user its
// criterion matches, as any scheduled policy; at each login check on the
// users who logged in and match. Without a schedule it runs only at the
// login checks (and when asked). A policy with actOn or an approval cannot
// have it: a login is acted on where and when it is seen.
type OnLogin struct {
	// Every is how often the site's last logins are checked: a duration
	// such as 15m or 1h (default 15m), at least 1m, in whole seconds.
	Every string `json:"every,omitempty" yaml:"every"`

	scalar string // the plain form as written, lower case, when not true
}

// fromScalar reads onLogin: true and onLogin: false.
func (o *OnLogin) fromScalar(s string) {
	if !strings.EqualFold(s, "true") {
		o.scalar = strings.ToLower(s)
	}
}

// OnLoginEvery returns how often the policy's on-login trigger checks the
// site's last logins, and false when the policy has no such trigger.
func (p *Policy) OnLoginEvery() (time.Duration, bool) {
	o := p.When.OnLogin
	if o == nil || o.scalar == "false" {
		return 0, false
	}
	if d, err := time.ParseDuration(o.Every); err == nil && o.Every != "" {
		return d, true
	}
	return DefaultLoginCheck, true
}

// validateOnLogin checks when.onLogin (called by validate).
func (p *Policy) validateOnLogin(path string, ps *problems) {
	o := p.When.OnLogin
	if o == nil {
		return
	}
	at := path + ".when.onLogin"
	switch o.scalar {
	case "":
	case "false":
		p.When.OnLogin = nil // the compiled file says what runs
		return
	default:
		ps.addf(at, "want true, false or a mapping such as {every: 15m}")
		return
	}
	if o.Every != "" {
		d, err := time.ParseDuration(o.Every)
		switch {
		case err != nil:
			ps.addf(at+".every", "want a duration such as 15m or 1h")
		case d < MinLoginCheck:
			ps.addf(at+".every", "at least 1m: each check reads the last login of every user of the site")
		case d%time.Second != 0:
			ps.addf(at+".every", "want a whole number of seconds")
		}
	}
	switch {
	case p.ActOn != "":
		ps.addf(at, "a login is seen and acted on on the policy's own site; leave actOn out")
	case p.Approval != nil:
		ps.addf(at, "a login is acted on when it is seen, without waiting for an approval; drop the approval or the trigger")
	}
}

// LoginTriggerConfig configures [NewLoginTrigger].
type LoginTriggerConfig struct {
	// Manager configures the managers the trigger plans and applies with,
	// one per site (Config.Site set to the policy's site). Policies is
	// required. Without Clients the trigger makes one set of clients for
	// all its managers; without SnapshotMaxAge it uses a minute, so that
	// the plan for the logins reuses the snapshot the check just read.
	Manager Config
	// Store keeps each policy's checks (required): history.SQLite, the
	// PostgreSQL store, or any store passing historytest.TestLoginStore.
	Store history.LoginStore
	// Apply applies the plans; without it they are only made (a dry run):
	// each login is still checked, planned and reported once.
	Apply bool
	// Journal returns the journal path of the run applying a plan of the
	// policy (default none).
	Journal func(policy, planID string) string
	// OnCheck, when set, is called with the outcome of every check, also
	// a failed one (its error is returned by Check as well).
	OnCheck func(LoginCheck, error)
}

// LoginTrigger runs the policies with when.onLogin ([OnLogin]) for the
// users who logged in on their sites since the previous check. It keeps,
// per policy and site, in a [history.LoginStore], when the logins were
// last checked and the last login each user had then, so that a restart
// neither misses nor repeats a login:
//
//   - a user is taken to have logged in when the last login the site
//     reports is later than the one the previous check saw, or, for a
//     user that check did not know (new, or whose last login was unknown),
//     later than that check's snapshot;
//   - a last login the site does not report (unknown) is never a login,
//     and leaves the user's recorded one as it was;
//   - the first check of a policy on a site records every user's last
//     login and acts on nobody;
//   - the logins found are recorded as pending together with the check
//     (one transaction, compared with the check read: of two replicas
//     checking at once one records, the other does nothing), then
//     planned and applied; they stop being pending once applied (or
//     planned, in a dry run). A check that fails after recording leaves
//     them pending, and the next check plans them again, on a new
//     snapshot, with its own logins.
//
// The embeddings (examples/cron, examples/server) call [LoginTrigger.Run];
// a Go program may call [LoginTrigger.Check] on its own schedule. A
// LoginTrigger is safe for concurrent use; checks of one policy should not
// overlap (Run never overlaps them).
type LoginTrigger struct {
	cfg LoginTriggerConfig
	set *PolicySet
	log *slog.Logger

	mu       sync.Mutex
	managers map[string]*Manager // site URL → manager
}

// NewLoginTrigger returns the on-login trigger of cfg's policies.
func NewLoginTrigger(cfg LoginTriggerConfig) (*LoginTrigger, error) {
	if cfg.Manager.Policies == nil || cfg.Store == nil {
		return nil, errors.New("usermgmt: login trigger: policies and a store are required")
	}
	if cfg.Manager.Clients == nil {
		cfg.Manager.Clients = NewClients(cfg.Manager.Connect)
	}
	if cfg.Manager.SnapshotMaxAge <= 0 {
		cfg.Manager.SnapshotMaxAge = time.Minute
	}
	if cfg.Manager.Now == nil {
		cfg.Manager.Now = time.Now
	}
	if cfg.Manager.Logger == nil {
		cfg.Manager.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Journal == nil {
		cfg.Journal = func(string, string) string { return "" }
	}
	return &LoginTrigger{cfg: cfg, set: cfg.Manager.Policies, log: cfg.Manager.Logger, managers: map[string]*Manager{}}, nil
}

// Policies returns the names of the policies with an on-login trigger, in
// file order.
func (t *LoginTrigger) Policies() []string {
	var out []string
	for _, p := range t.set.Policies() {
		if _, ok := p.OnLoginEvery(); ok {
			out = append(out, p.Name)
		}
	}
	return out
}

// LoginCheck is what one check of a policy's logins found and did.
type LoginCheck struct {
	Policy string
	// Site is the site's URL, under which the store keeps the check.
	Site string
	// Checked is when the snapshot the check read was taken.
	Checked time.Time
	// First says that this was the policy's first check on the site: it
	// recorded every user's last login and acted on nobody.
	First bool
	// Conflict says that another caller (a replica) recorded a check
	// since the one this check read: this one did nothing.
	Conflict bool
	// Unknown counts the users whose last login the site did not report.
	Unknown int
	// Logins are the ids (accountId on Cloud, key on DC) of the users who
	// logged in since the previous check; Retried those still pending
	// from an earlier check that failed. Both were planned for.
	Logins, Retried []string
	// Plan is the plan made for them, nil when there were none; Run is
	// the run that applied it, nil in a dry run or when it changed nobody.
	Plan *actions.Plan
	Run  *actions.Run
}

// Run checks every policy with an on-login trigger at once and then every
// its interval, until ctx is done; a failed check is logged and retried at
// the next interval. It returns when ctx is done and every check in
// progress has ended.
func (t *LoginTrigger) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range t.set.Policies() {
		every, ok := p.OnLoginEvery()
		if !ok {
			continue
		}
		wg.Go(func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				t.checkAndLog(ctx, p.Name)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		})
	}
	wg.Wait()
}

func (t *LoginTrigger) checkAndLog(ctx context.Context, name string) {
	res, err := t.Check(ctx, name)
	log := t.log.With(slog.String("policy", name), slog.String("trigger", "onLogin"))
	switch {
	case ctx.Err() != nil:
	case err != nil:
		log.LogAttrs(ctx, slog.LevelError, "login check failed", slog.String("error", err.Error()),
			slog.Int("logins", len(res.Logins)), slog.Int("retried", len(res.Retried)))
	case res.Conflict:
		log.LogAttrs(ctx, slog.LevelInfo, "login check recorded by another replica")
	default:
		attrs := []slog.Attr{slog.Bool("first", res.First), slog.Int("logins", len(res.Logins)),
			slog.Int("retried", len(res.Retried)), slog.Int("unknown", res.Unknown)}
		if res.Plan != nil {
			attrs = append(attrs, slog.String("plan_id", res.Plan.ID), slog.Int("users", len(res.Plan.Users)))
		}
		if res.Run != nil {
			attrs = append(attrs, slog.String("history_run_id", res.Run.ID), slog.Int("applied", res.Run.Counts[actions.Applied]),
				slog.Int("failed", res.Run.Counts[actions.Failed]))
		}
		log.LogAttrs(ctx, slog.LevelInfo, "login check", attrs...)
	}
}

// Check checks the named policy's logins once: it reads the last logins
// of its site's users, records the check, and plans (and, with Apply,
// applies) the policy for the users who logged in since the previous
// check and those still pending. See [LoginTrigger] for the rules.
func (t *LoginTrigger) Check(ctx context.Context, name string) (res LoginCheck, err error) {
	res.Policy = name
	if t.cfg.OnCheck != nil {
		defer func() { t.cfg.OnCheck(res, err) }()
	}
	p, ok := t.set.Policy(name)
	if !ok {
		return res, fmt.Errorf("usermgmt: no policy %q", name)
	}
	if _, ok := p.OnLoginEvery(); !ok {
		return res, fmt.Errorf("usermgmt: policy %q has no when.onLogin", name)
	}
	m, site, err := t.manager(p.Site)
	if err != nil {
		return res, err
	}
	res.Site = site.URL
	c, err := t.cfg.Manager.Clients.Client(ctx, site)
	if err != nil {
		return res, err
	}
	now := t.cfg.Manager.Now()
	ap, err := t.loginPolicy(name, now)
	if err != nil {
		return res, err
	}
	st, err := t.cfg.Store.Logins(ctx, name, site.URL)
	if err != nil {
		return res, fmt.Errorf("usermgmt: login check of %s: %w", name, err)
	}
	// The options PlanPolicies asks for, so that the plan reuses this
	// snapshot (Config.SnapshotMaxAge).
	opts := actions.Requirements(c.Flavor(), []actions.Policy{ap}, actions.Exemptions{})
	opts.AllowPartial = site.AllowPartialSnapshot
	snap, err := t.cfg.Manager.Clients.Snapshot(ctx, SnapshotRequest{Site: site, Options: opts})
	if err != nil {
		return res, fmt.Errorf("usermgmt: login check of %s: snapshot of %s: %w", name, siteLabel(site), err)
	}
	res.Checked = snap.Taken.UTC().Truncate(time.Microsecond)
	res.First = st.Checked.IsZero()
	upd := history.LoginUpdate{Checked: res.Checked, Last: map[string]time.Time{}}
	for i := range snap.Users {
		u := &snap.Users[i]
		if !u.LastLogin.Known {
			res.Unknown++
			continue // never a login; the recorded one stays
		}
		id, at := u.ID(), u.LastLogin.Time.UTC()
		prev, had := st.Last[id]
		if had && prev.Equal(at) {
			continue
		}
		upd.Last[id] = at
		switch {
		case res.First || at.IsZero():
		case had && at.After(prev), !had && at.After(st.Checked):
			res.Logins = append(res.Logins, id)
		}
	}
	slices.Sort(res.Logins)
	upd.Pending = res.Logins
	if !snap.Result.Partial && !opts.ActiveOnly {
		// Users no longer on the site: their records go.
		seen := make(map[string]bool, len(snap.Users))
		for i := range snap.Users {
			seen[snap.Users[i].ID()] = true
		}
		for id := range st.Last {
			if !seen[id] && !slices.Contains(st.Pending, id) {
				upd.Forget = append(upd.Forget, id)
			}
		}
		slices.Sort(upd.Forget)
	}
	if err := t.cfg.Store.SaveLogins(ctx, name, site.URL, st.Checked, upd); err != nil {
		if errors.Is(err, history.ErrLoginConflict) {
			res.Conflict = true
			return res, nil
		}
		return res, fmt.Errorf("usermgmt: login check of %s: %w", name, err)
	}
	for _, id := range st.Pending {
		if !slices.Contains(res.Logins, id) {
			res.Retried = append(res.Retried, id)
		}
	}
	ids := slices.Concat(res.Logins, res.Retried)
	if len(ids) == 0 {
		return res, nil
	}
	only := make(map[string]bool, len(ids))
	for _, id := range ids {
		only[id] = true
	}
	ap.Select = loggedIn{ids: only, inner: ap.Select, now: now}
	plan, _, err := m.PlanPolicies(ctx, ap)
	if err != nil {
		return res, fmt.Errorf("usermgmt: login check of %s: %w", name, err)
	}
	res.Plan = plan
	if t.cfg.Apply && len(plan.Users) > 0 {
		run, err := m.Apply(ctx, plan, ApplyOptions{Journal: t.cfg.Journal(name, plan.ID)})
		if err != nil {
			return res, fmt.Errorf("usermgmt: login check of %s: %w", name, err)
		}
		res.Run = run
	}
	if err := t.cfg.Store.DoneLogins(ctx, name, site.URL, ids); err != nil {
		return res, fmt.Errorf("usermgmt: login check of %s: acted on, not recorded: %w", name, err)
	}
	return res, nil
}

// manager returns the manager of the named site (the file's only site,
// or Config.Site, when the policy names none).
func (t *LoginTrigger) manager(name string) (*Manager, Site, error) {
	site := t.cfg.Manager.Site
	if name != "" {
		s, ok := t.set.Site(name)
		if !ok {
			return nil, site, fmt.Errorf("usermgmt: unknown site %q", name)
		}
		site = s
	}
	if site.URL == "" {
		return nil, site, errors.New("usermgmt: login trigger: the policy names no site, and the configuration has none")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if m, ok := t.managers[site.URL]; ok {
		return m, site, nil
	}
	cfg := t.cfg.Manager
	cfg.Site = site
	m, err := New(cfg)
	if err != nil {
		return nil, site, err
	}
	t.managers[site.URL] = m
	return m, site, nil
}

// loginPolicy returns the named policy as package actions plans it, with
// the file's common exemptions, its criterion and exemptions evaluated at
// now, and an action that asks the snapshot for last logins and for what
// the criterion and exemptions read.
func (t *LoginTrigger) loginPolicy(name string, now time.Time) (actions.Policy, error) {
	ap, err := t.set.ActionsPolicy(name)
	if err != nil {
		return ap, err
	}
	common, err := t.set.CommonExemptions()
	if err != nil {
		return ap, err
	}
	ap.Exemptions.Users = append(ap.Exemptions.Users, common.Users...)
	ap.Exemptions.Groups = append(ap.Exemptions.Groups, common.Groups...)
	ap.Exemptions.Rules = append(ap.Exemptions.Rules, common.Rules...)
	ap.Exemptions = atClock(ap.Exemptions, now)
	orig := ap
	ap.Action = needing{Action: ap.Action, needs: func(fl jira.Flavor) jira.SnapshotOptions {
		o := t.set.SnapshotOptions(fl, []actions.Policy{orig}, actions.Exemptions{})
		o.LastLogin = true
		return o
	}}
	return ap, nil
}

// needing is an action that asks the snapshot for more than the action
// itself needs (actions.Requirer).
type needing struct {
	actions.Action
	needs func(jira.Flavor) jira.SnapshotOptions
}

func (n needing) Requires(fl jira.Flavor) jira.SnapshotOptions { return n.needs(fl) }

// loggedIn selects the users who logged in (ids) that inner, the policy's
// criterion evaluated at now, also selects; with no criterion (a
// selection file alone) every one of them.
type loggedIn struct {
	ids   map[string]bool
	inner actions.Matcher
	now   time.Time
}

func (l loggedIn) Match(ctx context.Context, u *jira.User) (bool, error) {
	switch {
	case !l.ids[u.ID()]:
		return false, nil
	case l.inner == nil:
		return true, nil
	}
	if am, ok := l.inner.(atMatcher); ok {
		return am.MatchAt(u, l.now)
	}
	return l.inner.Match(ctx, u)
}

func (l loggedIn) Why(u *jira.User, _ time.Time) string {
	why := "logged in since the last check (last login " + u.LastLogin.String() + ")"
	if e, ok := l.inner.(actions.Explainer); ok {
		if w := e.Why(u, l.now); w != "" {
			why += "; " + w
		}
	}
	return why
}
