package main

import (
	"context"
	"flag"

	"github.com/seatwarden/seatwarden/examples/internal/tour"
	"github.com/seatwarden/seatwarden/usermgmt"
)

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
	flavor, err := a.flavorFlag(cmd)
	if err != nil {
		return err
	}
	return tour.Run(ctx, a.stdout, tour.Options{Site: a.demoSite(flavor), Users: a.demoUsers, Dir: dir,
		Lookup: a.lookup, Now: a.now,
		Manager: func(set *usermgmt.PolicySet, mod func(*usermgmt.Config)) (*usermgmt.Manager, error) {
			return a.manager(cmd, set, mod)
		}})
}
