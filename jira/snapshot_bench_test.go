package jira_test

import (
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// benchGroups are the groups whose membership the benchmarks ask for: a
// large department, the contractors and a small team.
var benchGroups = []string{"engineering", jiratest.ContractorsGroup, "team-07"}

// benchOrg is a generated organisation of n users (employees in
// departments, contractors, app and customer accounts, a read-only LDAP
// directory on DC) with teams added so that it has 40 groups besides the
// built-in ones; every user is in one team. The same org loads on both
// flavours.
func benchOrg(n int) *jiratest.Org {
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: n, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	teams := 40 - len(org.Groups)
	for i := range teams {
		org.Groups = append(org.Groups, fmt.Sprintf("team-%02d", i))
	}
	for i := range org.Users {
		org.Users[i].Groups = append(org.Users[i].Groups, fmt.Sprintf("team-%02d", i%teams))
	}
	return org
}

// benchSite is one flavour's client on a fake loaded with an org.
type benchSite struct {
	site site
	fake *jiratest.Server
	// naive lists every user and reads each one's groups: one request per
	// user, the way a snapshot is written without thought.
	naive func(b testing.TB) int
	// minimum is the fewest requests the flavour's APIs allow for a
	// snapshot of benchGroups' membership and last login.
	minimum int
}

func newBenchSite(tb testing.TB, f jira.Flavor, org *jiratest.Org) *benchSite {
	tb.Helper()
	opts := []jiratest.Option{jiratest.WithOrg(org), jiratest.WithFlavor(f), jiratest.WithRequestLog(1)}
	s := jiratest.New(opts...)
	users := len(org.Users) + 1 // and the administrator
	members := 0
	for _, g := range benchGroups {
		m, _ := s.GroupMembers(g)
		members += (len(m) + 49) / 50
	}
	bs := &benchSite{fake: s}
	switch f {
	case jira.DataCenter:
		c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
			datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e9, 1e9))
		require.NoError(tb, err)
		bs.site = c
		// DC: ceil(users/2000) pages of /user/list (last login comes with
		// them, on DC 10+) + ceil(members/50) pages of /group/member per
		// group (+ the server version, once per client).
		bs.minimum = (users+1999)/2000 + members
		bs.naive = func(tb testing.TB) int {
			n := 0
			for u, err := range c.Users.All(tb.Context()) {
				require.NoError(tb, err)
				_, _, err := c.Users.Get(tb.Context(), jira.UserKey(u.Key), &datacenter.GetOptions{Groups: true})
				require.NoError(tb, err)
				n++
			}
			return n
		}
	case jira.Cloud:
		c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(jiratest.DefaultCloudEmail, jiratest.DefaultCloudToken),
			cloud.WithTransport(s.Transport()), cloud.WithRateLimit(1e9, 1e9),
			cloud.WithAdmin(jiratest.DefaultOrgID, jiratest.DefaultOrgKey), cloud.WithAdminURL(jiratest.InMemoryURL))
		require.NoError(tb, err)
		bs.site = c
		// Cloud: ceil(users/1000) pages of users/search + the empty page
		// that ends it (a short page does not: Jira may leave out users)
		// + ceil(users/100) pages of Admin directory users with
		// productAccess (last login) + ceil(members/50) pages of
		// group/member per group (+ the directories, once per client).
		bs.minimum = (users+999)/1000 + 1 + (users+99)/100 + members
		bs.naive = func(tb testing.TB) int {
			n := 0
			for u, err := range c.Users.All(tb.Context()) {
				require.NoError(tb, err)
				_, _, err := c.Users.Get(tb.Context(), jira.AccountID(u.AccountID), &cloud.GetOptions{Groups: true})
				require.NoError(tb, err)
				n++
			}
			return n
		}
	}
	return bs
}

// snapshot runs a snapshot of benchGroups and last login and counts the
// users; sample, when not nil, is called every 250 users.
func (bs *benchSite) snapshot(tb testing.TB, seq iter.Seq2[jira.User, error], sample func()) int {
	n := 0
	for u, err := range seq {
		require.NoError(tb, err)
		if !u.LastLogin.Known {
			tb.Fatalf("%s: last login unknown", u.ID())
		}
		n++
		if sample != nil && n%250 == 0 {
			sample()
		}
	}
	return n
}

var flavours = []jira.Flavor{jira.DataCenter, jira.Cloud}

// TestSnapshotRequestsMinimum asserts that a snapshot of 10,000 users with
// 3 groups' membership and last login takes at most 3 requests more than
// the minimum each flavour's APIs allow (see newBenchSite for the
// formulas), on a fresh client.
func TestSnapshotRequestsMinimum(t *testing.T) {
	t.Parallel()
	org := benchOrg(10_000)
	for _, f := range flavours {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			bs := newBenchSite(t, f, org)
			bs.fake.ResetStats()
			opts := jira.SnapshotOptions{Groups: benchGroups, LastLogin: true}
			require.Equal(t, 10_001, bs.snapshot(t, bs.site.Snapshot(t.Context(), opts), nil))
			got := bs.fake.TotalRequests()
			t.Logf("%s: %d requests, minimum %d: %v", f, got, bs.minimum, bs.fake.Stats())
			assert.GreaterOrEqual(t, got, bs.minimum)
			assert.LessOrEqual(t, got, bs.minimum+3)
		})
	}
}

// BenchmarkSnapshot measures a snapshot of 10,000 users (40 groups) asking
// for 3 groups' membership and last login, next to the naive approach of
// listing the users and reading each one's groups (GET user?expand=groups),
// and reports requests/op for both. The minimum for the snapshot, per
// flavour (asserted by TestSnapshotRequestsMinimum):
//
//	DC:    ceil(users/2000) + Σ ceil(members/50)
//	Cloud: ceil(users/1000) + 1 + ceil(users/100) + Σ ceil(members/50)
//
// with users = 10,001 (the administrator too): DC 6 + Σ, Cloud 12 + 101 + Σ,
// where Σ is 95 pages of group/member for the benchmark's org. The naive
// approach takes the list pages plus 10,001 requests.
func BenchmarkSnapshot(b *testing.B) {
	org := benchOrg(10_000)
	for _, f := range flavours {
		b.Run(f.String(), func(b *testing.B) {
			bs := newBenchSite(b, f, org)
			b.Run("snapshot", func(b *testing.B) {
				bs.fake.ResetStats()
				for b.Loop() {
					bs.snapshot(b, bs.site.Snapshot(b.Context(), jira.SnapshotOptions{Groups: benchGroups, LastLogin: true}), nil)
				}
				b.ReportMetric(float64(bs.fake.TotalRequests())/float64(b.N), "requests/op")
				b.ReportMetric(float64(bs.minimum), "minimum-requests")
			})
			b.Run("naive", bs.benchNaive)
		})
	}
}

// BenchmarkSnapshot100k snapshots 100,000 users (3 groups' membership and
// last login) and reports the peak heap the snapshot adds: HeapAlloc,
// sampled every 250 users, minus the baseline with the fake loaded and
// garbage-collected. The target is under 200 MB.
//
// HeapAlloc counts garbage not yet collected, and with the default GOGC
// of 100 the collector lets the heap grow by as much as is live — here
// mostly the fake's 100,000 users — so the raw figure would measure the
// fake's size. The benchmark therefore runs with GOGC 10, which keeps the
// garbage to a tenth of the live heap; the figure still includes what the
// in-memory fake allocates to answer, so it overstates the client's share.
func BenchmarkSnapshot100k(b *testing.B) {
	org := benchOrg(100_000)
	for _, f := range flavours {
		b.Run(f.String(), func(b *testing.B) {
			bs := newBenchSite(b, f, org)
			defer debug.SetGCPercent(debug.SetGCPercent(10))
			var ms runtime.MemStats
			peak := 0.0
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				sample := func() {
					runtime.ReadMemStats(&ms)
					if ms.HeapAlloc > base {
						peak = max(peak, float64(ms.HeapAlloc-base)/(1<<20))
					}
				}
				n := bs.snapshot(b, bs.site.Snapshot(b.Context(), jira.SnapshotOptions{Groups: benchGroups, LastLogin: true}), sample)
				if n != 100_001 {
					b.Fatalf("%d users", n)
				}
			}
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}

// benchNaive reports the requests/op of the naive way: list the users and
// read each one's groups.
func (bs *benchSite) benchNaive(b *testing.B) {
	bs.fake.ResetStats()
	for b.Loop() {
		bs.naive(b)
	}
	b.ReportMetric(float64(bs.fake.TotalRequests())/float64(b.N), "requests/op")
}
