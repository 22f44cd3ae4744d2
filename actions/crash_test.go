package actions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

const crashUsers = 50 // × 3 steps

// TestCrashChild is the child process of TestCrashResume: it applies the
// plan in SW_CRASH_PLAN to the fake at SW_CRASH_URL with the journal at
// SW_CRASH_JOURNAL, until the parent kills it or it finishes.
func TestCrashChild(t *testing.T) {
	url := os.Getenv("SW_CRASH_URL")
	if url == "" {
		t.Skip("run by TestCrashResume")
	}
	data, err := os.ReadFile(os.Getenv("SW_CRASH_PLAN"))
	require.NoError(t, err)
	var plan actions.Plan
	require.NoError(t, json.Unmarshal(data, &plan))
	c, err := datacenter.New(url, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)), datacenter.WithRateLimit(5000, 100))
	require.NoError(t, err)
	j, err := actions.OpenJournal(os.Getenv("SW_CRASH_JOURNAL"))
	require.NoError(t, err)
	run, err := actions.Apply(context.Background(), site{c}, &plan, actions.ApplyOptions{Journal: j, Concurrency: 4})
	require.NoError(t, err)
	require.Zero(t, run.Counts[actions.Failed], run.Summary())
	require.NoError(t, j.Close())
}

// TestCrashResume kills a child process applying a plan with SIGKILL at
// random points, resumes it with the same plan and journal until it
// finishes, and checks that no step was written twice and the fake ends
// in the intended state. The trials run in parallel.
func TestCrashResume(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	const trials = 20
	var mu sync.Mutex
	kills, interrupted, inDoubt := 0, 0, 0
	t.Cleanup(func() {
		t.Logf("%d trials, %d SIGKILLs, %d of them after the run had started writing; %d steps found applied (started, no outcome) on resume",
			trials, kills, interrupted, inDoubt)
		if !t.Failed() {
			assert.Positive(t, interrupted, "some kills must land mid-run")
		}
	})
	for trial := range trials {
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			t.Parallel()
			crashTrial(t, rand.New(rand.NewPCG(1, uint64(trial))), func(killed, started bool, found int) {
				mu.Lock()
				defer mu.Unlock()
				if killed {
					kills++
				}
				if started {
					interrupted++
				}
				inDoubt += found
			})
		})
	}
}

func crashTrial(t *testing.T, rng *rand.Rand, count func(killed, started bool, found int)) {
	s := jiratest.NewServer(t, jiratest.WithOrg(&jiratest.Org{Users: people(crashUsers)}))
	c, err := datacenter.New(s.URL, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)), datacenter.WithRateLimit(5000, 100))
	require.NoError(t, err)
	p := offboard()
	p.Select = crit(t, `name startsWith "user"`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	dir := t.TempDir()
	planPath, journalPath := filepath.Join(dir, "plan.json"), filepath.Join(dir, "journal")
	data, err := json.Marshal(plan)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(planPath, data, 0o600))
	s.ResetStats()
	finished := false
	for attempt := 0; attempt < 10 && !finished; attempt++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SW_CRASH_URL="+s.URL, "SW_CRASH_PLAN="+planPath, "SW_CRASH_JOURNAL="+journalPath)
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		exited := make(chan struct{})
		go func() { done <- cmd.Wait(); close(exited) }()
		// Kill at a random moment after the child has started writing
		// (its journal grew past the header and the earlier attempts'
		// lines): how long a child takes
		// to start depends on the machine's load, not on the test.
		kill := make(chan struct{})
		if attempt < 2 { // then let it finish
			delay := time.Duration(rng.IntN(40)) * time.Millisecond
			before := max(journalLines(journalPath), 1)
			go func() {
				deadline := time.Now().Add(time.Minute)
				for journalLines(journalPath) <= before && time.Now().Before(deadline) {
					select {
					case <-exited:
						return
					case <-time.After(2 * time.Millisecond):
					}
				}
				select {
				case <-exited:
				case <-time.After(delay):
					close(kill)
				}
			}()
		}
		select {
		case err := <-done:
			require.NoError(t, err, "the child failed")
			finished = true
		case <-kill:
			require.NoError(t, cmd.Process.Kill()) // SIGKILL
			err := <-done
			if _, ok := errors.AsType[*exec.ExitError](err); !ok && err != nil {
				t.Fatal(err)
			}
			count(true, len(journalEntries(t, journalPath)) > 1, 0)
		}
	}
	require.True(t, finished, "never finished")
	found := 0
	for _, e := range journalEntries(t, journalPath) {
		if e.Type == actions.EntryOutcome && e.Message == "found applied after an interruption" {
			found++
		}
	}
	count(false, false, found)
	for who, routes := range writes(s) {
		for route, n := range routes {
			assert.Equal(t, 1, n, "%s %s written %d times", who, route, n)
		}
	}
	for _, up := range plan.Users {
		u, ok := s.User(up.User.Name)
		require.True(t, ok)
		assert.False(t, u.Active, u.Name)
		assert.False(t, u.InGroup("staff"), u.Name)
		assert.Contains(t, u.Properties, "deactivatedOn", u.Name)
	}
}

// journalLines counts the complete lines of the journal at path (0 when
// there is none yet).
func journalLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}

func journalEntries(t *testing.T, path string) []actions.JournalEntry {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	entries, err := actions.ReadJournal(f)
	require.NoError(t, err)
	return entries
}
