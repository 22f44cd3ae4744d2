package jira_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// allGroupsPerUser reads every user's groups one request per user, the
// reference the walk must match.
func allGroupsPerUser(tb testing.TB, bs *benchSite) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for u, err := range bs.site.Snapshot(tb.Context(), jira.SnapshotOptions{}) {
		require.NoError(tb, err)
		full, err := bs.site.User(tb.Context(), mustRef(tb, &u))
		require.NoError(tb, err)
		out[u.ID()] = full.Groups
	}
	return out
}

func mustRef(tb testing.TB, u *jira.User) jira.UserRef {
	tb.Helper()
	for _, f := range flavours {
		if r, ok := u.Ref(f); ok {
			return r
		}
	}
	tb.Fatalf("%s has no identity", u.ID())
	return jira.UserRef{}
}

// TestSnapshotAllGroupsWalk checks, on both flavours and 3,000 users in 40
// groups, that AllGroups walks the groups instead of reading each user,
// gives every user exactly the groups a per-user read gives, and costs
// far fewer requests than one per user.
func TestSnapshotAllGroupsWalk(t *testing.T) {
	t.Parallel()
	org := benchOrg(3000)
	for _, f := range flavours {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			bs := newBenchSite(t, f, org)
			want := allGroupsPerUser(t, bs)
			bs.fake.ResetStats()
			n := 0
			for u, err := range bs.site.Snapshot(t.Context(), jira.SnapshotOptions{AllGroups: true}) {
				require.NoError(t, err)
				require.Equal(t, want[u.ID()], u.Groups, u.ID())
				n++
			}
			assert.Len(t, want, n)
			got := bs.fake.TotalRequests()
			t.Logf("%s: %d requests for %d users: %v", f, got, n, bs.fake.Stats())
			assert.Less(t, got, n/5, "the walk, not a request per user")
		})
	}
}

// BenchmarkSnapshotAllGroups20k measures a snapshot with every group of
// 20,000 users (40 groups) against the naive way (list, then one
// user?expand=groups per user) and reports requests/op of both.
func BenchmarkSnapshotAllGroups20k(b *testing.B) {
	org := benchOrg(20_000)
	for _, f := range flavours {
		b.Run(f.String(), func(b *testing.B) {
			bs := newBenchSite(b, f, org)
			b.Run("snapshot", func(b *testing.B) {
				bs.fake.ResetStats()
				for b.Loop() {
					for _, err := range bs.site.Snapshot(b.Context(), jira.SnapshotOptions{AllGroups: true}) {
						require.NoError(b, err)
					}
				}
				b.ReportMetric(float64(bs.fake.TotalRequests())/float64(b.N), "requests/op")
			})
			b.Run("naive", bs.benchNaive)
		})
	}
}
