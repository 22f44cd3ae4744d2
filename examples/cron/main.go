package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/seatwarden/seatwarden/report/email"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// The exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitRefused = 3
)

const prog = "seatwarden-cron"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the program: it runs the daemon with args until ctx is done (or
// once, with --once) and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv, now: time.Now, demoUsers: 500}
	return a.run(ctx, args)
}

// app is one run of the program, with what it reads from outside
// injectable for tests.
type app struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	now            func() time.Time
	// connect, when set, replaces usermgmt.Connect (tests reach a fake).
	connect func(context.Context, usermgmt.Site) (usermgmt.Client, error)
	// tempDir is where --demo makes its directory (default os.TempDir()).
	tempDir   string
	demoUsers int
	// hup receives the signals that reload the policy file (default
	// SIGHUP); tests send on it.
	hup chan os.Signal
}

type flags struct {
	policies, history, journalDir string
	apply, demo, once             bool
	logLevel                      slog.Level
	grace                         time.Duration
	mail                          email.Flags
	rate                          float64
	burst                         int
	metricsAddr                   string
}

const usageText = `Usage: ` + prog + ` --policies FILE [flags]
       ` + prog + ` --demo

Runs the scheduled policies of a policy file on their schedules, until
SIGTERM or SIGINT; SIGHUP reloads the file (a file with problems is refused
and the policies loaded before keep running). Logs are JSON on stderr.

Policies are only planned (a dry run: nothing is written to Jira) unless
--apply is given. Dry runs are recorded in the history too. A run missed
while the daemon was down (from the history) is run once at start.

Flags:
`

// defineFlags defines the flags on fs, into f.
func defineFlags(fs *flag.FlagSet, f *flags) {
	fs.StringVar(&f.policies, "policies", "", "the policy `FILE` (YAML or JSON); required unless --demo")
	fs.StringVar(&f.history, "history", "", historyHelp)
	fs.StringVar(&f.journalDir, "journal-dir", "", "write the journal of each applied run to `DIR`, one file per run (default seatwarden-journals, in the --demo directory with --demo)")
	fs.BoolVar(&f.apply, "apply", false, "apply the plans: without it the daemon never writes to Jira, it only plans")
	fs.BoolVar(&f.demo, "demo", false, "run demo policies every few seconds on an embedded fake Jira (in memory), applying them there")
	fs.BoolVar(&f.once, "once", false, "run every policy of the file once, one after the other, and exit (for cron(8) and tests)")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log `LEVEL`: debug, info, warn or error")
	fs.DurationVar(&f.grace, "grace", time.Minute, "on SIGTERM, let running policies finish for `DURATION` before cancelling them")
	f.mail.Register(fs)
	fs.Float64Var(&f.rate, "rate", 0, "at most `N` requests per second to each site, over the policy file's rateLimit (default: Jira DC's advertised bucket, else 10; Cloud: from 10 up to what Jira allows, at most 100)")
	fs.IntVar(&f.burst, "burst", 0, "with --rate, at most `N` requests at once (default one second's worth)")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve the Prometheus metrics at /metrics on `ADDR` (host:port), without authentication (default $"+metrics.EnvAddr+"; none: no metrics)")
}

func (a *app) parse(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	defineFlags(fs, &f)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, err
		}
		return f, fmt.Errorf("%w (see --help)", err)
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	case f.policies == "" && !f.demo:
		return f, errors.New("--policies FILE is required, or try --demo (see --help)")
	case f.grace < 0:
		return f, errors.New("--grace must not be negative")
	case f.rate < 0 || math.IsNaN(f.rate) || math.IsInf(f.rate, 0):
		return f, fmt.Errorf("--rate %v: want a positive number of requests per second", f.rate)
	case f.burst < 0:
		return f, fmt.Errorf("--burst %d: want a positive number of requests", f.burst)
	case f.burst > 0 && f.rate == 0:
		return f, errors.New("--burst needs --rate")
	}
	return f, nil
}

func (a *app) help() {
	var b strings.Builder
	b.WriteString(usageText)
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	var f flags
	defineFlags(fs, &f)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	b.WriteString(`
Signals:
  SIGHUP           reload the policy file
  SIGTERM, SIGINT  stop scheduling, wait for running policies (--grace), exit 0

Exit codes: 0 done (or stopped by a signal), 1 failed, 2 usage, 3 refused
(with --once: a run over its blast-radius limit).
`)
	fmt.Fprint(a.stdout, b.String())
}

func (a *app) run(ctx context.Context, args []string) int {
	f, err := a.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		a.help()
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	log := slog.New(newHandler(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: f.logLevel})))
	hup := a.hup
	if hup == nil && !f.once {
		// From the start: a SIGHUP while loading would kill the process.
		hup = make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}

	cfg := daemonConfig{Logger: log, Apply: f.apply, Once: f.once, Now: a.now, Connect: a.connect,
		LookupEnv: a.lookupEnv, Grace: f.grace}
	if cfg.Mail, err = f.mail.Settings(func(k string) string { v, _ := a.lookupEnv(k); return v }); err != nil {
		fmt.Fprintf(a.stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	if cfg.Connect == nil {
		cfg.Connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			s.UserAgent = prog
			return usermgmt.Connect(ctx, s)
		}
	}
	cfg.Connect = usermgmt.WithRate(cfg.Connect, f.rate, f.burst, log)
	if f.demo {
		if err := a.demo(ctx, &f, &cfg); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "demo: "+err.Error())
			return exitFailed
		}
	}
	cfg.JournalDir = cmpOr(f.journalDir, "seatwarden-journals")
	store, closeStore, err := a.openStore(ctx, f, log)
	if err != nil {
		if code := historyExit(err); code == exitUsage {
			fmt.Fprintf(a.stderr, "%s: %v\n", prog, err)
			return code
		}
		log.LogAttrs(ctx, slog.LevelError, err.Error())
		return exitFailed
	}
	closed := sync.OnceValue(closeStore)
	defer closed()
	cfg.Store = store
	if store.Shared {
		cfg.Locker = store.Locker
	}
	stopMetrics, err := a.startMetrics(f, &cfg, store, log)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelError, err.Error())
		return exitUsage
	}
	defer stopMetrics()
	d := newDaemon(cfg)
	log.LogAttrs(ctx, slog.LevelInfo, "starting", slog.String("policies", f.policies), slog.String("history", store.Name),
		slog.String("journal_dir", cfg.JournalDir), slog.Bool("apply", cfg.Apply), slog.Bool("once", f.once))
	if err := d.Reload(f.policies); err != nil {
		return exitFailed
	}
	if f.once {
		return d.runOnce(ctx)
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-hup:
				log.LogAttrs(ctx, slog.LevelInfo, "reloading the policy file", slog.String("policies", f.policies))
				_ = d.Reload(f.policies) // the problems are logged; the old policies go on
			case <-stop:
				return
			}
		}
	})
	err = d.Run(ctx)
	close(stop)
	wg.Wait()
	if cerr := closed(); err != nil || cerr != nil {
		log.LogAttrs(context.WithoutCancel(ctx), slog.LevelError, "stopped", slog.Any("error", err))
		return exitFailed
	}
	log.LogAttrs(context.WithoutCancel(ctx), slog.LevelInfo, "stopped")
	return exitOK
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// rateAttr is the rate limit of the policy's site's client, as it stands
// after a run: the limit it followed (the server's bucket, the ceiling or
// the default) and the requests the client has sent since it was created.
func (d *daemon) rateAttr(ctx context.Context, f *usermgmt.PolicySet, policy string) slog.Attr {
	site := ""
	if p, ok := f.Policy(policy); ok {
		site = p.Site
	}
	if names := f.SiteNames(); site == "" && len(names) == 1 {
		site = names[0]
	}
	s, ok := f.Site(site)
	if !ok {
		return slog.Attr{}
	}
	c, err := d.clients.Client(ctx, s)
	if err != nil {
		return slog.Attr{}
	}
	st, ok := usermgmt.RateStatusOf(c)
	if !ok {
		return slog.Attr{}
	}
	return slog.Group("rate_limit", slog.Float64("limit", st.Limit), slog.Int("burst", st.Burst),
		slog.String("source", string(st.Source)), slog.Int64("requests", st.Requests))
}
