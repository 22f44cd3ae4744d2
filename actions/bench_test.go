package actions_test

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// generated yields n DC users made up on the fly: a spread of last logins
// (a tenth never, the rest up to two years ago), a fifth contractors, every
// user in staff and licensed, a few administrators.
func generated(n int) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		for i := range n {
			u := jira.User{Key: fmt.Sprintf("JIRAUSER%07d", i+10000), Name: fmt.Sprintf("user%06d", i),
				DisplayName: fmt.Sprintf("User %d", i), Active: i%11 != 0, Created: now.AddDate(-3, 0, 0),
				Groups: []string{"staff"}, Licences: []string{"jira-software"}}
			u.Email = u.Name + "@example.com"
			if i%5 == 0 {
				u.Email = u.Name + "@contractor.example"
			}
			if i%997 == 0 {
				u.Groups = []string{"jira-administrators", "staff"}
			}
			if i%10 == 0 {
				u.LastLogin = jira.NeverLoggedIn()
			} else {
				u.LastLogin = jira.LoggedInAt(now.Add(-time.Duration(i%730) * 24 * time.Hour))
			}
			if !yield(u, nil) {
				return
			}
		}
	}
}

func benchPolicies(b testing.TB) []actions.Policy {
	return []actions.Policy{
		{Name: "inactive-90", Select: crit(b, `active && daysSinceLastLogin > 90`),
			Action: actions.Sequence(actions.SetProperty("deactivatedOn", "{{now}}"), actions.RemoveAllLicences(), actions.Deactivate())},
		{Name: "never-logged-in", Select: crit(b, `active && neverLoggedIn && daysSinceCreated > 30`),
			Action: actions.RemoveFromGroups("staff")},
		{Name: "contractors", Select: crit(b, `emailDomain == "contractor.example"`),
			Action: actions.AddToGroups("alumni"), Exemptions: actions.Exemptions{Users: actions.Entries("user000005")}},
	}
}

// peakHeap samples the live heap every millisecond until stopped.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		return peak.Load()
	}
}

// BenchmarkPlan100k plans 100,000 users against three policies and
// reports the peak live heap.
func BenchmarkPlan100k(b *testing.B) {
	policies := benchPolicies(b)
	opts := dcOpts()
	var peak uint64
	var users int
	for b.Loop() {
		runtime.GC()
		stop := peakHeap()
		plan, err := actions.NewPlan(context.Background(), generated(100_000), policies, opts)
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
		users = len(plan.Users)
	}
	b.ReportMetric(float64(peak)/1e6, "MB-peak-heap")
	b.ReportMetric(float64(users), "users-planned")
}
