package tour

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// Policy is a copy of examples/policies/inactive-90-days.yaml (a test
// keeps them the same): go:embed cannot reach outside the package.
//
//go:embed inactive-90-days.yaml
var Policy []byte

// NewFake starts the demo's fake Jira of flavor (zero: Data Center) in
// memory with users generated people. The organisation's history ends at
// the start of now's day, so that every run of the demo on a day sees the
// same users (a plan written by one run applies in the next). Its
// directories are writable: the demo shows applied runs, not Jira
// refusing to write to a read-only LDAP directory. No group is added: the
// example policies run on any site.
func NewFake(flavor jira.Flavor, users int, now time.Time) *jiratest.Server {
	if flavor == 0 {
		flavor = jira.DataCenter
	}
	day := now.UTC().Truncate(24 * time.Hour)
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: users, Now: day})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	return jiratest.New(jiratest.WithFlavor(flavor), jiratest.WithOrg(org))
}

// Site is the site of the fake, with its credentials. In memory, the fake
// answers as fast as it can: the rate limit does not spare it.
func Site(fake *jiratest.Server, userAgent string) usermgmt.Site {
	cr := fake.Credentials()
	s := usermgmt.Site{URL: fake.URL, Flavor: fake.Flavor(), Transport: fake.Transport(), Token: jira.Secret(cr.DCToken),
		RateLimit: 100_000, Burst: 1000, UserAgent: userAgent}
	if fake.Flavor() == jira.Cloud {
		s.User, s.Token = cr.CloudEmail, jira.Secret(cr.CloudToken)
		s.AdminURL, s.OrgID, s.OrgKey = fake.URL, cr.OrgID, jira.Secret(cr.OrgKey)
	}
	return s
}

// Lookup answers a policy file's variables with the site's values.
func Lookup(s usermgmt.Site) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v := map[string]string{"JIRA_URL": s.URL, "JIRA_TOKEN": string(s.Token), "JIRA_USER": s.User,
			"ATLASSIAN_ADMIN_URL": s.AdminURL, "ATLASSIAN_ORG_ID": s.OrgID, "ATLASSIAN_ORG_KEY": string(s.OrgKey)}[name]
		return v, v != ""
	}
}

// Options are what the tour runs with.
type Options struct {
	// Site is the fake's (see [Site]); Users its number of generated users.
	Site  usermgmt.Site
	Users int
	// Dir receives the reports and the journal; empty, a new temporary
	// directory.
	Dir string
	// Lookup reads the policy file's variables; Now is the clock.
	Lookup func(string) (string, bool)
	Now    func() time.Time
	// Manager returns a manager of the policies on the fake, with mod
	// applied to its configuration.
	Manager func(set *usermgmt.PolicySet, mod func(*usermgmt.Config)) (*usermgmt.Manager, error)
}

// Run runs the tour, writing what it does to w.
func Run(ctx context.Context, w io.Writer, o Options) error {
	start := time.Now()
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "seatwarden-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(w, `Seatwarden demo
===============
1. A fake Jira %s runs in this process, with %d generated users: people who
   log in daily, some who stopped months ago, some who never did, app accounts,
   administrators. Nothing leaves this process; no credentials are needed.
2. The example policy inactive-90-days.yaml deactivates people who have not
   logged in for 90 days, except administrators, app accounts and its
   exemptions, and at most 50 users (5%%) per run.
3. Planning is the dry run: the plan says who would change and why.

`, map[bool]string{true: "Cloud", false: "Data Center"}[o.Site.Flavor == jira.Cloud], o.Users)
	f, err := usermgmt.Parse(Policy, usermgmt.YAML, usermgmt.WithName("inactive-90-days.yaml"), usermgmt.WithDir(dir),
		usermgmt.WithLookupEnv(o.Lookup), usermgmt.WithClock(o.Now))
	if err != nil {
		return err
	}
	html := filepath.Join(dir, "report.html")
	m, err := o.Manager(f, func(c *usermgmt.Config) {
		c.Sinks = append(c.Sinks, &report.HTML{Path: html})
		c.ReportUsers = true
	})
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
