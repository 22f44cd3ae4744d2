package historydb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seatwarden/seatwarden/report/history/historydb"
	"github.com/seatwarden/seatwarden/schedule"
)

// A program opens the history its --history flag (or
// SEATWARDEN_HISTORY_URL) names and hands the store and the locker to its
// scheduler; with postgres://… instead of a path, several replicas share
// both.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "historydb-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	h, err := historydb.Open(ctx, "sqlite://"+filepath.Join(dir, "history.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	runner := schedule.New(schedule.WithLocker(h.Locker), schedule.WithLastRuns(h))
	_ = runner
	_, ran, _ := h.LastRun(ctx, "inactive-90-days")
	fmt.Printf("shared: %v, inactive-90-days has run: %v\n", h.Shared, ran)

	_, err = historydb.Open(ctx, "mysql://root:secret@db/seatwarden")
	fmt.Println(err)
	// Output:
	// shared: false, inactive-90-days has run: false
	// history: unknown URL scheme "mysql" (want sqlite:///path, a file path, or postgres://…)
}
