package actions_test

import (
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
	run, err := actions.Apply(context.Background(), site{c}, &plan, actions.ApplyOptions{Journal: j, Concurrency: 4,
		NoFingerprints: os.Getenv("SW_CRASH_UNDO") == "1"})
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
	killUntilDone(t, rng, journalPath, func() {}, func(started bool) { count(true, started, 0) },
		"SW_CRASH_URL="+s.URL, "SW_CRASH_PLAN="+planPath, "SW_CRASH_JOURNAL="+journalPath)
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

// TestUndoCrashResume applies a plan, then undoes it in a child process
// killed with SIGKILL at random points and started again with the same
// undo plan (its id is derived from the journal's plan) and the undo's own
// journal, until it finishes: no undo step is written twice, and every
// user ends as it was before the run.
func TestUndoCrashResume(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	const trials = 6
	var mu sync.Mutex
	kills, interrupted := 0, 0
	t.Cleanup(func() {
		t.Logf("%d undo trials, %d SIGKILLs, %d of them after the undo had started writing", trials, kills, interrupted)
		if !t.Failed() {
			assert.Positive(t, interrupted, "some kills must land mid-undo")
		}
	})
	for trial := range trials {
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			t.Parallel()
			undoCrashTrial(t, rand.New(rand.NewPCG(2, uint64(trial))), func(started bool) {
				mu.Lock()
				defer mu.Unlock()
				kills++
				if started {
					interrupted++
				}
			})
		})
	}
}

func undoCrashTrial(t *testing.T, rng *rand.Rand, killed func(started bool)) {
	s := jiratest.NewServer(t, jiratest.WithOrg(&jiratest.Org{Users: people(crashUsers)}))
	c, err := datacenter.New(s.URL, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)), datacenter.WithRateLimit(5000, 100))
	require.NoError(t, err)
	before := s.Users()
	p := offboard()
	p.Select = crit(t, `name startsWith "user"`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{Site: s.URL})
	dir := t.TempDir()
	runJournal := filepath.Join(dir, "run.journal")
	j, err := actions.OpenJournal(runJournal)
	require.NoError(t, err)
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j})
	require.NoError(t, err)
	require.Zero(t, run.Counts[actions.Failed])
	require.NoError(t, j.Close())

	undoPath, journalPath := filepath.Join(dir, "undo.json"), filepath.Join(dir, "undo.journal")
	s.ResetStats()
	// The undo plan is made again before each start, as a person running
	// undo again would: the same id, so its journal resumes.
	again := func() {
		undo, err := actions.Undo(journalEntries(t, runJournal), actions.UndoOptions{Site: s.URL})
		require.NoError(t, err)
		assert.Equal(t, actions.UndoID(plan.ID), undo.ID)
		data, err := json.Marshal(undo)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(undoPath, data, 0o600))
	}
	killUntilDone(t, rng, journalPath, again, killed,
		"SW_CRASH_URL="+s.URL, "SW_CRASH_PLAN="+undoPath, "SW_CRASH_JOURNAL="+journalPath, "SW_CRASH_UNDO=1")
	for who, routes := range writes(s) {
		for route, n := range routes {
			if who == "?" {
				// Adding to a group names the user in the body: one a user.
				assert.Equal(t, crashUsers, n, "%s written %d times", route, n)
				continue
			}
			assert.Equal(t, 1, n, "%s %s written %d times", who, route, n)
		}
	}
	after := s.Users()
	require.Len(t, after, len(before))
	for i := range before {
		assert.Equal(t, before[i].Active, after[i].Active, before[i].Name)
		assert.Equal(t, before[i].Groups, after[i].Groups, before[i].Name)
		assert.Equal(t, before[i].Properties, after[i].Properties, before[i].Name)
	}
}

// awaitJournal waits until the journal at path holds more than had
// entries, or the child ends (done is then refilled for the caller).
func awaitJournal(path string, had int, done chan error) {
	for {
		select {
		case err := <-done:
			done <- err
			return
		case <-time.After(2 * time.Millisecond):
		}
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		entries, _ := actions.ReadJournal(f)
		_ = f.Close()
		if len(entries) > had {
			return
		}
	}
}

// killUntilDone starts TestCrashChild with env, after calling before,
// and kills it with SIGKILL a random time after its first journal entry,
// twice at most; then lets it finish. killed is told of each kill and
// whether the child had written to the journal at journalPath.
func killUntilDone(t *testing.T, rng *rand.Rand, journalPath string, before func(), killed func(started bool), env ...string) {
	t.Helper()
	for attempt := range 10 {
		before()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), env...)
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := time.Duration(rng.IntN(60)) * time.Millisecond
		if attempt >= 2 {
			delay = time.Minute // let it finish
		} else {
			// Count from the child's first journal entry, not from its
			// start: a binary built with -race starts slowly.
			awaitJournal(journalPath, len(journalEntries(t, journalPath)), done)
		}
		select {
		case err := <-done:
			require.NoError(t, err, "the child failed")
			return
		case <-time.After(delay):
			require.NoError(t, cmd.Process.Kill()) // SIGKILL
			err := <-done
			if _, ok := errors.AsType[*exec.ExitError](err); !ok && err != nil {
				t.Fatal(err)
			}
			killed(len(journalEntries(t, journalPath)) > 1)
		}
	}
	t.Fatal("never finished")
}
