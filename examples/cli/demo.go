package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// demoPolicy is a copy of examples/policies/inactive-90-days.yaml (a test
// keeps them the same): go:embed cannot reach outside the package.
//
//go:embed policies/inactive-90-days.yaml
var demoPolicy []byte

func demoCommand() *command {
	return &command{
		name:    "demo",
		args:    "[--dir DIR]",
		summary: "plan and apply an example policy on an embedded fake Jira",
		about: `Start an embedded fake Jira with a generated organisation (in memory: no
network, no credentials), plan the example policy inactive-90-days.yaml
(deactivate people who have not logged in for 90 days), show the plan, apply
it, and show the report. The reports (HTML, JSON lines, CSV) and the journal
go to DIR, by default a new temporary directory. --flavor cloud runs it on a
fake Jira Cloud.`,
		examples: []string{
			"go run ./examples/cli demo",
			prog + " demo --flavor cloud --dir demo-output",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			dir := fs.String("dir", "", "write the reports and the journal to `DIR` (default a new temporary directory)")
			return func(ctx context.Context, args []string) error {
				const cmd = "demo"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				if a.g.site != "" {
					return usagef(cmd, "the demo runs on an embedded fake: no --site")
				}
				a.g.demo = true
				return a.demo(ctx, cmd, *dir)
			}
		},
	}
}

func (a *app) demo(ctx context.Context, cmd, dir string) error {
	start := time.Now()
	w := a.stdout
	if dir == "" {
		d, err := os.MkdirTemp("", "seatwarden-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	flavor, err := a.flavorFlag(cmd)
	if err != nil {
		return err
	}
	site := a.demoSite(flavor)
	fmt.Fprintf(w, `Seatwarden demo
===============
1. A fake Jira %s runs in this process, with %d generated users: people who
   log in daily, some who stopped months ago, some who never did, app accounts,
   administrators. Nothing leaves this process; no credentials are needed.
2. The example policy inactive-90-days.yaml deactivates people who have not
   logged in for 90 days, except administrators, app accounts and its
   exemptions, and at most 50 users (5%%) per run.
3. Planning is the dry run: the plan says who would change and why.

`, map[bool]string{true: "Cloud", false: "Data Center"}[site.Flavor == jira.Cloud], a.demoUsers)
	f, err := usermgmt.Parse(demoPolicy, usermgmt.YAML, usermgmt.WithName("inactive-90-days.yaml"), usermgmt.WithDir(dir),
		usermgmt.WithLookupEnv(a.lookup), usermgmt.WithClock(a.now))
	if err != nil {
		return err
	}
	html := filepath.Join(dir, "report.html")
	reportHTML := func(c *usermgmt.Config) {
		c.Sinks = append(c.Sinks, &report.HTML{Path: html})
		c.ReportUsers = true
	}
	m, err := a.manager(cmd, f, reportHTML)
	if err != nil {
		return err
	}
	plan, _, err := m.Plan(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(w, plan.Summary())
	journal := filepath.Join(dir, "run.journal")
	fmt.Fprintln(w, "\n4. Applying the plan:")
	run, err := m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: journal})
	if le, ok := errors.AsType[*actions.LimitError](err); ok {
		const reason = "the demo shows an applied run"
		fmt.Fprintf(w, `   refused before any change: %v.
   That is the blast-radius limit at work (exit code 3 outside the demo).
   The demo applies it anyway, as you would with --override-limits "REASON"
   (here "%s"): the reason goes to the journal and the report.
`, le, reason)
		run, err = m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: journal, OverrideLimits: reason})
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n5. The report:")
	fmt.Fprint(w, run.Summary())
	fmt.Fprintf(w, `
Reports: %s (open it in a browser)
         %s, %s
Journal: %s

Took %s. Next: try the other commands on the fake, e.g.
  go run ./examples/cli --demo insights
  go run ./examples/cli --demo plan --policy examples/policies/lifecycle.yaml
and the same against your site (or examples/fakejira): see the README's 5-minute tour.
`, html, filepath.Join(dir, "runs", "inactive-90-days.jsonl"), filepath.Join(dir, "runs", "inactive-90-days.csv"),
		journal, time.Since(start).Round(10*time.Millisecond))
	return nil
}
