package actions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// testingT is what the helpers need of *testing.T, *testing.B and *rapid.T.
type testingT interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// now is the instant every test plans at.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// crit compiles a criterion whose clock is the test's now. A
// *criteria.Program is an actions.Matcher and an actions.Explainer.
func crit(t testingT, src string) *criteria.Program {
	t.Helper()
	p, err := criteria.Compile(src, criteria.WithNow(func() time.Time { return now }))
	require.NoError(t, err)
	return p
}

// people returns n DC users: user0001…, licensed for Jira Software, in
// group "staff"; every third never logged in, the others logged in i days
// before now.
func people(n int) []jiratest.UserSpec {
	out := make([]jiratest.UserSpec, n)
	for i := range out {
		name := fmt.Sprintf("user%04d", i+1)
		out[i] = jiratest.UserSpec{Name: name, DisplayName: "User " + name[4:], Email: name + "@example.com",
			Licences: []string{"jira-software"}, Groups: []string{"staff"},
			Created: now.AddDate(-2, 0, 0)}
		if i%3 != 0 {
			out[i].LastLogin = now.AddDate(0, 0, -i)
		}
	}
	return out
}

func dcSite(t testingT, org *jiratest.Org, opts ...jiratest.Option) (*jiratest.Server, *datacenter.Client) {
	t.Helper()
	s := jiratest.New(append([]jiratest.Option{jiratest.WithOrg(org)}, opts...)...)
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)),
		datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1000, 100),
		datacenter.WithRetry(4, time.Millisecond, 10*time.Millisecond))
	require.NoError(t, err)
	return s, c
}

// site wraps the DC client with a PropertyReader.
type site struct{ *datacenter.Client }

func (s site) Property(ctx context.Context, ref jira.UserRef, key string) (json.RawMessage, error) {
	v, _, err := s.Properties.Get(ctx, ref, key)
	return v, err
}

// planOn snapshots the site with what the policies require and plans.
func planOn(t testingT, c *datacenter.Client, policies []actions.Policy, opts actions.PlanOptions) *actions.Plan {
	t.Helper()
	ctx := context.Background()
	req := actions.Requirements(jira.DataCenter, policies, opts.Exemptions)
	req.Groups = append(req.Groups, "staff")
	req.Licences = true
	req.Properties = append(req.Properties, opts.Snapshot.Properties...) // the properties the criteria read
	me, err := c.Myself(ctx)
	require.NoError(t, err)
	opts.Flavor, opts.Myself, opts.Snapshot = jira.DataCenter, me, req
	if opts.Now.IsZero() {
		opts.Now = now
	}
	if opts.ID == "" {
		opts.ID = "01970000-0000-7000-8000-000000000001"
	}
	plan, err := actions.NewPlan(ctx, c.Snapshot(ctx, req), policies, opts)
	require.NoError(t, err)
	return plan
}

func seq(users ...jira.User) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		for _, u := range users {
			if !yield(u, nil) {
				return
			}
		}
	}
}

// writes counts the fake's successful write requests per user (name or
// key as it appears in the query) and route.
func writes(s *jiratest.Server) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, r := range s.Requests() {
		if r.Method == "GET" || r.Status < 200 || r.Status > 299 {
			continue
		}
		q, _ := url.ParseQuery(r.RawQuery)
		who := ""
		for _, p := range []string{"username", "key", "userKey"} {
			if v := q.Get(p); v != "" {
				who = v
			}
		}
		if who == "" {
			who = "?"
		}
		if out[who] == nil {
			out[who] = map[string]int{}
		}
		route := r.Route
		if g := q.Get("groupname"); g != "" {
			route += " " + g
		}
		if strings.Contains(r.Path, "/properties/") {
			route = r.Method + " " + r.Path
		}
		out[who][route]++
	}
	return out
}

func totalWrites(s *jiratest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}
