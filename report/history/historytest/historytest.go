package historytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
)

// t0 is when the checks' first run starts.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const site = "https://jira.example.com"

// run returns a report of a run of two policies with three results of
// different outcomes, started at start.
func run(id string, start time.Time, dryRun bool) *report.Report {
	alice := actions.Identity{Key: "JIRAUSER10001", Name: "alice", Email: "alice@example.com", DisplayName: "Alice"}
	bob := actions.Identity{Key: "JIRAUSER10002", Name: "bob", DisplayName: "=cmd|' /C calc'!A0"}
	return &report.Report{RunID: id, PlanID: "plan-" + id, Policies: []string{"contractors", "inactive-90-days"},
		Site: site, Flavor: jira.DataCenter, DryRun: dryRun, Started: start, Finished: start.Add(90 * time.Second),
		ApprovalIssue: "OPS-7",
		Results: []actions.Result{
			{StepID: "JIRAUSER10001#0", User: alice, Step: actions.Step{Kind: actions.KindRemoveGroup, Group: "staff"}, Outcome: actions.Applied},
			{StepID: "JIRAUSER10001#1", User: alice, Step: actions.Step{Kind: actions.KindDeactivate}, Outcome: actions.Applied},
			{StepID: "JIRAUSER10002#0", User: bob, Step: actions.Step{Kind: actions.KindRevokeLicence, Licence: "jira-software"},
				Outcome: actions.Failed, Err: errors.New("403: read-only directory")},
		},
		Counts: map[actions.Outcome]int{actions.Applied: 2, actions.Failed: 1}}
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestStore checks a history.Store that open returns new and empty (and
// closes when t ends, if it needs to): a run saved again replaces the
// first; Runs lists a site's runs finished in [from, to), newest first;
// Results returns a run's results in order, the error as text; a later
// snapshot summary of the same site and day replaces the earlier one, and
// Snapshots includes the days of from and to.
func TestStore(t *testing.T, open func(t *testing.T) history.Store) {
	t.Helper()
	ctx := t.Context()
	s := open(t)

	r1 := run("run-1", t0, false)
	r1.LimitOverride = &actions.LimitOverride{Reason: "site cleanup, CHG-1", Limit: "inactive-90-days deactivates 3 users, over its limit of 2"}
	must(t, s.SaveRun(ctx, r1))
	must(t, s.SaveRun(ctx, r1)) // a resumed run is saved again
	r2 := run("run-2", t0.AddDate(0, 0, 7), true)
	must(t, s.SaveRun(ctx, r2))
	other := run("run-3", t0.AddDate(0, 0, 1), false)
	other.Site = "https://other.example.com"
	must(t, s.SaveRun(ctx, other))

	runs, err := s.Runs(ctx, site, t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
	must(t, err)
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.RunID)
	}
	same(t, "Runs of the site, newest first, once each", ids, []string{"run-2", "run-1"})
	if len(runs) == 2 {
		same(t, "the summary of run-1", runs[1], report.RunSummary{RunID: "run-1", PlanID: "plan-run-1",
			Policies: []string{"contractors", "inactive-90-days"}, Site: site, Flavor: jira.DataCenter,
			Started: t0, Finished: t0.Add(90 * time.Second), Steps: 3,
			Counts: map[actions.Outcome]int{actions.Applied: 2, actions.Failed: 1}, ApprovalIssue: "OPS-7",
			LimitOverride: r1.LimitOverride})
		same(t, "run-2's limit override (none)", runs[0].LimitOverride, (*actions.LimitOverride)(nil))
	}
	all, err := s.Runs(ctx, "", t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
	must(t, err)
	same(t, `Runs of every site ("")`, len(all), 3)
	// to is excluded: run-2 finished at its start + 90 s.
	early, err := s.Runs(ctx, site, t0, r2.Finished)
	must(t, err)
	same(t, "Runs finished before to", len(early), 1)

	res, err := s.Results(ctx, "run-1")
	must(t, err)
	want := run("run-1", t0, false).Results
	for i := range want {
		if want[i].Err != nil {
			want[i].Error, want[i].Err = want[i].Err.Error(), nil
		}
	}
	same(t, "Results of run-1", res, want)

	day := func(d int) time.Time { return time.Date(2026, 3, 2+d, 0, 0, 0, 0, time.UTC) }
	sum := report.SnapshotSummary{Site: site, Day: day(0), Taken: day(0).Add(3 * time.Hour), Total: 5, Active: 4,
		Inactive: 1, NeverLoggedIn: 1, LoginUnknown: 0,
		LastLogin: map[string]int{"d0_30": 1, "d31_90": 1, "d91_180": 0, "d181_365": 1, "d366_730": 0, "d731": 0},
		Licensed:  map[string]int{"jira-software": 4, "jira-servicedesk": 1}}
	first := sum
	first.Active, first.Taken = 99, day(0).Add(time.Hour)
	must(t, s.SaveSnapshot(ctx, first))
	must(t, s.SaveSnapshot(ctx, sum)) // the day's last one wins
	later := sum
	later.Day, later.Taken, later.Active = day(7), day(7), 3
	later.LastLogin, later.Licensed = map[string]int{"d0_30": 3}, map[string]int{"jira-software": 3}
	must(t, s.SaveSnapshot(ctx, later))
	got, err := s.Snapshots(ctx, site, day(0).Add(12*time.Hour), day(7).Add(time.Hour))
	must(t, err)
	same(t, "Snapshots from the day of from to the day of to", got, []report.SnapshotSummary{sum, later})
	none, err := s.Snapshots(ctx, "https://other.example.com", day(-30), day(30))
	must(t, err)
	same(t, "Snapshots of a site without any", len(none), 0)
}

// TestPlanStore checks a history.PlanStore that open returns new and
// empty: plans are kept whole; PlanByIssue ignores case and takes the
// newest; Plans filters by status, oldest first; UpdatePlan is a
// compare-and-set (of two claims only one wins); FirstEvent is true once
// per key.
func TestPlanStore(t *testing.T, open func(t *testing.T) history.PlanStore) {
	t.Helper()
	ctx := t.Context()
	s := open(t)

	p := history.PlanRecord{ID: "plan-1", Plan: json.RawMessage(`{"id":"plan-1"}`), Policies: []string{"inactive"},
		Status: history.PlanPending, IssueKey: "OPS-7", Source: "api", Created: t0, Updated: t0}
	must(t, s.SavePlan(ctx, p))
	must(t, s.SavePlan(ctx, history.PlanRecord{ID: "plan-2", Plan: json.RawMessage(`{}`), Policies: []string{},
		Status: history.PlanPlanned, Created: t0.Add(time.Second), Updated: t0.Add(time.Second)}))
	got, err := s.Plan(ctx, "plan-1")
	must(t, err)
	same(t, "Plan", got, p)
	got, err = s.PlanByIssue(ctx, "ops-7")
	must(t, err)
	same(t, "PlanByIssue, ignoring case", got.ID, "plan-1")
	if _, err := s.Plan(ctx, "nope"); !errors.Is(err, history.ErrNoPlan) {
		t.Errorf("Plan of an unknown id: %v, want ErrNoPlan", err)
	}
	if _, err := s.PlanByIssue(ctx, ""); !errors.Is(err, history.ErrNoPlan) {
		t.Errorf("PlanByIssue of no issue: %v, want ErrNoPlan (plan-2 has none)", err)
	}
	newer := p
	newer.ID, newer.Created, newer.Updated = "plan-3", t0.Add(time.Hour), t0.Add(time.Hour)
	must(t, s.SavePlan(ctx, newer))
	got, err = s.PlanByIssue(ctx, "OPS-7")
	must(t, err)
	same(t, "PlanByIssue takes the newest plan of the issue", got.ID, "plan-3")

	pending, err := s.Plans(ctx, history.PlanPending, history.PlanApplying)
	must(t, err)
	same(t, "Plans pending or applying", len(pending), 2)
	all, err := s.Plans(ctx)
	must(t, err)
	var ids []string
	for _, p := range all {
		ids = append(ids, p.ID)
	}
	same(t, "every plan, oldest first", ids, []string{"plan-1", "plan-2", "plan-3"})

	claim := func() bool {
		ok, err := s.UpdatePlan(ctx, "plan-1", []history.PlanStatus{history.PlanPending}, history.PlanApplying, "", "", t0.Add(time.Minute))
		must(t, err)
		return ok
	}
	same(t, "the first claim", claim(), true)
	same(t, "the second claim", claim(), false)
	ok, err := s.UpdatePlan(ctx, "plan-1", []history.PlanStatus{history.PlanApplying}, history.PlanApplied, "run-1", "", t0.Add(2*time.Minute))
	must(t, err)
	same(t, "applying → applied", ok, true)
	got, err = s.Plan(ctx, "plan-1")
	must(t, err)
	same(t, "the applied plan's status, run and time", []any{got.Status, got.RunID, got.Updated.UTC()},
		[]any{history.PlanApplied, "run-1", t0.Add(2 * time.Minute)})
	if _, err := s.UpdatePlan(ctx, "plan-1", nil, history.PlanFailed, "", "", t0); err == nil {
		t.Error("UpdatePlan with no status to move from: no error")
	}

	for i, want := range []bool{true, false} {
		first, err := s.FirstEvent(ctx, "issue:10000:10500", t0)
		must(t, err)
		same(t, fmt.Sprint("FirstEvent, delivery ", i+1), first, want)
	}
}

// LastRunStore is a history.Store that tells the scheduler when a policy
// last ran (a schedule.LastRuns).
type LastRunStore interface {
	history.Store
	LastRun(ctx context.Context, policy string) (start time.Time, ok bool, err error)
}

// TestLastRun checks the LastRun of a store that open returns new and
// empty: none before any run; the latest start of a run whose policies
// include the name, dry runs too, compared as times (fractions of a
// second of different lengths: the latest is not the greatest string);
// names match whole.
func TestLastRun(t *testing.T, open func(t *testing.T) LastRunStore) {
	t.Helper()
	ctx := t.Context()
	s := open(t)
	_, ok, err := s.LastRun(ctx, "inactive-90-days")
	must(t, err)
	same(t, "an empty history has a run", ok, false)

	save := func(id string, started time.Time, dry bool, policies ...string) {
		r := run(id, started, dry)
		r.Policies, r.Finished = policies, started.Add(time.Minute)
		must(t, s.SaveRun(ctx, r))
	}
	save("a", t0.Add(500*time.Millisecond), false, "contractors", "inactive-90-days")
	save("b", t0, false, "inactive-90-days")
	save("c", t0.Add(time.Hour), true, "contractors")
	for _, tc := range []struct {
		policy string
		want   time.Time
		ok     bool
	}{
		{"inactive-90-days", t0.Add(500 * time.Millisecond), true},
		{"contractors", t0.Add(time.Hour), true}, // a dry run counts
		{"inactive", time.Time{}, false},         // names match whole
	} {
		got, ok, err := s.LastRun(ctx, tc.policy)
		must(t, err)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("LastRun(%q) = %v, %v; want %v, %v", tc.policy, got, ok, tc.want, tc.ok)
		}
	}
}
