package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"

	"github.com/seatwarden/seatwarden/actions"
)

// This file prints a run's results with identical failures grouped: 160
// users Jira refuses to change because they are in a read-only directory
// are one line, not 160, on stdout and on stderr.

// readOnlyDir finds the directory in Jira's refusal to change a user of a
// read-only directory.
var readOnlyDir = regexp.MustCompile(`read-only directory '([^']+)'`)

// userSpecific are the parts of an error that name the user or its
// request: quoted names and URL queries.
var userSpecific = regexp.MustCompile(`'[^']*'|\?\S*`)

// failureClass returns what identical failures have in common: a
// read-only directory and the status, or the error without the user's
// name and the request's query.
func failureClass(msg string) string {
	if m := readOnlyDir.FindStringSubmatch(msg); m != nil {
		status := ""
		if strings.Contains(msg, "403") {
			status = " (403)"
		}
		return fmt.Sprintf("read-only directory '%s'%s — see readOnlyDirectories", m[1], status)
	}
	return userSpecific.ReplaceAllStringFunc(msg, func(s string) string {
		if strings.HasPrefix(s, "?") {
			return ""
		}
		return "'…'"
	})
}

// printRun writes the run's summary: its counts, then the results that
// are not plain successes, those with the same outcome, step and cause
// on one line with the number of users and the first few of them.
func printRun(w io.Writer, run *actions.Run) {
	head, _, _ := strings.Cut(run.Summary(), "\n")
	fmt.Fprintln(w, head)
	type group struct {
		line  string
		users []string
	}
	var order []string
	groups := map[string]*group{}
	for _, res := range run.Results {
		if (res.Outcome == actions.Applied || res.Outcome == actions.NoOp || res.Outcome == actions.Planned) && res.Message == "" {
			continue
		}
		line := fmt.Sprintf("%s: %s", res.Outcome, res.Step)
		if res.Message != "" {
			line += " — " + failureClass(res.Message)
		}
		if res.Error != "" {
			line += " — " + failureClass(res.Error)
		}
		g, ok := groups[line]
		if !ok {
			g = &group{line: line}
			groups[line] = g
			order = append(order, line)
		}
		g.users = append(g.users, res.User.String())
	}
	for _, k := range order {
		g := groups[k]
		if len(g.users) == 1 {
			fmt.Fprintf(w, "  %s %s\n", g.users[0], g.line)
			continue
		}
		const shown = 3
		who := strings.Join(g.users[:min(shown, len(g.users))], ", ")
		if n := len(g.users) - shown; n > 0 {
			who += fmt.Sprintf(" and %d more (the journal and the reports list them)", n)
		}
		fmt.Fprintf(w, "  %d %s\n      %s\n", len(g.users), g.line, who)
	}
}

// onceFailures is a log handler that passes on the first record of each
// failure class of the step records ("step", outcome failed) and drops
// the repeats, counting them: the run's summary has the total.
type onceFailures struct {
	slog.Handler
	mu   *sync.Mutex
	seen map[string]int
}

func newOnceFailures(h slog.Handler) onceFailures {
	return onceFailures{Handler: h, mu: &sync.Mutex{}, seen: map[string]int{}}
}

func (o onceFailures) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "step" {
		var outcome, errText, action string
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "outcome":
				outcome = a.Value.String()
			case "error":
				errText = a.Value.String()
			case "action":
				action = a.Value.String()
			}
			return true
		})
		if outcome == string(actions.Failed) {
			key := action + "|" + failureClass(errText)
			o.mu.Lock()
			o.seen[key]++
			n := o.seen[key]
			o.mu.Unlock()
			if n > 1 {
				return nil
			}
			r = r.Clone()
			r.AddAttrs(slog.String("note", "the same failure of other users is not logged again: see the run's summary"))
		}
	}
	return o.Handler.Handle(ctx, r)
}

func (o onceFailures) WithAttrs(as []slog.Attr) slog.Handler {
	return onceFailures{Handler: o.Handler.WithAttrs(as), mu: o.mu, seen: o.seen}
}

func (o onceFailures) WithGroup(name string) slog.Handler {
	return onceFailures{Handler: o.Handler.WithGroup(name), mu: o.mu, seen: o.seen}
}

// printSinkFiles lists the files the policies report to (a relative sink
// path resolves against its policy file's directory), after a run.
func (a *app) printSinkFiles() {
	if a.policies == nil {
		return
	}
	files := a.policies.File().SinkFiles()
	if len(files) == 0 {
		return
	}
	fmt.Fprintln(a.stdout, "\nReports:")
	for _, f := range files {
		fmt.Fprintf(a.stdout, "  %-5s %s (policy %s)\n", f.Type, f.Path, f.Policy)
	}
}
