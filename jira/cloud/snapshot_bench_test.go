package cloud_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// BenchmarkSnapshotMemory takes the snapshot a plan takes of a generated
// organisation of 20,000 users (the fake's realistic mix: people, apps,
// customers, product access, licences; the same as examples/fakejira's)
// and keeps every user, as a plan does. Besides B/op and allocs/op it
// reports the heap the kept users hold, per user (retained-B/user), and
// the peak of the live heap during the snapshot over that (peak-B/user):
// the CLI's peak RSS for a plan of 100,000 users follows them.
func BenchmarkSnapshotMemory(b *testing.B) {
	const n = 20_000
	c, _ := newClientOrg(b, jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: n}))
	opts := jira.SnapshotOptions{LastLogin: true, Licences: true,
		OptionalGroups: []string{"site-admins", "break-glass", "jira-administrators"}}
	var retained, peak uint64
	var users int
	b.ReportAllocs()
	for b.Loop() {
		base := heapAfterGC()
		var kept []jira.User
		var top uint64
		for u, err := range c.Snapshot(b.Context(), opts) {
			require.NoError(b, err)
			kept = append(kept, u)
			if len(kept)%2000 == 0 {
				top = max(top, heapAfterGC()-base)
			}
		}
		b.StopTimer()
		now := heapAfterGC() - base
		retained += now
		peak += max(top, now)
		users += len(kept)
		runtime.KeepAlive(kept)
		b.StartTimer()
	}
	b.ReportMetric(float64(retained)/float64(users), "retained-B/user")
	b.ReportMetric(float64(peak)/float64(users), "peak-B/user")
}

// heapAfterGC collects garbage and returns the live heap.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
