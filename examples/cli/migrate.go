package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/datacenter/dirmove"
)

// This file holds the commands that move users across directories on
// Jira Data Center's database (package dirmove): migrate plan and migrate.

func migratePlanCommand() *command {
	return &command{
		name:    "migrate plan",
		args:    "(--from DIR --to DIR [--users NAMES] | --from-plan FILE) [--group-map FILE] [--self NAME] [--online] [--out FILE]",
		summary: "plan moving DC users from one user directory to another",
		about: `Read Jira Data Center's database (JIRA_DB_DSN, or --dsn) and plan moving users
from one user directory to another (by name or id): every user of --from, or
the --users listed, or the users a policy plan moves (--from-plan: the
move-directory steps a moveDirectory action planned). Their attributes (last login, login count) and group
memberships move with them; a group missing from the target is created there,
or --group-map (CSV: from,to) maps groups. A user whose name the target has
already is a conflict and is not moved; the tool's own account (--self) is
never moved; a read-only LDAP target is refused. With --online, users move
through the REST API where Jira allows it (the target is the first writable
directory and comes before the source): the plan says for each user which way
and why. Nothing is changed: the plan is printed, and written to --out for
'migrate --plan'.`,
		examples: []string{
			"JIRA_DB_DSN=postgres://jira:...@db:5432/jira " + prog + ` migrate plan --from "Old LDAP" --to "Jira Internal Directory" --out move.json`,
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			dsn := fs.String("dsn", "", "Jira's database `DSN` (default: $JIRA_DB_DSN); postgres://… or mysql://…")
			from := fs.String("from", "", "the source `DIRECTORY` (name or id)")
			to := fs.String("to", "", "the target `DIRECTORY` (name or id)")
			users := fs.String("users", "", "comma-separated user `NAMES` to move (default: every user of --from)")
			groupMap := fs.String("group-map", "", "a CSV `FILE` of from,to group names")
			self := fs.String("self", "", "the account `NAME` Seatwarden runs as (never moved)")
			fromPlan := fs.String("from-plan", "", "take the users (and --from, --to) from the move-directory steps of a policy plan `FILE` ('plan --out')")
			online := fs.Bool("online", false, "move through Jira's REST API where Jira allows it (shadowing), Jira running")
			out := fs.String("out", "", "write the plan to `FILE` (JSON)")
			return func(ctx context.Context, args []string) error {
				const cmd = "migrate plan"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				req := dirmove.Request{From: *from, To: *to, Self: *self, Online: *online}
				for _, u := range strings.Split(*users, ",") {
					if u = strings.TrimSpace(u); u != "" {
						req.Users = append(req.Users, u)
					}
				}
				if *fromPlan != "" {
					if len(req.Users) > 0 {
						return usagef(cmd, "--users and --from-plan exclude each other")
					}
					if err := movesFromPlan(*fromPlan, &req); err != nil {
						return err
					}
				}
				if req.From == "" || req.To == "" {
					return usagef(cmd, "--from and --to are required (or --from-plan)")
				}
				if *groupMap != "" {
					m, err := readGroupMap(*groupMap)
					if err != nil {
						return err
					}
					req.GroupMap = m
				}
				db, _, err := a.openJiraDB(cmd, *dsn)
				if err != nil {
					return err
				}
				defer db.Close()
				st, err := dirmove.Inspect(ctx, db, req)
				if err != nil {
					return err
				}
				p, err := dirmove.NewPlan(st, req, a.now())
				if err != nil {
					return err
				}
				printMovePlan(a.stdout, p)
				if *out != "" {
					b, err := json.MarshalIndent(p, "", "  ")
					if err != nil {
						return err
					}
					if err := os.WriteFile(*out, append(b, '\n'), 0o600); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "\nPlan written to %s. Review it, then: %s migrate --plan %s\n", *out, prog, *out)
				}
				return nil
			}
		},
	}
}

func migrateCommand() *command {
	return &command{
		name:    "migrate",
		args:    "--plan FILE [--dsn DSN | --dialect postgres|mysql] [--apply | --undo] [--journal FILE] [--window DURATION]",
		summary: "print, apply or undo a directory move on Jira DC's database",
		about: `Without --apply or --undo, print the plan and its SQL for review: the migration
(one transaction), the verification queries (no row back means done) and the
undo script. With a DSN the plan is first checked against the database.

With --apply, carry it out: refuse when Jira is running (a cluster node's
heartbeat or a held cluster lock within --window), refuse a plan the database
no longer matches, then run the migration in one transaction, verify every
user, commit and write the journal. --undo reverses an applied plan the same
way. Stop every Jira node first, back up the database, try it on staging:
Atlassian does not support direct database changes.`,
		examples: []string{
			prog + " migrate --plan move.json --dialect postgres",
			"JIRA_DB_DSN=postgres://jira:...@db:5432/jira " + prog + " migrate --plan move.json --apply",
			"JIRA_DB_DSN=postgres://jira:...@db:5432/jira " + prog + " migrate --plan move.json --undo",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			planFile := fs.String("plan", "", "the plan `FILE` ('migrate plan --out')")
			dsn := fs.String("dsn", "", "Jira's database `DSN` (default: $JIRA_DB_DSN)")
			dialect := fs.String("dialect", "", "print the SQL for `DIALECT` postgres or mysql (default: the DSN's)")
			apply := fs.Bool("apply", false, "carry the migration out (Jira stopped)")
			undo := fs.Bool("undo", false, "undo an applied migration (Jira stopped)")
			journal := fs.String("journal", "", "the journal `FILE` (default: the plan's name + .journal)")
			window := fs.Duration("window", dirmove.DefaultWindow, "how recent a node heartbeat or cluster lock refuses")
			return func(ctx context.Context, args []string) error {
				const cmd = "migrate"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				if *planFile == "" {
					return usagef(cmd, "--plan FILE is required")
				}
				if *apply && *undo {
					return usagef(cmd, "--apply and --undo exclude each other")
				}
				p, err := readMovePlan(*planFile)
				if err != nil {
					return err
				}
				if *dsn == "" {
					*dsn = a.getenv("JIRA_DB_DSN")
				}
				if *dsn == "" {
					if *apply || *undo {
						return usagef(cmd, "--apply and --undo need Jira's database: set JIRA_DB_DSN or --dsn")
					}
					d := datacenter.Dialect(*dialect)
					if d == "" {
						return usagef(cmd, "without a DSN, say which SQL to print: --dialect postgres or --dialect mysql")
					}
					sc, err := dirmove.Render(p, d)
					if err != nil {
						return usagef(cmd, "%v", err)
					}
					printMovePlan(a.stdout, p)
					fmt.Fprintln(a.stdout, "\nNot checked against a database (no DSN).")
					printScripts(a.stdout, sc)
					return nil
				}
				db, d, err := a.openJiraDB(cmd, *dsn)
				if err != nil {
					return err
				}
				defer db.Close()
				if *dialect != "" && datacenter.Dialect(*dialect) != d {
					return usagef(cmd, "--dialect %s, but the DSN names a %s database", *dialect, d)
				}
				if !*apply && !*undo {
					if err := dirmove.Check(ctx, db, p); err != nil {
						return err
					}
					sc, err := dirmove.Render(p, d)
					if err != nil {
						return err
					}
					printMovePlan(a.stdout, p)
					fmt.Fprintln(a.stdout, "\nChecked against the database: it matches the plan.")
					printScripts(a.stdout, sc)
					fmt.Fprintln(a.stdout, "\nNothing was changed. Stop Jira and add --apply to migrate.")
					return nil
				}
				jpath := *journal
				if jpath == "" {
					jpath = *planFile + ".journal"
				}
				if isOnline(p) {
					return a.migrateOnline(ctx, cmd, db, p, *undo, jpath)
				}
				jf, err := os.OpenFile(jpath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
				if err != nil {
					return err
				}
				defer jf.Close()
				opt := dirmove.ApplyOptions{Window: *window, Journal: jf, Now: a.now}
				do, verb := dirmove.Apply, "moved"
				if *undo {
					do, verb = dirmove.Undo, "moved back"
				}
				res, err := do(ctx, db, d, p, opt)
				if err != nil {
					return err
				}
				from, to := p.From, p.To
				if *undo {
					from, to = to, from
				}
				for _, m := range p.Moves {
					fmt.Fprintf(a.stdout, "%s %s: %s → %s, verified\n", verb, m.User.Name, from.Name, to.Name)
				}
				fmt.Fprintf(a.stdout, "\n%d users %s in one transaction (%d statements), committed. Journal: %s\n", res.Users, verb, res.Statements, jpath)
				if len(res.Check.Absent) > 0 {
					fmt.Fprintf(a.stdout, "Note: this database has no %s table: a Jira that never ran clustered leaves no heartbeat, so Seatwarden could not confirm it was stopped.\n",
						strings.Join(res.Check.Absent, " or "))
				}
				if !*undo {
					printList(a.stdout, "\nNext:", p.After)
				}
				return nil
			}
		},
	}
}

// openJiraDB opens Jira's database from dsn or $JIRA_DB_DSN.
func (a *app) openJiraDB(cmd, dsn string) (*sql.DB, datacenter.Dialect, error) {
	if dsn == "" {
		dsn = a.getenv("JIRA_DB_DSN")
	}
	if dsn == "" {
		return nil, "", usagef(cmd, "Jira's database is needed: set JIRA_DB_DSN or --dsn")
	}
	db, d, err := datacenter.OpenLoginDB(dsn)
	if err != nil {
		return nil, "", err
	}
	return db, d, nil
}

// readMovePlan reads a plan file; its content is checked against the
// database before anything is applied.
func readMovePlan(path string) (*dirmove.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var p dirmove.Plan
	if err := dec.Decode(&p); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(b, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %v", path, line, col, err)
		case errors.As(err, &te):
			line, col := lineCol(b, te.Offset)
			return nil, fmt.Errorf("%s:%d:%d: field %s: %v", path, line, col, te.Field, err)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if p.Format != dirmove.FormatVersion {
		return nil, fmt.Errorf("%s: format %d: this program reads directory-move plans of format %d", path, p.Format, dirmove.FormatVersion)
	}
	return &p, nil
}

func lineCol(b []byte, off int64) (int, int) {
	line, col := 1, 1
	for _, c := range b[:min(int(off), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// readGroupMap reads a from,to CSV of group names (a header row
// "from,to" is skipped).
func readGroupMap(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 2
	m := map[string]string{}
	for row := 1; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		from, to := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if row == 1 && strings.EqualFold(from, "from") && strings.EqualFold(to, "to") {
			continue
		}
		if from == "" || to == "" {
			return nil, fmt.Errorf("%s: row %d: a group name is empty", path, row)
		}
		if prev, ok := m[strings.ToLower(from)]; ok && prev != to {
			return nil, fmt.Errorf("%s: row %d, column 1: group %q is mapped twice", path, row, from)
		}
		m[strings.ToLower(from)] = to
	}
}

// printMovePlan prints the plan: the move per user with its reason, the
// conflicts with both records, the refusals, the groups created.
func printMovePlan(w io.Writer, p *dirmove.Plan) {
	n := fmt.Sprintf("%d users", len(p.Moves))
	if len(p.Moves) == 1 {
		n = "1 user"
	}
	fmt.Fprintf(w, "Move %s from %s [%s, position %d] to %s [%s, position %d]; planned %s.\n",
		n, p.From, p.From.Type, p.From.Position, p.To, p.To.Type, p.To.Position, p.Created.Format(time.RFC3339))
	for _, m := range p.Moves {
		fmt.Fprintf(w, "  move      %-20s %s\n", m.User.Name, m.Reason)
		for _, ms := range m.Memberships {
			note := ""
			if ms.Created {
				note = " (created)"
			}
			if !strings.EqualFold(ms.FromGroup, ms.ToGroup) {
				note += " (mapped)"
			}
			fmt.Fprintf(w, "              group %s → %s%s\n", ms.FromGroup, ms.ToGroup, note)
		}
	}
	for _, c := range p.Conflicts {
		fmt.Fprintf(w, "  conflict  %-20s not moved: the target has this name; source id %d %q <%s> active=%t; target id %d %q <%s> active=%t\n",
			c.Source.Name, c.Source.ID, c.Source.Display, c.Source.Email, c.Source.Active, c.Target.ID, c.Target.Display, c.Target.Email, c.Target.Active)
	}
	for _, r := range p.Refused {
		fmt.Fprintf(w, "  refused   %-20s %s\n", r.User, r.Reason)
	}
	for _, g := range p.NewGroups {
		fmt.Fprintf(w, "  create group %q in %s (id %d, copied from group %d)\n", g.Name, p.To.Name, g.ID, g.FromGroupID)
	}
	fmt.Fprintf(w, "Online (REST) instead: %s.\n", p.Online)
	printList(w, "After the move:", p.After)
}

func printScripts(w io.Writer, sc *dirmove.Scripts) {
	fmt.Fprintf(w, "\n---- migration (%s) ----\n%s", sc.Dialect, sc.MigrateSQL())
	fmt.Fprintf(w, "\n---- verification ----\n%s", sc.VerifySQL())
	fmt.Fprintf(w, "\n---- undo ----\n%s", sc.UndoSQL())
}

func isOnline(p *dirmove.Plan) bool {
	return len(p.Moves) > 0 && p.Moves[0].Way == "online"
}

// migrateOnline carries out an online plan through the site's REST API
// (the global flags' site), Jira running; the database is only read, to
// check the plan.
func (a *app) migrateOnline(ctx context.Context, cmd string, db *sql.DB, p *dirmove.Plan, undo bool, jpath string) error {
	if undo {
		return usagef(cmd, "an online move is undone in Jira: delete the new users in %s (each name's old account in %s takes it back)", p.To.Name, p.From.Name)
	}
	if err := dirmove.Check(ctx, db, p); err != nil {
		return err
	}
	c, err := a.connect(ctx, cmd)
	if err != nil {
		return err
	}
	dc, ok := c.(*datacenter.Client)
	if !ok {
		return usagef(cmd, "online moves need a Jira Data Center site (--site, JIRA_URL)")
	}
	jf, err := os.OpenFile(jpath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer jf.Close()
	res, err := dirmove.ApplyOnline(ctx, dirmove.ClientSite(dc), p, dirmove.ApplyOptions{Journal: jf, Now: a.now})
	if err != nil {
		return err
	}
	for _, m := range p.Moves {
		fmt.Fprintf(a.stdout, "moved %s online: a new user in %s shadows the old one in %s, verified\n", m.User.Name, p.To.Name, p.From.Name)
	}
	fmt.Fprintf(a.stdout, "\n%d users moved online (%d already were). Journal: %s\n", res.Users, len(p.Moves)-res.Users, jpath)
	printList(a.stdout, "\nNext:", p.After)
	return nil
}

// movesFromPlan fills req from a policy plan's move-directory steps: the
// users, and the source and target directories, which must be the same
// for every step (and agree with --from and --to when given).
func movesFromPlan(path string, req *dirmove.Request) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var p actions.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	for i, up := range p.Users {
		for j, st := range up.Steps {
			if st.Kind != actions.KindMoveDirectory || st.NoOp != "" {
				continue
			}
			where := fmt.Sprintf("%s: users[%d].steps[%d]", path, i, j)
			switch {
			case up.User.Name == "":
				return fmt.Errorf("%s: a move-directory step for a user without a name", where)
			case req.To != "" && !strings.EqualFold(req.To, st.Directory):
				return fmt.Errorf("%s: moves %s to %q, not %q: plan one target at a time", where, up.User.Name, st.Directory, req.To)
			case req.From != "" && st.FromDirectory != "" && !strings.EqualFold(req.From, st.FromDirectory):
				return fmt.Errorf("%s: %s is in %q, not %q: plan one source directory at a time (--from)", where, up.User.Name, st.FromDirectory, req.From)
			}
			req.To = st.Directory
			if req.From == "" {
				req.From = st.FromDirectory
			}
			req.Users = append(req.Users, up.User.Name)
		}
	}
	if len(req.Users) == 0 {
		return fmt.Errorf("%s: no move-directory step to carry out", path)
	}
	return nil
}

// printList prints a titled list, or nothing when it is empty.
func printList(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintln(w, title)
	for _, s := range items {
		fmt.Fprintf(w, "  - %s\n", s)
	}
}
