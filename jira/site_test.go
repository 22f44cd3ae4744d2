package jira_test

import (
	"context"
	"encoding/json"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// site is the flavour-neutral surface both clients have. The contract
// tests below run against each flavour's client on its fake, so the
// parity is tested, not assumed.
type site interface {
	Flavor() jira.Flavor
	Myself(ctx context.Context) (jira.User, error)
	User(ctx context.Context, ref jira.UserRef) (jira.User, error)
	GroupMembers(ctx context.Context, group string) iter.Seq2[jira.User, error]
	AddToGroup(ctx context.Context, ref jira.UserRef, group string) error
	RemoveFromGroup(ctx context.Context, ref jira.UserRef, group string) error
	Deactivate(ctx context.Context, ref jira.UserRef) error
	Reactivate(ctx context.Context, ref jira.UserRef) error
	Delete(ctx context.Context, ref jira.UserRef) error
	ResetPassword(ctx context.Context, ref jira.UserRef, password jira.Secret) error
	InvalidateSessions(ctx context.Context, ref jira.UserRef) error
	SetProperty(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) error
	DeleteProperty(ctx context.Context, ref jira.UserRef, key string) error
	GrantLicence(ctx context.Context, ref jira.UserRef, application string) error
	RevokeLicence(ctx context.Context, ref jira.UserRef, application string) error
	CreateIssue(ctx context.Context, r jira.IssueRequest) (jira.Issue, error)
	Issue(ctx context.Context, keyOrID string) (jira.Issue, error)
	AddComment(ctx context.Context, keyOrID, body string) error
	Snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error]
}

var (
	_ site = (*datacenter.Client)(nil)
	_ site = (*cloud.Client)(nil)
)

// contractOrg is the organisation both flavours load: the same people,
// groups, licences, logins and properties.
func contractOrg() *jiratest.Org {
	day := func(d int) time.Time { return time.Date(2026, 2, d, 8, 30, 0, 0, time.UTC) }
	sw := []string{"jira-software"}
	return &jiratest.Org{
		ClaimedDomains: []string{"example.com"},
		Groups:         []string{"contractors", "finance"},
		Users: []jiratest.UserSpec{
			{Name: "ada", DisplayName: "Ada Lovelace", Email: "ada@example.com", Licences: sw, Groups: []string{"finance"}, LastLogin: day(3),
				Properties: map[string]json.RawMessage{"department": json.RawMessage(`"research"`)}},
			{Name: "grace", DisplayName: "Grace Hopper", Email: "grace@example.com", Licences: sw, Groups: []string{"contractors"}},
			{Name: "alan", DisplayName: "Alan Turing", Email: "alan@partner.org", Licences: sw, Groups: []string{"contractors", "finance"}, LastLogin: day(9)},
			{Name: "edsger", DisplayName: "Edsger Dijkstra", Email: "edsger@example.com", Licences: sw, LastLogin: day(1), Inactive: true},
			{Name: "barbara", DisplayName: "Barbara Liskov", Email: "barbara@example.com", LastLogin: day(5)},
		},
	}
}

// flavour is one client on its fake, with how to name its users.
type flavour struct {
	site site
	fake *jiratest.Server
	// ref names a user of contractOrg by login name.
	ref func(name string) jira.UserRef
	// wrong is a reference of the other flavour.
	wrong jira.UserRef
}

func newDC(t *testing.T) *flavour {
	s := jiratest.New(jiratest.WithOrg(contractOrg()))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e6, 1e6))
	require.NoError(t, err)
	return &flavour{site: c, fake: s, wrong: jira.AccountID("5b10a2844c20165700ede21g"),
		ref: func(name string) jira.UserRef {
			u, ok := s.User(name)
			require.True(t, ok, name)
			if name == "grace" {
				return jira.UserKey(u.Key) // keys work too
			}
			return jira.Username(name)
		}}
}

func newCloud(t *testing.T) *flavour {
	org := contractOrg()
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(org))
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(jiratest.DefaultCloudEmail, jiratest.DefaultCloudToken),
		cloud.WithTransport(s.Transport()), cloud.WithRateLimit(1e6, 1e6),
		cloud.WithAdmin(jiratest.DefaultOrgID, jiratest.DefaultOrgKey), cloud.WithAdminURL(jiratest.InMemoryURL))
	require.NoError(t, err)
	emails := map[string]string{}
	for _, u := range org.Users {
		emails[u.Name] = u.Email
	}
	return &flavour{site: c, fake: s, wrong: jira.Username("ada"),
		ref: func(name string) jira.UserRef {
			u, ok := s.User(emails[name])
			require.True(t, ok, name)
			return jira.AccountID(u.AccountID)
		}}
}

// fakeUser is the fake's view of a user named by ref.
func (f *flavour) fakeUser(t *testing.T, ref jira.UserRef) jira.User {
	t.Helper()
	u, ok := f.fake.User(ref.Value())
	require.True(t, ok, ref.String())
	return u
}

// snapshot collects a snapshot by the user's ID.
func (f *flavour) snapshot(t *testing.T, opts jira.SnapshotOptions) map[string]jira.User {
	t.Helper()
	out := map[string]jira.User{}
	for u, err := range f.site.Snapshot(t.Context(), opts) {
		require.NoError(t, err)
		require.NotContains(t, out, u.ID(), "each user once")
		out[u.ID()] = u
	}
	return out
}

// licenceGroup is the group that gives jira-servicedesk on each flavour.
func licenceGroup(f jira.Flavor) string {
	if f == jira.Cloud {
		return "jira-servicemanagement-users"
	}
	return "jira-servicedesk-users"
}

func TestSiteContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, f *flavour)
	}{
		{"snapshot with groups, licences, last login and properties", func(t *testing.T, f *flavour) {
			got := f.snapshot(t, jira.SnapshotOptions{Groups: []string{"contractors"}, Licences: true, LastLogin: true, Properties: []string{"department"}})
			require.Len(t, got, 6, "5 users and the administrator")
			for _, fake := range f.fake.Users() {
				u := got[fake.ID()]
				assert.Equal(t, fake.Active, u.Active, fake.Email)
				assert.Equal(t, fake.Email, u.Email)
				assert.Equal(t, fake.InGroup("contractors"), u.InGroup("contractors"), fake.Email)
				assert.NotContains(t, u.Groups, "finance", "only the groups asked for")
				assert.Equal(t, fake.Licences, u.Licences, fake.Email)
				assert.Equal(t, fake.Properties, u.Properties, fake.Email)
				if len(fake.Licences) > 0 { // Cloud's last activity is per product
					assert.True(t, u.LastLogin.Known, fake.Email)
					assert.True(t, fake.LastLogin.Time.Equal(u.LastLogin.Time), "%s: %v vs %v", fake.Email, fake.LastLogin, u.LastLogin)
				}
			}
			grace := f.fakeUser(t, f.ref("grace"))
			assert.True(t, got[grace.ID()].LastLogin.Never(), "known never, not unknown")
		}},
		{"snapshot of active users only, nothing extra", func(t *testing.T, f *flavour) {
			got := f.snapshot(t, jira.SnapshotOptions{ActiveOnly: true})
			assert.Len(t, got, 5)
			for _, u := range got {
				assert.True(t, u.Active)
				assert.Nil(t, u.Groups)
				assert.Nil(t, u.Licences)
				assert.Nil(t, u.Properties)
			}
		}},
		{"snapshot of all groups", func(t *testing.T, f *flavour) {
			got := f.snapshot(t, jira.SnapshotOptions{AllGroups: true})
			alan := f.fakeUser(t, f.ref("alan"))
			assert.Equal(t, alan.Groups, got[alan.ID()].Groups)
		}},
		{"user re-read", func(t *testing.T, f *flavour) {
			for _, name := range []string{"ada", "grace", "edsger"} {
				u, err := f.site.User(t.Context(), f.ref(name))
				require.NoError(t, err)
				fake := f.fakeUser(t, f.ref(name))
				assert.Equal(t, fake.ID(), u.ID())
				assert.Equal(t, fake.Groups, u.Groups)
				assert.Equal(t, fake.Licences, u.Licences)
				assert.Equal(t, fake.Active, u.Active)
				assert.Equal(t, fake.LastLogin.Known, u.LastLogin.Known, name)
				assert.True(t, fake.LastLogin.Time.Equal(u.LastLogin.Time), name)
			}
			me, err := f.site.Myself(t.Context())
			require.NoError(t, err)
			assert.True(t, me.Active)
		}},
		{"group add and remove are idempotent", func(t *testing.T, f *flavour) {
			ctx, ada := t.Context(), f.ref("ada")
			require.NoError(t, f.site.AddToGroup(ctx, ada, "contractors"))
			require.NoError(t, f.site.AddToGroup(ctx, ada, "contractors"))
			u, err := f.site.User(ctx, ada)
			require.NoError(t, err)
			assert.True(t, u.InGroup("contractors"))
			var members []string
			for m, err := range f.site.GroupMembers(ctx, "contractors") {
				require.NoError(t, err)
				members = append(members, m.DisplayName)
			}
			assert.ElementsMatch(t, []string{"Ada Lovelace", "Grace Hopper", "Alan Turing"}, members)
			require.NoError(t, f.site.RemoveFromGroup(ctx, ada, "contractors"))
			require.NoError(t, f.site.RemoveFromGroup(ctx, ada, "contractors"))
			fake := f.fakeUser(t, ada)
			assert.False(t, fake.InGroup("contractors"))
		}},
		{"deactivate and reactivate show in later reads", func(t *testing.T, f *flavour) {
			ctx := t.Context()
			for _, name := range []string{"ada", "alan"} { // on Cloud: managed, then unmanaged
				r := f.ref(name)
				require.NoError(t, f.site.Deactivate(ctx, r))
				require.NoError(t, f.site.Deactivate(ctx, r), "twice")
				u, err := f.site.User(ctx, r)
				require.NoError(t, err)
				assert.False(t, u.Active, name)
				assert.False(t, f.snapshot(t, jira.SnapshotOptions{})[u.ID()].Active)
				assert.NotContains(t, f.snapshot(t, jira.SnapshotOptions{ActiveOnly: true}), u.ID())
				require.NoError(t, f.site.Reactivate(ctx, r))
				u, err = f.site.User(ctx, r)
				require.NoError(t, err)
				assert.True(t, u.Active, name)
			}
		}},
		{"delete", func(t *testing.T, f *flavour) {
			ctx, r := t.Context(), f.ref("barbara")
			require.NoError(t, f.site.Delete(ctx, r))
			_, err := f.site.User(ctx, r)
			assert.ErrorIs(t, err, jira.ErrNotFound)
			assert.ErrorIs(t, f.site.Delete(ctx, r), jira.ErrNotFound)
			assert.Len(t, f.snapshot(t, jira.SnapshotOptions{}), 5)
		}},
		{"properties", func(t *testing.T, f *flavour) {
			ctx, r := t.Context(), f.ref("grace")
			require.NoError(t, f.site.SetProperty(ctx, r, "seatwarden", json.RawMessage(`{"plan":"p-1"}`)))
			got := f.snapshot(t, jira.SnapshotOptions{Properties: []string{"seatwarden"}})
			grace := f.fakeUser(t, r)
			assert.JSONEq(t, `{"plan":"p-1"}`, string(got[grace.ID()].Properties["seatwarden"]))
			require.NoError(t, f.site.DeleteProperty(ctx, r, "seatwarden"))
			require.NoError(t, f.site.DeleteProperty(ctx, r, "seatwarden"), "idempotent")
			assert.NotContains(t, f.fakeUser(t, r).Properties, "seatwarden")
		}},
		{"licences grant and revoke", func(t *testing.T, f *flavour) {
			ctx, r := t.Context(), f.ref("barbara")
			require.NoError(t, f.site.GrantLicence(ctx, r, "jira-servicedesk"))
			u, err := f.site.User(ctx, r)
			require.NoError(t, err)
			assert.Equal(t, []string{"jira-servicedesk"}, u.Licences)
			assert.True(t, u.InGroup(licenceGroup(f.site.Flavor())))
			require.NoError(t, f.site.RevokeLicence(ctx, r, "jira-servicedesk"))
			u, err = f.site.User(ctx, r)
			require.NoError(t, err)
			assert.Empty(t, u.Licences)
			assert.Empty(t, f.fakeUser(t, r).Licences)
		}},
		{"issues: create, then the status after a transition", func(t *testing.T, f *flavour) {
			ctx := t.Context()
			is, err := f.site.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "Approve plan p-1",
				Description: "Deactivate 2 users.\nSee the plan.", Labels: []string{"seatwarden"}, Assignee: f.ref("ada")})
			require.NoError(t, err)
			got, err := f.site.Issue(ctx, is.Key)
			require.NoError(t, err)
			assert.Equal(t, "Open", got.Status)
			require.NoError(t, f.fake.Transition(is.Key, "Approve"))
			got, err = f.site.Issue(ctx, is.ID)
			require.NoError(t, err)
			assert.Equal(t, jira.Issue{ID: is.ID, Key: is.Key, Summary: "Approve plan p-1", Status: "Approved", StatusID: "10002"}, got)

			require.NoError(t, f.site.AddComment(ctx, is.Key, "Applied: 2 users deactivated.\nRun r-1."))
			fake, _ := f.fake.Issue(is.Key)
			require.Len(t, fake.Comments, 1)
			if f.site.Flavor() == jira.DataCenter {
				assert.JSONEq(t, `"Applied: 2 users deactivated.\nRun r-1."`, string(fake.Comments[0]))
			} else {
				assert.JSONEq(t, `{"type":"doc","version":1,"content":[
					{"type":"paragraph","content":[{"type":"text","text":"Applied: 2 users deactivated."}]},
					{"type":"paragraph","content":[{"type":"text","text":"Run r-1."}]}]}`, string(fake.Comments[0]))
			}
			assert.ErrorIs(t, f.site.AddComment(ctx, "OPS-999", "x"), jira.ErrNotFound)
		}},
		{"wrong-flavour references are refused before any request", func(t *testing.T, f *flavour) {
			ctx, w := t.Context(), f.wrong
			before := f.fake.TotalRequests()
			_, err := f.site.User(ctx, w)
			assert.ErrorIs(t, err, jira.ErrWrongFlavor)
			for name, err := range map[string]error{
				"AddToGroup":         f.site.AddToGroup(ctx, w, "finance"),
				"RemoveFromGroup":    f.site.RemoveFromGroup(ctx, w, "finance"),
				"Deactivate":         f.site.Deactivate(ctx, w),
				"Reactivate":         f.site.Reactivate(ctx, w),
				"Delete":             f.site.Delete(ctx, w),
				"ResetPassword":      f.site.ResetPassword(ctx, w, "x"),
				"InvalidateSessions": f.site.InvalidateSessions(ctx, w),
				"SetProperty":        f.site.SetProperty(ctx, w, "k", json.RawMessage(`1`)),
				"DeleteProperty":     f.site.DeleteProperty(ctx, w, "k"),
				"GrantLicence":       f.site.GrantLicence(ctx, w, "jira-software"),
				"RevokeLicence":      f.site.RevokeLicence(ctx, w, "jira-software"),
			} {
				assert.ErrorIs(t, err, jira.ErrWrongFlavor, name)
			}
			_, err = f.site.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "x", Assignee: w})
			assert.ErrorIs(t, err, jira.ErrWrongFlavor)
			assert.Equal(t, before, f.fake.TotalRequests(), "no request sent: %v", f.fake.Stats())
		}},
		{"reset password: DC sets it, Cloud cannot", func(t *testing.T, f *flavour) {
			err := f.site.ResetPassword(t.Context(), f.ref("ada"), "n3w-Passw0rd!")
			if f.site.Flavor() == jira.DataCenter {
				assert.NoError(t, err)
				assert.NoError(t, f.site.InvalidateSessions(t.Context(), f.ref("ada")))
			} else {
				assert.ErrorIs(t, err, jira.ErrUnsupported)
				assert.NotContains(t, err.Error(), "n3w-Passw0rd!")
				assert.ErrorIs(t, f.site.InvalidateSessions(t.Context(), f.ref("ada")), jira.ErrUnsupported)
			}
		}},
		{"not found", func(t *testing.T, f *flavour) {
			ctx := t.Context()
			ghost := jira.Username("ghost")
			if f.site.Flavor() == jira.Cloud {
				ghost = jira.AccountID("712020:00000000-0000-0000-0000-000000000000")
			}
			_, err := f.site.User(ctx, ghost)
			assert.ErrorIs(t, err, jira.ErrNotFound)
			assert.ErrorIs(t, f.site.Delete(ctx, ghost), jira.ErrNotFound)
			assert.ErrorIs(t, f.site.DeleteProperty(ctx, ghost, "k"), jira.ErrNotFound)
			assert.ErrorIs(t, f.site.AddToGroup(ctx, f.ref("ada"), "no-such-group"), jira.ErrNotFound)
			_, err = f.site.Issue(ctx, "OPS-999")
			assert.ErrorIs(t, err, jira.ErrNotFound)
			for _, err := range f.site.Snapshot(ctx, jira.SnapshotOptions{Groups: []string{"no-such-group"}}) {
				assert.ErrorIs(t, err, jira.ErrNotFound)
			}
			for _, err := range f.site.GroupMembers(ctx, "no-such-group") {
				assert.ErrorIs(t, err, jira.ErrNotFound)
			}
		}},
		{"optional groups may be missing", func(t *testing.T, f *flavour) {
			n := 0
			for u, err := range f.site.Snapshot(t.Context(), jira.SnapshotOptions{
				Groups: []string{"finance"}, OptionalGroups: []string{"no-such-group", "finance"},
			}) {
				require.NoError(t, err)
				if u.Email == "ada@example.com" {
					assert.Equal(t, []string{"finance"}, u.Groups, "a group in both lists must exist, and is filled once")
				}
				n++
			}
			assert.Positive(t, n)
		}},
	}
	flavours := []struct {
		name string
		make func(*testing.T) *flavour
	}{{"dc", newDC}, {"cloud", newCloud}}
	for _, tt := range tests {
		for _, fl := range flavours {
			t.Run(fl.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				f := fl.make(t)
				require.Equal(t, fl.name, f.site.Flavor().String())
				tt.run(t, f)
			})
		}
	}
}
