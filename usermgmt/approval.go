package usermgmt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	history "github.com/seatwarden/seatwarden/report/history/store" // the interfaces, without SQLite
)

// Approvals is the approval workflow of a [Manager]'s plans, for any
// program: it records plans in a [history.PlanStore], files the approval
// issue of a plan whose policy has an approval (once the plan is
// recorded), resolves pending plans when their issue moves (a webhook
// event, [Approvals.Poll]), claims a plan exactly once before applying it
// (the store's compare-and-set), comments on the issue, cancels, and
// recovers plans a crash left applying. The server and the cron daemon
// use it; it is safe for concurrent use.
//
// A plan identical to one still pending (same policies and hashes, same
// site, same users and steps) is not recorded again: [Approvals.Record]
// returns the pending one and its issue, so concurrent requests for one
// approval policy file one issue. Within a process Record is serialised
// per set of policies. Across processes sharing one store (replicas on
// one PostgreSQL history) it is exact when the store is an
// [ApprovalLocker], as report/history/historydb's History is: the lookup
// of a pending twin, the record and the filing of its issue then hold the
// store's lock named by the plan's digest. Without one, processes
// recording the same plan at the same instant may both file an issue.
type Approvals struct {
	m   *Manager
	cfg ApprovalsConfig

	mu    sync.Mutex
	locks map[string]*sync.Mutex // policies key → serialises Record
}

// ApprovalsConfig configures [NewApprovals].
type ApprovalsConfig struct {
	// Store keeps the plans and their states (required): history.SQLite,
	// or any store passing historytest.TestPlanStore.
	Store history.PlanStore
	// Journal returns the journal path of a plan's run (default none).
	Journal func(planID string) string
	// Link returns a link to the plan, commented on its approval issue
	// with the users it changes (default: no comment).
	Link func(planID string) string
	// Now is the clock (default the Manager's).
	Now func() time.Time
	// Logger receives the records of the workflow (default the Manager's).
	Logger *slog.Logger
}

// NewApprovals returns the approval workflow of m's plans.
func NewApprovals(m *Manager, cfg ApprovalsConfig) (*Approvals, error) {
	if m == nil || cfg.Store == nil {
		return nil, errors.New("usermgmt: approvals: a manager and a plan store are required")
	}
	if cfg.Journal == nil {
		cfg.Journal = func(string) string { return "" }
	}
	if cfg.Now == nil {
		cfg.Now = m.cfg.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = m.cfg.Logger
	}
	return &Approvals{m: m, cfg: cfg, locks: map[string]*sync.Mutex{}}, nil
}

// ApprovalLocker is implemented by a plan store that several processes
// may share at once. [Approvals.Record] holds the lock named key while it
// looks for a pending twin of a plan and, finding none, records the plan
// and files its approval issue, so that two replicas recording one plan
// file one issue. key identifies what the plan does (its policies and
// their hashes, its site, every user's steps).
type ApprovalLocker interface {
	// LockApproval waits until it holds the lock named key, exclusive
	// among every process sharing the store, or ctx ends. The lock is
	// held until release is called, or the holder's connection ends (a
	// dead process holds nothing). A store that only one process uses may
	// return at once.
	LockApproval(ctx context.Context, key string) (release func(), err error)
}

// ErrNothingToApprove is returned by [Approvals.Record] for a plan of a
// policy with an approval that changes nobody: no issue is filed and
// nothing is recorded.
var ErrNothingToApprove = errors.New("usermgmt: nothing to approve: the plan changes nobody")

// ErrPlanBusy is returned for a plan that is not in a state to apply:
// another caller claimed it first, or it is applied, rejected, cancelled
// or failed.
var ErrPlanBusy = errors.New("usermgmt: the plan is not in a state to apply")

// Record records a new plan: planned, or, for a policy with an approval,
// pending on the approval issue it then files (the record exists before
// the issue, so an issue is never orphaned: a failure after filing leaves
// the issue on the record). A plan over its limits is recorded failed. A
// plan identical to a pending one returns the pending record instead.
func (a *Approvals) Record(ctx context.Context, plan *actions.Plan, source string) (history.PlanRecord, error) {
	js, err := json.Marshal(plan)
	if err != nil {
		return history.PlanRecord{}, err
	}
	now := a.cfg.Now()
	rec := history.PlanRecord{ID: plan.ID, Plan: js, Status: history.PlanPlanned, Source: source, Created: now, Updated: now}
	for _, pr := range plan.Policies {
		rec.Policies = append(rec.Policies, pr.Name)
	}
	if a.m.approvalPolicy(plan) == nil {
		return rec, a.save(ctx, rec)
	}
	if !changes(plan) {
		return history.PlanRecord{}, ErrNothingToApprove
	}
	unlock := a.lock(policiesKey(plan))
	defer unlock()
	digest := planDigest(plan)
	if l, ok := a.cfg.Store.(ApprovalLocker); ok {
		release, err := l.LockApproval(ctx, digest)
		if err != nil {
			return history.PlanRecord{}, fmt.Errorf("usermgmt: plan %s: approval lock: %w", plan.ID, err)
		}
		defer release()
	}
	if twin, ok, err := a.pendingTwin(ctx, digest); err != nil || ok {
		if ok {
			a.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "plan already pending", slog.String("plan_id", plan.ID),
				slog.String("pending", twin.ID), slog.String("issue", twin.IssueKey))
		}
		return twin, err
	}
	rec.Status = history.PlanPending
	if err := a.save(ctx, rec); err != nil {
		return rec, err
	}
	// Apply files the approval issue and writes nothing to users.
	_, err = a.m.Apply(ctx, plan, ApplyOptions{Journal: a.cfg.Journal(plan.ID)})
	var ae *ApprovalRequiredError
	switch {
	case errors.As(err, &ae):
		rec.IssueKey, rec.Updated = ae.IssueKey, a.cfg.Now()
		if err := a.cfg.Store.SavePlan(ctx, rec); err != nil {
			return rec, fmt.Errorf("usermgmt: plan %s: approval issue %s filed, but not recorded: %w", plan.ID, ae.IssueKey, err)
		}
		a.comment(ctx, plan, ae.IssueKey)
	case errors.Is(err, actions.ErrLimitExceeded) || errors.Is(err, actions.ErrPlanMismatch):
		rec.Status, rec.Error = history.PlanFailed, err.Error()
		if _, uerr := a.cfg.Store.UpdatePlan(ctx, rec.ID, []history.PlanStatus{history.PlanPending}, rec.Status, "", rec.Error, a.cfg.Now()); uerr != nil {
			return rec, uerr
		}
	default:
		if err == nil {
			err = errors.New("the plan was applied without one")
		}
		_, _ = a.cfg.Store.UpdatePlan(ctx, rec.ID, []history.PlanStatus{history.PlanPending}, history.PlanFailed, "",
			"requesting approval: "+err.Error(), a.cfg.Now())
		return rec, fmt.Errorf("usermgmt: requesting approval: %w", err)
	}
	a.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "plan recorded", slog.String("plan_id", plan.ID), slog.String("status", string(rec.Status)),
		slog.String("issue", rec.IssueKey), slog.String("source", source))
	return rec, nil
}

func (a *Approvals) save(ctx context.Context, rec history.PlanRecord) error {
	if err := a.cfg.Store.SavePlan(ctx, rec); err != nil {
		return fmt.Errorf("usermgmt: recording plan %s: %w", rec.ID, err)
	}
	return nil
}

// lock serialises the Records of one set of policies.
func (a *Approvals) lock(key string) func() {
	a.mu.Lock()
	l, ok := a.locks[key]
	if !ok {
		l = &sync.Mutex{}
		a.locks[key] = l
	}
	a.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// pendingTwin returns the pending plan, with its issue, whose digest
// (planDigest) is want.
func (a *Approvals) pendingTwin(ctx context.Context, want string) (history.PlanRecord, bool, error) {
	pending, err := a.cfg.Store.Plans(ctx, history.PlanPending)
	if err != nil {
		return history.PlanRecord{}, false, fmt.Errorf("usermgmt: pending plans: %w", err)
	}
	for _, rec := range pending {
		if rec.IssueKey == "" {
			continue
		}
		p, err := decodePlan(rec)
		if err == nil && planDigest(p) == want {
			return rec, true, nil
		}
	}
	return history.PlanRecord{}, false, nil
}

// policiesKey names a plan's policies with their hashes.
func policiesKey(p *actions.Plan) string {
	var b strings.Builder
	for _, pr := range p.Policies {
		fmt.Fprintf(&b, "%s@%s;", pr.Name, pr.Hash)
	}
	return p.Site + "|" + b.String()
}

// planDigest identifies what a plan does: its policies and their hashes,
// its site, and every user's steps (not its id, time or fingerprints).
func planDigest(p *actions.Plan) string {
	lines := make([]string, 0, len(p.Users))
	for _, up := range p.Users {
		steps, _ := json.Marshal(up.Steps)
		lines = append(lines, up.User.ID()+" "+string(steps))
	}
	slices.Sort(lines)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", policiesKey(p), strings.Join(lines, "\n"))
	return hex.EncodeToString(h.Sum(nil))
}

// changes reports whether the plan has a step to apply.
func changes(plan *actions.Plan) bool {
	return slices.ContainsFunc(plan.Users, func(u actions.UserPlan) bool { return len(u.Steps) > 0 })
}

func decodePlan(rec history.PlanRecord) (*actions.Plan, error) {
	var p actions.Plan
	if err := json.Unmarshal(rec.Plan, &p); err != nil {
		return nil, fmt.Errorf("usermgmt: plan %s in the history: %w", rec.ID, err)
	}
	return &p, nil
}

// comment comments, on the approval issue, the plan's link and every
// user it changes (the description lists the first ones).
func (a *Approvals) comment(ctx context.Context, plan *actions.Plan, issue string) {
	if a.cfg.Link == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Seatwarden plan %s: %s\n", plan.ID, a.cfg.Link(plan.ID))
	fmt.Fprintf(&b, "%d users change (%d in the snapshot, %d exempt).\n", len(plan.Users), plan.TotalUsers, len(plan.Exempt))
	const most = 500
	for i, u := range plan.Users {
		if i == most {
			fmt.Fprintf(&b, "… and %d more: see the plan.\n", len(plan.Users)-most)
			break
		}
		steps := make([]string, len(u.Steps))
		for j, st := range u.Steps {
			steps[j] = st.String()
		}
		fmt.Fprintf(&b, "- %s: %s\n", u.User, strings.Join(steps, ", "))
	}
	err := errors.New("no policy with an approval")
	if ap := a.m.approvalPolicy(plan); ap != nil {
		var c Client
		if c, _, err = a.m.client(ctx, targetOf(ap)); err == nil {
			if cm, ok := c.(interface {
				AddComment(ctx context.Context, keyOrID, body string) error
			}); ok {
				err = cm.AddComment(ctx, issue, b.String())
			}
		}
	}
	if err != nil {
		a.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "approval issue: link not commented", slog.String("issue", issue), slog.String("error", err.Error()))
	}
}

// Apply applies a recorded plan: a planned one at once, a pending one only
// if its approval issue is approved by now (see [Approvals.Resolve]). It
// returns [ErrPlanBusy] for a plan in another state.
func (a *Approvals) Apply(ctx context.Context, id string) (*actions.Run, error) {
	rec, err := a.cfg.Store.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	switch rec.Status {
	case history.PlanPlanned:
		return a.applyPlanned(ctx, rec)
	case history.PlanPending:
		return a.Resolve(ctx, id)
	}
	return nil, fmt.Errorf("%w: plan %s is %s", ErrPlanBusy, id, rec.Status)
}

// applyPlanned applies a plan of no approval.
func (a *Approvals) applyPlanned(ctx context.Context, rec history.PlanRecord) (*actions.Run, error) {
	plan, err := decodePlan(rec)
	if err != nil {
		return nil, err
	}
	run, err := a.claimAndApply(ctx, rec.ID, history.PlanPlanned, func(ctx context.Context) (*actions.Run, error) {
		return a.m.Apply(ctx, plan, ApplyOptions{Journal: a.cfg.Journal(plan.ID)})
	})
	// The policy has an approval now (the file changed since the plan):
	// Apply filed the issue, which the pending plan waits for.
	var ae *ApprovalRequiredError
	if errors.As(err, &ae) && ae.IssueKey != "" {
		if cur, lerr := a.cfg.Store.Plan(ctx, rec.ID); lerr == nil && cur.Status == history.PlanPending {
			cur.IssueKey, cur.Updated = ae.IssueKey, a.cfg.Now()
			if serr := a.cfg.Store.SavePlan(ctx, cur); serr != nil {
				return run, errors.Join(err, serr)
			}
		}
	}
	return run, err
}

// Resolve asks Jira about a pending plan's approval issue and, once it is
// approved, claims the plan and applies it; once rejected, records the
// rejection. A plan still waiting returns an *ApprovalRequiredError with
// the issue's status and stays pending.
func (a *Approvals) Resolve(ctx context.Context, id string) (*actions.Run, error) {
	rec, err := a.cfg.Store.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Status != history.PlanPending || rec.IssueKey == "" {
		return nil, fmt.Errorf("%w: plan %s is %s", ErrPlanBusy, id, rec.Status)
	}
	plan, err := decodePlan(rec)
	if err != nil {
		return nil, err
	}
	// Claim the plan only when the issue has moved: a plan merely
	// checked stays pending. Apply reads the issue again once claimed.
	r := a.m.newRun(ctx, "resolve")
	if err := a.m.approved(ctx, r, plan, rec.IssueKey); err != nil && !errors.Is(err, ErrRejected) {
		return nil, err
	}
	return a.claimAndApply(ctx, id, history.PlanPending, func(ctx context.Context) (*actions.Run, error) {
		return a.m.Apply(ctx, plan, ApplyOptions{ApprovalIssue: rec.IssueKey, Journal: a.cfg.Journal(plan.ID)})
	})
}

// ResolveIssue resolves the pending plan whose approval issue is key (a
// webhook's issue event: its payload is a hint, Jira is asked). ok is
// false when no pending plan waits for that issue.
func (a *Approvals) ResolveIssue(ctx context.Context, key string) (planID string, ok bool, err error) {
	rec, err := a.cfg.Store.PlanByIssue(ctx, key)
	if errors.Is(err, history.ErrNoPlan) || (err == nil && rec.Status != history.PlanPending) {
		return "", false, nil
	}
	return rec.ID, err == nil, err
}

// claimAndApply moves a plan from status from to applying — only one
// caller wins — applies it with apply, and records the outcome.
func (a *Approvals) claimAndApply(ctx context.Context, id string, from history.PlanStatus, apply func(context.Context) (*actions.Run, error)) (*actions.Run, error) {
	st := a.cfg.Store
	ok, err := st.UpdatePlan(ctx, id, []history.PlanStatus{from}, history.PlanApplying, "", "", a.cfg.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: plan %s was claimed by another caller", ErrPlanBusy, id)
	}
	// The outcome is recorded even when the caller goes away.
	ctx = context.WithoutCancel(ctx)
	run, err := apply(ctx)
	to, runID, msg := history.PlanApplied, "", ""
	var ae *ApprovalRequiredError
	switch {
	case err == nil:
		runID = run.ID
	case errors.As(err, &ae):
		to = history.PlanPending
	case errors.Is(err, ErrRejected):
		to, msg = history.PlanRejected, err.Error()
	case errors.Is(err, actions.ErrLimitExceeded) || errors.Is(err, actions.ErrPlanMismatch) || errors.Is(err, ErrNotApprovalIssue):
		to, msg = history.PlanFailed, err.Error()
	default:
		// Jira unreachable, a failed write…: try again later (the journal
		// resumes where the run stopped).
		to, msg = from, err.Error()
	}
	if _, uerr := st.UpdatePlan(ctx, id, []history.PlanStatus{history.PlanApplying}, to, runID, msg, a.cfg.Now()); uerr != nil {
		return run, errors.Join(err, uerr)
	}
	a.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "plan resolved", slog.String("plan_id", id), slog.String("status", string(to)),
		slog.String("run_id", runID))
	return run, err
}

// Cancel drops a planned or pending plan: it is never applied, whatever
// its approval issue says later. moved is false for a plan in another
// state.
func (a *Approvals) Cancel(ctx context.Context, id, reason string) (moved bool, err error) {
	return a.cfg.Store.UpdatePlan(ctx, id, []history.PlanStatus{history.PlanPlanned, history.PlanPending},
		history.PlanCancelled, "", reason, a.cfg.Now())
}

// Recover moves the plans a crash left applying back to planned or
// pending, to be applied again (their journals resume the runs). Call it
// at start, before anything else uses the store.
func (a *Approvals) Recover(ctx context.Context) error {
	interrupted, err := a.cfg.Store.Plans(ctx, history.PlanApplying)
	if err != nil {
		return err
	}
	for _, p := range interrupted {
		to := history.PlanPlanned
		if p.IssueKey != "" {
			to = history.PlanPending
		}
		if _, err := a.cfg.Store.UpdatePlan(ctx, p.ID, []history.PlanStatus{history.PlanApplying}, to, "",
			"interrupted while applying; apply again to resume", a.cfg.Now()); err != nil {
			return err
		}
	}
	return nil
}

// Poll resolves every pending plan once (see [Approvals.Resolve]): the
// fallback for webhooks that never came, and the daemon's way to learn
// decisions. Plans still waiting are left pending; other failures are
// logged.
func (a *Approvals) Poll(ctx context.Context) {
	pending, err := a.cfg.Store.Plans(ctx, history.PlanPending)
	if err != nil {
		a.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "poll: history", slog.String("error", err.Error()))
		return
	}
	for _, p := range pending {
		if ctx.Err() != nil {
			return
		}
		if _, err := a.Resolve(ctx, p.ID); err != nil && !Refused(err) && !errors.Is(err, ErrPlanBusy) {
			a.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "poll: plan not resolved", slog.String("plan_id", p.ID), slog.String("error", err.Error()))
		}
	}
}

// PollEvery polls at once and then every interval until ctx is done.
func (a *Approvals) PollEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		a.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// approvalPolicy returns the policy of the plan (in the file) that has an
// approval, or nil.
func (m *Manager) approvalPolicy(plan *actions.Plan) *CompiledPolicy {
	for _, pr := range plan.Policies {
		if p := m.file.policy(pr.Name); p != nil && p.Approval != nil {
			return p
		}
	}
	return nil
}
