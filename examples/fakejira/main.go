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
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// shutdownTimeout bounds how long requests in flight may take to finish
// once the program is told to stop.
const shutdownTimeout = 10 * time.Second

var versionRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}$`)

// run is the program: it serves until ctx is done and returns the exit
// code, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakejira", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flavorName := fs.String("flavor", "dc", "flavour of Jira: dc or cloud")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; port 0 picks a free port")
	users := fs.Int("users", 1000, "number of users to generate; 0 for only the administrator")
	seed := fs.Uint64("seed", 1, "seed of the organisation and of the random faults")
	rate := fs.Float64("rate", 0, "rate limit per caller, in requests per second; 0 for none")
	burst := fs.Int("burst", 0, "most requests a caller may make at once under -rate (default: one second's worth)")
	latency := fs.Duration("latency", 0, "delay before every response, e.g. 50ms")
	faultSpec := fs.String("faults", "", "random faults as KIND=PROBABILITY pairs: a status, reset or htmlSTATUS,\ne.g. 429=0.05,500=0.02,reset=0.01")
	strict := fs.Bool("strict", false, "answer 400 to query parameters the fake does not know (default: ignore them, as Jira does)")
	jiraAdmin := fs.String("jira-admin", "jira-admin@example.com:demo-token",
		"Cloud: EMAIL:TOKEN of a second administrator with Administer Jira only (not site-admin), refused group writes\nand user removal; empty for none")
	scopedKey := fs.String("scoped-org-key", "", "Cloud: a second Admin API key that acts as one created with scopes: the user\nmanagement API answers it 403")
	dcVersion := fs.String("dc-version", jiratest.DefaultDCVersion, "Jira DC version to emulate, with that release's routes and limits:\n9.12 (no lastLoginTime, old webhooks REST), 10.0 (user/search serves the first 100 only,\nno user/list), 10.3, 11.0 (Basic authentication off: use the token)")
	var cr jiratest.Credentials
	fs.StringVar(&cr.DCUser, "dc-user", jiratest.DefaultDCUser, "DC administrator's user name (Basic)")
	fs.StringVar(&cr.DCPassword, "dc-password", jiratest.DefaultDCPassword, "DC administrator's password (Basic)")
	fs.StringVar(&cr.DCToken, "dc-token", jiratest.DefaultDCToken, "DC administrator's personal access token (Bearer)")
	fs.StringVar(&cr.CloudEmail, "cloud-email", jiratest.DefaultCloudEmail, "Cloud administrator's email (Basic)")
	fs.StringVar(&cr.CloudToken, "cloud-token", jiratest.DefaultCloudToken, "Cloud administrator's API token (Basic)")
	fs.StringVar(&cr.OrgID, "org-id", jiratest.DefaultOrgID, "Atlassian organisation id (Admin API)")
	fs.StringVar(&cr.OrgKey, "org-key", jiratest.DefaultOrgKey, "Admin API key (Bearer)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: fakejira [flags]\n\nfakejira serves a fake Jira with a generated organisation. The first line\nit prints is the base URL. It stops on SIGINT or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "fakejira: "+format+"\n", a...)
		fs.Usage()
		return 2
	}
	flavor, err := jira.ParseFlavor(*flavorName)
	switch {
	case fs.NArg() > 0:
		return usage("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	case err != nil:
		return usage("-flavor %q: want dc or cloud", *flavorName)
	case *users < 0:
		return usage("-users must not be negative")
	case *rate < 0 || math.IsNaN(*rate) || math.IsInf(*rate, 0):
		return usage("-rate must be a number of requests per second, or 0 for no limit")
	case *burst < 0:
		return usage("-burst must not be negative")
	case *latency < 0:
		return usage("-latency must not be negative")
	case !versionRE.MatchString(*dcVersion):
		return usage("-dc-version %q: want a version such as 9.12 or 10.3.24", *dcVersion)
	}
	jaEmail, jaToken, jaOK := strings.Cut(*jiraAdmin, ":")
	if *jiraAdmin != "" && (!jaOK || jaEmail == "" || jaToken == "" || !strings.Contains(jaEmail, "@")) {
		return usage("-jira-admin %q: want EMAIL:TOKEN, or empty", *jiraAdmin)
	}
	faults, err := jiratest.ParseFaults(*faultSpec)
	if err != nil {
		return usage("-faults: %v", err)
	}

	opts := []jiratest.Option{
		jiratest.WithFlavor(flavor), jiratest.WithDCVersion(*dcVersion), jiratest.WithCredentials(cr),
		jiratest.WithSeed(*seed), jiratest.WithLatency(*latency),
	}
	if !*strict {
		opts = append(opts, jiratest.WithLenientParams())
	}
	if flavor == jira.Cloud && *jiraAdmin != "" {
		opts = append(opts, jiratest.WithJiraAdmin(jaEmail, jaToken))
	}
	if *scopedKey != "" {
		opts = append(opts, jiratest.WithScopedOrgKey(*scopedKey))
	}
	if *rate > 0 {
		b := *burst
		if b == 0 {
			b = int(math.Ceil(*rate))
		}
		opts = append(opts, jiratest.WithRateLimit(*rate, b))
	}
	var org *jiratest.Org
	if *users > 0 {
		org = jiratest.GenerateOrg(jiratest.OrgOptions{Seed: *seed, Users: *users})
		for _, u := range org.Users {
			if strings.EqualFold(u.Name, cr.DCUser) || strings.EqualFold(u.Email, cr.CloudEmail) ||
				flavor == jira.Cloud && jaEmail != "" && strings.EqualFold(u.Email, jaEmail) {
				return usage("the administrator %s/%s is also a generated user; choose other credentials", cr.DCUser, cr.CloudEmail)
			}
		}
		opts = append(opts, jiratest.WithOrg(org))
	}
	s := jiratest.New(opts...)
	s.SetFaults("", faults...)
	if err := s.Start(*addr); err != nil {
		fmt.Fprintf(stderr, "fakejira: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, s.URL)
	describe(stdout, s, org, *dcVersion, *seed, *faultSpec)
	if flavor == jira.Cloud && *jiraAdmin != "" {
		fmt.Fprintf(stdout, "Jira administrator without site-admin: Basic %s\n", *jiraAdmin)
	}
	if *strict {
		fmt.Fprintln(stdout, "strict: unknown query parameters answer 400")
	}

	<-ctx.Done()
	fmt.Fprintln(stderr, "fakejira: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "fakejira: %v\n", err)
		return 1
	}
	return 0
}

// describe prints, for people, how to use the server s.
func describe(w io.Writer, s *jiratest.Server, org *jiratest.Org, dcVersion string, seed uint64, faults string) {
	cr := s.Credentials()
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	if s.Flavor() == jira.DataCenter {
		p("Fake Jira Data Center %s, seed %d", dcVersion, seed)
		if n, _ := strconv.Atoi(strings.SplitN(dcVersion, ".", 2)[0]); n >= 11 {
			p("credentials: Bearer %s (personal access token); Basic authentication is off, as on Jira 11", cr.DCToken)
		} else {
			p("credentials: Basic %s:%s, or Bearer %s (personal access token)", cr.DCUser, cr.DCPassword, cr.DCToken)
		}
	} else {
		p("Fake Jira Cloud with the Atlassian Admin API, seed %d", seed)
		p("credentials: Basic %s:%s (Jira REST); Bearer %s (Admin API)", cr.CloudEmail, cr.CloudToken, cr.OrgKey)
		p("organisation id: %s", cr.OrgID)
	}
	for _, d := range s.Directories() {
		ro := ""
		if d.ReadOnly {
			ro = " (read-only)"
		}
		p("directory %s: %s%s", d.ID, d.Name, ro)
	}
	if org != nil {
		p("generated: %v", org)
	}
	p("groups: %d", len(s.Groups()))
	if faults != "" {
		p("faults: %s", faults)
	}
	if s.Flavor() == jira.DataCenter {
		p("try: curl -H 'Authorization: Bearer %s' '%s/rest/api/2/user/search?username=.&maxResults=5'", cr.DCToken, s.URL)
	} else {
		p("try: curl -u '%s:%s' '%s/rest/api/3/myself'", cr.CloudEmail, cr.CloudToken, s.URL)
	}
	p("requests served: curl '%s/_fake/stats'", s.URL)
}
