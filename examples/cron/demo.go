package main

import (
	"context"
	_ "embed"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

//go:embed demo-policies.yaml
var demoPolicies []byte

// demo sets the daemon up for --demo: an embedded fake Jira Data Center
// with a generated organisation, reached in memory; the demo policy file
// written to a new directory (unless --policies names one: every site of
// it is then the fake), with the history, journals and reports beside it;
// and the plans applied — to the fake.
func (a *app) demo(ctx context.Context, f *flags, cfg *daemonConfig) error {
	dir, err := os.MkdirTemp(a.tempDir, "seatwarden-cron-demo-")
	if err != nil {
		return err
	}
	if f.policies == "" {
		f.policies = filepath.Join(dir, "policies.yaml")
		if err := os.WriteFile(f.policies, demoPolicies, 0o644); err != nil {
			return err
		}
	}
	if f.history == "" {
		f.history = filepath.Join(dir, "history.db")
	}
	if f.journalDir == "" {
		f.journalDir = filepath.Join(dir, "journals")
	}
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: a.demoUsers, Now: a.now().UTC()})
	// Writable directories: the demo shows applied runs, not Jira
	// refusing to write to a read-only LDAP directory.
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	fake := jiratest.New(jiratest.WithOrg(org))
	cr := fake.Credentials()
	site := usermgmt.Site{URL: fake.URL, Flavor: jira.DataCenter, Transport: fake.Transport(),
		Token: jira.Secret(cr.DCToken), RateLimit: 100_000, Burst: 1000, UserAgent: prog}
	cfg.Apply = true
	cfg.Connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		site := site
		site.Observer = s.Observer         // the metrics'
		return usermgmt.Connect(ctx, site) // every site of the file is the fake
	}
	cfg.LookupEnv = func(name string) (string, bool) {
		switch name {
		case "JIRA_URL":
			return site.URL, true
		case "JIRA_TOKEN":
			return string(site.Token), true
		}
		return a.lookupEnv(name)
	}
	cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "demo: a fake Jira Data Center in memory, with generated users; the policies apply to it",
		slog.Int("users", a.demoUsers), slog.String("dir", dir), slog.String("policies", f.policies))
	return nil
}
