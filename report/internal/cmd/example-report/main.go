package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/insights"
)

// The policy of the example, as a user would write it.
const (
	policyName = "inactive-180-days"
	policySrc  = `active && (neverLoggedIn ? daysSinceCreated > 60 : daysSinceLastLogin > 180)`
)

func main() {
	out := flag.String("out", "docs/report-example.html", "the HTML report to write")
	charts := flag.String("charts", "", "a directory to write each chart to as SVG and PNG (none when empty)")
	users := flag.Int("users", 3000, "users in the demo organisation")
	flag.Parse()
	if err := run(context.Background(), *out, *charts, *users); err != nil {
		fmt.Fprintln(os.Stderr, "example-report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, chartDir string, nUsers int) error {
	now := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: nUsers, Now: now.Truncate(24 * time.Hour)})
	srv := jiratest.New(jiratest.WithOrg(org))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth(jiratest.DefaultDCUser, jira.Secret(jiratest.DefaultDCPassword)),
		datacenter.WithTransport(srv.Transport()), datacenter.WithRateLimit(1e6, 1000))
	if err != nil {
		return err
	}
	myself, err := c.Myself(ctx)
	if err != nil {
		return err
	}

	prog, err := criteria.Compile(policySrc, criteria.WithNow(func() time.Time { return now }))
	if err != nil {
		return err
	}
	policy := actions.Policy{Name: policyName, Source: policySrc, Select: prog, Action: actions.Deactivate()}
	req := actions.Requirements(jira.DataCenter, []actions.Policy{policy}, actions.Exemptions{})
	req.LastLogin, req.Licences = true, true
	var snapshot []jira.User
	for u, err := range c.Snapshot(ctx, req) {
		if err != nil {
			return err
		}
		snapshot = append(snapshot, u)
	}
	plan, err := actions.NewPlan(ctx, slicesSeq(snapshot), []actions.Policy{policy}, actions.PlanOptions{
		ID: "01970a3c-0000-7000-8000-000000000001", Now: now, Flavor: jira.DataCenter,
		Site: "https://jira.example.com", Myself: myself, Snapshot: req})
	if err != nil {
		return err
	}
	run, err := actions.Apply(ctx, c, plan, actions.ApplyOptions{DryRun: true, RunID: "01970a3c-0000-7000-8000-000000000002",
		Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	run.Started, run.Finished = now, now.Add(42*time.Second)

	roles, _, err := c.Roles.List(ctx)
	if err != nil {
		return err
	}
	var seats []insights.Seats
	for _, r := range roles {
		s := insights.Seats{Application: r.Key, Used: r.UserCount, Limit: r.NumberOfSeats}
		if r.HasUnlimitedSeats {
			s.Limit = -1
		}
		seats = append(seats, s)
	}

	// The history: this run and today's snapshot, in a store of its own.
	dir, err := os.MkdirTemp("", "example-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := history.OpenSQLite(ctx, filepath.Join(dir, "history.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	rep := report.FromRun(run, plan)
	rep.Users = snapshot
	if err := store.SaveSnapshot(ctx, report.Summarize(plan.Site, snapshot, now)); err != nil {
		return err
	}
	if err := store.SaveRun(ctx, rep); err != nil {
		return err
	}
	days, err := store.Snapshots(ctx, plan.Site, now.AddDate(-2, 0, 0), now)
	if err != nil {
		return err
	}
	runs, err := store.Runs(ctx, plan.Site, now.AddDate(0, -1, 0), now.Add(time.Hour))
	if err != nil {
		return err
	}

	in, err := insights.New(ctx, insights.Options{
		Site: plan.Site, Flavor: jira.DataCenter, Now: now, Users: snapshot, History: days, Runs: runs,
		Seats: seats, Plan: plan, Simulate: prog, SimulateName: policyName, PNG: chartDir != ""})
	if err != nil {
		return err
	}
	rep.Insights = in
	html := &report.HTML{Path: out}
	if err := html.Write(ctx, rep); err != nil {
		return err
	}
	for _, ch := range in.Charts {
		if chartDir == "" {
			break
		}
		if err := os.WriteFile(filepath.Join(chartDir, "report-"+ch.ID+".svg"), ch.SVG, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(chartDir, "report-"+ch.ID+".png"), ch.PNG, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %s\n", out, rep.Title())
	for _, l := range in.Licences {
		fmt.Println(l.Sentence())
	}
	return nil
}

func slicesSeq(users []jira.User) func(func(jira.User, error) bool) {
	return func(yield func(jira.User, error) bool) {
		for _, u := range users {
			if !yield(u, nil) {
				return
			}
		}
	}
}
