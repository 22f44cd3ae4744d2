package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// result is one scenario's measure.
type result struct {
	job      string
	flavor   jira.Flavor
	users    int // users read from the site
	subjects int // users the job is about: listed, deactivated
	wall     time.Duration
	requests int64   // to the site and the Admin API
	admin    int64   // of which to the Admin API (Cloud)
	allowed  float64 // the allowed rate of the site, and of the Admin API (requests per second)
	limit    jira.RateStatus

	naiveRequests int
	naiveTime     time.Duration
	err           error
}

// achieved is the site's requests per second of wall time: the site and
// the Admin API are separate services with a budget each.
func (r result) achieved() float64 {
	return perSecond(r.requests-r.admin, r.wall)
}

// adminAchieved is the Admin API's requests per second of wall time.
func (r result) adminAchieved() float64 {
	return perSecond(r.admin, r.wall)
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// naivePageSize is the page of the naive script's user listing.
const naivePageSize = 1000

// target is the site a scenario runs against: a fresh fake, or the
// given site.
type target struct {
	site usermgmt.Site
	org  *jiratest.Org // nil for a real site
	stop func()
}

func (c config) target(fl jira.Flavor) (*target, error) {
	if c.site != "" {
		s := usermgmt.Site{Name: "jira", URL: c.site, Flavor: fl, User: c.getenv("JIRA_USER"),
			Token: jira.Secret(c.getenv("JIRA_TOKEN")), AdminURL: c.getenv("ATLASSIAN_ADMIN_URL"),
			OrgID: c.getenv("ATLASSIAN_ORG_ID"), OrgKey: jira.Secret(c.getenv("ATLASSIAN_ORG_KEY")),
			RateLimit: c.rate, Burst: c.burst, UserAgent: "seatwarden-bench"}
		return &target{site: s, stop: func() {}}, nil
	}
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: c.seed, Users: c.users})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false // the apply scenario writes
	}
	fake := jiratest.New(jiratest.WithFlavor(fl), jiratest.WithOrg(org),
		jiratest.WithRateLimit(c.serverRate, c.serverBurst), jiratest.WithLatency(c.latency))
	// The groups the lifecycle example exempts, which a generated Cloud
	// organisation lacks.
	if _, ok := fake.GroupMembers("jira-administrators"); !ok {
		_ = fake.AddGroup("jira-administrators")
	}
	if err := fake.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start the fake: %w", err)
	}
	cr := fake.Credentials()
	s := usermgmt.Site{Name: "jira", URL: fake.URL, Flavor: fl, Token: jira.Secret(cr.DCToken),
		RateLimit: c.rate, Burst: c.burst, UserAgent: "seatwarden-bench"}
	if fl == jira.Cloud {
		s.User, s.Token = cr.CloudEmail, jira.Secret(cr.CloudToken)
		s.AdminURL, s.OrgID, s.OrgKey = fake.URL, cr.OrgID, jira.Secret(cr.OrgKey)
	}
	return &target{site: s, org: org, stop: fake.Close}, nil
}

// runScenario runs one scenario on a fresh target and measures it.
func (c config) runScenario(ctx context.Context, fl jira.Flavor, name string) result {
	r := result{job: name, flavor: fl, allowed: c.serverRate}
	t, err := c.target(fl)
	if err != nil {
		r.err = err
		return r
	}
	defer t.stop()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	// Every client the scenario makes, for its requests and rate limit.
	var mu sync.Mutex
	var clients []usermgmt.Client
	connect := func(ctx context.Context, _ usermgmt.Site) (usermgmt.Client, error) {
		cl, err := usermgmt.Connect(ctx, t.site)
		if err == nil {
			mu.Lock()
			clients = append(clients, cl)
			mu.Unlock()
		}
		return cl, err
	}
	start := time.Now()
	switch name {
	case "list":
		r.users, r.err = listUsers(ctx, connect)
		r.subjects = r.users
	case "apply":
		r.job = fmt.Sprintf("plan + apply: deactivate %d", c.deactivate)
		r.users, r.subjects, r.err = c.deactivateUsers(ctx, t, connect)
	case "lifecycle":
		r.job = "plan: lifecycle example"
		r.users, r.err = c.planLifecycle(ctx, t, connect)
		r.subjects = r.users
	}
	r.wall = time.Since(start)
	if ctx.Err() != nil && r.err == nil {
		r.err = ctx.Err()
	}
	mu.Lock()
	for i, cl := range clients {
		if st, ok := usermgmt.RateStatusOf(cl); ok {
			r.requests += st.Requests
			if st.Admin != nil {
				r.admin += st.Admin.Requests
			}
			if i == 0 {
				r.limit = st
			}
		}
	}
	mu.Unlock()
	if t.org == nil { // a real site: what it advertises, else what the client kept to
		r.allowed = cmpOr(r.limit.Server, r.limit.Limit)
	}
	if r.job == "list" {
		r.job = "users list → JSON (all groups)"
	}

	// The naive script: list pages, a GET per user, a write per change,
	// one at a time.
	if name != "lifecycle" && r.users > 0 {
		r.naiveRequests = (r.users+naivePageSize-1)/naivePageSize + r.users
		if name == "apply" {
			r.naiveRequests += r.subjects
		}
		per := time.Duration(float64(time.Second) / r.allowed)
		if t.org != nil {
			per = max(per, c.latency)
		}
		r.naiveTime = time.Duration(r.naiveRequests) * per
	}
	return r
}

func cmpOr(a, b float64) float64 {
	if a > 0 && !math.IsInf(a, 0) {
		return a
	}
	return b
}

type connectFunc = func(context.Context, usermgmt.Site) (usermgmt.Client, error)

// listUsers reads every user with all groups, licences and last login,
// and writes them as JSON, as `users list --output json` does.
func listUsers(ctx context.Context, connect connectFunc) (int, error) {
	cl, err := connect(ctx, usermgmt.Site{})
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(io.Discard)
	n := 0
	for u, err := range cl.Snapshot(ctx, jira.SnapshotOptions{AllGroups: true, Licences: true, LastLogin: true}) {
		if err != nil {
			return n, err
		}
		if err := enc.Encode(u); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// manager returns a manager of f whose every site is the target's.
func manager(f *usermgmt.PolicySet, connect connectFunc, read *int) (*usermgmt.Manager, error) {
	return usermgmt.New(usermgmt.Config{Policies: f, Connect: connect, Logger: slog.New(slog.DiscardHandler),
		Progress: func(p usermgmt.Progress) {
			if p.Stage == usermgmt.StageSnapshot {
				*read = p.Done
			}
		}})
}

// siteEnv resolves the policy files' ${JIRA_URL} and ${JIRA_TOKEN}; the
// manager's connect replaces the site anyway.
func siteEnv(t *target) usermgmt.LoadOption {
	return usermgmt.WithLookupEnv(func(k string) (string, bool) {
		switch k {
		case "JIRA_URL":
			return t.site.URL, true
		case "JIRA_TOKEN":
			return "unused", true
		case "JIRA_USER":
			return t.site.User, t.site.User != ""
		case "ATLASSIAN_ORG_ID":
			return t.site.OrgID, t.site.OrgID != ""
		case "ATLASSIAN_ORG_KEY":
			return "unused", t.site.OrgID != ""
		case "ATLASSIAN_ADMIN_URL":
			return t.site.AdminURL, t.site.AdminURL != ""
		}
		return "", false
	})
}

const deactivatePolicy = `version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", user: "${JIRA_USER:-}", orgId: "${ATLASSIAN_ORG_ID:-}",
    orgKey: "${ATLASSIAN_ORG_KEY:-}", adminUrl: "${ATLASSIAN_ADMIN_URL:-}"}
policies:
  - name: bench-deactivate
    users: {selection: leavers.csv}
    actions: [{action: deactivate}]
    limits: {maxUsers: %d, maxPercent: 100}
`

// deactivateUsers plans then applies a policy that deactivates
// c.deactivate active, managed users of the fake, named in a selection
// CSV by email.
func (c config) deactivateUsers(ctx context.Context, t *target, connect connectFunc) (read, deactivated int, err error) {
	if t.org == nil {
		return 0, 0, errors.New("the apply scenario runs only on the fake")
	}
	var emails []string
	for _, u := range t.org.Users {
		if len(emails) == c.deactivate {
			break
		}
		if !u.Inactive && strings.HasSuffix(u.Email, "@"+jiratest.ClaimedDomain) &&
			(u.AccountType == "" || u.AccountType == jira.AccountAtlassian) && !slices.Contains(u.Groups, "jira-administrators") {
			emails = append(emails, u.Email)
		}
	}
	dir, err := os.MkdirTemp("", "seatwarden-bench-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "leavers.csv"), []byte("email\n"+strings.Join(emails, "\n")+"\n"), 0o600); err != nil {
		return 0, 0, err
	}
	f, err := usermgmt.Parse(fmt.Appendf(nil, deactivatePolicy, len(emails)), usermgmt.YAML, siteEnv(t), usermgmt.WithDir(dir))
	if err != nil {
		return 0, 0, err
	}
	m, err := manager(f, connect, &read)
	if err != nil {
		return 0, 0, err
	}
	plan, _, err := m.Plan(ctx)
	if err != nil {
		return read, 0, err
	}
	run, err := m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: filepath.Join(dir, "run.journal")})
	if err != nil {
		return read, 0, err
	}
	// A selected user the plan protects (e.g. an administrator by a
	// group the generator gave) is not deactivated: it is no failure.
	if n := run.Counts[actions.Failed]; n > 0 {
		return read, run.Counts[actions.Applied], fmt.Errorf("%d steps failed", n)
	}
	return read, run.Counts[actions.Applied], nil
}

// planLifecycle plans the lifecycle example's three policies together.
// A plan over the policies' limits is refused after its requests were
// made: it counts as done.
func (c config) planLifecycle(ctx context.Context, t *target, connect connectFunc) (read int, err error) {
	if c.lifecycle == "" {
		return 0, errors.New("examples/policies/lifecycle.yaml not found: give --lifecycle FILE")
	}
	f, err := usermgmt.Load(c.lifecycle, siteEnv(t))
	if err != nil {
		return 0, err
	}
	m, err := manager(f, connect, &read)
	if err != nil {
		return 0, err
	}
	if _, _, err := m.Plan(ctx); err != nil && !usermgmt.Refused(err) {
		return read, err
	}
	return read, nil
}
