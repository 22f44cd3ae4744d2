package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// This file holds the commands that plan and apply: plan, apply, run,
// undo and groups, all through usermgmt.Manager.

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// lookup reads a variable a policy file refers to: the environment, with
// the global flags standing in for the variables they fall back on, and
// the fake's values with --demo.
func (a *app) lookup(name string) (string, bool) {
	if a.g.demo {
		s := a.demoSite(a.demoFlavor())
		switch name {
		case "JIRA_URL":
			return s.URL, true
		case "JIRA_TOKEN":
			return string(s.Token), true
		case "JIRA_USER":
			// On DC the demo's connection ignores it: any value does.
			return cmpOrString(s.User, a.fake.Credentials().DCUser), true
		case "ATLASSIAN_ADMIN_URL":
			return s.AdminURL, s.AdminURL != ""
		case "ATLASSIAN_ORG_ID":
			return s.OrgID, s.OrgID != ""
		case "ATLASSIAN_ORG_KEY":
			return string(s.OrgKey), s.OrgKey != ""
		}
	}
	for _, f := range globalFlags {
		if f.env == name {
			if v := a.flagValue(f.name); v != "" {
				return v, true
			}
		}
	}
	v := a.getenv(name)
	return v, v != ""
}

// demoFlavor is the --flavor of the demo's fake (zero: Data Center).
func (a *app) demoFlavor() jira.Flavor {
	f, _ := jira.ParseFlavor(a.g.flavor)
	return f
}

func (a *app) flagValue(name string) string {
	switch name {
	case "site":
		return a.g.site
	case "user":
		return a.g.user
	case "token":
		return a.g.token
	case "admin-url":
		return a.g.adminURL
	case "org-id":
		return a.g.orgID
	case "org-key":
		return a.g.orgKey
	}
	return ""
}

// loadPolicies loads and merges the policy files.
func (a *app) loadPolicies(cmd string, paths []string) (*usermgmt.PolicySet, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	a.pickDemoFlavor(paths) // demo_flavor.go
	var files []*usermgmt.PolicySet
	for _, p := range paths {
		f, err := usermgmt.Load(p, usermgmt.WithLookupEnv(a.lookup), usermgmt.WithClock(a.now))
		if err != nil {
			if _, ok := errors.AsType[*usermgmt.LoadError](err); ok {
				return nil, usagef(cmd, "%v", err)
			}
			return nil, err
		}
		files = append(files, f)
	}
	f, err := usermgmt.Merge(files...)
	if err != nil {
		return nil, usagef(cmd, "%v", err)
	}
	a.policies = f
	return f, nil
}

// managerOptions adjust a manager's configuration.
type managerOption func(*usermgmt.Config)

// manager returns a manager of the policy file f (nil for none) on the
// site of the global flags, or the demo's fake. Without a policy file the
// site is required.
func (a *app) manager(cmd string, f *usermgmt.PolicySet, opts ...managerOption) (*usermgmt.Manager, error) {
	site, err := a.site(cmd)
	if err != nil {
		ue, ok := errors.AsType[*usageError](err)
		if f == nil || !ok || !strings.HasPrefix(ue.msg, "no site") {
			return nil, err
		}
		site = usermgmt.Site{} // the policy file names the sites
	}
	cfg := usermgmt.Config{Policies: f, Site: site, Now: a.now,
		Logger: slog.New(newOnceFailures(warnings{slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})),
		Connect: func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			if a.g.demo {
				// Every site of a policy file is the demo's fake.
				s = a.demoSite(a.demoFlavor())
			}
			s.UserAgent = userAgent
			c, err := usermgmt.Connect(ctx, a.withRate(s))
			if err == nil {
				a.pr.track(c)
			}
			return c, err
		},
		// The policies' log sinks write their summaries to stderr.
		ReportLogger: slog.New(slog.NewTextHandler(a.stderr, nil)),
		Progress:     a.progressBar(),
	}
	mail, err := a.g.mail.Settings(a.getenv)
	if err != nil {
		return nil, usagef(cmd, "%v", err)
	}
	if mail != nil {
		cfg.SMTP, cfg.MailFrom = &mail.SMTP, mail.From
	}
	for _, o := range opts {
		o(&cfg)
	}
	return usermgmt.New(cfg)
}

// warnings passes on the warnings only: the errors are the command's
// own, which it reports itself.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l < slog.LevelError && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{w.Handler.WithAttrs(as)} }
func (w warnings) WithGroup(name string) slog.Handler    { return warnings{w.Handler.WithGroup(name)} }

// progressBar shows the manager's progress on stderr (see meter).
func (a *app) progressBar() func(usermgmt.Progress) {
	pr := a.pr
	return func(p usermgmt.Progress) {
		// The report stage counts sinks, not users, and is quick: no bar
		// ("report   0 users") for it.
		if p.Total > 0 && p.Done >= p.Total || p.Stage == usermgmt.StageReport {
			pr.clear()
			return
		}
		pr.update(string(p.Stage), p.Done, p.Total)
	}
}

// savedPlan is the file plan --out writes: the plan and the policy files
// it came from, so that apply verifies it against them and finds their
// approval and reporting. With SEATWARDEN_PLAN_KEY set, plan --out signs
// it and apply refuses a plan without the right signature.
type savedPlan struct {
	PolicyFiles []string      `json:"policyFiles,omitempty"`
	Plan        *actions.Plan `json:"plan"`
	Signature   string        `json:"signature,omitempty"`
}

// planKeyEnv names the variable holding the key that signs plan files.
const planKeyEnv = "SEATWARDEN_PLAN_KEY"

// signed returns what a plan file's signature covers: its policy files and
// its plan, as compact JSON.
func signed(files, plan json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if len(files) == 0 {
		files = json.RawMessage("null")
	}
	if err := json.Compact(&b, files); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	if err := json.Compact(&b, plan); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writePlan writes sp to path, signed when key is not empty.
func writePlan(path string, sp savedPlan, key []byte) error {
	data, err := encodePlan(sp, key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// encodePlan returns sp as the JSON of a plan file, signed when key is not
// empty, written as the server writes plans (report.WriteJSON: no HTML
// escaping, "&&" stays "&&").
func encodePlan(sp savedPlan, key []byte) ([]byte, error) {
	if len(key) > 0 {
		files, err := report.MarshalCompact(sp.PolicyFiles)
		if err != nil {
			return nil, err
		}
		if len(sp.PolicyFiles) == 0 {
			files = nil
		}
		plan, err := report.MarshalCompact(sp.Plan)
		if err != nil {
			return nil, err
		}
		data, err := signed(files, plan)
		if err != nil {
			return nil, err
		}
		sp.Signature = actions.Sign(key, data)
	}
	return report.MarshalJSON(sp)
}

// readPlan reads a plan file. With a key, the plan must carry its
// signature under that key (an error matching actions.ErrBadSignature).
// Trailing data after the JSON document is an error.
func readPlan(path string, key []byte) (*savedPlan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		PolicyFiles json.RawMessage `json:"policyFiles"`
		Plan        json.RawMessage `json:"plan"`
		Signature   string          `json:"signature"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a plan: %w", path, err)
	}
	var sp savedPlan
	if raw.Plan == nil {
		// A bare plan, e.g. one written by a program.
		var p actions.Plan
		if err := decodeStrict(data, &p); err != nil || p.ID == "" {
			return nil, fmt.Errorf("%s: not a plan", path)
		}
		raw.Plan = data
		sp = savedPlan{Plan: &p}
	} else {
		sp.Signature = raw.Signature
		if err := json.Unmarshal(raw.Plan, &sp.Plan); err != nil || sp.Plan == nil || sp.Plan.ID == "" {
			return nil, fmt.Errorf("%s: not a plan", path)
		}
		if raw.PolicyFiles != nil {
			if err := json.Unmarshal(raw.PolicyFiles, &sp.PolicyFiles); err != nil {
				return nil, fmt.Errorf("%s: policyFiles: %w", path, err)
			}
		}
	}
	if len(key) > 0 {
		signedData, err := signed(raw.PolicyFiles, raw.Plan)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := actions.CheckSignature(key, signedData, sp.Signature); err != nil {
			return nil, fmt.Errorf("%s: %w (%s is set: only plans signed with it are applied)", path, err, planKeyEnv)
		}
	}
	return &sp, nil
}

// decodeStrict decodes one JSON document; anything after it is an error.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}

// printPlan writes a plan's summary and, for several policies or an
// actOn policy's unmatched users, the interaction report.
func (a *app) printPlan(p *actions.Plan) {
	fmt.Fprint(a.stdout, p.Summary())
	fmt.Fprintln(a.stdout)
	fmt.Fprint(a.stdout, usermgmt.InteractionReport(p))
}

// journalPath returns the journal to write: the flag's, else a new file
// in the temporary directory.
func journalPath(flagValue, planID string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(os.TempDir(), "seatwarden-"+planID+".journal")
}

// applyUnlessDry applies plan when apply is set, journaling to journal
// (default a new file, see journalPath); otherwise it says that the plan
// printed was a dry run.
// override is the reason given with --override-limits ("" for none).
func (a *app) applyUnlessDry(ctx context.Context, m *usermgmt.Manager, plan *actions.Plan, apply bool, journal, override string) error {
	if !apply {
		fmt.Fprintln(a.stdout, "\nDry run: nothing was changed.")
		if err := a.writeJSON(plan); err != nil {
			return err
		}
		if err := a.overLimit(plan, nil); err != nil { // limits.go
			return err
		}
		fmt.Fprintln(a.stdout, "Add --apply to apply the plan.")
		return nil
	}
	fmt.Fprintln(a.stdout)
	jp := journalPath(journal, plan.ID)
	run, err := m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: jp, OverrideLimits: override})
	if err != nil {
		return err
	}
	return a.applied(run, plan, "", jp)
}

// applied prints a run of plan and its journal, writes its run document
// with --output json, and fails when steps failed. approvalIssue is the
// issue that approved it ("" for none).
func (a *app) applied(run *actions.Run, plan *actions.Plan, approvalIssue, journal string) error {
	a.pr.summarizeAlways() // the requests and the rate limit, on stderr
	rep := report.FromRun(run, plan)
	rep.ApprovalIssue = approvalIssue
	if err := a.writeJSON(report.NewRun(rep)); err != nil {
		return err
	}
	printRun(a.stdout, run) // failures.go
	if o := run.LimitOverride; o != nil {
		fmt.Fprintf(a.stdout, "Limits overridden: %s.\nReason given: %s (recorded in the journal and the report)\n", o.Limit, o.Reason)
	}
	a.printSinkFiles() // failures.go
	if journal != "" {
		fmt.Fprintf(a.stdout, "\nJournal: %s\nUndo it with: %s undo --journal %s\n", journal, prog, journal)
	}
	if n := run.Counts[actions.Failed]; n > 0 {
		return fmt.Errorf("%d steps failed", n)
	}
	if n := run.Counts[actions.Refused]; n > 0 {
		return fmt.Errorf("%w: %d steps refused: the policies would not plan them now", actions.ErrPlanMismatch, n)
	}
	return nil
}

func planCommand() *command {
	return &command{
		name:    "plan",
		args:    "--policy FILE [--policy FILE ...] [--name POLICY ...] [--out plan.json] [--output json]",
		summary: "plan policies together: the dry run, with their interactions",
		about: `Plan the policies of one or more policy files together against one snapshot
of their site, without changing anything: print the plan's summary — users,
steps, exemptions, limits — and the interaction report: the users several
policies select, the conflicts between their steps and how they are resolved,
and the users an actOn policy cannot match on the other site.

--out writes the plan as JSON, for 'apply --plan'. --output json writes the plan
document alone on stdout — the server's plan JSON — and the summary on stderr.`,
		examples: []string{
			prog + " --demo plan --policy examples/policies/inactive-90-days.yaml",
			prog + " plan --policy examples/policies/lifecycle.yaml --out plan.json",
			prog + " plan --policy inactive.yaml --policy contractors.yaml --name contractors",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var policies, names listFlag
			fs.Var(&policies, "policy", "a policy `FILE` (YAML or JSON); repeat for several")
			fs.Var(&names, "name", "plan only the `POLICY` of this name; repeat for several (default all)")
			out := fs.String("out", "", "write the plan as JSON to `FILE` (- for stdout; the summary then goes to stderr)")
			output := fs.String("output", "text", "print the plan as `FORMAT`: text, or json: the plan document (the server's "+
				"plan JSON, without a plan file's policyFiles and signature) on stdout, the summary on stderr")
			return func(ctx context.Context, args []string) error {
				const cmd = "plan"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				if *output == "json" && *out == "-" {
					return usagef(cmd, "--output json and --out - both write to stdout: give one")
				}
				restore, err := a.startOutput(cmd, *output)
				if err != nil {
					return err
				}
				defer restore()
				stdout := a.stdout
				if *out == "-" {
					// The plan file is stdout: the summary goes to stderr.
					a.stdout = a.stderr
					defer func() { a.stdout = stdout }()
				}
				_, plan, err := a.planPolicies(ctx, cmd, policies, names)
				if err != nil {
					return err
				}
				if err := a.writeJSON(plan); err != nil {
					return err
				}
				if *out == "" {
					return a.overLimit(plan, policies) // limits.go
				}
				abs := make([]string, len(policies))
				for i, p := range policies {
					abs[i], _ = filepath.Abs(p)
				}
				if *out == "-" {
					data, err := encodePlan(savedPlan{PolicyFiles: abs, Plan: plan}, []byte(a.getenv(planKeyEnv)))
					if err != nil {
						return err
					}
					if _, err := stdout.Write(data); err != nil {
						return err
					}
					return a.overLimit(plan, policies)
				}
				if err := writePlan(*out, savedPlan{PolicyFiles: abs, Plan: plan}, []byte(a.getenv(planKeyEnv))); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "\nPlan written to %s. Apply it with: %s apply --plan %s\n", *out, prog, *out)
				return a.overLimit(plan, policies) // limits.go
			}
		},
	}
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func noArgs(cmd string, args []string) error {
	if len(args) > 0 {
		return usagef(cmd, "unexpected arguments: %s", strings.Join(args, " "))
	}
	return nil
}

func applyCommand() *command {
	return &command{
		name:    "apply",
		args:    "--plan plan.json [--journal FILE] [--override-limits REASON] [--output json]",
		summary: "apply a plan written by 'plan --out'",
		about: `Apply a plan written by 'plan --out' to its site. A plan is a proposal, not an
authority: the policy files it came from (or those --policy names) are read
again, must hash as they did when the plan was made, and are planned again on a
new snapshot of their site; only the steps they would plan now are applied. A
user with any other step is refused and left alone (exit code 3), as is a plan
of other policies or another site. Limits and approval come from the policy
files, never from the plan: a plan over a blast-radius limit is refused before
any change (exit code 3), unless --override-limits gives a reason, which the
journal, the report and the summary record. A plan of a policy with an approval
files its approval issue, remembers it beside the plan (FILE.approval) and
exits 3; apply it again once the issue is decided: approved, it is applied;
still waiting, it says so and exits 3 without filing another issue; rejected,
it is refused (exit 3). The remembered issue is checked, not trusted: it must
be in the approval's project and name the plan in its summary. With --wait,
apply polls the issue until it is decided. Every user is read again just before
its first change: one who changed since the plan is left alone. With
` + planKeyEnv + ` set, only plans signed with that key (by 'plan --out' with
the same key) are applied.

The journal records every change: running the same command again resumes an
interrupted run, and 'undo --journal' reverses it. Without --journal it is
written to the temporary directory.

--output json writes the run document on stdout — the JSON the server answers
for a run (GET /api/v1/runs/{id}), without its links — and the summary on
stderr.`,
		examples: []string{
			prog + " apply --plan plan.json --journal plan.journal",
			prog + " --demo apply --plan plan.json",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			planFile := fs.String("plan", "", "the plan `FILE` to apply")
			journal := fs.String("journal", "", "the journal `FILE` (default a new file in the temporary directory)")
			wait := fs.Bool("wait", false, "wait for the approval issue to be decided, then apply or refuse")
			every := fs.Duration("wait-interval", 30*time.Second, "how often --wait reads the approval issue, a `DURATION` such as 10s")
			var policies listFlag
			fs.Var(&policies, "policy", "verify the plan against this policy `FILE` (default the files the plan names); repeat for several")
			override := overrideFlag(fs)
			output := runOutputFlag(fs)
			return func(ctx context.Context, args []string) error {
				const cmd = "apply"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				restore, err := a.startOutput(cmd, *output)
				if err != nil {
					return err
				}
				defer restore()
				if err := checkOverride(cmd, fs, *override, true); err != nil {
					return err
				}
				if *planFile == "" {
					return usagef(cmd, "--plan FILE is required")
				}
				sp, err := readPlan(*planFile, []byte(a.getenv(planKeyEnv)))
				if err != nil {
					if errors.Is(err, actions.ErrBadSignature) {
						return fmt.Errorf("%w: %w", actions.ErrPlanMismatch, err)
					}
					return err
				}
				files := sp.PolicyFiles
				if len(policies) > 0 {
					files = policies
				}
				if len(files) == 0 {
					return fmt.Errorf("%w: %s names no policy file; give the policy files it was made from with --policy", actions.ErrPlanMismatch, *planFile)
				}
				f, err := a.loadPolicies(cmd, files)
				if err != nil {
					return err
				}
				m, err := a.manager(cmd, f)
				if err != nil {
					return err
				}
				jp := journalPath(*journal, sp.Plan.ID)
				run, issue, err := a.applyApproval(ctx, m, sp.Plan, *planFile, jp, *wait, *every, *override)
				if err != nil {
					return err
				}
				return a.applied(run, sp.Plan, issue, jp)
			}
		},
	}
}

// approvalFile is where apply remembers the approval issue of a plan
// file: beside it. It is a hint: the issue is checked against the plan.
type approvalFile struct {
	Plan  string `json:"plan"`
	Issue string `json:"issue"`
}

// applyApproval applies plan, with the approval issue remembered beside
// planFile when there is one for this plan; a new approval issue is
// remembered there. With wait it polls the issue every interval until
// it is decided. It returns the run and the approval issue, if any.
func (a *app) applyApproval(ctx context.Context, m *usermgmt.Manager, plan *actions.Plan, planFile, journal string, wait bool, every time.Duration, override string) (*actions.Run, string, error) {
	side := planFile + ".approval"
	issue := ""
	if b, err := os.ReadFile(side); err == nil {
		var af approvalFile
		if json.Unmarshal(b, &af) == nil && af.Plan == plan.ID {
			issue = af.Issue
		}
	}
	for {
		run, err := m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: journal, ApprovalIssue: issue, OverrideLimits: override})
		ae, waiting := errors.AsType[*usermgmt.ApprovalRequiredError](err)
		if !waiting {
			return run, issue, err
		}
		if issue == "" && ae.IssueKey != "" {
			issue = ae.IssueKey
			b, _ := json.Marshal(approvalFile{Plan: plan.ID, Issue: issue})
			if werr := os.WriteFile(side, b, 0o600); werr != nil {
				fmt.Fprintf(a.stderr, "warning: the approval issue %s is not remembered: %v\n", issue, werr)
			}
		}
		if !wait {
			return nil, issue, err
		}
		fmt.Fprintf(a.stderr, "plan %s waits for approval on issue %s (status %s); reading it again in %s\n",
			plan.ID, issue, cmp.Or(ae.Status, "new"), every)
		select {
		case <-ctx.Done():
			return nil, issue, err
		case <-time.After(every):
		}
	}
}

func runCommand() *command {
	return &command{
		name:    "run",
		args:    "--policy FILE [--policy FILE ...] [--name POLICY ...] [--apply] [--journal FILE] [--override-limits REASON] [--output json]",
		summary: "plan policies and, with --apply, apply them",
		about: `Plan the policies, print the plan and its interaction report, and stop there:
without --apply, run is a dry run and changes nothing. With --apply the plan
is applied at once, as 'apply' would (limits, approval, journal, reports);
--override-limits "REASON" applies a plan over a blast-radius limit.
--output json writes the run document on stdout (as 'apply --output json'),
or the plan's JSON for a dry run, and the summary on stderr.`,
		examples: []string{
			prog + " --demo run --policy examples/policies/inactive-90-days.yaml",
			prog + " run --policy examples/policies/never-logged-in-30-days.yaml --apply --journal licences.journal",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var policies, names listFlag
			fs.Var(&policies, "policy", "a policy `FILE` (YAML or JSON); repeat for several")
			fs.Var(&names, "name", "run only the `POLICY` of this name; repeat for several (default all)")
			apply := fs.Bool("apply", false, "apply the plan (default: a dry run)")
			journal := fs.String("journal", "", "the journal `FILE` with --apply (default a new file in the temporary directory)")
			override := overrideFlag(fs)
			output := runOutputFlag(fs)
			return func(ctx context.Context, args []string) error {
				const cmd = "run"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				restore, err := a.startOutput(cmd, *output)
				if err != nil {
					return err
				}
				defer restore()
				if err := checkOverride(cmd, fs, *override, *apply); err != nil {
					return err
				}
				m, plan, err := a.planPolicies(ctx, cmd, policies, names)
				if err != nil {
					return err
				}
				return a.applyUnlessDry(ctx, m, plan, *apply, *journal, *override)
			}
		},
	}
}

func undoCommand() *command {
	return &command{
		name:    "undo",
		args:    "--journal FILE [--apply] [--policy FILE] [--output json]",
		summary: "reverse what a journaled run applied",
		about: `Read a run's journal and plan the reverse: reactivate the deactivated, re-add
removed groups, re-grant revoked licences, restore properties. Deletes,
password resets, invalidated sessions and filed issues cannot be undone and
are listed. Without --apply the undo plan is only printed. Undo acts only on
the site the run changed (the journal names it): the global flags' site, or
the policy file's site with that URL, with --policy. The undo is journaled to
FILE.undo: an interrupted undo resumes when run again, and a finished one
says "Already undone" and changes nothing. --output json writes the undo's run
document on stdout (the undo plan's JSON without --apply), the summary on
stderr.`,
		examples: []string{
			prog + " undo --journal plan.journal",
			prog + " undo --journal plan.journal --apply",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			journal := fs.String("journal", "", "the journal `FILE` of the run to undo")
			apply := fs.Bool("apply", false, "apply the undo plan (default: print it)")
			var policies listFlag
			fs.Var(&policies, "policy", "the policy `FILE` whose site the run changed")
			output := runOutputFlag(fs)
			return func(ctx context.Context, args []string) error {
				const cmd = "undo"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				restore, err := a.startOutput(cmd, *output)
				if err != nil {
					return err
				}
				defer restore()
				if *journal == "" {
					return usagef(cmd, "--journal FILE is required")
				}
				f, err := a.loadPolicies(cmd, policies)
				if err != nil {
					return err
				}
				m, err := a.manager(cmd, f)
				if err != nil {
					return err
				}
				plan, run, err := m.Undo(ctx, usermgmt.UndoOptions{Journal: *journal, Apply: *apply})
				if errors.Is(err, usermgmt.ErrAlreadyUndone) {
					fmt.Fprintf(a.stdout, "Already undone: %s records every step of this undo. Nothing was changed.\n", *journal+".undo")
					return nil
				}
				if plan != nil {
					fmt.Fprint(a.stdout, plan.Summary())
				}
				if err != nil {
					return err
				}
				if !*apply {
					fmt.Fprintln(a.stdout, "\nNothing was changed. Add --apply to undo.")
					return a.writeJSON(plan)
				}
				fmt.Fprintln(a.stdout)
				return a.applied(run, plan, "", *journal+".undo")
			}
		},
	}
}

func groupsCommand(add bool) *command {
	verb, name, action := "remove", "groups remove", actions.RemoveFromGroups
	summary := "remove the users a CSV file lists from a group"
	if add {
		verb, name, action = "add", "groups add", actions.AddToGroups
		summary = "add the users a CSV file lists to a group"
	}
	return &command{
		name:    name,
		args:    "GROUP --users-from FILE.csv [--apply] [--journal FILE]",
		summary: summary,
		about: `Ad-hoc bulk work: ` + verb + ` the users a CSV file lists (a header naming
username, key, accountId or email columns, or one column of identifiers)
` + map[bool]string{true: "to", false: "from"}[add] + ` GROUP. Rows naming nobody, several users or a user named
before are listed and skipped. Without --apply only the plan is printed;
administrators and the account the tool runs as are never changed.`,
		examples: []string{
			prog + " groups " + verb + " jira-software-users --users-from leavers.csv",
			prog + " groups " + verb + " jira-software-users --users-from leavers.csv --apply",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			from := fs.String("users-from", "", "the CSV `FILE` listing the users")
			apply := fs.Bool("apply", false, "apply the plan (default: print it)")
			journal := fs.String("journal", "", "the journal `FILE` with --apply (default a new file in the temporary directory)")
			return func(ctx context.Context, args []string) error {
				cmd := name
				switch {
				case len(args) != 1:
					return usagef(cmd, "want one GROUP, got %d arguments", len(args))
				case *from == "":
					return usagef(cmd, "--users-from FILE.csv is required")
				}
				group := args[0]
				fh, err := os.Open(*from)
				if err != nil {
					return err
				}
				sel, err := actions.ReadSelection(fh)
				_ = fh.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", *from, err)
				}
				m, err := a.manager(cmd, nil)
				if err != nil {
					return err
				}
				plan, _, err := m.PlanPolicies(ctx, actions.Policy{Name: "groups-" + verb + "-" + group, Selection: sel, Action: action(group)})
				if err != nil {
					return err
				}
				fmt.Fprint(a.stdout, plan.Summary())
				if err := a.applyUnlessDry(ctx, m, plan, *apply, *journal, ""); err != nil {
					return err
				}
				if n := len(plan.Problems); n > 0 {
					// The rows were listed once, above; the others were
					// planned (and applied with --apply).
					return fmt.Errorf("%s: %d rows skipped (unknown users, duplicates): see the selection problems above", *from, n)
				}
				return nil
			}
		},
	}
}

func insightsCommand() *command {
	return &command{
		name:    "insights",
		args:    "[--html FILE] [--recent DAYS]",
		summary: "user levels, licences and tiers, login recency",
		about: `Summarise the site's users: how many are active, when they last logged in,
each licence's seats against its pricing tier. --html writes the HTML report
with its charts (user levels over time, licences, login recency) to FILE: a
self-contained page that opens offline.`,
		examples: []string{
			prog + " --demo insights --html insights.html",
			prog + " insights --recent 30",
		},
		flags: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			html := fs.String("html", "", "write the HTML report to `FILE` (- for stdout)")
			recent := fs.Int("recent", 90, "logged in within `DAYS` counts as recent")
			output := fs.String("output", "text", "print the insights as `FORMAT`: text or json (the server's GET /api/v1/insights shape)")
			tiersFlag := fs.String("tiers", "", "your licence tiers as comma-separated user `COUNTS`, e.g. 500,1000,2000\n(default: the flavour's indicative public tiers) (env SEATWARDEN_TIERS)")
			return func(ctx context.Context, args []string) error {
				const cmd = "insights"
				if err := noArgs(cmd, args); err != nil {
					return err
				}
				var tiers *insights.TierTable
				if list := cmp.Or(*tiersFlag, a.getenv("SEATWARDEN_TIERS")); list != "" {
					t, err := insights.ParseTierTable("your own", list)
					if err != nil {
						return usagef(cmd, "--tiers: %v", err)
					}
					tiers = &t
				}
				if *recent <= 0 {
					return usagef(cmd, "--recent %d: want a positive number of days", *recent)
				}
				if *output != "text" && *output != "json" {
					return usagef(cmd, "--output %q: want text or json", *output)
				}
				c, err := a.connect(ctx, cmd)
				if err != nil {
					return err
				}
				now := a.now()
				var users []jira.User
				pr := a.progress()
				for u, err := range c.Snapshot(ctx, jira.SnapshotOptions{LastLogin: true, Licences: true}) {
					if err != nil {
						pr.done()
						return err
					}
					users = append(users, u)
					pr.tick()
				}
				pr.done()
				s, _ := a.site(cmd)
				seats, err := insights.SiteSeats(ctx, c) // the site's licences win over seats counted from users
				if err != nil {
					fmt.Fprintf(a.stderr, "The site's licences could not be read (%v): seats are counted from the users.\n", err)
				}
				in, err := insights.New(ctx, insights.Options{Site: s.URL, Flavor: c.Flavor(), Now: now, Users: users, RecentDays: *recent,
					Tiers: tiers, Seats: seats})
				if err != nil {
					return err
				}
				r := &report.Report{Site: s.URL, Flavor: c.Flavor(), Started: now, Finished: now, Insights: in,
					Counts: map[actions.Outcome]int{}}
				text := func(w io.Writer) error {
					if *output == "json" {
						return insights.WriteJSON(w, in)
					}
					writeInsights(w, in)
					return nil
				}
				if *html == "-" {
					// The page is stdout: the text goes to stderr.
					if err := text(a.stderr); err != nil {
						return err
					}
					return report.WriteHTML(a.stdout, r)
				}
				if err := text(a.stdout); err != nil {
					return err
				}
				if *html == "" {
					return nil
				}
				if err := writeFile(*html, func(w io.Writer) error { return report.WriteHTML(w, r) }); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "\nHTML report: %s\n", *html)
				return nil
			}
		},
	}
}

// writeInsights writes insights as text.
func writeInsights(w io.Writer, in *insights.Insights) {
	s := in.Summary
	fmt.Fprintf(w, "Users of %s on %s\n", in.Site, in.Now.Format("2006-01-02"))
	fmt.Fprintf(w, "  %d people: %d active, %d inactive\n", s.Total, s.Active, s.Inactive)
	fmt.Fprintf(w, "  active: %d logged in within %d days, %d never logged in, %d last login unknown\n",
		s.Recent(in.RecentDays), in.RecentDays, s.NeverLoggedIn, s.LoginUnknown)
	if n := len(in.Levels); n > 0 {
		first, last := in.Levels[0], in.Levels[n-1]
		fmt.Fprintf(w, "\nUser level (active people), %s → %s:\n", first.Week.Format("2006-01-02"), last.Week.Format("2006-01-02"))
		fmt.Fprintf(w, "  %d → %d (recent %d → %d, not recent %d → %d, never %d → %d)\n", first.Active(), last.Active(),
			first.Recent, last.Recent, first.NotRecent, last.NotRecent, first.Never, last.Never)
	}
	fmt.Fprintln(w, "\nLast login (active people):")
	total := 0
	for _, b := range in.Recency {
		total += b.Users
	}
	for _, b := range in.Recency {
		bar := ""
		if total > 0 {
			bar = strings.Repeat("█", (b.Users*40+total-1)/total)
		}
		fmt.Fprintf(w, "  %-18s %5d %s\n", b.Label, b.Users, bar)
	}
	if len(in.Licences) > 0 {
		fmt.Fprintf(w, "\nLicences (%s tiers):\n", in.Tiers.Name)
		for _, l := range in.Licences {
			fmt.Fprintf(w, "  %s\n", l.Sentence())
		}
	}
	if len(in.Recommendations) > 0 {
		fmt.Fprintln(w, "\nWhat to do:")
		for _, r := range in.Recommendations {
			fmt.Fprintf(w, "  - %s\n", r.Text)
		}
	}
}

// writeFile writes a file through fn, creating its directory.
func writeFile(path string, fn func(io.Writer) error) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(fh); err != nil {
		_ = fh.Close()
		return err
	}
	return fh.Close()
}

// planPolicies loads the policy files named by --policy, plans the
// policies named by --name (all by default) together, and prints the plan.
func (a *app) planPolicies(ctx context.Context, cmd string, policies, names []string) (*usermgmt.Manager, *actions.Plan, error) {
	if len(policies) == 0 {
		return nil, nil, usagef(cmd, "--policy FILE is required")
	}
	f, err := a.loadPolicies(cmd, policies)
	if err != nil {
		return nil, nil, err
	}
	m, err := a.manager(cmd, f)
	if err != nil {
		return nil, nil, err
	}
	plan, _, err := m.Plan(ctx, names...)
	if err != nil {
		return nil, nil, err
	}
	a.printPlan(plan)
	a.directoryNote(f, plan) // directories.go
	return m, plan, nil
}
