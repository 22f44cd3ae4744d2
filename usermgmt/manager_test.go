package usermgmt_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/usermgmt"
)

var mgrNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakes are fake sites by their names in the policy file.
type fakes map[string]*jiratest.Server

func newFake(t *testing.T, f jira.Flavor, users int) *jiratest.Server {
	t.Helper()
	return jiratest.NewServer(t, jiratest.WithFlavor(f), jiratest.WithOrg(genOrg(users)))
}

// genOrg generates an organisation whose directories are all writable,
// so that every planned step applies.
func genOrg(users int) *jiratest.Org {
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: users, Now: mgrNow})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	return org
}

// connect connects to the fake of the site's name, in memory.
func (fs fakes) connect(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
	fake, ok := fs[s.Name]
	if !ok {
		return nil, fmt.Errorf("no fake %q", s.Name)
	}
	return usermgmt.Connect(ctx, fakeSite(fake))
}

func fakeSite(fake *jiratest.Server) usermgmt.Site {
	cr := fake.Credentials()
	s := usermgmt.Site{URL: fake.URL, Flavor: fake.Flavor(), Transport: fake.Transport(), Token: jira.Secret(cr.DCToken),
		RateLimit: 100_000, Burst: 1000}
	if fake.Flavor() == jira.Cloud {
		s.User, s.Token = cr.CloudEmail, jira.Secret(cr.CloudToken)
		s.AdminURL, s.OrgID, s.OrgKey = fake.URL, cr.OrgID, jira.Secret(cr.OrgKey)
	}
	return s
}

const sitesYAML = `version: 1
sites:
  dc: {url: "https://dc.example.com", flavor: dc, token: "${DC_TOKEN}"}
  cloud: {url: "https://example.atlassian.net", flavor: cloud, user: me@example.com, token: "${CLOUD_TOKEN}", orgId: org, orgKey: "${ORG_KEY}"}
`

func parse(t *testing.T, policies string) *usermgmt.PolicySet {
	t.Helper()
	return parseIn(t, t.TempDir(), policies)
}

func parseIn(t *testing.T, dir, policies string) *usermgmt.PolicySet {
	t.Helper()
	env := map[string]string{"DC_TOKEN": "t", "CLOUD_TOKEN": "t", "ORG_KEY": "k"}
	f, err := usermgmt.Parse([]byte(sitesYAML+policies), usermgmt.YAML, usermgmt.WithDir(dir),
		usermgmt.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	require.NoError(t, err)
	return f
}

func newManager(t *testing.T, f *usermgmt.PolicySet, fs fakes, mod func(*usermgmt.Config)) *usermgmt.Manager {
	t.Helper()
	cfg := usermgmt.Config{Policies: f, Connect: fs.connect, Now: func() time.Time { return mgrNow }}
	if mod != nil {
		mod(&cfg)
	}
	m, err := usermgmt.New(cfg)
	require.NoError(t, err)
	return m
}

// activeCount counts the fake's active users among ids.
func activeCount(fake *jiratest.Server, ids []string) int {
	n := 0
	for _, id := range ids {
		if u, ok := fake.User(id); ok && u.Active {
			n++
		}
	}
	return n
}

func planned(p *actions.Plan, kind actions.StepKind) []string {
	var ids []string
	for _, up := range p.Users {
		for _, s := range up.Steps {
			if s.Kind == kind {
				ids = append(ids, up.User.ID())
			}
		}
	}
	return ids
}

const inactivePolicy = `policies:
  - name: inactive
    site: dc
    users:
      where: active && daysSinceLastLogin > 90
    actions: [{action: deactivate}]
    limits: {maxUsers: %d}
    reporting:
      sinks:
        - {type: jsonl, path: runs/inactive.jsonl}
        - {type: html, path: runs/inactive.html}
`

func TestManagerRunAndUndo(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 300)
	dir := t.TempDir()
	f := parseIn(t, dir, fmt.Sprintf(inactivePolicy, 1000))
	m := newManager(t, f, fakes{"dc": dc}, nil)

	plan, run, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}})
	require.NoError(t, err)
	assert.Nil(t, run, "a dry run applies nothing")
	ids := planned(plan, actions.KindDeactivate)
	require.NotEmpty(t, ids, plan.Summary())
	assert.Equal(t, len(ids), activeCount(dc, ids), "the dry run wrote nothing")
	for _, up := range plan.Users {
		assert.Contains(t, up.Why[0].Explanation, "daysSinceLastLogin", "criteria evaluated at the plan's clock, and explained")
	}

	journal := filepath.Join(t.TempDir(), "run.journal")
	_, run, err = m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true, Journal: journal})
	require.NoError(t, err)
	require.NotNil(t, run)
	assert.Equal(t, len(ids), run.Counts[actions.Applied], run.Summary())
	assert.Zero(t, activeCount(dc, ids), "the users are deactivated")
	// The policy's sinks, relative to the policy file.
	jsonl, err := os.ReadFile(filepath.Join(dir, "runs", "inactive.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(jsonl), run.ID)
	assert.FileExists(t, filepath.Join(dir, "runs", "inactive.html"))

	undo, _, err := m.Undo(t.Context(), usermgmt.UndoOptions{Journal: journal})
	require.NoError(t, err)
	assert.ElementsMatch(t, ids, planned(undo, actions.KindReactivate))
	assert.Zero(t, activeCount(dc, ids), "planning the undo wrote nothing")
	_, urun, err := m.Undo(t.Context(), usermgmt.UndoOptions{Journal: journal, Apply: true})
	require.NoError(t, err)
	assert.Equal(t, len(ids), urun.Counts[actions.Applied])
	assert.Equal(t, len(ids), activeCount(dc, ids), "the users are active again")
}

func TestManagerLimitRefuses(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 300)
	m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, 1)), fakes{"dc": dc}, nil)
	plan, _, err := m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	ids := planned(plan, actions.KindDeactivate)
	require.Greater(t, len(ids), 1)
	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	require.ErrorIs(t, err, actions.ErrLimitExceeded)
	var le *actions.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, len(ids), le.Users)
	assert.True(t, usermgmt.Refused(err))
	assert.Equal(t, len(ids), activeCount(dc, ids), "nothing written")
}

func TestManagerApproval(t *testing.T) {
	t.Parallel()
	org := genOrg(200)
	dc := jiratest.NewServer(t, jiratest.WithOrg(org))
	f := parse(t, `policies:
  - name: inactive
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
    approval: {project: `+org.Projects[0].Key+`, issueType: Task}
`)
	m := newManager(t, f, fakes{"dc": dc}, nil)
	plan, run, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true})
	require.Nil(t, run)
	var ae *usermgmt.ApprovalRequiredError
	require.ErrorAs(t, err, &ae)
	assert.True(t, usermgmt.Refused(err))
	issue, ok := dc.Issue(ae.IssueKey)
	require.True(t, ok, "the approval issue exists")
	assert.Contains(t, issue.Summary, plan.ID)
	ids := planned(plan, actions.KindDeactivate)
	require.NotEmpty(t, ids)
	assert.Equal(t, len(ids), activeCount(dc, ids), "nothing applied before the approval")

	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{ApprovalIssue: ae.IssueKey})
	require.ErrorAs(t, err, &ae, "still waiting")
	assert.NotEmpty(t, ae.Status)

	require.NoError(t, dc.Transition(ae.IssueKey, "Approve"))
	run, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{ApprovalIssue: ae.IssueKey})
	require.NoError(t, err)
	assert.Equal(t, len(ids), run.Counts[actions.Applied])
	assert.Zero(t, activeCount(dc, ids))
}

func TestManagerCloudFromDC(t *testing.T) {
	t.Parallel()
	dc, cloud := newFake(t, jira.DataCenter, 200), newFake(t, jira.Cloud, 200)
	// Two DC users inactive for long: one with no email, one with no
	// Cloud account.
	for _, sp := range []jiratest.UserSpec{
		{Name: "old.noemail", DisplayName: "No Email", Licences: []string{"jira-software"}},
		{Name: "old.dconly", DisplayName: "DC Only", Email: "dc.only@example.org", Licences: []string{"jira-software"}},
	} {
		u, err := dc.AddUser(sp)
		require.NoError(t, err)
		require.True(t, dc.SetLastLogin(u.Key, mgrNow.AddDate(-1, 0, 0)))
	}
	f := parse(t, `policies:
  - name: dc-inactive-on-cloud
    site: dc
    actOn: cloud
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
`)
	m := newManager(t, f, fakes{"dc": dc, "cloud": cloud}, nil)
	sim, err := m.Simulate(t.Context())
	require.NoError(t, err)
	plan := sim.Plan
	assert.Equal(t, jira.Cloud, plan.Flavor)
	ids := planned(plan, actions.KindDeactivate)
	require.NotEmpty(t, ids, plan.Summary())
	for _, up := range plan.Users {
		assert.NotEmpty(t, up.User.AccountID, "Cloud accounts")
		assert.Contains(t, up.Why[0].Explanation, "selected on dc")
	}
	var reasons []string
	for _, p := range sim.Unmatched {
		reasons = append(reasons, p.Value+": "+p.Reason)
	}
	assert.Contains(t, reasons, "old.noemail: selected on dc but has no email to match on cloud")
	assert.Contains(t, reasons, "dc.only@example.org: selected on dc but no account with this email on cloud")
	assert.Subset(t, plan.Problems, sim.Unmatched, "the plan lists the unmatched users")
	assert.Len(t, sim.Unmatched, 2, "hidden emails on Cloud still match: %v", reasons)

	run, err := m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	require.NoError(t, err)
	assert.Equal(t, len(ids), run.Counts[actions.Applied], run.Summary())
	assert.Zero(t, activeCount(cloud, ids), "deactivated on Cloud")
}

func TestManagerInteractions(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 300)
	f := parse(t, `policies:
  - name: deactivate-120
    site: dc
    users: {where: active && daysSinceLastLogin > 120}
    actions: [{action: deactivate}]
  - name: unlicence-90
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: removeAllLicences}]
  - name: readd-software
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: addGroups, groups: [jira-software-users]}]
  - name: remove-software
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: removeGroups, groups: [jira-software-users]}]
`)
	m := newManager(t, f, fakes{"dc": dc}, nil)
	sim, err := m.Simulate(t.Context(), "deactivate-120", "unlicence-90")
	require.NoError(t, err)
	require.NotEmpty(t, sim.Overlaps)
	assert.ElementsMatch(t, []string{"deactivate-120", "unlicence-90"}, sim.Overlaps[0].Policies)
	text := usermgmt.InteractionReport(sim.Plan)
	assert.Contains(t, text, "users selected by more than one policy")
	assert.Contains(t, text, "deactivate-120 + unlicence-90")

	plan, _, err := m.Plan(t.Context(), "remove-software", "readd-software")
	require.NoError(t, err)
	require.NotEmpty(t, plan.Conflicts, "adding and removing the same group conflict")
	assert.Contains(t, usermgmt.InteractionReport(plan), plan.Conflicts[0].Rule)
	assert.Empty(t, plan.Users[0].Steps, "refused: no step")
}

// records is a slog handler that keeps every record with its attributes.
type records struct {
	mu    *sync.Mutex
	attrs []slog.Attr
	list  *[]map[string]string
}

func newRecords() *records { return &records{mu: &sync.Mutex{}, list: &[]map[string]string{}} }

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{"msg": r.Message}
	for _, a := range h.attrs {
		m[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	h.mu.Lock()
	*h.list = append(*h.list, m)
	h.mu.Unlock()
	return nil
}
func (h *records) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}
func (h *records) WithGroup(string) slog.Handler { return h }

func TestManagerLogsAndProgress(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 300)
	h := newRecords()
	var mu sync.Mutex
	var progress []usermgmt.Progress
	m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, 1000)), fakes{"dc": dc}, func(c *usermgmt.Config) {
		c.Logger = slog.New(h)
		c.Progress = func(p usermgmt.Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() }
	})
	_, run, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true})
	require.NoError(t, err)
	require.NotEmpty(t, *h.list)
	applyRecords := 0
	for _, r := range *h.list {
		assert.NotEmpty(t, r["run_id"], "record %q has a run id", r["msg"])
		if r["run_id"] == run.ID {
			applyRecords++
		}
		assert.NotContains(t, fmt.Sprint(r), dc.Credentials().DCToken, "no secret in the logs")
	}
	assert.Greater(t, applyRecords, 1, "the apply's records carry the run's id")

	stages := map[usermgmt.Stage]usermgmt.Progress{}
	for _, p := range progress {
		stages[p.Stage] = p
	}
	assert.GreaterOrEqual(t, stages[usermgmt.StageSnapshot].Total, 300, "snapshot read")
	last := stages[usermgmt.StageApply]
	assert.Equal(t, last.Total, last.Done)
	assert.Positive(t, last.Total)
	assert.Equal(t, 2, stages[usermgmt.StageReport].Done, "two sinks")
}

func TestManagerPlanPolicies(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 100)
	m, err := usermgmt.New(usermgmt.Config{Site: fakeSite(dc), Now: func() time.Time { return mgrNow }})
	require.NoError(t, err)
	var names []string
	for _, u := range dc.Users() {
		if u.Active && u.Name != "" && len(names) < 3 && !strings.Contains(u.Name, "admin") {
			names = append(names, u.Name)
		}
	}
	sel, err := actions.ReadSelection(strings.NewReader("username\n" + strings.Join(names, "\n") + "\n"))
	require.NoError(t, err)
	require.NoError(t, dc.AddGroup("reviewers"))
	plan, _, err := m.PlanPolicies(t.Context(), actions.Policy{Name: "add-reviewers", Selection: sel, Action: actions.AddToGroups("reviewers")})
	require.NoError(t, err)
	run, err := m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	require.NoError(t, err)
	assert.Equal(t, len(names), run.Counts[actions.Applied], plan.Summary())
	members, _ := dc.GroupMembers("reviewers")
	assert.Len(t, members, len(names))
}

func TestManagerHistoryAndSinks(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 200)
	store, err := history.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "history.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	h := newRecords()
	f := parse(t, `policies:
  - name: inactive
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
    reporting:
      sinks: [{type: email, to: [ops@example.com]}, {type: log}]
`)
	m := newManager(t, f, fakes{"dc": dc}, func(c *usermgmt.Config) {
		c.Store, c.Logger, c.ReportUsers = store, slog.New(h), true
	})
	_, run, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true})
	require.NoError(t, err, "a sink that fails does not fail the run")
	runs, err := store.Runs(t.Context(), "https://dc.example.com", mgrNow.AddDate(0, 0, -1), mgrNow.AddDate(0, 0, 1))
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, run.ID, runs[0].RunID)
	snaps, err := store.Snapshots(t.Context(), "https://dc.example.com", mgrNow.AddDate(0, 0, -1), mgrNow)
	require.NoError(t, err)
	require.Len(t, snaps, 1)
	assert.Positive(t, snaps[0].Active)

	var undelivered, logged bool
	for _, r := range *h.list {
		if r["msg"] == "report not delivered" && strings.Contains(r["error"], "no SMTP server") {
			undelivered = true
		}
		if r["run_id"] == run.ID && strings.Contains(r["msg"], "applied") {
			logged = true
		}
	}
	assert.True(t, undelivered, "the email sink without SMTP is reported")
	assert.True(t, logged)
}

// capture is a sink that keeps the reports it is given.
type capture struct{ reps []*report.Report }

func (c *capture) Name() string { return "capture" }
func (c *capture) Write(_ context.Context, r *report.Report) error {
	c.reps = append(c.reps, r)
	return nil
}

// TestRunReportSiteSeats: a policy run's insights show the licences'
// seats as the site counts them (a 2,000-seat licence), not only the
// users it read.
func TestRunReportSiteSeats(t *testing.T) {
	t.Parallel()
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			org := genOrg(150)
			org.Seats["jira-software"] = 2000
			fake := jiratest.NewServer(t, jiratest.WithFlavor(f), jiratest.WithOrg(org))
			site := "dc"
			if f == jira.Cloud {
				site = "cloud"
			}
			file := parse(t, `policies:
  - name: inactive
    site: `+site+`
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
`)
			sink := &capture{}
			m := newManager(t, file, fakes{site: fake}, func(c *usermgmt.Config) {
				c.ReportUsers, c.Sinks = true, []report.Sink{sink}
			})
			_, _, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true})
			require.NoError(t, err)
			require.Len(t, sink.reps, 1)
			in, ok := sink.reps[0].Insights.(*insights.Insights)
			require.True(t, ok, "insights in the report: %T", sink.reps[0].Insights)
			assert.True(t, in.SeatsFromSite)
			used, _ := fake.SeatsUsed("jira-software")
			var found bool
			for _, s := range in.Licences {
				if s.Application == "jira-software" {
					found = true
					assert.Equal(t, 2000, s.Limit)
					assert.Equal(t, used, s.Used)
				}
			}
			assert.True(t, found, "jira-software in %+v", in.Licences)
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	dirA, dirB := t.TempDir(), t.TempDir()
	a := parseIn(t, dirA, `exemptions: {users: [svc-a]}
policies:
  - name: a
    site: dc
    users: {where: active}
    actions: [{action: deactivate}]
    reporting: {sinks: [{type: jsonl, path: a.jsonl}]}
`)
	b := parseIn(t, dirB, `policies:
  - name: b
    site: dc
    users: {where: "!active"}
    actions: [{action: reactivate}]
`)
	m, err := usermgmt.Merge(a, b)
	require.NoError(t, err)
	ps := m.Policies()
	require.Len(t, ps, 2)
	assert.Equal(t, filepath.Join(dirA, "a.jsonl"), ps[0].Reporting.Sinks[0].Path, "relative to its own file")
	assert.Equal(t, "svc-a", ps[0].Users.Exemptions.Users[0].Value, "the file's exemptions go to its policies")
	assert.Empty(t, ps[1].Users.Exemptions.Users)
	assert.Empty(t, a.Policies()[0].Users.Exemptions.Users, "the files are not changed")
	_, ok := m.Site("dc")
	assert.True(t, ok)

	_, err = usermgmt.Merge(a, a)
	assert.ErrorContains(t, err, `policy "a" is in`)
}

func TestManagerRefusesAPlanOfAnotherSite(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 100)
	m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, 1000)), fakes{"dc": dc}, nil)
	plan, _, err := m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	plan.Site = "https://other.example.com"
	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	assert.ErrorContains(t, err, "the plan is for site https://other.example.com, the policies act on https://dc.example.com")
	assert.ErrorIs(t, err, actions.ErrPlanMismatch)
	assert.True(t, usermgmt.Refused(err))
}

// TestManagerReadOnlyDirectories: the generated org keeps many people in a
// read-only LDAP directory, whose users Jira refuses to change. DC's REST
// API does not say who they are; the site's login export does
// (datacenter.LoginQuery), and with readOnlyDirectories the plan protects
// them instead of failing on them.
func TestManagerReadOnlyDirectories(t *testing.T) {
	t.Parallel()
	_, dir, connect := ldapSite(t, 300)
	f, err := usermgmt.Parse([]byte(`version: 1
sites:
  dc: {url: "https://dc.example.com", flavor: dc, token: "${DC_TOKEN}", logins: logins.csv, readOnlyDirectories: ["`+jiratest.LDAPDirectoryName+`"]}
`+fmt.Sprintf(inactivePolicy, 1000)), usermgmt.YAML, usermgmt.WithDir(dir),
		usermgmt.WithLookupEnv(func(string) (string, bool) { return "t", true }))
	require.NoError(t, err)
	m, err := usermgmt.New(usermgmt.Config{Policies: f, Connect: connect, Now: func() time.Time { return mgrNow }})
	require.NoError(t, err)
	plan, run, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true, Journal: filepath.Join(t.TempDir(), "run.journal")})
	require.NoError(t, err)
	protected := 0
	for _, e := range plan.Exempt {
		if e.Reason == "protected: read-only directory "+jiratest.LDAPDirectoryName {
			protected++
		}
	}
	assert.Positive(t, protected, "LDAP users are protected at plan time")
	assert.Zero(t, run.Counts[actions.Failed], run.Summary())
	assert.Equal(t, len(planned(plan, actions.KindDeactivate)), run.Counts[actions.Applied])
}

// TestManagerRefusesPartialSnapshot: on Jira DC 10.0 without a login
// export no REST call lists every user, so a plan is refused rather than
// computed on the licensed users only.
func TestManagerRefusesPartialSnapshot(t *testing.T) {
	t.Parallel()
	dc := jiratest.NewServer(t, jiratest.WithOrg(genOrg(300)), jiratest.WithDCVersion("10.0"))
	m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, 1000)), fakes{"dc": dc}, nil)
	_, _, err := m.Plan(t.Context(), "inactive")
	require.ErrorIs(t, err, jira.ErrIncomplete)
	assert.Contains(t, err.Error(), "10.0")
}

// TestManagerAllowsPartialSnapshot: a site that allows a partial snapshot
// plans from the users it sees, but refuses a percentage limit.
func TestManagerAllowsPartialSnapshot(t *testing.T) {
	t.Parallel()
	dc := jiratest.NewServer(t, jiratest.WithOrg(genOrg(300)), jiratest.WithDCVersion("10.0"))
	parsePartial := func(limits string) *usermgmt.PolicySet {
		src := strings.Replace(sitesYAML, `token: "${DC_TOKEN}"}`, `token: "${DC_TOKEN}", allowPartialSnapshot: true}`, 1) +
			strings.NewReplacer("{maxUsers: 1000}", limits, "active && daysSinceLastLogin > 90", "active").
				Replace(fmt.Sprintf(inactivePolicy, 1000)) // group/member on 10.0: last login unknown
		f, err := usermgmt.Parse([]byte(src), usermgmt.YAML, usermgmt.WithDir(t.TempDir()),
			usermgmt.WithLookupEnv(func(k string) (string, bool) { return "t", true }))
		require.NoError(t, err)
		return f
	}
	m := newManager(t, parsePartial("{maxUsers: 1000}"), fakes{"dc": dc}, nil)
	plan, _, err := m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	assert.NotEmpty(t, planned(plan, actions.KindDeactivate))

	m = newManager(t, parsePartial("{maxPercent: 50}"), fakes{"dc": dc}, nil)
	_, _, err = m.Plan(t.Context(), "inactive")
	require.ErrorIs(t, err, jira.ErrIncomplete)
	assert.Contains(t, err.Error(), "percentage")
}
