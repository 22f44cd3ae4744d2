package main

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo: the small program runs the tour as the CLI's demo does: the
// plan, the refusal by the limit, the applied run with its reason, and
// the reports on disk.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	code := run(t.Context(), []string{"--dir", dir}, &out, &errOut, now)
	require.Equal(t, 0, code, errOut.String())
	for _, want := range []string{"Seatwarden demo", "Steps: deactivate 256", "refused before any change",
		`--override-limits "REASON"`, "256 steps: 256 applied", "Limits overridden: policy \"inactive-90-days\" changes 256 users"} {
		assert.Contains(t, out.String(), want)
	}
	for _, f := range []string{"report.html", "run.journal", "runs/inactive-90-days.jsonl", "runs/inactive-90-days.csv"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	assert.Contains(t, errOut.String(), "a fake Jira Data Center in memory")
}

func TestDemoUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(t.Context(), []string{"--flavor", "onprem"}, &out, &errOut, time.Now))
	assert.Contains(t, errOut.String(), "Usage: go run ./examples/demo")
}
