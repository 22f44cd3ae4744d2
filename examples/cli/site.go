package main

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/seatwarden/seatwarden/examples/internal/tour"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// orEnv returns the flag's value, else the environment variable's.
func (a *app) orEnv(flagValue, env string) string {
	if flagValue != "" || env == "" {
		return flagValue
	}
	return a.getenv(env)
}

// flavorFlag returns the --flavor flag's flavour, zero when omitted.
func (a *app) flavorFlag(cmd string) (jira.Flavor, error) {
	if a.g.flavor == "" {
		return 0, nil
	}
	f, err := jira.ParseFlavor(a.g.flavor)
	if err != nil {
		return 0, usagef(cmd, "--flavor %q: want dc or cloud", a.g.flavor)
	}
	return f, nil
}

// connect returns a client for the site the global flags name, or for
// an embedded fake with --demo. cmd names the command, for usage errors.
func (a *app) connect(ctx context.Context, cmd string) (usermgmt.Client, error) {
	s, err := a.site(cmd)
	if err != nil {
		return nil, err
	}
	c, err := usermgmt.Connect(ctx, s)
	if err == nil {
		a.pr.track(c)
	}
	return c, err
}

// checkRate checks --rate and --burst.
func (a *app) checkRate(cmd string) error {
	switch g := a.g; {
	case g.rate < 0 || math.IsNaN(g.rate) || math.IsInf(g.rate, 0):
		return usagef(cmd, "--rate %v: want a positive number of requests per second", g.rate)
	case g.burst < 0:
		return usagef(cmd, "--burst %d: want a positive number of requests", g.burst)
	case g.burst > 0 && g.rate == 0:
		return usagef(cmd, "--burst needs --rate")
	}
	return nil
}

// withRate applies --rate and --burst, when given, to s.
func (a *app) withRate(s usermgmt.Site) usermgmt.Site {
	if a.g.rate > 0 {
		s.RateLimit, s.Burst = a.g.rate, a.g.burst
	}
	return s
}

// site returns the site the global flags (or their environment
// variables) name, or the embedded fake's with --demo.
func (a *app) site(cmd string) (usermgmt.Site, error) {
	g := a.g
	flavor, err := a.flavorFlag(cmd)
	if err != nil {
		return usermgmt.Site{}, err
	}
	if g.demo {
		if g.site != "" {
			return usermgmt.Site{}, usagef(cmd, "--demo and --site exclude each other")
		}
		return a.withRate(a.demoSite(flavor)), nil
	}
	s := usermgmt.Site{
		URL:       a.orEnv(g.site, "JIRA_URL"),
		Flavor:    flavor,
		User:      a.orEnv(g.user, "JIRA_USER"),
		Token:     jira.Secret(a.orEnv(g.token, "JIRA_TOKEN")),
		AdminURL:  a.orEnv(g.adminURL, "ATLASSIAN_ADMIN_URL"),
		OrgID:     a.orEnv(g.orgID, "ATLASSIAN_ORG_ID"),
		OrgKey:    jira.Secret(a.orEnv(g.orgKey, "ATLASSIAN_ORG_KEY")),
		UserAgent: userAgent,
		// DC: last logins from a login export or Jira's database (see
		// README, "Jira Data Center versions").
		Logins:    a.getenv("JIRA_LOGINS"),
		LoginsDSN: jira.Secret(a.getenv("JIRA_DB_DSN")),
	}
	s = a.withRate(s)
	switch {
	case s.URL == "":
		return s, usagef(cmd, "no site: give --site URL (or set JIRA_URL), or try --demo")
	case s.Token == "":
		return s, usagef(cmd, "no token: set JIRA_TOKEN (or give --token)")
	case flavor == jira.DataCenter && (s.OrgID != "" || s.OrgKey != ""):
		return s, usagef(cmd, "--org-id and --org-key are for Cloud sites")
	case (s.OrgID == "") != (s.OrgKey == ""):
		return s, usagef(cmd, "--org-id and --org-key go together (ATLASSIAN_ORG_ID, ATLASSIAN_ORG_KEY)")
	}
	return s, nil
}

const userAgent = "seatwarden-cli"

// demoSite starts, once, an embedded fake Jira with a generated
// organisation and returns the site to reach it in memory: no socket, no
// credentials from the user.
func (a *app) demoSite(flavor jira.Flavor) usermgmt.Site {
	if flavor == 0 {
		flavor = jira.DataCenter
	}
	if a.fake == nil {
		a.fake = tour.NewFake(flavor, a.demoUsers, a.now())
		name := "Data Center"
		if flavor == jira.Cloud {
			name = "Cloud"
		}
		fmt.Fprintf(a.stderr, "demo: a fake Jira %s in memory, with %d generated users (seed 1)\n", name, a.demoUsers)
	}
	return tour.Site(a.fake, userAgent)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
