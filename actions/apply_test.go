package actions_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

var (
	_ actions.Site      = (*datacenter.Client)(nil)
	_ actions.Site      = (*cloud.Client)(nil)
	_ actions.Matcher   = (*criteria.Program)(nil)
	_ actions.Explainer = (*criteria.Program)(nil)
)

func offboard() actions.Policy {
	return actions.Policy{
		Name:   "offboard",
		Select: nil,
		Action: actions.Sequence(actions.SetProperty("deactivatedOn", "{{now}}"),
			actions.RemoveFromGroups("staff"), actions.Deactivate()),
	}
}

func TestApplyDC(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(30)})
	p := offboard()
	p.Select = crit(t, `active && (neverLoggedIn || daysSinceLastLogin > 20)`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	require.NotEmpty(t, plan.Users)
	j, err := actions.OpenJournal(filepath.Join(t.TempDir(), "j"))
	require.NoError(t, err)
	defer j.Close()
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Equal(t, 3*len(plan.Users), run.Counts[actions.Applied], run.Summary())
	for _, up := range plan.Users {
		u, ok := s.User(up.User.Name)
		require.True(t, ok)
		assert.False(t, u.Active, u.Name)
		assert.False(t, u.InGroup("staff"), u.Name)
		assert.JSONEq(t, `"2026-06-01T12:00:00Z"`, string(u.Properties["deactivatedOn"]), u.Name)
	}
	// A second apply of the same plan with the same journal writes nothing.
	before := totalWrites(s)
	run2, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j})
	require.NoError(t, err)
	assert.Equal(t, before, totalWrites(s), "resuming a finished run writes nothing")
	assert.Equal(t, run.Counts, run2.Counts)
	// Re-planning finds nothing left to do.
	again := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	assert.Empty(t, again.Counts)
}

// TestApplyCloud applies the same policy on a Cloud fake: deactivation
// goes through the Admin API (lifecycle disable for accounts on a claimed
// domain, suspension for the others), group removal through REST v3.
func TestApplyCloud(t *testing.T) {
	t.Parallel()
	users := people(30)
	for i := range users {
		users[i].Name = ""
		if i%2 == 1 {
			users[i].Email = fmt.Sprintf("user%04d@partner.example.net", i+1) // not a claimed domain
		}
	}
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(&jiratest.Org{Users: users, ClaimedDomains: []string{"example.com"}}))
	cr := s.Credentials()
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(cr.CloudEmail, jira.Secret(cr.CloudToken)),
		cloud.WithTransport(s.Transport()), cloud.WithAdmin(cr.OrgID, jira.Secret(cr.OrgKey)), cloud.WithAdminURL(jiratest.InMemoryURL),
		cloud.WithRateLimit(1000, 100), cloud.WithRetry(4, time.Millisecond, 10*time.Millisecond))
	require.NoError(t, err)
	ctx := t.Context()
	p := offboard()
	p.Select = crit(t, `active && (neverLoggedIn || daysSinceLastLogin > 20)`)
	req := actions.Requirements(jira.Cloud, []actions.Policy{p}, actions.Exemptions{})
	req.Groups = append(req.Groups, "staff")
	req.LastLogin = true
	me, err := c.Myself(ctx)
	require.NoError(t, err)
	plan, err := actions.NewPlan(ctx, c.Snapshot(ctx, req), []actions.Policy{p},
		actions.PlanOptions{Flavor: jira.Cloud, Myself: me, Snapshot: req, Now: now, ID: "01970000-0000-7000-8000-000000000002"})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Users)
	run, err := actions.Apply(ctx, c, plan, actions.ApplyOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Equal(t, 3*len(plan.Users), run.Counts[actions.Applied], run.Summary())
	managed, suspended := 0, 0
	for _, up := range plan.Users {
		u, ok := s.User(up.User.AccountID)
		require.True(t, ok)
		assert.False(t, u.Active, u.Email)
		assert.False(t, u.InGroup("staff"), u.Email)
		if strings.HasSuffix(u.Email, "@example.com") {
			managed++
		} else {
			suspended++
		}
	}
	assert.Positive(t, managed)
	assert.Positive(t, suspended)
	assert.Positive(t, s.Count("POST /users/{accountId}/manage/lifecycle/disable"))
	assert.Positive(t, s.Count("POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/suspend"))
	again, err := actions.NewPlan(ctx, c.Snapshot(ctx, req), []actions.Policy{p},
		actions.PlanOptions{Flavor: jira.Cloud, Myself: me, Snapshot: req, Now: now})
	require.NoError(t, err)
	assert.Empty(t, again.Counts, "nothing left to do")
}

func TestApplyStale(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(10)})
	p := offboard()
	p.Select = crit(t, `active && (neverLoggedIn || daysSinceLastLogin > 3)`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	require.True(t, s.SetLastLogin("user0005", now))
	run, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{})
	require.NoError(t, err)
	for _, r := range run.Results {
		if r.User.Name == "user0005" {
			assert.Equal(t, actions.Stale, r.Outcome)
			assert.Contains(t, r.Message, "changed since the plan")
		} else {
			assert.Equal(t, actions.Applied, r.Outcome, r.User.Name)
		}
	}
	u, _ := s.User("user0005")
	assert.True(t, u.Active)
	assert.True(t, u.InGroup("staff"))
	assert.NotContains(t, u.Properties, "deactivatedOn", "a stale user gets no step at all")
	assert.Empty(t, writes(s)["user0005"])
}

func TestApplyBlastRadius(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(20)})
	p := offboard()
	p.Select = crit(t, `active`)
	p.Limits = actions.Limits{MaxUsers: 5}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	s.ResetStats()
	run, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{})
	require.ErrorIs(t, err, actions.ErrLimitExceeded)
	le, ok := errors.AsType[*actions.LimitError](err)
	require.True(t, ok)
	assert.Equal(t, 20, le.Users)
	assert.Equal(t, 21, le.ActiveUsers) // the admin too
	assert.Contains(t, err.Error(), "changes 20 users")
	assert.Zero(t, s.TotalRequests(), "no request at all")
	assert.Equal(t, 60, run.Counts[actions.Refused])

	p.Limits = actions.Limits{MaxPercent: 50}
	plan = planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	s.ResetStats()
	_, err = actions.Apply(t.Context(), c, plan, actions.ApplyOptions{})
	require.ErrorIs(t, err, actions.ErrLimitExceeded)
	assert.Contains(t, err.Error(), "95.24% of 21 active users")
	assert.Zero(t, s.TotalRequests())
	assert.Contains(t, plan.Summary(), "REFUSED")
}

func TestApplyDeleteFallback(t *testing.T) {
	t.Parallel()
	org := &jiratest.Org{Users: people(3), Projects: []jiratest.ProjectSpec{{Key: "HR", Name: "HR", Lead: "user0002"}}}
	s, c := dcSite(t, org)
	p := actions.Policy{Name: "purge", Select: crit(t, `name in ["user0001", "user0002"]`), Action: actions.Delete()}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	require.Len(t, plan.Users, 2)
	assert.True(t, plan.Users[0].Steps[0].FallbackToDeactivate)
	run, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{})
	require.NoError(t, err)
	_, ok := s.User("user0001")
	assert.False(t, ok, "deleted")
	lead, ok := s.User("user0002")
	require.True(t, ok)
	assert.False(t, lead.Active, "deactivated instead")
	var msg string
	for _, r := range run.Results {
		if r.User.Name == "user0002" {
			msg = r.Message
			assert.Equal(t, actions.Applied, r.Outcome)
		}
	}
	assert.Equal(t, "deactivated instead: Cannot delete user 'user0002' because they are the project lead of: HR.", msg)
}

func TestApplyReadOnlyDirectory(t *testing.T) {
	t.Parallel()
	users := people(2)
	users[1].Directory = "ldap"
	s, c := dcSite(t, &jiratest.Org{Users: users, Directories: []jiratest.Directory{{ID: "2", Name: "ldap", ReadOnly: true}}})
	p := actions.Policy{Name: "off", Select: crit(t, `active && name startsWith "user"`), Action: actions.Deactivate()}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	run, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{})
	require.NoError(t, err)
	for _, r := range run.Results {
		if r.User.Name == "user0002" {
			assert.Equal(t, actions.Failed, r.Outcome)
			assert.ErrorIs(t, r.Err, jira.ErrForbidden)
			assert.Contains(t, r.Error, "read-only directory")
		}
	}
	u, _ := s.User("user0002")
	assert.True(t, u.Active)
	// Known read-only directories are protected when planning, when the
	// snapshot says which directory a user is in.
	me := jira.User{Key: "JIRAUSER1", Name: "admin"}
	ldap := jira.User{Key: "JIRAUSER2", Name: "user9", Active: true, Directory: "ldap"}
	plan, err = actions.NewPlan(t.Context(), seq(me, ldap), []actions.Policy{p}, actions.PlanOptions{
		Flavor: jira.DataCenter, Myself: me, Now: now, ReadOnlyDirectories: []string{"ldap"},
		Snapshot: jira.SnapshotOptions{Groups: actions.ProtectedGroups(jira.DataCenter)}})
	require.NoError(t, err)
	require.Len(t, plan.Exempt, 1)
	assert.Equal(t, "protected: read-only directory ldap", plan.Exempt[0].Reason)

	// DC's REST API never says a user's directory; a login source exported
	// from Jira's database (datacenter.LoginQuery) does, and then the plan
	// of the real site protects the LDAP user instead of failing on it.
	withDirs, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)),
		datacenter.WithTransport(s.Transport()),
		datacenter.WithLoginSource(datacenter.LoginTable{"user0002": {Directory: "ldap"}}))
	require.NoError(t, err)
	plan = planOn(t, withDirs, []actions.Policy{p}, actions.PlanOptions{ReadOnlyDirectories: []string{"ldap"}})
	require.Len(t, plan.Exempt, 1)
	assert.Equal(t, "user0002", plan.Exempt[0].User.Name)
	assert.Equal(t, "protected: read-only directory ldap", plan.Exempt[0].Reason)
	assert.Empty(t, plan.Users, "user0001 was deactivated above; user0002 is protected")
}

func TestUndoRoundTrip(t *testing.T) {
	t.Parallel()
	users := people(6)
	users[0].Properties = map[string]json.RawMessage{"deactivatedOn": json.RawMessage(`"long ago"`)}
	s, c := dcSite(t, &jiratest.Org{Users: users})
	before := s.Users()
	p := actions.Policy{Name: "off", Select: crit(t, `active && name startsWith "user"`),
		Action: actions.Sequence(actions.SetPropertyFunc("deactivatedOn", func(*jira.User, time.Time) (json.RawMessage, error) {
			return json.RawMessage(`"today"`), nil
		}), actions.RemoveFromGroups("staff"), actions.RemoveAllLicences(), actions.AddToGroups("alumni"), actions.Deactivate())}
	require.NoError(t, s.AddGroup("alumni"))
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	var buf bytes.Buffer
	j, err := actions.NewJournal(&buf)
	require.NoError(t, err)
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j})
	require.NoError(t, err)
	require.Zero(t, run.Counts[actions.Failed], run.Summary())
	entries, err := actions.ReadJournal(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	undo, err := actions.Undo(entries, actions.UndoOptions{Now: now})
	require.NoError(t, err)
	assert.Len(t, undo.Users, 6)
	assert.Equal(t, 6, undo.Counts[actions.KindReactivate])
	urun, err := actions.Apply(t.Context(), site{c}, undo, actions.ApplyOptions{NoFingerprints: true})
	require.NoError(t, err)
	require.Zero(t, urun.Counts[actions.Failed], urun.Summary())
	after := s.Users()
	require.Len(t, after, len(before))
	for i := range before {
		assert.Equal(t, before[i].Active, after[i].Active, before[i].Name)
		assert.Equal(t, before[i].Groups, after[i].Groups, before[i].Name)
		assert.Equal(t, before[i].Licences, after[i].Licences, before[i].Name)
		assert.Equal(t, before[i].Properties, after[i].Properties, before[i].Name)
	}
}

// failingWriter accepts n writes, then fails: the journal breaks as a
// crash would leave it.
type failingWriter struct {
	bytes.Buffer
	n int
}

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("disk gone")
	}
	w.n--
	return w.Buffer.Write(b)
}

func TestResumeAfterCrash(t *testing.T) {
	t.Parallel()
	for _, cut := range []int{1, 2, 3, 4, 7, 10, 15} {
		s, c := dcSite(t, &jiratest.Org{Users: people(6)})
		p := offboard()
		p.Select = crit(t, `active && name startsWith "user"`)
		plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
		w := &failingWriter{n: cut}
		j, err := actions.NewJournal(w)
		require.NoError(t, err)
		_, err = actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 1})
		require.Error(t, err, "cut %d", cut)
		// Resume from what reached the journal.
		j, err = actions.NewJournal(bytes.NewBuffer(w.Bytes()))
		require.NoError(t, err)
		run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 2})
		require.NoError(t, err, "cut %d", cut)
		assert.Equal(t, 18, run.Counts[actions.Applied], "cut %d: %s", cut, run.Summary())
		for who, routes := range writes(s) {
			for route, n := range routes {
				assert.Equal(t, 1, n, "cut %d: %s %s written %d times", cut, who, route, n)
			}
		}
		for _, up := range plan.Users {
			u, _ := s.User(up.User.Name)
			assert.False(t, u.Active)
			assert.False(t, u.InGroup("staff"))
		}
	}
}

func TestResumeTruncatedLine(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(3)})
	p := offboard()
	p.Select = crit(t, `active && name startsWith "user"`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	path := filepath.Join(t.TempDir(), "journal")
	w := &failingWriter{n: 5}
	j, err := actions.NewJournal(w)
	require.NoError(t, err)
	_, err = actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 1})
	require.Error(t, err)
	// The crash also cut the next line in half.
	require.NoError(t, os.WriteFile(path, append(w.Bytes(), `{"type":"outcome","ti`...), 0o600))
	j, err = actions.OpenJournal(path)
	require.NoError(t, err)
	defer j.Close()
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j})
	require.NoError(t, err)
	assert.Equal(t, 9, run.Counts[actions.Applied])
	assert.True(t, run.Resumed)
	for who, routes := range writes(s) {
		for route, n := range routes {
			assert.Equal(t, 1, n, "%s %s", who, route)
		}
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		assert.True(t, json.Valid([]byte(line)), "line %d: %s", i+1, line)
	}
}

func TestJournalOfAnotherPlan(t *testing.T) {
	t.Parallel()
	_, c := dcSite(t, &jiratest.Org{Users: people(3)})
	p := offboard()
	p.Select = crit(t, `active && name == "user0001"`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	var buf bytes.Buffer
	j, _ := actions.NewJournal(&buf)
	_, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{Journal: j})
	require.NoError(t, err)
	other := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{ID: "01970000-0000-7000-8000-000000000002"})
	j, _ = actions.NewJournal(bytes.NewBuffer(buf.Bytes()))
	_, err = actions.Apply(t.Context(), c, other, actions.ApplyOptions{Journal: j})
	assert.ErrorContains(t, err, "the journal is for plan 01970000-0000-7000-8000-000000000001")
}
