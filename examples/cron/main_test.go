package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	reporthistory "github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// TestMain runs the program itself when the signal test starts the test
// binary as a subprocess.
func TestMain(m *testing.M) {
	if os.Getenv("SEATWARDEN_CRON_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// records parses JSON log lines.
func records(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(logs) {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), "a log line that is not JSON: %s", line)
		out = append(out, r)
	}
	return out
}

func withMsg(rs []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, r := range rs {
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// newFake returns a fake Jira DC with a generated organisation whose
// history ends at now, with writable directories.
func newFake(now time.Time) *jiratest.Server {
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 150, Now: now})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	return jiratest.New(jiratest.WithOrg(org))
}

// testApp returns the program reaching fake in memory, with the site's
// variables set, logging to stderr.
func testApp(fake *jiratest.Server, stderr io.Writer) *app {
	cr := fake.Credentials()
	env := map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": cr.DCToken}
	return &app{stdout: io.Discard, stderr: stderr, now: time.Now, demoUsers: 150, hup: make(chan os.Signal, 1),
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		connect: func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			s.Transport, s.RateLimit, s.Burst = fake.Transport(), 100_000, 1000
			return usermgmt.Connect(ctx, s)
		}}
}

const policyFile = `version: 1
sites:
  jira:
    url: ${JIRA_URL}
    token: ${JIRA_TOKEN}
    flavor: dc
policies:
  - name: inactive-90-days
    when: {schedule: "%s"}
    users:
      where: active && daysSinceLastLogin > 90
      exemptions:
        expressions: [{name: apps, where: accountType != "atlassian"}]
    actions:
      - action: deactivate
    reporting:
      sinks: [{type: jsonl, path: runs/inactive.jsonl}]
`

func writePolicies(t *testing.T, dir, schedule string) string {
	t.Helper()
	path := filepath.Join(dir, "policies.yaml")
	require.NoError(t, os.WriteFile(path, fmt.Appendf(nil, policyFile, schedule), 0o644))
	return path
}

func activeUsers(fake *jiratest.Server) int {
	n := 0
	for _, u := range fake.Users() {
		if u.Active {
			n++
		}
	}
	return n
}

// writes counts the requests that are not reads.
func writes(fake *jiratest.Server) int {
	n := 0
	for route, c := range fake.Stats() {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

func openHistory(t *testing.T, path string) *reporthistory.SQLite {
	t.Helper()
	s, err := reporthistory.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestOnce(t *testing.T) {
	t.Parallel()
	for _, apply := range []bool{true, false} {
		t.Run(fmt.Sprintf("apply=%v", apply), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fake := newFake(time.Now())
			before := activeUsers(fake)
			var stderr syncBuffer
			args := []string{"--once", "--policies", writePolicies(t, dir, "@daily"),
				"--history", filepath.Join(dir, "history.db"), "--journal-dir", filepath.Join(dir, "journals")}
			if apply {
				args = append(args, "--apply")
			}
			code := testApp(fake, &stderr).run(t.Context(), args)
			require.Equal(t, exitOK, code, stderr.String())

			h := openHistory(t, filepath.Join(dir, "history.db"))
			last, ok, err := h.LastRun(t.Context(), "inactive-90-days")
			require.NoError(t, err)
			require.True(t, ok, "the run is in the history")
			assert.WithinDuration(t, time.Now(), last, time.Minute)
			runs, err := h.Runs(t.Context(), "", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
			require.NoError(t, err)
			require.Len(t, runs, 1)
			assert.Equal(t, !apply, runs[0].DryRun)

			rs := records(t, stderr.String())
			fin := withMsg(rs, "policy run finished")
			require.Len(t, fin, 1)
			id := fin[0]["run_id"]
			require.NotEmpty(t, id)
			// Every record from the start of the run to the scheduler's
			// end of it carries the run's id.
			in := false
			for _, r := range rs {
				in = in || r["msg"] == "policy run started"
				if in {
					assert.Equal(t, id, r["run_id"], "record %v", r)
				}
				if r["msg"] == "schedule: run finished" {
					break
				}
			}

			assert.NotContains(t, stderr.String(), fake.Credentials().DCToken, "no secret in the logs")
			journals, _ := filepath.Glob(filepath.Join(dir, "journals", "*.journal"))
			if !apply {
				assert.Zero(t, writes(fake), "a dry run writes nothing: %v", fake.Stats())
				assert.Equal(t, before, activeUsers(fake))
				assert.Empty(t, journals)
				assert.Positive(t, fin[0]["planned"], "the dry run plans deactivations")
				return
			}
			deactivated := before - activeUsers(fake)
			assert.Positive(t, deactivated)
			assert.EqualValues(t, deactivated, fin[0]["applied"])
			assert.Len(t, journals, 1)
			assert.FileExists(t, filepath.Join(dir, "runs", "inactive.jsonl"), "the policy's report")
			assert.Equal(t, runs[0].RunID, fin[0]["history_run_id"])
		})
	}
}

// TestScheduled runs the daemon on the fake clock of synctest: the
// schedule fires, the policy runs (or only plans), and a run missed
// while the daemon was down is caught up at start.
func TestScheduled(t *testing.T) {
	t.Parallel()
	for _, apply := range []bool{true, false} {
		t.Run(fmt.Sprintf("apply=%v", apply), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			synctest.Test(t, func(t *testing.T) {
				fake := newFake(time.Now())
				before := activeUsers(fake)
				var stderr syncBuffer
				history := filepath.Join(dir, "history.db")
				args := []string{"--policies", writePolicies(t, dir, "0 * * * *"), "--history", history,
					"--journal-dir", filepath.Join(dir, "journals")}
				if apply {
					args = append(args, "--apply")
				}
				start := func() (stop func() int) {
					ctx, cancel := context.WithCancel(t.Context())
					done := make(chan int)
					go func() { done <- testApp(fake, &stderr).run(ctx, args) }()
					return func() int { cancel(); return <-done }
				}

				stop := start()
				time.Sleep(30 * time.Minute)
				synctest.Wait()
				assert.Empty(t, withMsg(records(t, stderr.String()), "policy run started"), "not due yet")
				time.Sleep(31 * time.Minute) // 01:00 passes
				synctest.Wait()
				require.Len(t, withMsg(records(t, stderr.String()), "policy run finished"), 1, stderr.String())
				require.Equal(t, exitOK, stop())
				if apply {
					assert.Less(t, activeUsers(fake), before)
				} else {
					assert.Zero(t, writes(fake), "a dry-run daemon writes nothing: %v", fake.Stats())
				}

				// Down from 01:01 to 03:30: the runs of 02:00 and 03:00 are
				// missed, and caught up once at start.
				time.Sleep(2*time.Hour + 29*time.Minute)
				stop = start()
				synctest.Wait()
				rs := records(t, stderr.String())
				require.Len(t, withMsg(rs, "policy run finished"), 2, stderr.String())
				caught := withMsg(rs, "schedule: run finished")
				assert.Equal(t, "catch-up", caught[len(caught)-1]["trigger"])
				require.Equal(t, exitOK, stop())
				assert.NotEmpty(t, withMsg(records(t, stderr.String()), "stopped"))
			})
		})
	}
}

func TestReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var logs syncBuffer
	env := map[string]string{"JIRA_URL": "https://jira.example.com", "JIRA_TOKEN": "s3cret-token"}
	d := newDaemon(daemonConfig{Logger: slog.New(newHandler(slog.NewJSONHandler(&logs, nil))), Apply: true,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	names := func() (out []string) {
		for _, e := range d.runner.Entries() {
			out = append(out, e.Name)
		}
		return out
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}

	require.NoError(t, d.Reload(writePolicies(t, dir, "@daily")))
	assert.Equal(t, []string{"inactive-90-days"}, names())

	second := write("second.yaml", `version: 1
sites: {jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}}
policies:
  - name: contractors
    when: {schedule: "0 6 * * 1-5", timeZone: Europe/Berlin}
    users: {where: 'inGroup("contractors")'}
    actions: [{action: removeAllLicences}]
  - name: on-demand
    users: {where: '!active'}
    actions: [{action: delete}]
`)
	require.NoError(t, d.Reload(second))
	assert.Equal(t, []string{"contractors"}, names(), "swapped; on-demand policies are not scheduled")
	next := d.runner.Entries()[0].Next
	assert.Equal(t, 6, next.In(mustZone(t, "Europe/Berlin")).Hour(), "runs at 06:00 in Berlin")

	bad := write("bad.yaml", `version: 1
sites: {jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}}
policies:
  - name: inactive
    when: {schedule: "0 25 * * *"}
    users: {where: 'active && daysSinceLastLogon > 90'}
    actions: [{action: deactivate}]
  - name: approved
    when: {schedule: "@daily"}
    users: {where: '!active'}
    actions: [{action: delete}]
    approval: {project: OPS, issueType: Task}
`)
	err := d.Reload(bad)
	require.Error(t, err)
	assert.Equal(t, []string{"contractors"}, names(), "the old policies stay")
	rs := records(t, logs.String())
	var fields []string
	for _, r := range withMsg(rs, "policy file problem") {
		fields = append(fields, r["field"].(string))
	}
	assert.Contains(t, fields, "policies[0].when.schedule")
	assert.Contains(t, fields, "policies[0].users.where")
	refused := withMsg(rs, "policy file refused; the policies loaded before keep running")
	require.Len(t, refused, 1)

	// Valid for usermgmt, but the daemon cannot wait for approvals.
	approval := write("approval.yaml", strings.Replace(strings.Replace(string(must(os.ReadFile(bad))), "0 25 * * *", "@daily", 1),
		"daysSinceLastLogon", "daysSinceLastLogin", 1))
	require.Error(t, d.Reload(approval))
	assert.Equal(t, []string{"contractors"}, names())
	assert.Contains(t, logs.String(), `"field":"policies[1].approval"`)
	assert.NotContains(t, logs.String(), "s3cret-token", "no secret in the logs")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSignals runs the demo in a subprocess (the test binary, running
// main): a policy runs within seconds, SIGHUP reloads the policy file,
// SIGTERM stops it cleanly.
func TestSignals(t *testing.T) {
	t.Parallel()
	// Generous: the demo's policies run @every 3s or 5s, but a loaded
	// machine starts a -race binary slowly; the deadline only ends a hung
	// program.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "--demo")
	cmd.Env = append(os.Environ(), "SEATWARDEN_CRON_MAIN=1", "TMPDIR="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan map[string]any, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var r map[string]any
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				r = map[string]any{"msg": "not JSON: " + sc.Text()}
			}
			lines <- r
		}
	}()
	await := func(msg string) map[string]any {
		t.Helper()
		for {
			select {
			case r, ok := <-lines:
				require.True(t, ok, "the program ended before logging %q", msg)
				if r["msg"] == msg {
					return r
				}
				require.False(t, strings.HasPrefix(r["msg"].(string), "not JSON"), r["msg"])
			case <-ctx.Done():
				t.Fatalf("no %q logged in time", msg)
			}
		}
	}
	demo := await("demo: a fake Jira Data Center in memory, with generated users; the policies apply to it")
	await("policies loaded")
	r := await("policy run finished")
	assert.NotEmpty(t, r["run_id"])
	assert.Equal(t, false, r["dry_run"], "the demo applies to the fake")

	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	await("reloading the policy file")
	await("policies loaded")

	// A broken file is refused, and the policies loaded before go on.
	require.NoError(t, os.WriteFile(demo["policies"].(string), []byte("version: 1\npolicies: [{name: x}]\n"), 0o644))
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	r = await("policy file problem")
	assert.Contains(t, r["field"], "policies[0]")
	await("policy file refused; the policies loaded before keep running")
	await("policy run finished")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	await("stopped")
	for range lines {
	}
	require.NoError(t, cmd.Wait(), "exit code 0")
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--help"}, exitOK, "--apply"},
		{nil, exitUsage, "--policies FILE is required"},
		{[]string{"--policies", "p.yaml", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"--log-level", "loud", "--demo"}, exitUsage, "log-level"},
		{[]string{"--demo", "--smtp-url", "smtp://reports:hunter2@mail.example.com"}, exitUsage, "remove the password"},
		{[]string{"--policies", "/nonexistent/p.yaml", "--once", "--history", filepath.Join(t.TempDir(), "h.db")}, exitFailed, "policy file refused"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), tc.args, &stdout, &stderr)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, stderr.String())
		assert.Contains(t, stdout.String()+stderr.String(), tc.out, "%v", tc.args)
	}
	var stdout bytes.Buffer
	run(t.Context(), []string{"--help"}, &stdout, io.Discard)
	golden := filepath.Join("testdata", "golden", "help.golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, stdout.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "go test ./examples/cron -update writes it")
	assert.Equal(t, string(want), stdout.String())
	assert.Contains(t, stdout.String(), "never writes to Jira")
}

// TestOnceRefused: a plan over its blast-radius limit writes nothing and
// exits 3.
func TestOnceRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := newFake(time.Now())
	path := writePolicies(t, dir, "@daily")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("    limits: {maxUsers: 1}\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	for _, apply := range []bool{true, false} { // a dry run over the limit is refused too
		var stderr syncBuffer
		args := []string{"--once", "--policies", path, "--history", filepath.Join(dir, "history.db"), "--journal-dir", filepath.Join(dir, "journals")}
		if apply {
			args = append(args, "--apply")
		}
		code := testApp(fake, &stderr).run(t.Context(), args)
		assert.Equal(t, exitRefused, code, "apply=%v: %s", apply, stderr.String())
		assert.Zero(t, writes(fake))
		assert.Len(t, withMsg(records(t, stderr.String()), "policy run refused"), 1)
	}
}

// TestShutdownGrace: SIGTERM during a run lets it go on for --grace, then
// cancels it; the daemon still exits 0, having closed the history.
func TestShutdownGrace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 50, Now: time.Now()})
		fake := jiratest.New(jiratest.WithOrg(org), jiratest.WithLatency(10*time.Second)) // a slow site
		var stderr syncBuffer
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int)
		go func() {
			done <- testApp(fake, &stderr).run(ctx, []string{"--policies", writePolicies(t, dir, "0 * * * *"),
				"--history", filepath.Join(dir, "history.db"), "--journal-dir", filepath.Join(dir, "journals"), "--grace", "30s", "--apply"})
		}()
		time.Sleep(time.Hour + time.Minute) // the run started at 01:00 and is still reading
		synctest.Wait()
		require.Len(t, withMsg(records(t, stderr.String()), "policy run started"), 1)
		require.Empty(t, withMsg(records(t, stderr.String()), "policy run finished"))
		stopped := time.Now()
		cancel()
		code := <-done
		assert.Equal(t, exitOK, code)
		assert.Equal(t, 30*time.Second, time.Since(stopped), "the grace period, then cancelled")
		rs := records(t, stderr.String())
		assert.Len(t, withMsg(rs, "schedule: cancelling running job"), 1)
		assert.Len(t, withMsg(rs, "policy run failed"), 1)
		assert.Len(t, withMsg(rs, "stopped"), 1)
		assert.Zero(t, writes(fake))
	})
}

// TestRateFlag: --rate and --burst reach every site's client, over the
// policy file, and the run's log record says which limit held and how
// many requests were sent.
func TestRateFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := newFake(time.Now())
	var stderr syncBuffer
	a := testApp(fake, &stderr)
	var got []float64
	var mu sync.Mutex
	a.connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		mu.Lock()
		got = append(got, s.RateLimit, float64(s.Burst))
		mu.Unlock()
		s.Transport = fake.Transport()
		return usermgmt.Connect(ctx, s)
	}
	code := a.run(t.Context(), []string{"--once", "--policies", writePolicies(t, dir, "@daily"), "--rate", "500", "--burst", "50",
		"--history", filepath.Join(dir, "history.db")})
	require.Equal(t, exitOK, code, stderr.String())
	assert.Equal(t, []float64{500, 50}, got)
	fin := withMsg(records(t, stderr.String()), "policy run finished")
	require.Len(t, fin, 1)
	rl, ok := fin[0]["rate_limit"].(map[string]any)
	require.True(t, ok, "%v", fin[0])
	assert.Equal(t, 500.0, rl["limit"])
	assert.Equal(t, 50.0, rl["burst"])
	assert.Equal(t, "ceiling", rl["source"])
	assert.Greater(t, rl["requests"], 1.0)

	for _, c := range []struct{ args, want string }{
		{"--rate -1", "--rate -1: want a positive number"},
		{"--burst 3", "--burst needs --rate"},
		{"--rate 2 --burst -3", "--burst -3: want a positive number"},
	} {
		var out bytes.Buffer
		code := run(t.Context(), append([]string{"--demo"}, strings.Fields(c.args)...), io.Discard, &out)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, out.String(), c.want, c.args)
	}
}

// TestSecondDaemonOnOneHistory: a daemon refuses a history another
// daemon holds (its lock), and writes nothing.
func TestSecondDaemonOnOneHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	history := filepath.Join(dir, "history.db")
	lock, err := actions.LockFile(history + ".lock")
	require.NoError(t, err)
	defer func() { _ = lock.Unlock() }()
	fake := newFake(time.Now())
	var stderr syncBuffer
	code := testApp(fake, &stderr).run(t.Context(), []string{"--once", "--apply", "--policies", writePolicies(t, dir, "@daily"),
		"--history", history, "--journal-dir", filepath.Join(dir, "journals")})
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr.String(), "another daemon uses it")
	assert.Zero(t, writes(fake))
}
