package replicas_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/pgtest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history/postgres"
)

// The fake's administrator (fakejira's defaults) and the route of each
// write the tests count.
const (
	jiraToken       = "demo-token"
	routeSession    = "DELETE /rest/api/2/user/session/{username}"
	routeDeactivate = "PUT /rest/api/2/user"
)

// internalUsers are people of the fake's generated organisation
// (fakejira -seed 1 -users 60) in its writable internal directory and in
// no administrators' group: each can be deactivated once.
var internalUsers = []string{"jnelson", "mwhite", "hlaurent", "mwilson", "kdasilva", "tmoreau", "jbrown",
	"mhorvath", "msato", "jnelson2", "wkowalski", "jsato", "ocarter"}

var built struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// bin returns the path of a built program: fakejira, cron or server
// (built once for the package's tests).
func bin(t *testing.T, name string) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "seatwarden-replicas-"); built.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", built.dir+string(filepath.Separator),
			"github.com/seatwarden/seatwarden/examples/fakejira", "github.com/seatwarden/seatwarden/examples/cron",
			"github.com/seatwarden/seatwarden/examples/server").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, built.err)
	return filepath.Join(built.dir, name)
}

// database returns the URL of a new schema of the test database, or skips
// the test (fails it with CI=true) when no database is reachable.
func database(t *testing.T) string {
	t.Helper()
	dsn := pgtest.DSN(t)
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s names no reachable PostgreSQL (%v): CI must run the replica tests", pgtest.Env, err)
		}
		t.Skipf("%s names no reachable PostgreSQL (%v): the replica tests need one (.ci/databases starts one)", pgtest.Env, err)
	}
	return pgtest.Schema(t)
}

// unique returns a suffix for names that are database-wide (advisory
// locks), so that tests running at once do not share them.
func unique() string { return fmt.Sprintf("%d-%d", time.Now().UnixNano()%1e9, rand.IntN(1e6)) }

// proc is a program running in its own process, its output going to
// files.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr string // the files; stderr is the daemon's and the server's JSON log
	exited         chan struct{}
	stopOnce       sync.Once
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// start starts a program; it is stopped (SIGTERM) when the test ends, and
// its log shown if the test failed.
func start(t *testing.T, name, path string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	dir := t.TempDir()
	p := &proc{name: name, cmd: cmd, stdout: filepath.Join(dir, "stdout"), stderr: filepath.Join(dir, "stderr"), exited: make(chan struct{})}
	out, err := os.Create(p.stdout)
	require.NoError(t, err)
	logf, err := os.Create(p.stderr)
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = out, logf
	require.NoError(t, cmd.Start(), name)
	go func() { _ = cmd.Wait(); out.Close(); logf.Close(); close(p.exited) }()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("--- %s's log (end):\n%s", name, tail(readFile(p.stderr), 6000))
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// stop ends the program with SIGTERM (its running work finishes) and waits
// for it; SIGKILL after a minute.
func (p *proc) stop(t *testing.T) {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(time.Minute):
			t.Errorf("%s did not stop within a minute of SIGTERM; killed", p.name)
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
}

// kill ends the program with SIGKILL, as a crash would.
func (p *proc) kill() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
}

// record is one line of a program's JSON log.
type record map[string]any

func (r record) str(k string) string { s, _ := r[k].(string); return s }

func (r record) time() time.Time {
	tm, _ := time.Parse(time.RFC3339Nano, r.str("time"))
	return tm
}

// records returns the program's log records so far.
func (p *proc) records() []record {
	var out []record
	sc := bufio.NewScanner(strings.NewReader(readFile(p.stderr)))
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	return out
}

// find returns the records whose msg is msg and whose attributes have the
// given values.
func (p *proc) find(msg string, attrs ...string) []record {
	var out []record
	for _, r := range p.records() {
		if r.str("msg") != msg {
			continue
		}
		match := true
		for i := 0; i+1 < len(attrs); i += 2 {
			match = match && r.str(attrs[i]) == attrs[i+1]
		}
		if match {
			out = append(out, r)
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after timeout. The
// deadlines are generous: the tests must pass on a loaded machine.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v: %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// firstLine waits for the first line the program prints (its URL).
func (p *proc) firstLine(t *testing.T) string {
	t.Helper()
	var line string
	waitFor(t, 2*time.Minute, p.name+" prints its URL", func() bool {
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %s", p.name, readFile(p.stderr))
		default:
		}
		out := readFile(p.stdout)
		if i := strings.IndexByte(out, '\n'); i >= 0 {
			line = strings.TrimSpace(out[:i])
			return true
		}
		return false
	})
	return line
}

// startFake runs fakejira (its generated organisation, seed 1) with args
// and returns it with its URL.
func startFake(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := start(t, "fakejira", bin(t, "fakejira"), nil,
		append([]string{"-addr", "127.0.0.1:0", "-users", "60", "-seed", "1"}, args...)...)
	return p, p.firstLine(t)
}

// fakeStats returns the fake's count of requests per route.
func fakeStats(t *testing.T, jiraURL string) map[string]int {
	t.Helper()
	resp, err := http.Get(jiraURL + "/_fake/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var st struct{ Routes map[string]int }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	return st.Routes
}

// jiraDo calls the fake's REST API as its administrator.
func jiraDo(t *testing.T, method, url string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+jiraToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// activeUsers returns how many of names are active on the fake.
func activeUsers(t *testing.T, jiraURL string, names []string) int {
	t.Helper()
	n := 0
	for _, name := range names {
		code, b := jiraDo(t, http.MethodGet, jiraURL+"/rest/api/2/user?username="+name, nil)
		require.Equal(t, http.StatusOK, code, string(b))
		var u struct{ Active bool }
		require.NoError(t, json.Unmarshal(b, &u))
		if u.Active {
			n++
		}
	}
	return n
}

// historyRuns returns the runs of policy in the history at url.
func historyRuns(t *testing.T, url, policy string) []report.RunSummary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	defer s.Close()
	runs, err := s.Runs(ctx, "", time.Time{}, time.Now().Add(time.Hour))
	require.NoError(t, err)
	return slices.DeleteFunc(runs, func(r report.RunSummary) bool { return !slices.Contains(r.Policies, policy) })
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// startDaemon starts a cron daemon applying the policies on the history.
func startDaemon(t *testing.T, name, jiraURL, policies, historyURL string) *proc {
	t.Helper()
	return start(t, name, bin(t, "cron"), []string{"JIRA_URL=" + jiraURL, "JIRA_TOKEN=" + jiraToken},
		"--policies", policies, "--history", historyURL, "--journal-dir", filepath.Join(t.TempDir(), "journals"),
		"--apply", "--rate", "1000", "--grace", "30s")
}

// ticks is what the daemons' logs say of a policy's due times.
type ticks struct {
	ran     map[string][]string // due time → the daemons that ran it
	failed  int
	skipped map[string]int // reason → count
	fired   map[string]int // daemon → due times it fired (ran or skipped)
}

func tickLog(policy string, daemons ...*proc) ticks {
	tk := ticks{ran: map[string][]string{}, skipped: map[string]int{}, fired: map[string]int{}}
	for _, d := range daemons {
		for _, r := range d.records() {
			if r.str("job") != policy {
				continue
			}
			switch r.str("msg") {
			case "schedule: run finished":
				tk.ran[r.str("due")] = append(tk.ran[r.str("due")], d.name)
			case "schedule: run failed":
				tk.failed++
			case "schedule: run skipped":
				tk.skipped[r.str("err")]++
			default:
				continue
			}
			tk.fired[d.name]++
		}
	}
	return tk
}

// TestTwoDaemonsRunEachTickOnce: two cron daemons on the same policy file
// and the same PostgreSQL history, for several ticks of a policy due every
// second: each due time is run by one daemon only, and every run is in the
// history and wrote once to Jira.
func TestTwoDaemonsRunEachTickOnce(t *testing.T) {
	t.Parallel()
	historyURL := database(t)
	_, jiraURL := startFake(t)
	policy := "each-tick-" + unique() // advisory locks are database-wide
	policies := writeFile(t, "policies.yaml", fmt.Sprintf(`version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: %s
    when: {schedule: "@every 1s"}
    users: {where: 'name == "jnelson"'}
    actions: [{action: invalidateSessions}]   # one write, every run
`, policy))
	a := startDaemon(t, "daemon A", jiraURL, policies, historyURL)
	b := startDaemon(t, "daemon B", jiraURL, policies, historyURL)

	const want = 6
	waitFor(t, 3*time.Minute, fmt.Sprintf("%d runs in the history", want), func() bool {
		return len(historyRuns(t, historyURL, policy)) >= want
	})
	a.stop(t) // SIGTERM: a run in progress finishes and is recorded
	b.stop(t)

	runs := historyRuns(t, historyURL, policy)
	tk := tickLog(policy, a, b)
	writes := fakeStats(t, jiraURL)[routeSession]
	for due, who := range tk.ran {
		assert.Len(t, who, 1, "due time %s was run by %v", due, who)
	}
	assert.Zero(t, tk.failed, "failed runs")
	assert.Len(t, runs, len(tk.ran), "every run the daemons logged is in the history, once")
	assert.Equal(t, len(runs), writes, "one write in the fake's log per run")
	for _, r := range runs {
		assert.Equal(t, 1, r.Counts["applied"], "run %s applied its one step", r.RunID)
	}
	for _, d := range []*proc{a, b} {
		assert.GreaterOrEqual(t, tk.fired[d.name], 3, "%s fired the policy's due times too", d.name)
	}
	ranBy := map[string]int{}
	for _, who := range tk.ran {
		ranBy[who[0]]++
	}
	t.Logf("replicas: two daemons, %d due times run (by A %d, by B %d), each once; history %d runs; fake writes %d; skipped: %v",
		len(tk.ran), ranBy[a.name], ranBy[b.name], len(runs), writes, tk.skipped)
}

// TestKilledDaemonTakenOver: the daemon running the policy (holding its
// lock) is killed with SIGKILL mid-run; the other takes the policy over at
// its next tick, and each user is deactivated once: as many deactivations
// in the fake's log as users.
func TestKilledDaemonTakenOver(t *testing.T) {
	t.Parallel()
	historyURL := database(t)
	// Slow answers: a run lasts seconds, so the kill falls inside one.
	_, jiraURL := startFake(t, "-latency", "150ms")
	policy := "takeover-" + unique()
	users := internalUsers
	policies := writeFile(t, "policies.yaml", fmt.Sprintf(`version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: %s
    when: {schedule: "@every 1s"}
    users: {where: 'active && name in %s'}
    actions: [{action: deactivate}]
`, policy, quoted(users)))
	require.Equal(t, len(users), activeUsers(t, jiraURL, users))
	daemons := []*proc{startDaemon(t, "daemon A", jiraURL, policies, historyURL), startDaemon(t, "daemon B", jiraURL, policies, historyURL)}

	// The holder: the daemon whose run has written to Jira.
	var holder, other *proc
	waitFor(t, 3*time.Minute, "a daemon deactivates the first users", func() bool {
		if fakeStats(t, jiraURL)[routeDeactivate] < 2 {
			return false
		}
		for i, d := range daemons {
			if len(d.find("policy run started", "policy", policy)) > 0 && len(d.find("policy run finished", "policy", policy)) == 0 {
				holder, other = d, daemons[1-i]
			}
		}
		return holder != nil
	})
	holder.kill()
	killed := time.Now()
	before := fakeStats(t, jiraURL)[routeDeactivate]
	require.Less(t, before, len(users), "the kill fell inside the run")

	waitFor(t, 3*time.Minute, other.name+" finishes a run after the kill", func() bool {
		for _, r := range other.find("policy run finished", "policy", policy) {
			if r.time().After(killed) {
				return true
			}
		}
		return false
	})
	var takeover time.Duration
	for _, r := range other.find("policy run started", "policy", policy) {
		if r.time().After(killed) {
			takeover = r.time().Sub(killed)
			break
		}
	}
	waitFor(t, 3*time.Minute, "every user deactivated", func() bool { return activeUsers(t, jiraURL, users) == 0 })
	other.stop(t)

	writes := fakeStats(t, jiraURL)[routeDeactivate]
	assert.Equal(t, len(users), writes, "one deactivation per user in the fake's log: none twice")
	applied := 0
	for _, r := range historyRuns(t, historyURL, policy) {
		applied += r.Counts["applied"]
		assert.Zero(t, r.Counts["failed"], "run %s", r.RunID)
	}
	// The killed run wrote before the kill, or one more already sent.
	assert.InDelta(t, len(users)-before, applied, 1, "the survivor's runs in the history applied what the killed run had not")
	assert.Empty(t, holder.find("policy run finished", "policy", policy), "the killed daemon finished no run")
	assert.Less(t, takeover, time.Minute, "%s took over at its next tick", other.name)
	t.Logf("replicas: SIGKILL after %d of %d deactivations; %s started a run %v after the kill; fake deactivations %d; applied in the history %d",
		before, len(users), other.name, takeover.Round(time.Millisecond), writes, applied)
}

// TestTwoServersApplyOnce: two server replicas on one PostgreSQL history,
// no balancer. Jira's webhook goes to replica A while replica B polls the
// approval issues every half second: the approved plan is applied once.
// While it is being applied a third replica starts (as a restarted one
// would): its reset of interrupted plans leaves the plan alone.
// The servers' API token and webhook secret.
const serverToken, serverSecret = "replica-api-token", "replica-webhook-secret"

// startServer starts a server on the fake at jiraURL and the history at
// historyURL, polling approvals every poll, and returns it with its URL.
func startServer(t *testing.T, name, jiraURL, policies, historyURL, poll string) (*proc, string) {
	t.Helper()
	env := []string{"SEATWARDEN_API_TOKEN=" + serverToken, "SEATWARDEN_WEBHOOK_SECRET=" + serverSecret,
		"JIRA_URL=" + jiraURL, "JIRA_TOKEN=" + jiraToken}
	p := start(t, name, bin(t, "server"), env, "--addr", "127.0.0.1:0", "--policies", policies, "--history", historyURL,
		"--data-dir", t.TempDir(), "--poll-interval", poll, "--rate", "1000")
	return p, p.firstLine(t)
}

// serverAPI calls a server's API with its token.
func serverAPI(t *testing.T, method, url string, body any) (int, []byte) {
	t.Helper()
	bs, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, bytes.NewReader(bs))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+serverToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

type planView struct{ ID, Status, IssueKey, RunID, Error string }

func getPlan(t *testing.T, base, id string) planView {
	t.Helper()
	code, b := serverAPI(t, http.MethodGet, base+"/api/v1/plans/"+id, nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var v planView
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func TestTwoServersApplyOnce(t *testing.T) {
	t.Parallel()
	historyURL := database(t)
	// Slow answers: the apply lasts seconds, so the third replica starts
	// during it.
	_, jiraURL := startFake(t, "-latency", "200ms")
	users := internalUsers
	policies := approvalPolicies(t, users)
	server := func(name, poll string) (*proc, string) {
		return startServer(t, name, jiraURL, policies, historyURL, poll)
	}
	a, aURL := server("server A", "1h") // learns of the approval from the webhook only
	b, bURL := server("server B", "500ms")
	api := func(method, url string, body any) (int, []byte) { t.Helper(); return serverAPI(t, method, url, body) }
	plan := func(base, id string) planView { t.Helper(); return getPlan(t, base, id) }

	// Jira's webhook (DC 10: the jira-webhook REST) goes to A.
	code, body := jiraDo(t, http.MethodPost, jiraURL+"/rest/jira-webhook/1.0/webhooks", map[string]any{
		"name": "seatwarden", "url": aURL + "/webhooks/jira", "events": []string{"jira:issue_updated"},
		"configuration": map[string]string{"SECRET": serverSecret}})
	require.Less(t, code, 300, string(body))

	code, body = api(http.MethodPost, bURL+"/api/v1/plans", map[string]any{"policies": []string{"leavers"}})
	require.Equal(t, http.StatusCreated, code, string(body))
	var v planView
	require.NoError(t, json.Unmarshal(body, &v))
	require.Equal(t, "pending", v.Status, string(body))
	require.NotEmpty(t, v.IssueKey)

	code, body = jiraDo(t, http.MethodPost, jiraURL+"/rest/api/2/issue/"+v.IssueKey+"/transitions",
		map[string]any{"transition": map[string]string{"id": "21"}}) // Approve
	require.Equal(t, http.StatusNoContent, code, string(body))
	waitFor(t, 3*time.Minute, "the plan is being applied", func() bool {
		st := plan(bURL, v.ID).Status
		require.NotContains(t, []string{"applied", "failed", "rejected"}, st, "the plan ended before a replica could start during its apply")
		return st == "applying"
	})
	c, cURL := server("server C", "1h") // serves once its startup reset has run
	cServing := time.Now()
	waitFor(t, 3*time.Minute, "the plan is applied", func() bool { return plan(cURL, v.ID).Status == "applied" })
	v = plan(aURL, v.ID)

	var resolved []string
	var appliedAt time.Time
	for _, p := range []*proc{a, b, c} {
		for _, r := range p.find("plan resolved", "plan_id", v.ID) {
			resolved = append(resolved, p.name+": "+r.str("status"))
			appliedAt = r.time()
		}
	}
	assert.Len(t, resolved, 1, "one replica resolved the plan: %v", resolved)
	require.True(t, cServing.Before(appliedAt), "server C started (%v) while the plan was applying (until %v)", cServing, appliedAt)
	var ofPlan []report.RunSummary
	for _, r := range historyRuns(t, historyURL, "leavers") {
		if r.PlanID == v.ID {
			ofPlan = append(ofPlan, r)
		}
	}
	require.Len(t, ofPlan, 1, "one run of the plan in the history")
	assert.Equal(t, v.RunID, ofPlan[0].RunID)
	assert.Equal(t, len(users), ofPlan[0].Counts["applied"])
	writes := fakeStats(t, jiraURL)[routeDeactivate]
	assert.Equal(t, len(users), writes, "one deactivation per user in the fake's log")
	assert.Zero(t, activeUsers(t, jiraURL, users))
	// A's webhook handling reads the issue before it tries to claim.
	aChecked := len(a.find("approved", "plan_id", v.ID)) > 0
	t.Logf("replicas: two servers (webhook to A, B polling every 500 ms) and C started during the apply: resolved %v; A read the approval after the webhook: %v; runs of the plan %d; fake deactivations %d for %d users",
		resolved, aChecked, len(ofPlan), writes, len(users))
}

// TestTwoServersFileOneIssue: two servers on one PostgreSQL history are
// asked for the same approval plan at the same instant, round after
// round: each round files one approval issue on the fake, and both
// servers answer with the one pending plan and its issue.
func TestTwoServersFileOneIssue(t *testing.T) {
	t.Parallel()
	historyURL := database(t)
	_, jiraURL := startFake(t, "-latency", "50ms")
	policies := approvalPolicies(t, internalUsers)
	_, aURL := startServer(t, "server A", jiraURL, policies, historyURL, "1h")
	_, bURL := startServer(t, "server B", jiraURL, policies, historyURL, "1h")
	const rounds = 5
	const routeIssue = "POST /rest/api/2/issue"
	before := fakeStats(t, jiraURL)[routeIssue]
	for round := 1; round <= rounds; round++ {
		var views [2]planView
		var wg sync.WaitGroup
		for i, base := range []string{aURL, bURL} {
			wg.Go(func() {
				code, body := serverAPI(t, http.MethodPost, base+"/api/v1/plans", map[string]any{"policies": []string{"leavers"}})
				assert.Equal(t, http.StatusCreated, code, string(body))
				assert.NoError(t, json.Unmarshal(body, &views[i]))
			})
		}
		wg.Wait()
		require.Equal(t, "pending", views[0].Status)
		assert.Equal(t, views[0].ID, views[1].ID, "round %d: both servers answer the one pending plan", round)
		assert.Equal(t, views[0].IssueKey, views[1].IssueKey, "round %d: and its issue", round)
		require.Equal(t, before+round, fakeStats(t, jiraURL)[routeIssue], "round %d: one approval issue filed", round)
		code, body := serverAPI(t, http.MethodPost, aURL+"/api/v1/plans/"+views[0].ID+"/cancel", map[string]any{"reason": "next round"})
		require.Less(t, code, 300, string(body))
	}
}

// approvalPolicies writes a policy file whose one policy deactivates
// users, on demand, once a PLAT issue approves it.
func approvalPolicies(t *testing.T, users []string) string {
	t.Helper()
	return writeFile(t, "policies.yaml", fmt.Sprintf(`version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: leavers
    when: {onDemand: true}
    users: {where: 'active && name in %s'}
    actions: [{action: deactivate}]
    approval: {project: PLAT, issueType: Task}
`, quoted(users)))
}
