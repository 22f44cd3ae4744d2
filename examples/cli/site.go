package main

import (
	"context"
	"fmt"
	"os"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// orEnv returns the flag's value, else the environment variable's.
func (a *app) orEnv(flagValue, env string) string {
	if flagValue != "" || env == "" {
		return flagValue
	}
	return a.getenv(env)
}

// connect returns a client for the site the global flags name, or for
// an embedded fake with --demo. cmd names the command, for usage errors.
func (a *app) connect(ctx context.Context, cmd string) (usermgmt.Client, error) {
	g := a.g
	var flavor jira.Flavor
	if g.flavor != "" {
		f, err := jira.ParseFlavor(g.flavor)
		if err != nil {
			return nil, usagef(cmd, "--flavor %q: want dc or cloud", g.flavor)
		}
		flavor = f
	}
	if g.demo {
		if g.site != "" {
			return nil, usagef(cmd, "--demo and --site exclude each other")
		}
		return a.demo(ctx, flavor)
	}
	s := usermgmt.Site{
		URL:       a.orEnv(g.site, "JIRA_URL"),
		Flavor:    flavor,
		User:      a.orEnv(g.user, "JIRA_USER"),
		Token:     jira.Secret(a.orEnv(g.token, "JIRA_TOKEN")),
		AdminURL:  a.orEnv(g.adminURL, "ATLASSIAN_ADMIN_URL"),
		OrgID:     a.orEnv(g.orgID, "ATLASSIAN_ORG_ID"),
		OrgKey:    jira.Secret(a.orEnv(g.orgKey, "ATLASSIAN_ORG_KEY")),
		UserAgent: "seatwarden-cli",
	}
	switch {
	case s.URL == "":
		return nil, usagef(cmd, "no site: give --site URL (or set JIRA_URL), or try --demo")
	case s.Token == "":
		return nil, usagef(cmd, "no token: set JIRA_TOKEN (or give --token)")
	case flavor == jira.DataCenter && (s.OrgID != "" || s.OrgKey != ""):
		return nil, usagef(cmd, "--org-id and --org-key are for Cloud sites")
	case (s.OrgID == "") != (s.OrgKey == ""):
		return nil, usagef(cmd, "--org-id and --org-key go together (ATLASSIAN_ORG_ID, ATLASSIAN_ORG_KEY)")
	}
	return usermgmt.Connect(ctx, s)
}

// demo starts an embedded fake Jira with a generated organisation and
// connects to it in memory: no socket, no credentials from the user.
func (a *app) demo(ctx context.Context, flavor jira.Flavor) (usermgmt.Client, error) {
	if flavor == 0 {
		flavor = jira.DataCenter
	}
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: a.demoUsers, Now: a.now().UTC()})
	fake := jiratest.New(jiratest.WithFlavor(flavor), jiratest.WithOrg(org))
	a.fake = fake
	cr := fake.Credentials()
	// In memory, the fake answers as fast as it can: no need to spare it.
	s := usermgmt.Site{URL: fake.URL, Flavor: flavor, Transport: fake.Transport(), Token: jira.Secret(cr.DCToken),
		RateLimit: 100_000, Burst: 1000}
	name := "Data Center"
	if flavor == jira.Cloud {
		name = "Cloud"
		s.User, s.Token = cr.CloudEmail, jira.Secret(cr.CloudToken)
		s.AdminURL, s.OrgID, s.OrgKey = fake.URL, cr.OrgID, jira.Secret(cr.OrgKey)
	}
	fmt.Fprintf(a.stderr, "demo: a fake Jira %s in memory, with %d generated users (seed 1)\n", name, a.demoUsers)
	return usermgmt.Connect(ctx, s)
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
