package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// compileWhere compiles a --where criterion; a mistake is a usage error
// with the criterion's line and column.
func compileWhere(cmd, src string) (*criteria.Program, error) {
	if src == "" {
		return nil, nil
	}
	p, err := criteria.Compile(src)
	if err == nil {
		return p, nil
	}
	if ce, ok := errors.AsType[*criteria.CompileError](err); ok && ce.Line > 0 {
		return nil, usagef(cmd, "--where: line %d, column %d: %s\n%s", ce.Line, ce.Column, ce.Msg, indent(ce.Snippet))
	} else if ok {
		return nil, usagef(cmd, "--where: %s", ce.Msg)
	}
	return nil, usagef(cmd, "--where: %v", err)
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

// snapshotOptions asks for what the criterion reads and the columns
// show, and nothing more.
func snapshotOptions(cmd string, p *criteria.Program, cols []column) (jira.SnapshotOptions, error) {
	var o jira.SnapshotOptions
	if p != nil {
		n := p.Needs()
		if n.AllProperties {
			return o, usagef(cmd, "--where reads user properties by a computed key; name each one: property(\"key\", default)")
		}
		o.Groups, o.AllGroups, o.Licences, o.Properties = n.Groups, n.AllGroups, n.Licences, n.Properties
		o.LastLogin = n.LastLogin || n.Created || n.LastActive || n.LoginCount
	}
	for _, c := range cols {
		if c.needs != nil {
			c.needs(&o)
		}
	}
	if o.AllGroups {
		o.Groups = nil
	}
	return o, nil
}

// progress counts the users read for the command's meter.
type progress struct {
	m *meter
	n int
}

// progress starts counting: the meter shows the stage (and the requests
// made) from now on, before the first user arrives.
func (a *app) progress() *progress {
	a.pr.update("reading", 0, 0)
	return &progress{m: a.pr}
}

func (p *progress) tick() {
	p.n++
	p.m.update("reading", p.n, 0)
}

func (p *progress) done() { p.m.clear() }

// selectUsers streams the site's users that p matches (every user when p
// is nil) to fn, and returns how many users were read and matched.
// unknown, when not nil, counts the users whose facts were unknown.
func (a *app) selectUsers(ctx context.Context, c usermgmt.Client, p *criteria.Program, opts jira.SnapshotOptions, fn func(u *jira.User) error, unknown *unknownFacts) (read, matched int, err error) {
	now := a.now()
	pr := a.progress()
	defer pr.done()
	var evalErrs int
	var firstErr error
	for u, err := range c.Snapshot(ctx, opts) {
		if err != nil {
			return read, matched, err
		}
		read++
		pr.tick()
		unknown.add(&u)
		if p != nil {
			ok, err := p.MatchAt(&u, now)
			if err != nil {
				evalErrs++
				firstErr = cmpOr(firstErr, err)
			}
			if !ok {
				continue
			}
		}
		matched++
		if err := fn(&u); err != nil {
			return read, matched, err
		}
	}
	if evalErrs > 0 {
		fmt.Fprintf(a.stderr, "%s: warning: the criterion failed for %d users, who were left out (first: %v)\n", prog, evalErrs, firstErr)
	}
	return read, matched, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func listCommand() *command {
	return &command{
		name:    "users list",
		args:    "[--where EXPR] [--output table|json|csv] [--columns LIST]",
		summary: "list the users, or those a criterion selects",
		about: `List the site's users, or those the criterion --where selects, as a table,
JSON (an array of objects) or CSV. The snapshot asks the site only for what
the criterion and the columns need. Every group of every user costs one
request per user on Data Center: leave the groups column out (--columns) on
a large site when you do not need it.

Last login and creation times are RFC 3339 (the table shows the date),
"never" or "unknown": an unknown last login is never read as never.`,
		examples: []string{
			prog + " --demo users list --where 'active && daysSinceLastLogin > 90'",
			prog + " --demo users list --where 'emailDomain == \"contractor.example.net\"' --output json",
			prog + " users list --output csv --columns name,email,lastLogin > users.csv",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			where := fs.String("where", "", "select the users this `EXPR`ession matches (criteria language)")
			output := fs.String("output", "table", "output `FORMAT`: table, json or csv")
			cols := fs.String("columns", "", "comma-separated `LIST` of columns: "+columnNames()+"\n(default: by flavour and format)")
			return func(ctx context.Context, args []string) error {
				const cmd = "users list"
				if len(args) > 0 {
					return usagef(cmd, "unexpected arguments: %s", strings.Join(args, " "))
				}
				switch *output {
				case "table", "json", "csv":
				default:
					return usagef(cmd, "--output %q: want table, json or csv", *output)
				}
				return a.list(ctx, cmd, *where, *output, *cols, a.stdout)
			}
		},
	}
}

// list writes the selected users to w.
func (a *app) list(ctx context.Context, cmd, where, format, colList string, w io.Writer) error {
	p, err := compileWhere(cmd, where)
	if err != nil {
		return err
	}
	if colList != "" {
		if _, err := parseColumns(colList); err != nil {
			return usagef(cmd, "--columns: %v", err)
		}
	}
	c, err := a.connect(ctx, cmd)
	if err != nil {
		return err
	}
	full := format == "json" && colList == "" // report.User, as the server writes it
	if colList == "" {
		colList = defaultColumns(c.Flavor(), format)
	}
	cols, _ := parseColumns(colList)
	opts, err := snapshotOptions(cmd, p, cols)
	if err != nil {
		return err
	}
	out, err := newWriter(w, format, cols, full, opts)
	if err != nil {
		return err
	}
	var unknown unknownFacts
	read, matched, err := a.selectUsers(ctx, c, p, opts, out.write, &unknown)
	if err != nil {
		// Nothing of a table is printed before the error (see writer).
		return err
	}
	if err := out.close(); err != nil {
		return err
	}
	switch {
	case matched == 0:
		// An empty table would be a lone header: say so instead, on
		// stdout for the table, on stderr beside JSON and CSV.
		w := a.stderr
		if format == "table" {
			w = a.stdout
		}
		fmt.Fprintf(w, "0 users (%d read, none selected)\n", read)
		if note := unknown.note(p, read); note != "" {
			fmt.Fprint(w, note)
		}
	case format == "table" && isTerminal(a.stderr):
		fmt.Fprintf(a.stderr, "%d of %d users\n", matched, read)
	}
	return nil
}

// unknownFacts counts the users whose creation time or last login the
// site did not give: a criterion that reads them selects nobody when
// nobody's is known, and an empty list then says why.
type unknownFacts struct{ created, lastLogin int }

func (k *unknownFacts) add(u *jira.User) {
	if k == nil {
		return
	}
	if u.Created.IsZero() {
		k.created++
	}
	if !u.LastLogin.Known {
		k.lastLogin++
	}
}

// note says which facts the criterion p reads were unknown for all read
// users, or "".
func (k *unknownFacts) note(p *criteria.Program, read int) string {
	if p == nil || read == 0 {
		return ""
	}
	n := p.Needs()
	var b strings.Builder
	if n.Created && k.created == read {
		b.WriteString("Creation dates are unknown for every user of this site (Jira Data Center's REST API does\n" +
			"not give them), so a criterion on created or daysSinceCreated selects nobody here.\n")
	}
	if n.LastLogin && k.lastLogin == read {
		b.WriteString("Last logins are unknown for every user of this site (Jira 9.x and 10.0–10.2 do not give\n" +
			"them): set JIRA_LOGINS (a login export) or JIRA_DB_DSN, or test lastLoginKnown.\n")
	}
	return b.String()
}

func exportCommand() *command {
	return &command{
		name:    "users export",
		args:    "--csv FILE [--where EXPR] [--columns LIST]",
		summary: "write the users to a spreadsheet-safe CSV file",
		about: `Write the site's users, or those --where selects, to a CSV file ("-" for
standard output). Cells that a spreadsheet would take for a formula (starting
with =, +, -, @) are prefixed with an apostrophe. Lists (groups, licences) are
separated by ";".`,
		examples: []string{
			prog + " --demo users export --csv users.csv",
			prog + " users export --csv inactive.csv --where 'active && daysSinceLastLogin > 180' --columns name,email,lastLogin",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			file := fs.String("csv", "", "the CSV `FILE` to write; - for standard output")
			where := fs.String("where", "", "export only the users this `EXPR`ession matches")
			cols := fs.String("columns", "", "comma-separated `LIST` of columns: "+columnNames()+"\n(default: the identities, email, displayName, active, lastLogin, groups, licences)")
			return func(ctx context.Context, args []string) error {
				const cmd = "users export"
				switch {
				case len(args) > 0:
					return usagef(cmd, "unexpected arguments: %s", strings.Join(args, " "))
				case *file == "":
					return usagef(cmd, "--csv FILE is required")
				}
				if *file == "-" {
					return a.list(ctx, cmd, *where, "csv", *cols, a.stdout)
				}
				// Check the criterion and the site before creating the file.
				if _, err := compileWhere(cmd, *where); err != nil {
					return err
				}
				tmp, err := os.CreateTemp(dirOf(*file), ".seatwarden-export-*.csv")
				if err != nil {
					return err
				}
				defer os.Remove(tmp.Name())
				var counted countingWriter
				counted.w = tmp
				if err := a.list(ctx, cmd, *where, "csv", *cols, &counted); err != nil {
					_ = tmp.Close()
					return err
				}
				if err := tmp.Close(); err != nil {
					return err
				}
				if err := os.Rename(tmp.Name(), *file); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "wrote %d users to %s\n", max(counted.lines-1, 0), *file)
				return nil
			}
		},
	}
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// countingWriter counts the records a CSV writer writes (its lines; the
// cells have no newlines here but one could, so it counts records).
type countingWriter struct {
	w     io.Writer
	lines int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.lines += strings.Count(string(p), "\n")
	return c.w.Write(p)
}

func explainCommand() *command {
	return &command{
		name:    "users explain",
		args:    "--where EXPR USER",
		summary: "show why a criterion selects a user or not",
		about: `Evaluate the criterion --where for one user and show each clause of its
outermost && chain: whether it held, and with which values. USER is a user
name, key, accountId or email.`,
		examples: []string{
			prog + " --demo users explain --where 'active && daysSinceLastLogin > 90' admin",
			prog + " users explain --where 'neverLoggedIn && daysSinceCreated > 30' jane@example.com",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			where := fs.String("where", "", "the criterion `EXPR`ession to explain")
			return func(ctx context.Context, args []string) error {
				const cmd = "users explain"
				switch {
				case *where == "":
					return usagef(cmd, "--where EXPR is required")
				case len(args) != 1:
					return usagef(cmd, "name one user (a user name, key, accountId or email)")
				}
				return a.explain(ctx, cmd, *where, args[0])
			}
		},
	}
}

// identifies reports whether id names u: its key, accountId, or (ignoring
// case) its name or email.
func identifies(id string, u *jira.User) bool {
	return id == u.Key || id == u.AccountID || strings.EqualFold(id, u.Name) || (u.Email != "" && strings.EqualFold(id, u.Email))
}

func (a *app) explain(ctx context.Context, cmd, where, id string) error {
	p, err := compileWhere(cmd, where)
	if err != nil {
		return err
	}
	c, err := a.connect(ctx, cmd)
	if err != nil {
		return err
	}
	opts, err := snapshotOptions(cmd, p, nil)
	if err != nil {
		return err
	}
	now := a.now()
	pr := a.progress()
	var found *jira.User
	for u, err := range c.Snapshot(ctx, opts) {
		if err != nil {
			pr.done()
			return err
		}
		pr.tick()
		if identifies(id, &u) {
			found = &u
			break
		}
	}
	pr.done()
	if found == nil {
		return fmt.Errorf("no user %q on the site", id)
	}
	u := found
	who := u.ID()
	if u.Name != "" {
		who = u.Name
	}
	fmt.Fprintf(a.stdout, "%s (%s", who, u.DisplayName)
	if u.Email != "" {
		fmt.Fprintf(a.stdout, " <%s>", u.Email)
	}
	fmt.Fprintf(a.stdout, ")\ncriterion: %s\n", p)
	e := p.Explain(u, now)
	switch {
	case e.Err != nil:
		fmt.Fprintf(a.stdout, "result: not selected: %v\n", e.Err)
	case e.Matched:
		fmt.Fprintln(a.stdout, "result: selected")
	default:
		fmt.Fprintln(a.stdout, "result: not selected")
	}
	for _, cl := range e.Clauses {
		mark := "✗"
		if cl.Held {
			mark = "✓"
		}
		fmt.Fprintf(a.stdout, "  %s %s: %s\n", mark, cl.Expr, cl.Detail)
	}
	return nil
}
