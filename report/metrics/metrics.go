package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
)

// Outcome is how a run ended, the outcome label of seatwarden_runs_total.
type Outcome string

// The outcomes of a run.
const (
	// Succeeded: the run reached its report with no failed step.
	Succeeded Outcome = "succeeded"
	// Failed: the run reached its report with at least one failed step.
	Failed Outcome = "failed"
	// Refused: the run stopped before writing, on purpose (a
	// blast-radius limit, a rejected approval, a plan that no longer
	// matches; see usermgmt.Refused).
	Refused Outcome = "refused"
	// Error: the run could not go on (Jira unreachable, a snapshot that
	// failed, a bad configuration).
	Error Outcome = "error"
	// Pending: the run asked for approval; the approved plan's run is
	// counted when it is applied.
	Pending Outcome = "pending"
)

// minLimiterWait is the least wait for the client's limiter counted as a
// rate-limit wait: taking a token at once costs microseconds.
const minLimiterWait = time.Millisecond

// Options configure [New]. The zero value is usable.
type Options struct {
	// Pending, when set, lists when each plan waiting for approval was
	// recorded; it is called at each scrape (with a 5 s deadline). An
	// error makes the approval metrics missing from that scrape, and
	// only them.
	Pending func(ctx context.Context) ([]time.Time, error)
	// Now is the clock of the approvals' ages and of the runs counted by
	// [Metrics.End] (default time.Now).
	Now func() time.Time
}

// Metrics holds Seatwarden's Prometheus collectors in a registry of its
// own. It is a jira.Observer and gives a report.Sink; see the package
// documentation for the metrics. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time

	runs        *prometheus.CounterVec
	steps       *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec

	requests    *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	waits       *prometheus.CounterVec
	waitSeconds *prometheus.CounterVec

	snapDuration *prometheus.HistogramVec
	snapUsers    *prometheus.GaugeVec
	snapErrors   *prometheus.CounterVec
}

var _ jira.Observer = (*Metrics)(nil)

// New returns the metrics, registered with a new registry together with
// the Go runtime's and the process's collectors.
func New(opts Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_runs_total",
			Help: "Runs of policies, by policy, outcome (succeeded, failed, refused, error, pending) and mode (apply, dry-run)."},
			[]string{"policy", "outcome", "mode"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_steps_total",
			Help: "Steps of the runs, by action (step kind) and outcome."}, []string{"action", "outcome"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "seatwarden_last_success_timestamp_seconds",
			Help: "When the policy's last run without a failed step finished, in seconds since the epoch."}, []string{"policy"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_jira_requests_total",
			Help: "Requests (attempts, retries included) sent to Jira, by site, method and status (none: no response)."},
			[]string{"site", "method", "status"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_jira_rate_limited_total",
			Help: "Answers 429 Too Many Requests from Jira, by site."}, []string{"site"}),
		waits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_jira_rate_limit_waits_total",
			Help: "Waits before a request: kind limiter (the client's rate limiter held it at least 1 ms) or backoff (after a 429 or 503)."},
			[]string{"site", "kind"}),
		waitSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_jira_rate_limit_wait_seconds_total",
			Help: "Time spent in the waits of seatwarden_jira_rate_limit_waits_total."}, []string{"site", "kind"}),
		snapDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seatwarden_snapshot_duration_seconds",
			Help:    "Duration of the snapshots of a site's users read to the end.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600}}, []string{"site"}),
		snapUsers: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "seatwarden_snapshot_users",
			Help: "Users in the site's last snapshot read to the end."}, []string{"site"}),
		snapErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seatwarden_snapshot_errors_total",
			Help: "Snapshots of a site's users that failed."}, []string{"site"}),
	}
	m.reg.MustRegister(m.runs, m.steps, m.lastSuccess, m.requests, m.rateLimited, m.waits, m.waitSeconds,
		m.snapDuration, m.snapUsers, m.snapErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m.now = opts.Now
	if opts.Pending != nil {
		m.reg.MustRegister(&pendingCollector{list: opts.Pending, now: opts.Now})
	}
	return m
}

// Registry returns the registry the metrics are in, to add a program's
// own collectors or to gather them in a test.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition formats. A
// collector that fails (the approvals' listing) leaves its metrics out
// and the others are served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ObserveRequest counts one attempt sent to Jira: jira.Observer.
func (m *Metrics) ObserveRequest(e jira.RequestEvent) {
	status := "none"
	if e.Status > 0 {
		status = strconv.Itoa(e.Status)
	}
	m.requests.WithLabelValues(e.Site, e.Method, status).Inc()
	if e.Status == http.StatusTooManyRequests {
		m.rateLimited.WithLabelValues(e.Site).Inc()
	}
	if e.Wait >= minLimiterWait {
		m.waits.WithLabelValues(e.Site, "limiter").Inc()
		m.waitSeconds.WithLabelValues(e.Site, "limiter").Add(e.Wait.Seconds())
	}
	if e.Backoff > 0 {
		m.waits.WithLabelValues(e.Site, "backoff").Inc()
		m.waitSeconds.WithLabelValues(e.Site, "backoff").Add(e.Backoff.Seconds())
	}
}

// ObserveSnapshot records one snapshot: jira.Observer.
func (m *Metrics) ObserveSnapshot(e jira.SnapshotEvent) {
	if e.Err != nil {
		m.snapErrors.WithLabelValues(e.Site).Inc()
		return
	}
	m.snapDuration.WithLabelValues(e.Site).Observe(e.Duration.Seconds())
	m.snapUsers.WithLabelValues(e.Site).Set(float64(e.Users))
}

// Sink returns a report.Sink that counts each run it is given (once per
// policy of the run), its steps by action and outcome, and, when no step
// failed, the policies' last success. Put it in usermgmt Config.Sinks;
// a program that builds reports of its own (dry runs) gives them to it
// too.
func (m *Metrics) Sink() report.Sink { return sink{m} }

type sink struct{ m *Metrics }

func (sink) Name() string { return "metrics" }

func (s sink) Write(ctx context.Context, r *report.Report) error {
	if t, ok := ctx.Value(trackerKey{}).(*tracker); ok {
		t.reported.Store(true)
	}
	outcome := Succeeded
	if r.Counts[actions.Failed] > 0 {
		outcome = Failed
	}
	for _, res := range r.Results {
		s.m.steps.WithLabelValues(string(res.Step.Kind), string(res.Outcome)).Inc()
	}
	for _, p := range r.Policies {
		s.m.runs.WithLabelValues(p, string(outcome), mode(r.DryRun)).Inc()
		if outcome == Succeeded {
			s.m.lastSuccess.WithLabelValues(p).Set(float64(r.Finished.UnixNano()) / 1e9)
		}
	}
	return nil
}

func mode(dryRun bool) string {
	if dryRun {
		return "dry-run"
	}
	return "apply"
}

// trackerKey is the context key of a run begun with [Metrics.Begin].
type trackerKey struct{}

type tracker struct{ reported atomic.Bool }

// Begin returns ctx marked as one run's, for [Metrics.End]: pass it to
// the code that runs the policy, so that the Sink, given the run's
// report, can tell End that the run is counted.
func (m *Metrics) Begin(ctx context.Context) context.Context {
	return context.WithValue(ctx, trackerKey{}, &tracker{})
}

// End counts the run begun with ctx as outcome for each policy, unless
// its report reached the Sink, which counted it then. Use it for the runs
// that end without a report: an error, a refusal, an approval requested,
// nothing to do ([Succeeded], which is the policies' last success).
// dryRun is the run's mode.
func (m *Metrics) End(ctx context.Context, policies []string, outcome Outcome, dryRun bool) {
	if t, ok := ctx.Value(trackerKey{}).(*tracker); ok && t.reported.Load() {
		return
	}
	now := float64(m.now().UnixNano()) / 1e9
	for _, p := range policies {
		m.runs.WithLabelValues(p, string(outcome), mode(dryRun)).Inc()
		if outcome == Succeeded {
			m.lastSuccess.WithLabelValues(p).Set(now)
		}
	}
}

// pendingCollector reads the plans waiting for approval at each scrape.
type pendingCollector struct {
	list func(ctx context.Context) ([]time.Time, error)
	now  func() time.Time
}

var (
	pendingDesc = prometheus.NewDesc("seatwarden_approvals_pending", "Plans waiting for approval.", nil, nil)
	oldestDesc  = prometheus.NewDesc("seatwarden_approvals_oldest_pending_seconds",
		"Age of the oldest plan waiting for approval (0 when none).", nil, nil)
)

func (c *pendingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- oldestDesc
}

func (c *pendingCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recorded, err := c.list(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(pendingDesc, err)
		return
	}
	now := c.now()
	oldest := 0.0
	for _, t := range recorded {
		oldest = max(oldest, now.Sub(t).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(len(recorded)))
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, oldest)
}
