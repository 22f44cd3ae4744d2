package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

const prog = "bench"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	users       int
	deactivate  int
	serverRate  float64
	serverBurst int
	latency     time.Duration
	rate        float64 // the clients' ceiling; 0 for their default
	burst       int
	flavors     []jira.Flavor
	scenarios   []string
	timeout     time.Duration
	site        string // a real site instead of the fake
	lifecycle   string // the lifecycle policy file
	seed        uint64
	getenv      func(string) string
}

var allScenarios = []string{"list", "apply", "lifecycle"}

func parse(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	c := config{getenv: getenv}
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.users, "users", 2000, "generate `N` users in the fake")
	fs.IntVar(&c.deactivate, "deactivate", 500, "the apply scenario deactivates `N` active users (at most a quarter of --users)")
	fs.Float64Var(&c.serverRate, "server-rate", 50, "the fake's rate limit, `N` requests per second per caller")
	fs.IntVar(&c.serverBurst, "server-burst", 0, "the fake's bucket size (default one second's worth of --server-rate)")
	fs.DurationVar(&c.latency, "latency", 20*time.Millisecond, "the fake's latency per request")
	fs.Float64Var(&c.rate, "rate", 0, "the clients' ceiling, `N` requests per second, as --rate of the CLI (default: theirs)")
	fs.IntVar(&c.burst, "burst", 0, "with --rate, the clients' burst")
	flavors := fs.String("flavors", "dc,cloud", "comma-separated `LIST` of flavours: dc, cloud")
	scenarios := fs.String("scenarios", strings.Join(allScenarios, ","), "comma-separated `LIST` of scenarios: "+strings.Join(allScenarios, ", "))
	fs.DurationVar(&c.timeout, "timeout", 15*time.Minute, "stop a scenario after `DURATION` and report it unfinished")
	fs.StringVar(&c.site, "site", "", "measure the site at `URL` instead of a fake (JIRA_USER, JIRA_TOKEN, ATLASSIAN_ORG_ID, ATLASSIAN_ORG_KEY, ATLASSIAN_ADMIN_URL from the environment); only the scenarios that read")
	fs.StringVar(&c.lifecycle, "lifecycle", "", "the lifecycle policy `FILE` (default examples/policies/lifecycle.yaml, found from here or the module root)")
	fs.Uint64Var(&c.seed, "seed", 1, "the generated organisation's seed")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, f := range strings.Split(*flavors, ",") {
		fl, err := jira.ParseFlavor(strings.TrimSpace(f))
		if err != nil {
			return c, fmt.Errorf("--flavors: %q: want dc or cloud", f)
		}
		c.flavors = append(c.flavors, fl)
	}
	for _, s := range strings.Split(*scenarios, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(allScenarios, s) {
			return c, fmt.Errorf("--scenarios: %q: want %s", s, strings.Join(allScenarios, ", "))
		}
		c.scenarios = append(c.scenarios, s)
	}
	switch {
	case c.users < 10:
		return c, fmt.Errorf("--users %d: want at least 10", c.users)
	case c.deactivate < 1:
		return c, fmt.Errorf("--deactivate %d: want at least 1", c.deactivate)
	case c.serverRate <= 0 || math.IsInf(c.serverRate, 0) || math.IsNaN(c.serverRate):
		return c, fmt.Errorf("--server-rate %v: want a positive number", c.serverRate)
	case c.serverBurst < 0 || c.burst < 0:
		return c, errors.New("--server-burst and --burst must not be negative")
	case c.rate < 0 || math.IsInf(c.rate, 0) || math.IsNaN(c.rate):
		return c, fmt.Errorf("--rate %v: want a positive number", c.rate)
	case c.burst > 0 && c.rate == 0:
		return c, errors.New("--burst needs --rate")
	case c.latency < 0 || c.timeout <= 0:
		return c, errors.New("--latency must not be negative and --timeout must be positive")
	case c.site != "" && len(c.flavors) != 1:
		return c, errors.New("--site measures one site: give its flavour with --flavors dc or --flavors cloud")
	}
	if c.serverBurst == 0 {
		c.serverBurst = max(int(math.Ceil(c.serverRate)), 1)
	}
	c.deactivate = min(c.deactivate, c.users/4)
	if c.lifecycle == "" {
		for _, p := range []string{"examples/policies/lifecycle.yaml", "../policies/lifecycle.yaml"} {
			if _, err := os.Stat(p); err == nil {
				c.lifecycle = p
				break
			}
		}
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	c, err := parse(args, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 2
	}
	where := fmt.Sprintf("a fake Jira in process: %d users, a %g req/s bucket of %d, %s latency", c.users, c.serverRate, c.serverBurst, c.latency)
	if c.site != "" {
		where = "the site " + c.site
	}
	ceiling := "the clients' default"
	if c.rate > 0 {
		ceiling = fmt.Sprintf("--rate %g", c.rate)
	}
	fmt.Fprintf(stdout, "%s, %s\n\n", where, ceiling)
	var results []result
	for _, fl := range c.flavors {
		for _, sc := range c.scenarios {
			if c.site != "" && sc == "apply" {
				fmt.Fprintf(stderr, "%s: %s: the apply scenario writes; it runs only on the fake\n", prog, fl)
				continue
			}
			fmt.Fprintf(stderr, "%s: %s %s…\n", prog, fl, sc)
			r := c.runScenario(ctx, fl, sc)
			if r.err != nil {
				fmt.Fprintf(stderr, "%s: %s %s: %v\n", prog, fl, sc, r.err)
			}
			results = append(results, r)
			if ctx.Err() != nil {
				break
			}
		}
	}
	writeTable(stdout, results)
	for _, r := range results {
		if r.err != nil {
			return 1
		}
	}
	return 0
}

// writeTable prints the results as a Markdown table.
func writeTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| job | flavour | users | wall time | requests | requests/user | site: achieved / allowed rate | Admin API: achieved / allowed | limit followed | naive script |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|---|--:|")
	for _, r := range rs {
		wall := r.wall.Round(100 * time.Millisecond).String()
		if r.err != nil {
			wall += " (unfinished)"
		}
		perUser := "—"
		if r.subjects > 0 {
			perUser = fmt.Sprintf("%.2f", float64(r.requests)/float64(r.subjects))
		}
		naive := "—"
		if r.naiveRequests > 0 {
			naive = fmt.Sprintf("%s, %d requests", r.naiveTime.Round(100*time.Millisecond), r.naiveRequests)
		}
		admin := "—"
		if r.limit.Admin != nil {
			admin = fmt.Sprintf("%.1f / %g req/s (%.0f%%)", r.adminAchieved(), r.allowed, 100*r.adminAchieved()/r.allowed)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %d | %s | %.1f / %g req/s (%.0f%%) | %s | %s | %s |\n",
			r.job, r.flavor, r.users, wall, r.requests, perUser, r.achieved(), r.allowed, 100*r.achieved()/r.allowed, admin, r.limit, naive)
	}
	fmt.Fprintln(w, "\nrequests/user: per user listed (list, lifecycle) or deactivated (apply), site and Admin API together. "+
		"The site and the Admin API are separate services with a budget each (the fake gives each caller one bucket per service): "+
		"each rate is measured against its own. limit followed: the clients' limits when the job ended (Cloud: the site's, then the Admin API's). "+
		"naive script: ⌈users/1000⌉ list pages, a GET with expand=groups per user, a write per deactivated user, "+
		"one after the other at the longer of the latency and 1/allowed rate.")
}
