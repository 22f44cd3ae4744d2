package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seatwarden/seatwarden/examples/internal/tour"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, time.Now)
	stop()
	os.Exit(code)
}

// run is the program: exit code 0 done, 1 failed, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./examples/demo [--flavor dc|cloud] [--dir DIR]")
		fs.PrintDefaults()
	}
	flavorFlag := fs.String("flavor", "dc", "the fake's flavour: `dc` or cloud")
	dir := fs.String("dir", "", "write the reports and the journal to `DIR` (default a new temporary directory)")
	users := fs.Int("users", 1000, "the number of generated `USERS`")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	flavor, err := jira.ParseFlavor(*flavorFlag)
	if err != nil || fs.NArg() > 0 || *users <= 0 {
		fs.Usage()
		return 2
	}
	fake := tour.NewFake(flavor, *users, now())
	site := tour.Site(fake, "seatwarden-demo")
	name := map[bool]string{true: "Cloud", false: "Data Center"}[site.Flavor == jira.Cloud]
	fmt.Fprintf(stderr, "demo: a fake Jira %s in memory, with %d generated users (seed 1)\n", name, *users)
	warn := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err = tour.Run(ctx, stdout, tour.Options{Site: site, Users: *users, Dir: *dir, Lookup: tour.Lookup(site), Now: now,
		Manager: func(set *usermgmt.PolicySet, mod func(*usermgmt.Config)) (*usermgmt.Manager, error) {
			cfg := usermgmt.Config{Policies: set, Site: site, Now: now, Logger: warn,
				ReportLogger: slog.New(slog.NewTextHandler(stderr, nil)),
				Connect: func(ctx context.Context, _ usermgmt.Site) (usermgmt.Client, error) {
					return usermgmt.Connect(ctx, site) // every site of the policy file is the fake
				}}
			mod(&cfg)
			return usermgmt.New(cfg)
		}})
	if err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 1
	}
	return 0
}
