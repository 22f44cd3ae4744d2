package report_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

// A program that writes only the run log imports actions and report, and
// links nothing heavier (no SQLite, charts or mail).
func ExampleNewJSONL() {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	alice := actions.Identity{Name: "alice", DisplayName: "Alice"}
	run := &actions.Run{ID: "run-1", PlanID: "plan-1", DryRun: true, Started: at, Finished: at.Add(time.Second),
		Results: []actions.Result{{StepID: "alice#0", User: alice, Step: actions.Step{Kind: actions.KindDeactivate}, Outcome: actions.Planned}}}
	r := report.FromRun(run, nil)
	if err := report.NewJSONL(os.Stdout).Write(context.Background(), r); err != nil {
		fmt.Println(err)
	}
	fmt.Println(r.Title())
	// Output:
	// {"schema":1,"type":"step","time":"2026-03-02T09:00:01Z","runId":"run-1","planId":"plan-1","dryRun":true,"stepId":"alice#0","user":{"name":"alice","displayName":"Alice"},"step":"deactivate","outcome":"planned"}
	// {"schema":1,"type":"run","time":"2026-03-02T09:00:01Z","runId":"run-1","planId":"plan-1","policies":[],"dryRun":true,"started":"2026-03-02T09:00:00Z","finished":"2026-03-02T09:00:01Z","steps":1,"counts":{"planned":1}}
	// Dry run of plan plan-1: 1 planned
}
