package actions

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/seatwarden/seatwarden/jira"
)

// Outcome is what happened to one step.
type Outcome string

// The outcomes of a step.
const (
	// Applied: the step was written (or found done after an interruption).
	Applied Outcome = "applied"
	// NoOp: the step was already done when the plan was made.
	NoOp Outcome = "noop"
	// Exempt: the user is protected at apply time (the account the tool
	// runs as, an administrator).
	Exempt Outcome = "exempt"
	// Stale: the user changed since the plan (logged in, reactivated,
	// moved group); nothing was written to the user.
	Stale Outcome = "stale"
	// Failed: the write failed; Result.Err keeps the typed error.
	Failed Outcome = "failed"
	// Refused: the plan exceeds its blast-radius limit (nothing was
	// written to anyone), or the step is not one its policies would plan
	// now (nothing was written to that user); Message says which.
	Refused Outcome = "refused"
	// Skipped: an earlier step of the same user failed.
	Skipped Outcome = "skipped"
	// Planned: a dry run; the step would be applied.
	Planned Outcome = "planned"
)

// final reports whether a step with this outcome is done with: a resumed
// run repeats only failed and skipped steps (after checking their effect).
func (o Outcome) final() bool { return o != Failed && o != Skipped && o != "" }

// ErrInDoubt is the error of a step whose write may or may not have
// happened and whose effect cannot be read back (an issue whose creation
// was interrupted): it is not repeated, so as not to file it twice.
var ErrInDoubt = errors.New("actions: the step may have been applied; not repeated")

// ErrUserGone is the error of a step for a user who no longer exists.
var ErrUserGone = errors.New("actions: the user no longer exists")

// ApplyOptions configure [Apply].
type ApplyOptions struct {
	// Journal makes the run resumable; without one a killed run cannot be
	// resumed safely. Apply appends to it and does not close it.
	Journal *Journal
	// Concurrency is how many users are worked on at once (default 4).
	// Each user's steps run in order; every request waits for the site
	// client's own rate limiter, which the workers share.
	Concurrency int
	// Now is the clock (default time.Now); it fills in {{now}}.
	Now func() time.Time
	// Logger receives a record per step, each with the run_id attribute
	// (default: discard). No password is ever logged.
	Logger *slog.Logger
	// Progress, when set, is called after each user, from one goroutine
	// at a time.
	Progress func(Progress)
	// Passwords gives the passwords of reset-password steps; default a
	// random 24-character password from crypto/rand.
	Passwords PasswordSource
	// DryRun reads but does not write: it checks the limits, re-reads the
	// users to report stale and protected ones, and reports every other
	// step as Planned. Nothing is journaled.
	DryRun bool
	// MaxAttempts bounds the attempts of a step whose failure leaves its
	// effect unknown (network error, 5xx, rate limit): before each retry
	// the user is re-read and the step is not repeated if its effect is
	// there (default 5).
	MaxAttempts int
	// RunID is the run's id; default a new UUID v7.
	RunID string
	// Mailer sends the email of notify steps; without one they fail
	// with [ErrNoMailer] (a dry run says they cannot be delivered).
	Mailer Mailer
	// NoFingerprints accepts plan entries without a fingerprint (undo
	// plans, made from a journal, have none): such users are still read
	// again and protected ones left alone, but not checked for changes.
	// Otherwise a user without a fingerprint is [Refused].
	NoFingerprints bool
	// OverrideLimits is a person's reason for applying a plan above its
	// blast-radius limits. Empty (or only spaces), a plan over a limit is
	// refused; otherwise Apply goes ahead and records the limit it went
	// over and the reason in the run ([Run].LimitOverride), in the
	// journal's run entry and in the log. A plan within its limits
	// ignores it.
	OverrideLimits string
}

// LimitOverride is a blast-radius limit a run went over with a person's
// reason ([ApplyOptions].OverrideLimits).
type LimitOverride struct {
	// Reason is the reason given for the override.
	Reason string `json:"reason"`
	// Limit is what the override lifted: for each limit exceeded, the
	// policy, the users it changes and the limit ([LimitError.Exceeded]),
	// joined by "; ".
	Limit string `json:"limit"`
}

// Progress reports how far a run is.
type Progress struct {
	UsersDone, Users int
	User             Identity
	Outcomes         []Outcome
}

// Result is the outcome of one step.
type Result struct {
	StepID  string   `json:"stepId"`
	User    Identity `json:"user"`
	Step    Step     `json:"step"`
	Outcome Outcome  `json:"outcome"`
	// Message says more: why a step is stale, "deactivated instead: …".
	Message string `json:"message,omitempty"`
	// Err is the typed error of a failed step; Error its message.
	Err   error  `json:"-"`
	Error string `json:"error,omitempty"`
}

// Run is what applying a plan did.
type Run struct {
	ID       string          `json:"id"`
	PlanID   string          `json:"planId"`
	DryRun   bool            `json:"dryRun,omitempty"`
	Resumed  bool            `json:"resumed,omitempty"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished"`
	Results  []Result        `json:"results"`
	Counts   map[Outcome]int `json:"counts"`
	Issue    *jira.Issue     `json:"issue,omitempty"`
	// LimitOverride is set when the run went over a blast-radius limit
	// with a reason ([ApplyOptions].OverrideLimits).
	LimitOverride *LimitOverride   `json:"limitOverride,omitempty"`
	counts        map[StepKind]int // applied, by kind, for the run issue
}

// Summary describes the run for a person.
func (r *Run) Summary() string {
	var b strings.Builder
	mode := "Run"
	if r.DryRun {
		mode = "Dry run"
	}
	fmt.Fprintf(&b, "%s of plan %s: %d steps", mode, r.PlanID, len(r.Results))
	outs := []Outcome{Planned, Applied, NoOp, Exempt, Stale, Failed, Skipped, Refused}
	var parts []string
	for _, o := range outs {
		if n := r.Counts[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	if o := r.LimitOverride; o != nil {
		fmt.Fprintf(&b, "Limits overridden: %s; reason: %s\n", o.Limit, o.Reason)
	}
	for _, res := range r.Results {
		if res.Outcome == Applied || res.Outcome == NoOp || res.Outcome == Planned && res.Message == "" {
			if res.Message == "" {
				continue
			}
		}
		line := fmt.Sprintf("  %s %s: %s", res.User, res.Step, res.Outcome)
		if res.Message != "" {
			line += " — " + res.Message
		}
		if res.Error != "" {
			line += " — " + res.Error
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// Apply applies a plan to a site. It refuses a plan above its
// blast-radius limits (a [*LimitError], matching [ErrLimitExceeded])
// before any write. Users are worked on concurrently, each user's steps in
// order; before the first step of a user the user is re-read: if the facts
// the plan used have changed the user's steps are skipped as [Stale], if
// the user is protected now as [Exempt], and an entry without fingerprint
// is [Refused] (unless [ApplyOptions].NoFingerprints). Apply trusts the
// plan's steps: verify a plan that anyone could have edited against its
// policies first ([Verify]; usermgmt's Manager does). With a journal, a run that was killed is
// resumed by calling Apply again with the same plan and journal: steps
// with an outcome are not repeated, and a step that was started but has
// no outcome is checked on the site before it is written again.
//
// The error is for the run as a whole (limits, a journal of another plan,
// a journal that cannot be written, a cancelled context); the outcome of
// each step, failures included, is in the [Run].
func Apply(ctx context.Context, site Site, plan *Plan, opts ApplyOptions) (*Run, error) {
	if site.Flavor() != plan.Flavor {
		return nil, fmt.Errorf("actions: the plan is for a %s site, not %s", plan.Flavor, site.Flavor())
	}
	for _, u := range plan.Users {
		for _, s := range u.Steps {
			if !s.Kind.Valid() {
				return nil, fmt.Errorf("actions: plan step %q for %s is unknown", s.Kind, u.User.ID())
			}
		}
	}
	a := &applier{site: site, plan: plan, opts: opts}
	if a.opts.Now == nil {
		a.opts.Now = time.Now
	}
	if a.opts.Concurrency <= 0 {
		a.opts.Concurrency = 4
	}
	if a.opts.MaxAttempts <= 0 {
		a.opts.MaxAttempts = 5
	}
	if a.opts.Passwords == nil {
		a.opts.Passwords = RandomPassword
	}
	if a.opts.RunID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("actions: run id: %w", err)
		}
		a.opts.RunID = id.String()
	}
	log := cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	a.log = log.With(slog.String("run_id", a.opts.RunID), slog.String("plan_id", plan.ID), slog.Bool("dry_run", opts.DryRun))
	run := &Run{ID: a.opts.RunID, PlanID: plan.ID, DryRun: opts.DryRun, Started: a.opts.Now(),
		Counts: map[Outcome]int{}, counts: map[StepKind]int{}}
	a.run = run
	var override *LimitOverride
	exceeded := plan.overLimits()
	over := len(exceeded) > 0
	if over && strings.TrimSpace(opts.OverrideLimits) != "" {
		limits := make([]string, len(exceeded))
		for i, le := range exceeded {
			limits[i] = le.Exceeded()
		}
		override = &LimitOverride{Reason: strings.TrimSpace(opts.OverrideLimits), Limit: strings.Join(limits, "; ")}
		run.LimitOverride = override
		a.log.LogAttrs(ctx, slog.LevelWarn, "limits overridden", slog.String("limit", override.Limit), slog.String("reason", override.Reason))
	} else if over {
		var err error = exceeded[0]
		for _, u := range plan.Users {
			for i, s := range u.Steps {
				run.Results = append(run.Results, Result{StepID: stepID(u.User, i), User: u.User, Step: s, Outcome: Refused, Err: err, Error: err.Error()})
			}
		}
		a.finish()
		a.log.LogAttrs(ctx, slog.LevelError, "plan refused", slog.String("error", err.Error()))
		return run, err
	}
	var err error
	if opts.Journal != nil && !opts.DryRun {
		if a.state, err = readState(opts.Journal.Entries(), plan.ID); err != nil {
			return nil, err
		}
		run.Resumed = len(opts.Journal.Entries()) > 0
		if err := a.journal(JournalEntry{Type: EntryRun, Flavor: plan.Flavor, Site: plan.Site, LimitOverride: override}); err != nil {
			return nil, err
		}
	} else {
		a.state, _ = readState(nil, plan.ID)
	}
	me, err := site.Myself(ctx)
	if err != nil {
		return nil, fmt.Errorf("actions: reading the account the tool runs as: %w", err)
	}
	a.myself = me
	a.prefetch(ctx)
	results := make([][]Result, len(plan.Users))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var progressMu sync.Mutex
	done := 0
	for range a.opts.Concurrency {
		wg.Go(func() {
			for i := range jobs {
				results[i] = a.user(ctx, &plan.Users[i])
				if opts.Progress != nil {
					progressMu.Lock()
					done++
					outs := make([]Outcome, len(results[i]))
					for k, r := range results[i] {
						outs[k] = r.Outcome
					}
					opts.Progress(Progress{UsersDone: done, Users: len(plan.Users), User: plan.Users[i].User, Outcomes: outs})
					progressMu.Unlock()
				}
			}
		})
	}
feed:
	for i := range plan.Users {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for _, rs := range results {
		run.Results = append(run.Results, rs...)
	}
	if err := ctx.Err(); err != nil {
		a.finish()
		return run, err
	}
	if a.journalErr != nil {
		a.finish()
		return run, a.journalErr
	}
	if plan.RunIssue != nil {
		run.Results = append(run.Results, a.runIssue(ctx))
	}
	a.finish()
	attrs := []slog.Attr{slog.Any("counts", run.Counts)}
	if override != nil {
		attrs = append(attrs, slog.String("limit_override", override.Reason))
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "run finished", attrs...)
	return run, a.journalErr
}

type applier struct {
	site   Site
	plan   *Plan
	opts   ApplyOptions
	log    *slog.Logger
	run    *Run
	state  *journalState
	myself jira.User

	mu         sync.Mutex
	journalErr error

	// fresh holds the users re-read in bulk before the run (by ref value),
	// when the site is a [jira.BulkUserReader]; asked lists the refs read.
	fresh map[string]jira.User
	asked map[string]bool
}

// prefetch re-reads in bulk the users whose destructive steps need the
// stale re-check, when the site can: a few requests for hundreds of users
// instead of one each. On failure each user is re-read on its own.
func (a *applier) prefetch(ctx context.Context) {
	bulk, ok := a.site.(jira.BulkUserReader)
	if !ok {
		return
	}
	var refs []jira.UserRef
	for i := range a.plan.Users {
		up := &a.plan.Users[i]
		if up.Fingerprint == "" || a.state.verified[up.User.ID()] || !slices.ContainsFunc(up.Steps, func(s Step) bool { return s.Kind.Destructive() }) {
			continue
		}
		if ref, ok := up.User.Ref(a.plan.Flavor); ok {
			refs = append(refs, ref)
		}
	}
	if len(refs) < 2 {
		return
	}
	fresh, err := bulk.ReadUsers(ctx, refs)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "bulk re-read failed; re-reading users one by one", slog.String("error", err.Error()))
		return
	}
	a.fresh, a.asked = fresh, make(map[string]bool, len(refs))
	for _, r := range refs {
		a.asked[r.Value()] = true
	}
}

func (a *applier) finish() {
	a.run.Finished = a.opts.Now()
	for _, r := range a.run.Results {
		a.run.Counts[r.Outcome]++
	}
}

func stepID(u Identity, i int) string { return fmt.Sprintf("%s#%d", u.ID(), i) }

const runIssueID = "#run-issue"

func (a *applier) journal(e JournalEntry) error {
	if a.opts.Journal == nil || a.opts.DryRun {
		return nil
	}
	e.Time = a.opts.Now().UTC()
	e.Run = a.opts.RunID
	e.Plan = a.plan.ID
	err := a.opts.Journal.append(e)
	if err != nil {
		a.mu.Lock()
		if a.journalErr == nil {
			a.journalErr = err
		}
		a.mu.Unlock()
	}
	return err
}

func (a *applier) journalBroken() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.journalErr != nil
}

// user applies one user's steps.
func (a *applier) user(ctx context.Context, up *UserPlan) []Result {
	out := make([]Result, 0, len(up.Steps)+len(up.NoOps))
	for _, s := range up.NoOps {
		out = append(out, Result{StepID: up.User.ID() + "#noop", User: up.User, Step: s, Outcome: NoOp, Message: s.NoOp})
	}
	results := make([]Result, len(up.Steps))
	pending := false
	for i, s := range up.Steps {
		id := stepID(up.User, i)
		results[i] = Result{StepID: id, User: up.User, Step: s}
		if e, ok := a.state.final[id]; ok {
			if e.Step == nil || e.Step.Kind != s.Kind || e.Step.Target() != s.Target() {
				results[i].Outcome, results[i].Err = Failed, errJournalMismatch
				results[i].Error = errJournalMismatch.Error()
				continue
			}
			results[i].Outcome, results[i].Message, results[i].Error = e.Outcome, e.Message, e.Error
			continue
		}
		pending = true
	}
	if !pending {
		return append(out, results...)
	}
	ref, ok := up.User.Ref(a.plan.Flavor)
	endAll := func(o Outcome, msg string, err error) []Result {
		for i := range results {
			if results[i].Outcome != "" {
				continue
			}
			results[i].Outcome, results[i].Message, results[i].Err = o, msg, err
			if err != nil {
				results[i].Error = err.Error()
			}
			a.record(ctx, &results[i], nil)
		}
		return append(out, results...)
	}
	if !ok {
		return endAll(Failed, "", fmt.Errorf("actions: %s has no %s identity", up.User, a.plan.Flavor))
	}
	u := up.User.user()
	if sameUser(&u, &a.myself) {
		return endAll(Exempt, "protected: the account the tool runs as", nil)
	}
	if up.Fingerprint == "" && !a.opts.NoFingerprints {
		return endAll(Refused, "not applied: the plan entry has no fingerprint, so the user cannot be checked", nil)
	}
	// Every user is read again before its first write, whatever its
	// steps: a user who changed, or became an administrator, since the
	// plan is not written to. A resumed run does not compare the
	// fingerprint of a user the journal says was verified (the run's own
	// steps changed it), but checks the protections all the same.
	verified := a.state.verified[up.User.ID()]
	cur, err := a.read(ctx, ref)
	switch {
	case errors.Is(err, jira.ErrNotFound) && verified && slices.ContainsFunc(up.Steps, func(s Step) bool { return s.Kind == KindDelete }):
		// Deleted by the interrupted run: the steps' effects say so.
	case errors.Is(err, jira.ErrNotFound):
		return endAll(Stale, "the user no longer exists", nil)
	case err != nil:
		return endAll(Failed, "re-reading the user", err)
	default:
		if up.Fingerprint != "" && !verified {
			if fp := Fingerprint(&cur, a.plan.Finger); fp != up.Fingerprint {
				return endAll(Stale, "changed since the plan ("+a.changed(&cur)+")", nil)
			}
		}
		if why := protected(&cur, a.plan.Flavor, &a.myself, nil); why != "" {
			return endAll(Exempt, why, nil)
		}
	}
	if a.opts.DryRun {
		for i := range results {
			if s := results[i].Step; s.Kind == KindNotify && results[i].Outcome == "" {
				if err := a.canNotify(s); err != nil {
					results[i].Message = "cannot be delivered: " + strings.TrimPrefix(err.Error(), "actions: notify: ")
				}
			}
		}
		for i := range results {
			if results[i].Outcome == "" {
				results[i].Outcome = Planned
				a.record(ctx, &results[i], nil)
			}
		}
		return append(out, results...)
	}
	if !verified {
		if err := a.journal(JournalEntry{Type: EntryVerified, User: &up.User}); err != nil {
			return endAll(Failed, "", err)
		}
	}
	failed := false
	for i := range results {
		r := &results[i]
		if r.Outcome != "" {
			continue
		}
		if failed {
			r.Outcome, r.Message = Skipped, "an earlier step of this user failed"
			a.record(ctx, r, nil)
			continue
		}
		if ctx.Err() != nil || a.journalBroken() {
			// Leave the step without outcome: a resumed run does it.
			r.Outcome, r.Message = Skipped, "the run stopped"
			continue
		}
		a.step(ctx, ref, up, i, r)
		if r.Outcome == Failed {
			failed = true
		}
	}
	return append(out, results...)
}

// changed describes how the user differs from what the plan saw, as far
// as the fingerprint can tell.
func (a *applier) changed(cur *jira.User) string {
	var parts []string
	if !cur.Active {
		parts = append(parts, "inactive now")
	} else {
		parts = append(parts, "active now")
	}
	if a.plan.Finger.LastLogin {
		parts = append(parts, "last login "+cur.LastLogin.String())
	}
	return "fingerprint differs: " + strings.Join(parts, ", ")
}

func (a *applier) read(ctx context.Context, ref jira.UserRef) (jira.User, error) {
	if a.asked[ref.Value()] {
		if u, ok := a.fresh[ref.Value()]; ok {
			return u, nil
		}
		return jira.User{}, fmt.Errorf("actions: %s: %w", ref, jira.ErrNotFound)
	}
	var err error
	for attempt := range a.opts.MaxAttempts {
		var u jira.User
		if u, err = a.site.User(ctx, ref); err == nil || !uncertain(err) {
			return u, err
		}
		if !a.wait(ctx, err, attempt) {
			break
		}
	}
	return jira.User{}, err
}

// record logs a result and journals its outcome.
func (a *applier) record(ctx context.Context, r *Result, extra *JournalEntry) {
	e := JournalEntry{Type: EntryOutcome, StepID: r.StepID, User: &r.User, Step: &r.Step, Outcome: r.Outcome,
		Message: r.Message, Error: r.Error}
	if extra != nil {
		e.Value, e.Previous, e.Fallback = extra.Value, extra.Previous, extra.Fallback
	}
	level := slog.LevelInfo
	if r.Outcome == Failed {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{slog.String("user", r.User.ID()), slog.String("action", r.Step.String()),
		slog.String("outcome", string(r.Outcome))}
	if r.Message != "" {
		attrs = append(attrs, slog.String("message", r.Message))
	}
	if r.Error != "" {
		attrs = append(attrs, slog.String("error", r.Error))
	}
	a.log.LogAttrs(ctx, level, "step", attrs...)
	if r.Outcome == Applied {
		a.mu.Lock()
		a.run.counts[r.Step.Kind]++
		a.mu.Unlock()
	}
	if r.Outcome != Planned {
		_ = a.journal(e) // a journal error stops the run; see journalBroken
	}
}

// step applies one step, recording it.
func (a *applier) step(ctx context.Context, ref jira.UserRef, up *UserPlan, i int, r *Result) {
	s := r.Step
	extra := &JournalEntry{Previous: s.Previous}
	started, inDoubt := a.state.started[r.StepID]
	if prev, failedBefore := a.state.failed[r.StepID]; failedBefore && (!s.Kind.once() || a.state.attempted[r.StepID]) {
		// A step of a kind done once is in doubt only if it was tried:
		// a mail never sent (no mail server then) is sent on resume.
		inDoubt, started = true, prev
	}
	if s.Kind == KindNotify && !inDoubt {
		if err := a.canNotify(s); err != nil {
			a.fail(ctx, r, extra, err) // before the started entry: nothing was sent
			return
		}
	}
	value := s.Value
	if s.Kind == KindSetProperty {
		// The value an interrupted attempt wrote, from the journal, only
		// when it is the step's value with its placeholders filled in
		// (then, with that instant): a journal never decides a value.
		if inDoubt && started.Value != nil && filledFrom(s.Value, started.Value) {
			value = started.Value
		} else {
			v, err := fillJSON(s.Value, applyVars(a.opts.Now(), a.opts.RunID, a.plan.ID))
			if err != nil {
				a.fail(ctx, r, extra, err)
				return
			}
			value = v
		}
		extra.Value = value
	}
	if inDoubt {
		if started.Previous != nil {
			extra.Previous = started.Previous
		}
		present, checkable, err := a.effect(ctx, ref, s, value)
		switch {
		case err == nil && present:
			r.Outcome, r.Message = Applied, "found applied after an interruption"
			a.record(ctx, r, extra)
			return
		case err == nil && !checkable && s.Kind.once():
			a.fail(ctx, r, extra, ErrInDoubt)
			return
		case errors.Is(err, ErrUserGone):
			a.fail(ctx, r, extra, err)
			return
		}
		if s.unconfirmed != "" && err != nil {
			a.fail(ctx, r, extra, err)
			return
		}
	} else if pr, ok := a.site.(PropertyReader); ok && (s.Kind == KindSetProperty || s.Kind == KindDeleteProperty) {
		v, err := pr.Property(ctx, ref, s.Property)
		if err == nil {
			extra.Previous = v
		}
	}
	if s.unconfirmed != "" {
		// Kept by Verify only to find its effect (see Step): not written.
		r.Outcome, r.Message = Refused, s.unconfirmed
		a.record(ctx, r, extra)
		return
	}
	if err := a.journal(JournalEntry{Type: EntryStarted, StepID: r.StepID, User: &up.User, Step: &s,
		Value: extra.Value, Previous: extra.Previous}); err != nil {
		r.Outcome, r.Message = Skipped, "the journal cannot be written"
		return
	}
	var err error
	for attempt := range a.opts.MaxAttempts {
		err = a.write(ctx, ref, up, s, value)
		if err == nil {
			r.Outcome = Applied
			a.record(ctx, r, extra)
			return
		}
		if attempt > 0 && s.Kind == KindDelete && errors.Is(err, jira.ErrNotFound) {
			// An earlier attempt of this run deleted the user.
			r.Outcome, r.Message = Applied, "applied; the response was lost"
			a.record(ctx, r, extra)
			return
		}
		if s.Kind == KindDelete && s.FallbackToDeactivate && refused(err) {
			a.fallback(ctx, ref, r, extra, err)
			return
		}
		if !uncertain(err) || ctx.Err() != nil {
			break
		}
		present, checkable, cerr := a.effect(ctx, ref, s, value)
		if cerr == nil && present {
			r.Outcome, r.Message = Applied, "applied; the response was lost"
			a.record(ctx, r, extra)
			return
		}
		if errors.Is(cerr, ErrUserGone) {
			err = cerr
			break
		}
		if cerr == nil && !checkable && s.Kind.once() {
			err = fmt.Errorf("%w: %w", ErrInDoubt, err)
			break
		}
		if !a.wait(ctx, err, attempt) {
			break
		}
	}
	a.fail(ctx, r, extra, err)
}

func (a *applier) fail(ctx context.Context, r *Result, extra *JournalEntry, err error) {
	r.Outcome, r.Err, r.Error = Failed, err, err.Error()
	a.record(ctx, r, extra)
}

// fallback deactivates a user whose deletion Jira refused.
func (a *applier) fallback(ctx context.Context, ref jira.UserRef, r *Result, extra *JournalEntry, refusal error) {
	msg := jiraMessage(refusal)
	cur, err := a.read(ctx, ref)
	if err == nil && cur.Active {
		err = a.site.Deactivate(ctx, ref)
		if err != nil && uncertain(err) {
			if c, rerr := a.read(ctx, ref); rerr == nil && !c.Active {
				err = nil
			}
		}
	}
	if err != nil {
		a.fail(ctx, r, extra, fmt.Errorf("actions: delete refused (%s), and deactivating instead failed: %w", msg, err))
		return
	}
	r.Outcome, r.Message = Applied, "deactivated instead: "+msg
	extra.Fallback = KindDeactivate
	a.record(ctx, r, extra)
}

func jiraMessage(err error) string {
	if e, ok := errors.AsType[*jira.APIError](err); ok && len(e.Messages) > 0 {
		return strings.Join(e.Messages, "; ")
	}
	return err.Error()
}

// refused reports whether Jira refused a delete (400 or 403), as it does
// for project leads and read-only directories.
func refused(err error) bool {
	e, ok := errors.AsType[*jira.APIError](err)
	return ok && (e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusForbidden)
}

// uncertain reports whether a failed write may have happened, or may
// succeed when tried again: a network error, a 5xx, a rate limit that
// outlasted the client's retries.
func uncertain(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, jira.ErrRateLimitWait) || errors.Is(err, ErrUserGone) {
		return false
	}
	if errors.Is(err, jira.ErrRateLimited) {
		return true
	}
	if e, ok := errors.AsType[*jira.APIError](err); ok {
		return e.StatusCode >= 500
	}
	return !errors.Is(err, jira.ErrWrongFlavor) && !errors.Is(err, jira.ErrUnsupported)
}

// wait sleeps before another attempt; false when ctx ends first.
func (a *applier) wait(ctx context.Context, err error, attempt int) bool {
	if attempt+1 >= a.opts.MaxAttempts {
		return false
	}
	d := time.Duration(100<<attempt) * time.Millisecond
	if rl, ok := errors.AsType[*jira.RateLimitError](err); ok && rl.RetryAfter > d {
		d = rl.RetryAfter
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// write performs the step's request. Apply checks the effect of a write
// that failed uncertainly before trying again, so the client must not
// send it again on its own (jira.WithGuardedWrites).
func (a *applier) write(ctx context.Context, ref jira.UserRef, up *UserPlan, s Step, value json.RawMessage) error {
	ctx = jira.WithGuardedWrites(ctx)
	switch s.Kind {
	case KindDeactivate:
		return a.site.Deactivate(ctx, ref)
	case KindReactivate:
		return a.site.Reactivate(ctx, ref)
	case KindDelete:
		return a.site.Delete(ctx, ref)
	case KindAddGroup:
		return a.site.AddToGroup(ctx, ref, s.Group)
	case KindRemoveGroup:
		return a.site.RemoveFromGroup(ctx, ref, s.Group)
	case KindGrantLicence:
		return a.site.GrantLicence(ctx, ref, s.Licence)
	case KindRevokeLicence:
		return a.site.RevokeLicence(ctx, ref, s.Licence)
	case KindSetProperty:
		return a.site.SetProperty(ctx, ref, s.Property, value)
	case KindDeleteProperty:
		return a.site.DeleteProperty(ctx, ref, s.Property)
	case KindInvalidateSessions:
		return a.site.InvalidateSessions(ctx, ref)
	case KindResetPassword:
		u := up.User.user()
		pw, err := a.opts.Passwords(ctx, &u)
		if err != nil {
			return fmt.Errorf("actions: password source: %w", err)
		}
		if pw == "" {
			return fmt.Errorf("actions: password source gave an empty password")
		}
		return a.site.ResetPassword(ctx, ref, pw)
	case KindCreateIssue:
		if s.Issue == nil {
			return fmt.Errorf("actions: create-issue step without an issue")
		}
		is := *s.Issue
		vars := applyVars(a.opts.Now(), a.opts.RunID, a.plan.ID)
		is.Summary, is.Description = fill(is.Summary, vars), fill(is.Description, vars)
		_, err := a.site.CreateIssue(ctx, is.request())
		return err
	case KindMoveDirectory:
		return moveDirectory(ctx, a.site, ref, s) // movedir.go
	case KindNotify:
		return a.notify(ctx, stepID(up.User, slices.IndexFunc(up.Steps, s.same)), s) // notify.go
	}
	return fmt.Errorf("actions: unknown step %q", s.Kind)
}

// effect reads the user and reports whether the step's effect is there.
// checkable is false for steps whose effect cannot be read back (a
// password, sessions, an issue; properties without a [PropertyReader]).
func (a *applier) effect(ctx context.Context, ref jira.UserRef, s Step, value json.RawMessage) (present, checkable bool, err error) {
	if s.Kind.once() {
		return false, false, nil
	}
	switch s.Kind {
	case KindResetPassword, KindInvalidateSessions:
		return false, false, nil
	case KindSetProperty, KindDeleteProperty:
		pr, ok := a.site.(PropertyReader)
		if !ok {
			return false, false, nil
		}
		v, err := pr.Property(ctx, ref, s.Property)
		if s.Kind == KindDeleteProperty {
			if errors.Is(err, jira.ErrNotFound) {
				if _, uerr := a.read(ctx, ref); errors.Is(uerr, jira.ErrNotFound) {
					return false, true, ErrUserGone
				}
				return true, true, nil
			}
			return false, err == nil, err
		}
		if errors.Is(err, jira.ErrNotFound) {
			if _, uerr := a.read(ctx, ref); errors.Is(uerr, jira.ErrNotFound) {
				return false, true, ErrUserGone
			}
			return false, true, nil
		}
		if err != nil {
			return false, false, err
		}
		return jsonEqual(v, value), true, nil
	}
	u, err := a.read(ctx, ref)
	if errors.Is(err, jira.ErrNotFound) {
		if s.Kind == KindDelete {
			return true, true, nil
		}
		return false, true, ErrUserGone
	}
	if err != nil {
		return false, false, err
	}
	switch s.Kind {
	case KindDeactivate:
		return !u.Active, true, nil
	case KindReactivate:
		return u.Active, true, nil
	case KindDelete:
		return false, true, nil
	case KindAddGroup:
		return u.InGroup(s.Group), true, nil
	case KindRemoveGroup:
		return !u.InGroup(s.Group), true, nil
	case KindGrantLicence:
		return u.HasLicence(s.Licence), true, nil
	case KindRevokeLicence:
		return !u.HasLicence(s.Licence), true, nil
	}
	return false, false, nil
}

// runIssue files the run's issue after every user, once.
func (a *applier) runIssue(ctx context.Context) Result {
	r := Result{StepID: runIssueID, Step: Step{Kind: KindCreateIssue, Issue: a.plan.RunIssue}}
	if e, ok := a.state.final[runIssueID]; ok {
		r.Outcome, r.Message, r.Error = e.Outcome, e.Message, e.Error
		return r
	}
	if _, inDoubt := a.state.started[runIssueID]; inDoubt {
		a.fail(ctx, &r, nil, ErrInDoubt)
		return r
	}
	if a.opts.DryRun {
		r.Outcome = Planned
		return r
	}
	is := *a.plan.RunIssue
	vars := applyVars(a.opts.Now(), a.opts.RunID, a.plan.ID)
	var counts []string
	kinds := make([]StepKind, 0, len(a.run.counts))
	for k := range a.run.counts {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(x, y StepKind) int { return cmp.Compare(x.Order(), y.Order()) })
	for _, k := range kinds {
		counts = append(counts, fmt.Sprintf("%s: %d", k, a.run.counts[k]))
	}
	vars["summary"] = strings.Join(counts, "\n")
	is.Summary, is.Description = fill(is.Summary, vars), fill(is.Description, vars)
	if err := a.journal(JournalEntry{Type: EntryStarted, StepID: runIssueID, Step: &r.Step}); err != nil {
		r.Outcome = Skipped
		return r
	}
	issue, err := a.site.CreateIssue(ctx, is.request())
	if err != nil {
		a.fail(ctx, &r, nil, err)
		return r
	}
	a.run.Issue = &issue
	r.Outcome, r.Message = Applied, "created "+issue.Key
	a.record(ctx, &r, nil)
	return r
}

// RandomPassword is the default [PasswordSource]: 24 characters from
// crypto/rand with lower and upper case letters, digits and symbols.
func RandomPassword(context.Context, *jira.User) (jira.Secret, error) {
	const (
		lower   = "abcdefghijkmnopqrstuvwxyz"
		upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits  = "23456789"
		symbols = "!#%+-.:=?@_~"
	)
	all := lower + upper + digits + symbols
	for {
		b := make([]byte, 24)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(all))))
			if err != nil {
				return "", err
			}
			b[i] = all[n.Int64()]
		}
		s := string(b)
		if strings.ContainsAny(s, lower) && strings.ContainsAny(s, upper) &&
			strings.ContainsAny(s, digits) && strings.ContainsAny(s, symbols) {
			return jira.Secret(s), nil
		}
	}
}
