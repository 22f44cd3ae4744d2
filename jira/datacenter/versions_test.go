package datacenter_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// versions are the DC releases the fake emulates.
var versions = []string{"9.12", "10.0", "10.3", "11.0"}

// versionOrg has n users; every fifth has no licence (in no application
// role's group), every seventh is inactive, every third never logged in.
func versionOrg(n int) []jiratest.UserSpec {
	users := people(n)
	for i := range users {
		if i%5 == 4 {
			users[i].Licences = nil
		}
	}
	return users
}

// allLogins is a login source that knows every user of specs, as
// Jira's database does.
func allLogins(specs []jiratest.UserSpec) datacenter.LoginTable {
	t := datacenter.LoginTable{"admin": {LastLogin: jira.NeverLoggedIn()}}
	for _, u := range specs {
		r := datacenter.LoginRecord{LastLogin: jira.NeverLoggedIn()}
		if !u.LastLogin.IsZero() {
			r.LastLogin = jira.LoggedInAt(u.LastLogin)
		}
		t[strings.ToLower(u.Name)] = r
	}
	return t
}

func versionClient(t *testing.T, version string, specs []jiratest.UserSpec, opts ...datacenter.Option) (*datacenter.Client, *jiratest.Server) {
	t.Helper()
	s := jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: specs}), jiratest.WithDCVersion(version))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken),
		append([]datacenter.Option{datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e6, 1e6)}, opts...)...)
	require.NoError(t, err)
	return c, s
}

func collect(t *testing.T, c *datacenter.Client, opts jira.SnapshotOptions) (map[string]jira.User, error) {
	t.Helper()
	got := map[string]jira.User{}
	for u, err := range c.Snapshot(t.Context(), opts) {
		if err != nil {
			return got, err
		}
		require.NotContains(t, got, u.Name, "user yielded twice")
		got[u.Name] = u
	}
	return got, nil
}

// TestSnapshotEveryVersion: a snapshot sees every user, or says it cannot,
// on each release; last login is known only where the response carries it.
func TestSnapshotEveryVersion(t *testing.T) {
	t.Parallel()
	const n = 260
	specs := versionOrg(n)
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			c, _ := versionClient(t, v, specs)
			var res jira.SnapshotResult
			got, err := collect(t, c, jira.SnapshotOptions{LastLogin: true, Licences: true, Result: &res})
			if v == "10.0" {
				var inc *jira.IncompleteError
				require.ErrorAs(t, err, &inc)
				assert.ErrorIs(t, err, jira.ErrIncomplete)
				assert.Empty(t, got, "no user before the refusal")
				assert.Contains(t, err.Error(), "10.0")
				assert.Contains(t, err.Error(), "AllowPartial")
				return
			}
			require.NoError(t, err)
			assert.Len(t, got, n+1, "every user and the admin")
			assert.False(t, res.Partial)
			for _, sp := range specs {
				u := got[sp.Name]
				switch {
				case v == "9.12":
					assert.False(t, u.LastLogin.Known, "%s: Jira 9 does not say", sp.Name)
				case sp.LastLogin.IsZero():
					assert.True(t, u.LastLogin.Never(), "%s: never logged in", sp.Name)
				default:
					assert.True(t, u.LastLogin.Time.Equal(sp.LastLogin), "%s: %v, want %v", sp.Name, u.LastLogin, sp.LastLogin)
				}
				assert.Equal(t, len(sp.Licences) > 0, u.HasLicence("jira-software"), sp.Name)
			}
		})
	}
}

// TestSnapshotJira10PartialOrWithLogins: on 10.0 a snapshot allowed to be
// partial sees the licensed users and says who it could not see; with a
// login source it sees everyone.
func TestSnapshotJira10PartialOrWithLogins(t *testing.T) {
	t.Parallel()
	const n = 260
	specs := versionOrg(n)
	licensed := 0
	for _, sp := range specs {
		if len(sp.Licences) > 0 {
			licensed++
		}
	}

	c, s := versionClient(t, "10.0", specs)
	var res jira.SnapshotResult
	got, err := collect(t, c, jira.SnapshotOptions{AllowPartial: true, Result: &res})
	require.NoError(t, err)
	assert.True(t, res.Partial)
	assert.Contains(t, res.Unseen, "users in none of those groups")
	assert.Len(t, got, licensed+1, "the licensed users and the admin")
	for _, u := range got {
		assert.False(t, u.LastLogin.Known, "%s: group/member has no lastLoginTime", u.Name)
	}
	assert.Zero(t, s.Count("GET /rest/api/2/user/search"), "user/search is never used to enumerate on 10")

	c, _ = versionClient(t, "10.0", specs, datacenter.WithLoginSource(allLogins(specs)))
	res = jira.SnapshotResult{}
	got, err = collect(t, c, jira.SnapshotOptions{LastLogin: true, Result: &res})
	require.NoError(t, err)
	assert.False(t, res.Partial, res.Enumeration)
	assert.Len(t, got, n+1)
	for _, sp := range specs {
		u := got[sp.Name]
		require.True(t, u.LastLogin.Known, sp.Name)
		assert.Equal(t, sp.LastLogin.IsZero(), u.LastLogin.Never(), sp.Name)
	}
}

// TestLastLoginPerResponse: GroupMembers never claims "never"; User does
// only where the server's listings carry lastLoginTime.
func TestLastLoginPerResponse(t *testing.T) {
	t.Parallel()
	specs := versionOrg(30)
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			c, _ := versionClient(t, v, specs)
			for u, err := range c.GroupMembers(t.Context(), "jira-software-users") {
				require.NoError(t, err)
				assert.False(t, u.LastLogin.Known, "%s from group/member", u.Name)
			}
			_, err := collect(t, c, jira.SnapshotOptions{AllowPartial: true})
			require.NoError(t, err)
			// A response with lastLoginTime shows the server sends it (on
			// 10.0 no listing does: the snapshot read group/member).
			logged, err := c.User(t.Context(), jira.Username(specs[1].Name))
			require.NoError(t, err)
			never, err := c.User(t.Context(), jira.Username(specs[0].Name)) // user0001 never logged in
			require.NoError(t, err)
			if v == "9.12" {
				assert.False(t, never.LastLogin.Known)
				assert.False(t, logged.LastLogin.Known)
				return
			}
			assert.True(t, never.LastLogin.Never(), "this server's responses carry lastLoginTime")
			assert.True(t, logged.LastLogin.Time.Equal(specs[1].LastLogin))
		})
	}
}

// TestSearchAllTruncated: on Jira 10+ a search that fills the 100 cap is
// an error, never a short list; on 9.12 it pages to the end.
func TestSearchAllTruncated(t *testing.T) {
	t.Parallel()
	specs := versionOrg(150)
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			c, _ := versionClient(t, v, specs)
			n := 0
			var err error
			for _, e := range c.Users.SearchAll(t.Context(), &datacenter.SearchOptions{Query: "user"}) {
				if e != nil {
					err = e
					break
				}
				n++
			}
			if v == "9.12" {
				require.NoError(t, err)
				assert.Equal(t, 150, n)
				return
			}
			assert.ErrorIs(t, err, jira.ErrTruncated)
			assert.Contains(t, err.Error(), v)
			assert.Equal(t, 100, n)

			n = 0
			for _, e := range c.Users.SearchAll(t.Context(), &datacenter.SearchOptions{Query: "user01"}) {
				require.NoError(t, e, "fewer than 100 results are the whole")
				n++
			}
			assert.Equal(t, 51, n) // user0100…user0150
		})
	}
}

// TestUsersAllJira10 names the version and the way out.
func TestUsersAllJira10(t *testing.T) {
	t.Parallel()
	c, _ := versionClient(t, "10.0", versionOrg(5))
	for _, err := range c.Users.All(t.Context()) {
		require.ErrorIs(t, err, jira.ErrIncomplete)
		assert.Contains(t, err.Error(), "10.0")
		return
	}
	t.Fatal("no error")
}

// flipActive rewrites PUT /user answers to say active=true, as a silent
// no-op would.
type flipActive struct{ rt http.RoundTripper }

func (f flipActive) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.rt.RoundTrip(r)
	if err != nil || r.Method != http.MethodPut || !strings.HasSuffix(r.URL.Path, "/rest/api/2/user") {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	b = bytes.Replace(b, []byte(`"active":false`), []byte(`"active":true`), 1)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func TestDeactivateChecksTheAnswer(t *testing.T) {
	t.Parallel()
	c, s := versionClient(t, "10.3", versionOrg(3))
	require.NoError(t, c.Deactivate(t.Context(), jira.Username("user0001")))
	require.NoError(t, c.Reactivate(t.Context(), jira.Username("user0001")))

	bad, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken),
		datacenter.WithTransport(flipActive{s.Transport()}))
	require.NoError(t, err)
	err = bad.Deactivate(t.Context(), jira.Username("user0002"))
	require.ErrorIs(t, err, datacenter.ErrNotApplied)
	assert.Contains(t, err.Error(), "active=true")
}

// hookReceiver records deliveries and checks their signatures.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	got    []string // X-Hub-Signature verdicts: "ok", "none", "bad"
	paths  []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := hmac.New(sha256.New, []byte(h.secret))
	m.Write(body)
	verdict := "bad"
	switch sig := r.Header.Get("X-Hub-Signature"); {
	case sig == "":
		verdict = "none"
	case sig == "sha256="+hex.EncodeToString(m.Sum(nil)):
		verdict = "ok"
	}
	h.mu.Lock()
	h.got = append(h.got, verdict)
	h.paths = append(h.paths, r.URL.RequestURI())
	h.mu.Unlock()
}

// TestWebhooksEveryVersion registers, lists, gets and deletes a webhook
// on each release, with a secret where the release takes one, and checks
// the delivery.
func TestWebhooksEveryVersion(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			recv := &hookReceiver{secret: "s3cret"}
			ts := httptest.NewServer(recv)
			t.Cleanup(ts.Close)
			c, s := versionClient(t, v, versionOrg(2))
			ctx := t.Context()
			w := &jira.Webhook{Name: "seatwarden", URL: ts.URL + "/hook", Events: []string{"user_created"}, Secret: "s3cret"}
			_, _, err := c.Webhooks.Create(ctx, w)
			if v == "9.12" {
				require.ErrorIs(t, err, jira.ErrUnsupported)
				assert.Contains(t, err.Error(), "9.12")
				assert.NotContains(t, err.Error(), "s3cret")
				w.Secret = ""
				_, _, err = c.Webhooks.Create(ctx, w)
			}
			require.NoError(t, err)
			list, _, err := c.Webhooks.List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 1)
			one, _, err := c.Webhooks.Get(ctx, list[0].ID())
			require.NoError(t, err)
			assert.Equal(t, "seatwarden", one.Name)
			assert.Equal(t, ts.URL+"/hook", one.URL)

			_, _, err = c.Users.Create(ctx, &datacenter.CreateRequest{Name: "nina", EmailAddress: "nina@example.com", DisplayName: "Nina"})
			require.NoError(t, err)
			s.WaitWebhooks()
			recv.mu.Lock()
			want := "ok"
			if v == "9.12" {
				want = "none"
			}
			assert.Equal(t, []string{want}, recv.got)
			recv.mu.Unlock()

			_, err = c.Webhooks.Delete(ctx, one.ID())
			require.NoError(t, err)
			_, _, err = c.Webhooks.Get(ctx, one.ID())
			assert.ErrorIs(t, err, jira.ErrNotFound)
		})
	}
}

func TestInvalidateSessionsJira9(t *testing.T) {
	t.Parallel()
	c, _ := versionClient(t, "9.12", versionOrg(2))
	err := c.InvalidateSessions(t.Context(), jira.Username("user0001"))
	require.ErrorIs(t, err, jira.ErrUnsupported)
	assert.Contains(t, err.Error(), "9.12")
	var ue *jira.UnsupportedError
	require.True(t, errors.As(err, &ue))

	c, _ = versionClient(t, "10.0", versionOrg(2))
	require.NoError(t, c.InvalidateSessions(t.Context(), jira.Username("user0001")))
	err = c.InvalidateSessions(t.Context(), jira.Username("ghost"))
	assert.ErrorIs(t, err, jira.ErrNotFound, "a missing user on 10 is not 'unsupported'")
	assert.NotErrorIs(t, err, jira.ErrUnsupported)
}
