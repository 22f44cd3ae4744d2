package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/schedule"
)

func ExampleParse() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	spec, err := schedule.Parse("30 6 * * MON-FRI", berlin)
	if err != nil {
		panic(err)
	}
	// Next answers in the zone of the time it is given.
	t := time.Date(2026, time.March, 27, 12, 0, 0, 0, berlin) // a Friday; clocks change on Sunday
	for range 3 {
		t = spec.Next(t)
		fmt.Println(t.Format("Mon 2006-01-02 15:04 MST"), "=", t.UTC().Format("15:04 MST"))
	}
	// Output:
	// Mon 2026-03-30 06:30 CEST = 04:30 UTC
	// Tue 2026-03-31 06:30 CEST = 04:30 UTC
	// Wed 2026-04-01 06:30 CEST = 04:30 UTC
}

func ExampleParse_descriptors() {
	from := time.Date(2026, time.June, 1, 10, 15, 0, 0, time.UTC)
	for _, expr := range []string{"@daily", "@every 1h30m", "CRON_TZ=Asia/Tokyo 0 9 * * *"} {
		spec, err := schedule.Parse(expr, time.UTC)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-30s %s\n", expr, spec.Next(from).UTC().Format(time.DateTime))
	}
	// Output:
	// @daily                         2026-06-02 00:00:00
	// @every 1h30m                   2026-06-01 10:30:00
	// CRON_TZ=Asia/Tokyo 0 9 * * *   2026-06-02 00:00:00
}

func ExampleParse_error() {
	_, err := schedule.Parse("0 25 * * *", time.UTC)
	fmt.Println(err)
	var pe *schedule.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Field)
	}
	// Output:
	// schedule: "0 25 * * *": hour field "25": end of range (25) above maximum (23): 25
	// hour
}

func ExampleNew() {
	r := schedule.New(
		schedule.WithLocation(time.UTC),
		schedule.WithOnResult(func(res schedule.Result) {
			fmt.Println("result:", res.Name, res.Trigger, res.Ran, res.Err)
		}),
	)
	spec, err := schedule.Parse("@daily", nil)
	if err != nil {
		panic(err)
	}
	err = r.Add("deactivate-inactive", spec, func(ctx context.Context) error {
		fmt.Println("planning and applying the policy")
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Run it once now, without waiting for midnight; r.Run(ctx) would
	// run it every day until ctx is done.
	if err := r.RunNow(context.Background(), "deactivate-inactive"); err != nil {
		panic(err)
	}
	for _, e := range r.Entries() {
		fmt.Println(e.Name, e.Spec, e.Next.Format(time.TimeOnly), e.Running)
	}
	// Output:
	// planning and applying the policy
	// result: deactivate-inactive on-demand true <nil>
	// deactivate-inactive @daily 00:00:00 false
}

func ExampleMemoryLocker() {
	locker := schedule.NewMemoryLocker()
	// Two runners in one process sharing a locker: a job of a given name
	// runs in one of them at a time.
	a := schedule.New(schedule.WithLocker(locker))
	b := schedule.New(schedule.WithLocker(locker))
	spec, _ := schedule.Parse("@hourly", nil)
	release := make(chan struct{})
	started := make(chan struct{})
	for _, r := range []*schedule.Runner{a, b} {
		_ = r.Add("sync", spec, func(ctx context.Context) error {
			close(started)
			<-release
			return nil
		})
	}
	done := make(chan error)
	go func() { done <- a.RunNow(context.Background(), "sync") }()
	<-started
	fmt.Println(b.RunNow(context.Background(), "sync"))
	close(release)
	fmt.Println(<-done)
	// Output:
	// schedule: job locked by another runner
	// <nil>
}
