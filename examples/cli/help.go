package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/seatwarden/seatwarden/report/email"
)

// globals are the flags every command takes, before or after its name.
type globals struct {
	site, flavor, user, token, adminURL, orgID, orgKey string
	demo                                               bool
	mail                                               email.Flags
	rate                                               float64
	burst                                              int
	quiet                                              bool
}

// globalFlags documents the global flags, in order: name, value name,
// environment variable, usage.
var globalFlags = []struct{ name, value, env, usage string }{
	{"site", "URL", "JIRA_URL", "the Jira site's base URL"},
	{"flavor", "dc|cloud", "", "the site's flavour; detected from serverInfo when omitted"},
	{"user", "NAME", "JIRA_USER", "Cloud: the account's email; DC: a user name for Basic\nauthentication (omit it to send the token as a personal access token)"},
	{"token", "TOKEN", "JIRA_TOKEN", "Cloud API token, or DC personal access token or password;\nprefer the environment variable: a flag shows in the process list"},
	{"admin-url", "URL", "ATLASSIAN_ADMIN_URL", "Cloud: the Atlassian Admin API (default https://api.atlassian.com)"},
	{"org-id", "ID", "ATLASSIAN_ORG_ID", "Cloud: the organisation id, for last-active dates"},
	{"org-key", "KEY", "ATLASSIAN_ORG_KEY", "Cloud: the organisation API key"},
	{"smtp-url", "URL", email.EnvURL, "send the policies' email through this SMTP server: smtp://user@host:587\n(STARTTLS required) or smtps://user@host:465; the password comes from\n" + email.EnvPassword + " or --smtp-password-file, never a flag"},
	{"smtp-password-file", "FILE", email.EnvPasswordFile, "read the SMTP password from FILE"},
	{"mail-from", "ADDRESS", email.EnvFrom, "the sender of email; required with --smtp-url"},
	{"demo", "", "", "use an embedded fake Jira with a generated organisation instead\nof a site: no credentials, no network (--flavor chooses dc or cloud)"},
	{"rate", "N", "", "at most N requests per second (a ceiling). Without it, Jira DC is\nsent what its X-RateLimit-* headers allow, 10 per second until\nit says; Cloud from 10 per second up to 100, slowing down when\nJira asks. Overrides a policy file's rateLimit"},
	{"burst", "N", "", "with --rate: at most N requests at once (default one second's worth)"},
	{"quiet", "", "", "no progress on stderr (by default: a bar on a terminal, else a\nline every few seconds with users, requests, rate and ETA)"},
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.site, "site", g.site, "")
	fs.StringVar(&g.flavor, "flavor", g.flavor, "")
	fs.StringVar(&g.user, "user", g.user, "")
	fs.StringVar(&g.token, "token", g.token, "")
	fs.StringVar(&g.adminURL, "admin-url", g.adminURL, "")
	fs.StringVar(&g.orgID, "org-id", g.orgID, "")
	fs.StringVar(&g.orgKey, "org-key", g.orgKey, "")
	fs.BoolVar(&g.demo, "demo", g.demo, "")
	g.mail.Register(fs)
	fs.Float64Var(&g.rate, "rate", g.rate, "")
	fs.IntVar(&g.burst, "burst", g.burst, "")
	fs.BoolVar(&g.quiet, "quiet", g.quiet, "")
}

// printFlag writes one flag's help: the flag and its value on one line,
// the usage indented below.
func printFlag(w io.Writer, name, value, usage string) {
	head := "  --" + name
	if value != "" {
		head += " " + value
	}
	fmt.Fprintln(w, head)
	for _, line := range strings.Split(usage, "\n") {
		fmt.Fprintln(w, "      "+line)
	}
}

func (a *app) printGlobals(w io.Writer) {
	for _, f := range globalFlags {
		usage := f.usage
		if f.env != "" {
			usage += " (env " + f.env + ")"
		}
		printFlag(w, f.name, f.value, usage)
	}
}

const exitCodes = `Exit codes:
  0  done
  1  failed: the site could not be reached or refused, a user was not found
  2  usage: a bad command, flag, argument or criterion
  3  refused by a blast-radius limit or an approval
`

func (a *app) rootHelp(w io.Writer) {
	fmt.Fprintf(w, `%[1]s manages the users and licences of Jira Data Center and Jira Cloud.

Usage:
  %[1]s [global flags] COMMAND [flags] [arguments]

Commands:
`, prog)
	for _, c := range a.commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags (before or after the command):")
	a.printGlobals(w)
	fmt.Fprintln(w)
	fmt.Fprint(w, exitCodes)
	fmt.Fprintf(w, `
Examples:
  %[1]s demo
  %[1]s --demo users list --where 'active && daysSinceLastLogin > 90'
  %[1]s --demo run --policy examples/policies/inactive-90-days.yaml
  JIRA_URL=https://jira.example.com JIRA_TOKEN=... %[1]s plan --policy inactive.yaml --out plan.json
  JIRA_URL=https://jira.example.com JIRA_TOKEN=... %[1]s apply --plan plan.json --journal run.journal
  JIRA_URL=https://jira.example.com JIRA_TOKEN=... %[1]s users export --csv users.csv
  JIRA_URL=https://example.atlassian.net JIRA_USER=me@example.com JIRA_TOKEN=... \
    ATLASSIAN_ORG_ID=... ATLASSIAN_ORG_KEY=... %[1]s users list --output json

Run '%[1]s COMMAND --help' for a command's flags and examples.
`, prog)
}

func (a *app) groupHelp(w io.Writer, group string) {
	fmt.Fprintf(w, "Usage:\n  %s %s COMMAND [flags] [arguments]\n\nCommands:\n", prog, group)
	for _, c := range a.commands() {
		if strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(w, "\nRun '%s %s COMMAND --help' for a command's flags and examples.\n", prog, group)
}

func (a *app) commandHelp(w io.Writer, c *command, fs *flag.FlagSet, own map[string]bool) {
	fmt.Fprintf(w, "Usage:\n  %s %s %s\n\n%s\n", prog, c.name, c.args, c.about)
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		if !own[f.Name] {
			return
		}
		value, usage := flag.UnquoteUsage(f)
		if f.DefValue != "" && f.DefValue != "false" {
			usage += " (default " + f.DefValue + ")"
		}
		printFlag(w, f.Name, value, usage)
	})
	fmt.Fprintln(w, "\nGlobal flags (before or after the command):")
	a.printGlobals(w)
	fmt.Fprintln(w)
	fmt.Fprint(w, exitCodes)
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range c.examples {
		fmt.Fprintln(w, "  "+e)
	}
}
