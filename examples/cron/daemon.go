package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/email"
	reporthistory "github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/schedule"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// history is what the daemon needs of the history store: the store the
// manager writes runs and snapshot summaries to, and the last run of a
// policy, which the scheduler reads to catch up runs missed while down.
type history interface {
	reporthistory.Store
	schedule.LastRuns
}

var _ history = (*reporthistory.SQLite)(nil)

// daemonConfig configures a daemon.
type daemonConfig struct {
	Logger *slog.Logger
	// Apply applies the plans; without it every run is a dry run.
	Apply bool
	// Once schedules every policy of the file, on-demand ones too, for
	// runOnce; otherwise only the scheduled policies are.
	Once bool
	// JournalDir receives one journal per applied run ("" for none).
	JournalDir string
	Store      history
	// Locker, when set, keeps daemons sharing a history (PostgreSQL) from
	// running one policy at once: each run holds the policy's lock.
	Locker schedule.Locker
	Now    func() time.Time
	// Connect, LookupEnv: see usermgmt.Config.Connect and
	// usermgmt.WithLookupEnv (nil for the defaults).
	Connect   func(context.Context, usermgmt.Site) (usermgmt.Client, error)
	LookupEnv func(string) (string, bool)
	// Grace is how long running policies may go on after the stop.
	Grace time.Duration
	// Mail is the SMTP server of the policies' email sinks (nil: none).
	Mail *email.Settings
	// ApprovalPoll is how often the approval issues of pending plans are
	// read (default a minute). Approval policies need a Store that keeps
	// plans (reporthistory.PlanStore, as the SQLite history does).
	ApprovalPoll time.Duration
	// Metrics, when set, count the runs, steps and requests (metrics.go).
	Metrics *metrics.Metrics
}

// daemon runs the policies of a file on their schedules. Reload swaps the
// file; the runner keeps a policy from overlapping itself.
type daemon struct {
	cfg     daemonConfig
	log     *slog.Logger
	runner  *schedule.Runner
	clients *usermgmt.Clients // one client per site, for every policy run

	reload sync.Mutex // one Reload at a time
	mu     sync.Mutex
	file   *usermgmt.PolicySet
	jobs   []string          // the names scheduled from file
	active map[string]string // policy → id of its run in progress
}

func newDaemon(cfg daemonConfig) *daemon {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LookupEnv == nil {
		cfg.LookupEnv = os.LookupEnv
	}
	if cfg.ApprovalPoll <= 0 {
		cfg.ApprovalPoll = time.Minute
	}
	d := &daemon{cfg: cfg, active: map[string]string{}, clients: usermgmt.NewClients(observed(cfg.Metrics, cfg.Connect))}
	d.log = slog.New(withActive(cfg.Logger.Handler(), d.activeRun))
	opts := []schedule.Option{schedule.WithLogger(d.log), schedule.WithLocation(time.UTC),
		schedule.WithOnResult(d.onResult), schedule.WithGracePeriod(cfg.Grace)}
	if cfg.Store != nil {
		opts = append(opts, schedule.WithLastRuns(cfg.Store))
	}
	if cfg.Locker != nil {
		opts = append(opts, schedule.WithLocker(cfg.Locker))
	}
	d.runner = schedule.New(opts...)
	return d
}

// Reload loads and validates the policy file at path in full and, if it
// has no problem, swaps it for the current one: the policies' schedules
// are replaced (runs in progress finish with the file they started
// with). A file with problems is refused — each problem is logged with
// its field path and line — and the current file stays.
func (d *daemon) Reload(path string) error {
	d.reload.Lock()
	defer d.reload.Unlock()
	ctx := context.Background()
	f, err := d.load(path)
	if err != nil {
		attrs := []slog.Attr{slog.String("policies", path), slog.String("error", err.Error())}
		if le, ok := errors.AsType[*usermgmt.LoadError](err); ok {
			for _, p := range le.Problems {
				d.log.LogAttrs(ctx, slog.LevelError, "policy file problem", slog.String("policies", path),
					slog.String("field", p.Path), slog.Int("line", p.Line), slog.String("problem", p.Msg))
			}
			attrs = append(attrs[:1], slog.Int("problems", len(le.Problems)))
		}
		d.mu.Lock()
		kept := d.file != nil
		d.mu.Unlock()
		msg := "policy file refused"
		if kept {
			msg += "; the policies loaded before keep running"
		}
		d.log.LogAttrs(ctx, slog.LevelError, msg, attrs...)
		return err
	}
	if err := d.swap(f); err != nil {
		d.log.LogAttrs(ctx, slog.LevelError, "policies not scheduled", slog.String("error", err.Error()))
		return err
	}
	entries := d.runner.Entries()
	for _, e := range entries {
		if d.cfg.Once {
			break
		}
		d.log.LogAttrs(ctx, slog.LevelInfo, "policy scheduled", slog.String("policy", e.Name), slog.Time("next", e.Next))
	}
	d.log.LogAttrs(ctx, slog.LevelInfo, "policies loaded", slog.String("policies", path),
		slog.Int("policies_in_file", f.Len()), slog.Int("scheduled", len(entries)))
	if len(entries) == 0 && !d.cfg.Once && !hasLoginPolicy(f) {
		d.log.LogAttrs(ctx, slog.LevelWarn, "no policy of the file has a schedule (when.schedule): nothing runs until it is reloaded with one",
			slog.String("policies", path))
	}
	return nil
}

// load reads and validates a policy file, with the daemon's own rules.
func (d *daemon) load(path string) (*usermgmt.PolicySet, error) {
	f, err := usermgmt.Load(path, usermgmt.WithLookupEnv(d.cfg.LookupEnv), usermgmt.WithClock(d.cfg.Now))
	if err != nil {
		return nil, err
	}
	var problems []usermgmt.Problem
	for i, p := range f.Policies() {
		if p.Approval != nil && d.cfg.Apply && (p.Scheduled() || d.cfg.Once) && d.plans() == nil {
			problems = append(problems, usermgmt.Problem{Path: fmt.Sprintf("policies[%d].approval", i),
				Msg: "the cron daemon waits for approvals only with a history that keeps plans (--history): give one, or drop the approval"})
		}
	}
	if len(problems) > 0 {
		return nil, &usermgmt.LoadError{File: path, Problems: problems}
	}
	return f, nil
}

// swap makes f the current file and schedules its policies in place of
// the current ones.
func (d *daemon) swap(f *usermgmt.PolicySet) error {
	var names []string
	policies := f.Policies()
	for i := range policies {
		if p := &policies[i]; p.Scheduled() || (d.cfg.Once && !loginOnly(p)) { // onlogin.go
			names = append(names, p.Name)
		}
	}
	d.mu.Lock()
	old := d.jobs
	d.file, d.jobs = f, names
	d.mu.Unlock()
	for _, n := range old {
		if err := d.runner.Remove(n); err != nil && !errors.Is(err, schedule.ErrNotFound) {
			return err
		}
	}
	var errs []error
	for i := range policies {
		p := &policies[i]
		if !slices.Contains(names, p.Name) {
			continue
		}
		// *usermgmt.CompiledPolicy is a schedule.Spec: its schedule in its time zone.
		if err := d.runner.Add(p.Name, p, d.job(f, p.Name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run runs the policies on their schedules until ctx is done, then waits
// for the running ones (see daemonConfig.Grace). With --apply and a
// history that keeps plans, it also polls the approval issues of pending
// plans every ApprovalPoll and applies the approved ones.
func (d *daemon) Run(ctx context.Context) error {
	if d.plans() != nil && d.cfg.Apply {
		if ap, err := d.approvals(); err == nil {
			if err := ap.Recover(ctx); err != nil {
				d.log.LogAttrs(ctx, slog.LevelWarn, "approvals: interrupted plans not recovered", slog.String("error", err.Error()))
			}
		}
		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			t := time.NewTicker(d.cfg.ApprovalPoll)
			defer t.Stop()
			for {
				select {
				case <-pctx.Done():
					return
				case <-t.C:
					d.pollApprovals(pctx)
				}
			}
		}()
		defer func() { stop(); <-done }()
	}
	logins := make(chan struct{}) // the on-login checks (onlogin.go)
	go func() { defer close(logins); d.runLogins(ctx) }()
	defer func() { <-logins }()
	return d.runner.Run(ctx)
}

// plans returns the history as a plan store, or nil when it keeps none.
func (d *daemon) plans() reporthistory.PlanStore {
	ps, _ := d.cfg.Store.(reporthistory.PlanStore)
	return ps
}

// approvals returns the approval workflow over the current file.
func (d *daemon) approvals() (*usermgmt.Approvals, error) {
	d.mu.Lock()
	f := d.file
	d.mu.Unlock()
	if f == nil {
		return nil, errors.New("no policy file")
	}
	m, err := usermgmt.New(usermgmt.Config{Policies: f, Clients: d.clients, Now: d.cfg.Now, Logger: d.log, Store: d.cfg.Store, Sinks: d.sinks()})
	if err != nil {
		return nil, err
	}
	return d.approvalsOf(m)
}

func (d *daemon) approvalsOf(m *usermgmt.Manager) (*usermgmt.Approvals, error) {
	return usermgmt.NewApprovals(m, usermgmt.ApprovalsConfig{Store: d.plans(), Now: d.cfg.Now, Logger: d.log,
		Journal: func(id string) string {
			if d.cfg.JournalDir == "" {
				return ""
			}
			return filepath.Join(d.cfg.JournalDir, "plan-"+filepath.Base(id)+".journal")
		}})
}

// pollApprovals applies the pending plans whose issues were approved and
// records the rejected ones.
func (d *daemon) pollApprovals(ctx context.Context) {
	ap, err := d.approvals()
	if err != nil {
		d.log.LogAttrs(ctx, slog.LevelWarn, "approvals not polled", slog.String("error", err.Error()))
		return
	}
	if d.cfg.JournalDir != "" {
		_ = os.MkdirAll(d.cfg.JournalDir, 0o755)
	}
	ap.Poll(ctx)
}

// runOnce runs every policy of the file once, one after the other, and
// returns the exit code.
func (d *daemon) runOnce(ctx context.Context) int {
	if d.plans() != nil && d.cfg.Apply {
		// The plans approved (or rejected) since the last invocation.
		d.pollApprovals(ctx)
	}
	d.mu.Lock()
	names := slices.Clone(d.jobs)
	d.mu.Unlock()
	failed, refused := false, false
	for _, n := range names {
		if ctx.Err() != nil {
			break
		}
		switch err := d.runner.RunNow(ctx, n); {
		case err == nil:
		case usermgmt.Refused(err):
			refused = true
		default:
			failed = true
		}
	}
	if ctx.Err() == nil { // onlogin.go
		f, r := d.checkLoginsOnce(ctx)
		failed, refused = failed || f, refused || r
	}
	switch {
	case failed || ctx.Err() != nil:
		return exitFailed
	case refused:
		return exitRefused
	}
	return exitOK
}

// job returns the run of the named policy of f.
func (d *daemon) job(f *usermgmt.PolicySet, name string) schedule.Job {
	return d.counted(name, func(ctx context.Context) error { return d.runPolicy(ctx, f, name) })
}

// runPolicy plans the policy and, with Apply, applies the plan: the
// reports go to the policy's sinks, the run and the day's snapshot
// summary to the history. A dry run is recorded in the history by the
// daemon (usermgmt records applied runs only).
func (d *daemon) runPolicy(ctx context.Context, f *usermgmt.PolicySet, name string) error {
	id := newRunID()
	d.mu.Lock()
	d.active[name] = id
	d.mu.Unlock()
	ctx = withRunID(ctx, id)
	log := d.log.With(slog.String("policy", name), slog.Bool("dry_run", !d.cfg.Apply))
	log.LogAttrs(ctx, slog.LevelInfo, "policy run started")

	cfg := usermgmt.Config{Policies: f, Clients: d.clients, Now: d.cfg.Now, Logger: d.log, Store: d.cfg.Store, Sinks: d.sinks()}
	if d.cfg.Mail != nil {
		cfg.SMTP, cfg.MailFrom = &d.cfg.Mail.SMTP, d.cfg.Mail.From
	}
	if p, ok := f.Policy(name); ok {
		// The HTML report shows insights, drawn from the snapshot's users.
		cfg.ReportUsers = slices.ContainsFunc(p.Reporting.Sinks, func(s usermgmt.Sink) bool { return s.Type == usermgmt.SinkHTML })
	}
	m, err := usermgmt.New(cfg)
	if err != nil {
		return err
	}
	journal := ""
	if d.cfg.Apply && d.cfg.JournalDir != "" {
		if err := os.MkdirAll(d.cfg.JournalDir, 0o755); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		journal = filepath.Join(d.cfg.JournalDir, name+"-"+id+".journal")
	}
	started := d.cfg.Now()
	if p, ok := f.Policy(name); ok && p.Approval != nil && d.cfg.Apply && d.plans() != nil {
		return d.requestApproval(ctx, log, m, name)
	}
	plan, run, err := m.Run(ctx, usermgmt.RunOptions{Policies: []string{name}, Apply: d.cfg.Apply, Journal: journal})
	switch {
	case usermgmt.Refused(err):
		log.LogAttrs(ctx, slog.LevelWarn, "policy run refused", slog.String("error", err.Error()))
		return err
	case err != nil:
		log.LogAttrs(ctx, slog.LevelError, "policy run failed", slog.String("error", err.Error()))
		return err
	case run == nil: // a dry run
		rep := dryRunReport(id, plan, started, d.cfg.Now())
		if d.cfg.Store != nil {
			if err := d.cfg.Store.SaveRun(ctx, rep); err != nil {
				log.LogAttrs(ctx, slog.LevelWarn, "history: dry run not saved", slog.String("error", err.Error()))
			}
		}
		if err := plan.CheckLimits(); err != nil {
			// A dry run over a limit is refused as the run with --apply
			// would be: --once exits 3, so that cron(8) notices.
			log.LogAttrs(ctx, slog.LevelWarn, "policy run refused", slog.String("plan_id", plan.ID), slog.String("error", err.Error()))
			return err
		}
		d.reportDryRun(ctx, rep)
		log.LogAttrs(ctx, slog.LevelInfo, "policy run finished", slog.String("plan_id", plan.ID),
			slog.Int("users", len(plan.Users)), slog.Int("planned", rep.Counts[actions.Planned]),
			slog.Int("exempt", len(plan.Exempt)), d.rateAttr(ctx, f, name))
		return nil
	}
	if len(plan.Users) == 0 && journal != "" {
		// Nothing was written: no journal to keep.
		if err := os.Remove(journal); err == nil || errors.Is(err, os.ErrNotExist) {
			journal = ""
		}
	}
	log.LogAttrs(ctx, slog.LevelInfo, "policy run finished", slog.String("plan_id", plan.ID),
		slog.String("history_run_id", run.ID), slog.String("journal", journal), slog.Int("users", len(plan.Users)),
		slog.Int("applied", run.Counts[actions.Applied]), slog.Int("failed", run.Counts[actions.Failed]),
		slog.Int("stale", run.Counts[actions.Stale]), d.rateAttr(ctx, f, name))
	if n := run.Counts[actions.Failed]; n > 0 {
		return fmt.Errorf("%d %w in run %s", n, errStepsFailed, run.ID)
	}
	return nil
}

// requestApproval plans a policy with an approval and records the plan,
// pending on its approval issue (or on the issue of an identical plan
// still pending); pollApprovals applies it once approved.
func (d *daemon) requestApproval(ctx context.Context, log *slog.Logger, m *usermgmt.Manager, name string) error {
	ap, err := d.approvalsOf(m)
	if err != nil {
		return err
	}
	plan, _, err := m.Plan(ctx, name)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelError, "policy run failed", slog.String("error", err.Error()))
		return err
	}
	rec, err := ap.Record(ctx, plan, "cron")
	switch {
	case errors.Is(err, usermgmt.ErrNothingToApprove):
		log.LogAttrs(ctx, slog.LevelInfo, "policy run finished", slog.String("plan_id", plan.ID), slog.Int("users", 0))
		return nil
	case err != nil:
		log.LogAttrs(ctx, slog.LevelError, "approval not requested", slog.String("error", err.Error()))
		return err
	}
	waitsForApproval(ctx)
	log.LogAttrs(ctx, slog.LevelInfo, "policy run waits for approval", slog.String("plan_id", rec.ID),
		slog.String("issue", rec.IssueKey), slog.String("status", string(rec.Status)), slog.Int("users", len(plan.Users)))
	if rec.Status == reporthistory.PlanFailed {
		return fmt.Errorf("plan %s: %s", rec.ID, rec.Error)
	}
	return nil
}

// onResult ends the run of a policy: log records of the scheduler that
// name it no longer carry its run id.
func (d *daemon) onResult(res schedule.Result) {
	if !res.Ran {
		return
	}
	d.mu.Lock()
	delete(d.active, res.Name)
	d.mu.Unlock()
}

// activeRun returns the id of the policy's run in progress.
func (d *daemon) activeRun(policy string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.active[policy]
	return id, ok
}

// dryRunReport is the report of a dry run, for the history: each step of
// the plan, planned.
func dryRunReport(id string, plan *actions.Plan, started, finished time.Time) *report.Report {
	run := &actions.Run{ID: id, PlanID: plan.ID, DryRun: true, Started: started, Finished: finished,
		Counts: map[actions.Outcome]int{}}
	for _, up := range plan.Users {
		for i, s := range up.Steps {
			run.Results = append(run.Results, actions.Result{StepID: fmt.Sprintf("%s#%d", up.User.ID(), i),
				User: up.User, Step: s, Outcome: actions.Planned})
			run.Counts[actions.Planned]++
		}
	}
	return report.FromRun(run, plan)
}

// newRunID returns a UUID v7 (time-ordered), or a v4 if the clock fails.
func newRunID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}
