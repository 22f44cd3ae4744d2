package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// Report is one run as the sinks see it: what was done (the step
// results), to which site, under which policies, and optionally the plan,
// the snapshot of users and the insights to show with it. Build one with
// [FromRun]; the sinks only read it.
type Report struct {
	RunID  string
	PlanID string
	// Policies are the names of the policies the plan applied, sorted.
	Policies []string
	Site     string
	Flavor   jira.Flavor
	DryRun   bool
	Resumed  bool
	Started  time.Time
	Finished time.Time
	// Results are the outcomes of the steps, in the order of the run.
	Results []actions.Result
	// Counts are the results by outcome.
	Counts map[actions.Outcome]int
	// ApprovalIssue is the key of the issue that approved the run, if
	// any; the [Comment] sink comments on it.
	ApprovalIssue string
	// LimitOverride is the blast-radius limit the run went over and the
	// reason given for it, when it did (actions.ApplyOptions.OverrideLimits).
	LimitOverride *actions.LimitOverride
	// Plan is the plan the run applied, when known: the CSV plan export
	// and the per-step policy names come from it.
	Plan *actions.Plan
	// Users is the snapshot the plan was made from, when known: the users
	// export and the freed seats come from it.
	Users []jira.User
	// Insights are the numbers and charts the HTML report and the email
	// show besides the run (package report/insights builds them); nil
	// leaves them out.
	Insights Insights
}

// Insights is what a report shows besides the run — the site's users,
// licences and charts — in the HTML page ([WriteHTML]) and the email.
// *insights.Insights (package report/insights) is one. This package only
// places what an Insights renders, so that a program that writes run
// logs links no charting library.
type Insights interface {
	// PageHTML returns the page's sections about the site: trusted HTML,
	// in which the implementation has escaped what it shows. Images are
	// inline (SVG), so that the page stays self-contained.
	PageHTML() (template.HTML, error)
	// EmailHTML returns the same sections for email: each image is an
	// <img src="cid:NAME"> of one of Images, since most mail clients
	// show no SVG.
	EmailHTML() (template.HTML, error)
	// Text returns the sections' findings as plain-text lines, for the
	// email's text part.
	Text() string
	// Images returns the images EmailHTML refers to.
	Images() []Image
}

// Image is an image an email carries inline, referred to by Content-ID.
type Image struct {
	// Name is the image's file name and Content-ID, e.g. "levels.png".
	Name        string
	ContentType string
	Data        []byte
}

// FromRun builds the report of a run of plan (plan may be nil).
func FromRun(run *actions.Run, plan *actions.Plan) *Report {
	r := &Report{
		RunID: run.ID, PlanID: run.PlanID, DryRun: run.DryRun, Resumed: run.Resumed,
		Started: run.Started, Finished: run.Finished,
		Results: run.Results, Counts: maps.Clone(run.Counts), Plan: plan, LimitOverride: run.LimitOverride,
	}
	if r.Counts == nil {
		r.Counts = map[actions.Outcome]int{}
		for _, res := range run.Results {
			r.Counts[res.Outcome]++
		}
	}
	if plan != nil {
		r.Site, r.Flavor = plan.Site, plan.Flavor
		for _, p := range plan.Policies {
			r.Policies = append(r.Policies, p.Name)
		}
		slices.Sort(r.Policies)
	}
	return r
}

// outcomeOrder is the order outcomes are listed in, everywhere.
var outcomeOrder = []actions.Outcome{actions.Planned, actions.Applied, actions.NoOp, actions.Exempt,
	actions.Stale, actions.Failed, actions.Skipped, actions.Refused}

// Outcomes returns the outcomes the report has results for, in the
// canonical order (planned, applied, noop, exempt, stale, failed, skipped,
// refused, then any other sorted).
func (r *Report) Outcomes() []actions.Outcome {
	var out []actions.Outcome
	for _, o := range outcomeOrder {
		if r.Counts[o] > 0 {
			out = append(out, o)
		}
	}
	var rest []actions.Outcome
	for o, n := range r.Counts {
		if n > 0 && !slices.Contains(outcomeOrder, o) {
			rest = append(rest, o)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// CountsText returns the counts as "12 applied, 1 failed", or "no steps".
func (r *Report) CountsText() string {
	var parts []string
	for _, o := range r.Outcomes() {
		parts = append(parts, fmt.Sprintf("%d %s", r.Counts[o], o))
	}
	if len(parts) == 0 {
		return "no steps"
	}
	return strings.Join(parts, ", ")
}

// Title returns a one-line title: "Run of inactive-90-days: 12 applied,
// 1 failed" ("Dry run of …" for a dry run).
func (r *Report) Title() string {
	if r.InsightsOnly() {
		return "Insights of " + cmp.Or(r.Site, "the site") + " on " + r.Finished.Format(time.DateOnly)
	}
	mode := "Run"
	if r.DryRun {
		mode = "Dry run"
	}
	what := "plan " + r.PlanID
	if len(r.Policies) > 0 {
		what = strings.Join(r.Policies, ", ")
	}
	return fmt.Sprintf("%s of %s: %s", mode, what, r.CountsText())
}

// InsightsOnly reports whether the report is a site's insights alone
// (the CLI's insights --html, the server's /insights): no plan, no run.
func (r *Report) InsightsOnly() bool {
	return r.PlanID == "" && r.RunID == "" && len(r.Results) == 0 && r.Insights != nil
}

// Users with steps that failed are what admins look at first.
func (r *Report) failures() []actions.Result {
	var out []actions.Result
	for _, res := range r.Results {
		if res.Outcome == actions.Failed || res.Outcome == actions.Refused || res.Outcome == actions.Stale {
			out = append(out, res)
		}
	}
	return out
}

// policiesOf returns the policies that selected a user, from the plan.
func (r *Report) policiesOf() func(id string) []string {
	if r.Plan == nil {
		return func(string) []string { return nil }
	}
	m := make(map[string][]string, len(r.Plan.Users))
	for _, up := range r.Plan.Users {
		m[up.User.ID()] = up.Policies
	}
	return func(id string) []string { return m[id] }
}

// Sink is a destination of run reports: a log file, a CSV file, an email,
// a comment on the approval issue, an HTML page. Write is called once per
// run and must not keep r after it returns. A sink is safe for use by one
// run at a time unless its documentation says more.
type Sink interface {
	// Name names the sink in logs and errors, e.g. "jsonl runs.jsonl".
	Name() string
	Write(ctx context.Context, r *Report) error
}

// Delivery is what one sink of a [Fanout] did with a report.
type Delivery struct {
	Sink     string
	Err      error
	Duration time.Duration
}

// SinkError is the error of a [Fanout] some of whose sinks failed: the
// failed deliveries, each with its sink's name. The report itself is not
// lost: the other sinks still ran.
type SinkError struct {
	Failed []Delivery
}

// Error lists the failed sinks with their errors.
func (e *SinkError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, d := range e.Failed {
		parts[i] = d.Sink + ": " + d.Err.Error()
	}
	return "report: " + fmt.Sprint(len(e.Failed)) + " sink(s) failed: " + strings.Join(parts, "; ")
}

// Unwrap returns the sinks' errors, for errors.Is and errors.As.
func (e *SinkError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, d := range e.Failed {
		errs[i] = d.Err
	}
	return errs
}

// Fanout writes a report to several sinks, one after the other, in order.
// A sink that fails — or panics — is logged and reported, and the sinks
// after it still run: a broken mail server never costs the run log.
type Fanout struct {
	sinks  []Sink
	logger *slog.Logger
}

// NewFanout returns a fan-out to sinks that logs failures to logger (nil
// discards them).
func NewFanout(logger *slog.Logger, sinks ...Sink) *Fanout {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Fanout{sinks: slices.Clone(sinks), logger: logger}
}

// Name returns "fanout".
func (f *Fanout) Name() string { return "fanout" }

// Deliver writes r to every sink and returns what each did.
func (f *Fanout) Deliver(ctx context.Context, r *Report) []Delivery {
	out := make([]Delivery, 0, len(f.sinks))
	for _, s := range f.sinks {
		start := time.Now()
		err := safeWrite(ctx, s, r)
		d := Delivery{Sink: s.Name(), Err: err, Duration: time.Since(start)}
		if err != nil {
			f.logger.LogAttrs(ctx, slog.LevelError, "report sink failed",
				slog.String("run_id", r.RunID), slog.String("sink", d.Sink), slog.String("error", err.Error()))
		} else {
			f.logger.LogAttrs(ctx, slog.LevelDebug, "report sink written",
				slog.String("run_id", r.RunID), slog.String("sink", d.Sink), slog.Duration("duration", d.Duration))
		}
		out = append(out, d)
	}
	return out
}

// Write writes r to every sink; the error, when some failed, is a
// *[SinkError].
func (f *Fanout) Write(ctx context.Context, r *Report) error {
	var failed []Delivery
	for _, d := range f.Deliver(ctx, r) {
		if d.Err != nil {
			failed = append(failed, d)
		}
	}
	if failed != nil {
		return &SinkError{Failed: failed}
	}
	return nil
}

// ErrPanic wraps the value of a sink that panicked.
var ErrPanic = errors.New("report: sink panicked")

func safeWrite(ctx context.Context, s Sink, r *Report) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, v)
		}
	}()
	return s.Write(ctx, r)
}
