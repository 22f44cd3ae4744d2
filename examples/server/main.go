package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report/email"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/usermgmt"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// The exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// run is the program: it serves until ctx is done and returns the exit
// code.
// It reads nothing from stdin, which it takes like the other examples' run.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return program{getenv: os.Getenv, stdout: stdout, stderr: stderr}.run(ctx, args)
}

// program is one run, with what it reads from outside injectable.
type program struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// flags are the command line's.
type flags struct {
	addr, policies, tokenFile, dataDir, publicURL, flavor string
	history                                               string
	demo                                                  bool
	poll                                                  time.Duration
	demoUsers, maxReads, maxWrites                        int
	mail                                                  email.Flags
	rate                                                  float64
	burst                                                 int
	linkKeyFile                                           string
	linkTTL                                               time.Duration
	metricsAddr                                           string
}

func (p program) run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	var f flags
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen on `ADDR` (host:port; port 0 for any free port)")
	fs.StringVar(&f.policies, "policies", "", "the policy `FILE` (YAML or JSON); optional with --demo")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the API token from `FILE` (default: $SEATWARDEN_API_TOKEN)")
	fs.StringVar(&f.dataDir, "data-dir", "", "keep the history (plans, runs) and the journals in `DIR` (default ./seatwarden-data; a temporary directory with --demo)")
	fs.StringVar(&f.history, "history", "", historyHelp)
	fs.StringVar(&f.publicURL, "public-url", "", "the `URL` people reach this service at, for links in approval issues (default the listening address)")
	fs.DurationVar(&f.poll, "poll-interval", time.Minute, "check pending approval issues every `DURATION` when no webhook came (0: never)")
	fs.BoolVar(&f.demo, "demo", false, "serve an embedded fake Jira with a generated organisation and example policies")
	fs.StringVar(&f.flavor, "flavor", "dc", "with --demo, the fake's `FLAVOR`: dc or cloud")
	fs.IntVar(&f.demoUsers, "demo-users", 1000, "with --demo, the number of generated `USERS`")
	f.mail.Register(fs)
	fs.Float64Var(&f.rate, "rate", 0, "at most `N` requests per second to each site, over the policy file's rateLimit (default: Jira DC's advertised bucket, else 10; Cloud: from 10 up to what Jira allows, at most 100)")
	fs.IntVar(&f.burst, "burst", 0, "with --rate, at most `N` requests at once (default one second's worth)")
	fs.IntVar(&f.maxReads, "max-reads", defaultMaxReads, "at most `N` requests reading a whole site (users, plans, insights) at once; more get 429")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve the Prometheus metrics at /metrics on `ADDR` (host:port), without the API token (default $"+metrics.EnvAddr+"; none: at /metrics behind the API token)")
	fs.IntVar(&f.maxWrites, "max-writes", defaultMaxWrites, "at most `N` applies and undos at once; more get 429")
	fs.StringVar(&f.linkKeyFile, "link-key-file", "", "sign the pages' links (plan and insights pages opened from Jira) with the key in `FILE`, 32 bytes or more (default: $SEATWARDEN_LINK_KEY, else DIR/link.key, made on the first start)")
	fs.DurationVar(&f.linkTTL, "link-ttl", defaultLinkTTL, "the pages' links expire after `DURATION`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(p.stderr, "server: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return exitUsage
	}
	if err := p.serve(ctx, f); err != nil {
		fmt.Fprintf(p.stderr, "server: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitFailed
	}
	return exitOK
}

// usageError is a mistake in the flags or the environment.
type usageError string

func (e usageError) Error() string { return string(e) }

// apiToken reads the API token from --token-file or the environment.
func (p program) apiToken(f flags) (jira.Secret, error) {
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return "", usageError(fmt.Sprintf("--token-file: %v", err))
		}
		if t := strings.TrimSpace(string(b)); t != "" {
			return jira.Secret(t), nil
		}
		return "", usageError("--token-file: the file is empty")
	}
	if t := strings.TrimSpace(p.getenv("SEATWARDEN_API_TOKEN")); t != "" {
		return jira.Secret(t), nil
	}
	return "", nil
}

func randomSecret() jira.Secret {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return jira.Secret(hex.EncodeToString(b))
}

func (p program) serve(ctx context.Context, f flags) error {
	token, err := p.apiToken(f)
	if err != nil {
		return err
	}
	secret := jira.Secret(strings.TrimSpace(p.getenv("SEATWARDEN_WEBHOOK_SECRET")))
	generated := false
	if token == "" {
		if !f.demo {
			return usageError("no API token: set SEATWARDEN_API_TOKEN or give --token-file")
		}
		token, generated = randomSecret(), true
	}
	if f.demo && secret == "" {
		secret = randomSecret()
	}
	if f.policies == "" && !f.demo {
		return usageError("no policy file: give --policies FILE (or try --demo)")
	}
	if f.poll < 0 {
		return usageError("--poll-interval must not be negative")
	}
	mail, err := f.mail.Settings(p.getenv)
	if err != nil {
		return usageError(err.Error())
	}
	switch {
	case f.rate < 0 || math.IsNaN(f.rate) || math.IsInf(f.rate, 0):
		return usageError(fmt.Sprintf("--rate %v: want a positive number of requests per second", f.rate))
	case f.burst < 0:
		return usageError(fmt.Sprintf("--burst %d: want a positive number of requests", f.burst))
	case f.burst > 0 && f.rate == 0:
		return usageError("--burst needs --rate")
	}
	log := slog.New(slog.NewJSONHandler(p.stderr, nil))

	dataDir := f.dataDir
	if dataDir == "" && f.demo {
		if dataDir, err = os.MkdirTemp("", "seatwarden-server-"); err != nil {
			return err
		}
	} else if dataDir == "" {
		dataDir = "seatwarden-data"
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "journals"), 0o700); err != nil {
		return err
	}
	h, closeHistory, err := p.openHistory(ctx, f, dataDir)
	if err != nil {
		return err
	}
	defer closeHistory()

	if f.linkTTL <= 0 {
		return usageError("--link-ttl must be positive")
	}
	key, err := linkKey(f.linkKeyFile, p.getenv, dataDir)
	if err != nil {
		return err
	}
	var demo *demoJira
	cfg := serverConfig{links: &pageLinks{key: key, ttl: f.linkTTL}, apiToken: token, webhookSecret: secret, dataDir: dataDir, poll: f.poll, log: log, mail: mail,
		maxReads: f.maxReads, maxWrites: f.maxWrites, metricsElsewhere: p.metricsAddr(f) != ""}
	if f.demo {
		fl, err := jira.ParseFlavor(f.flavor)
		if err != nil {
			return usageError(fmt.Sprintf("--flavor %q: want dc or cloud", f.flavor))
		}
		if demo, err = startDemo(fl, f.demoUsers); err != nil {
			return err
		}
		defer demo.close()
		cfg.connect = demo.connect
	}
	if cfg.connect == nil {
		cfg.connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			s.UserAgent = userAgent
			return usermgmt.Connect(ctx, s)
		}
	}
	cfg.connect = usermgmt.WithRate(cfg.connect, f.rate, f.burst, log)
	file, err := p.loadPolicies(f, demo)
	if err != nil {
		return err
	}
	cfg.file = file
	if len(file.SiteNames()) == 0 && demo == nil {
		cfg.site = usermgmt.Site{URL: p.getenv("JIRA_URL"), User: p.getenv("JIRA_USER"), Token: jira.Secret(p.getenv("JIRA_TOKEN"))}
		if cfg.site.URL == "" || cfg.site.Token == "" {
			return usageError("the policy file names no site: set JIRA_URL and JIRA_TOKEN (JIRA_USER for Cloud)")
		}
	}
	if demo != nil {
		cfg.site = demo.site()
	}

	cfg.store = h

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	cfg.publicURL = strings.TrimRight(f.publicURL, "/")
	if cfg.publicURL == "" {
		cfg.publicURL = base
	}
	s, err := newServer(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	stopMetrics, err := s.listenMetrics(p.metricsAddr(f))
	if err != nil {
		ln.Close()
		s.stop()
		return err
	}
	defer stopMetrics()
	fmt.Fprintln(p.stdout, base)
	if demo != nil {
		if err := demo.registerWebhook(ctx, base+"/webhooks/jira", secret); err != nil {
			ln.Close()
			return err
		}
		p.demoHelp(base, demo, generated, token, dataDir)
		fmt.Fprintf(p.stdout, "  open %s   # the insights page, signed link valid for %v\n", s.insightsPageURL("", s.cfg.links.expiry()), f.linkTTL)
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		// Plans and applies of large sites take minutes.
		WriteTimeout:   15 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go s.pollLoop()
	s.loginLoop() // onlogin.go
	log.Info("serving", "url", base, "data_dir", dataDir, "history", h.Name, "policies", file.Len())
	select {
	case err := <-errc:
		s.stop()
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(shut)
	s.stop()
	log.Info("stopped")
	return err
}

func (p program) loadPolicies(f flags, demo *demoJira) (*usermgmt.PolicySet, error) {
	if f.policies == "" {
		return usermgmt.Parse(demoPolicies, usermgmt.YAML, usermgmt.WithName("demo-policies.yaml"),
			usermgmt.WithLookupEnv(demo.lookupEnv))
	}
	opts := []usermgmt.LoadOption{usermgmt.WithLookupEnv(func(k string) (string, bool) {
		v := p.getenv(k)
		return v, v != ""
	})}
	if demo != nil {
		opts = []usermgmt.LoadOption{usermgmt.WithLookupEnv(demo.lookupEnv)}
	}
	return usermgmt.Load(f.policies, opts...)
}

func (p program) demoHelp(base string, d *demoJira, generated bool, token jira.Secret, dataDir string) {
	w := p.stdout
	fmt.Fprintf(w, "\nSeatwarden server demo: a fake Jira %s with %d generated users at %s (admin:admin)\n", d.fake.Flavor(), d.users, d.fake.URL)
	fmt.Fprintf(w, "Its webhook is registered to %s/webhooks/jira, signed with the webhook secret.\n", base)
	if generated {
		// A token made up for this demo run only; never a configured one.
		fmt.Fprintf(w, "Demo API token (generated; set SEATWARDEN_API_TOKEN to choose one): %s\n", string(token))
	}
	fmt.Fprintf(w, "History and journals: %s\n\nTry:\n", dataDir)
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer $TOKEN\" '%s/api/v1/users?where=active%%20%%26%%26%%20daysSinceLastLogin%%20%%3E%%20365'\n", base)
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer $TOKEN\" -d '{\"policies\":[\"inactive-90-days\"]}' %s/api/v1/plans\n", base)
	fmt.Fprintf(w, "  curl -u admin:admin -H 'Content-Type: application/json' -d '{\"transition\":{\"id\":\"21\"}}' %s/rest/api/2/issue/KEY/transitions   # approve\n", d.fake.URL)
	fmt.Fprintf(w, "  open %s/insights (with the bearer token)\n", base)
}
