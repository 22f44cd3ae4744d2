// Command jsonlonly is a program that uses only actions and the report
// package's JSON-lines run log: the size of its binary is what a program
// pays for report when it needs nothing heavy (see TestJSONLOnlyBinarySize
// in imports_test.go).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

func main() {
	now := time.Now()
	run := &actions.Run{ID: "run-1", PlanID: "plan-1", DryRun: true, Started: now, Finished: now}
	if err := report.NewJSONL(os.Stdout).Write(context.Background(), report.FromRun(run, nil)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
