package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOverrideLimits: a plan over its limit is refused with the flag as
// the next step; --override-limits needs a reason and an apply; with one
// the plan is applied and the summary, the journal and the run log record
// the reason.
func TestOverrideLimits(t *testing.T) {
	path := inactivePolicyFile(t, `    limits: {maxUsers: 2}
    reporting:
      sinks: [{type: jsonl, path: runs/inactive.jsonl}]
`)
	journal := filepath.Join(t.TempDir(), "run.journal")

	r := cli(t, nil, "--demo", "run", "--policy", path, "--apply", "--journal", journal)
	assert.Equal(t, exitRefused, r.code, r.stderr)
	assert.Contains(t, r.stderr, "refused: actions: blast-radius limit exceeded: policy \"inactive\" changes ")
	assert.Contains(t, r.stderr, "\nNext: narrow the policy's criterion or raise its limits, or apply anyway with --override-limits \"REASON\" (recorded in the journal and the report).\n")

	dry := cli(t, nil, "--demo", "plan", "--policy", path)
	assert.Equal(t, exitRefused, dry.code, dry.stderr)
	assert.Contains(t, dry.stdout, "If this many is intended, apply it\nwith --override-limits \"REASON\" (recorded in the journal and the report).\n")
	assert.NotContains(t, dry.stderr, "apply anyway", "the next step is said once")

	for _, args := range [][]string{
		{"run", "--policy", path, "--apply", "--override-limits", " "},
		{"run", "--policy", path, "--override-limits", "INC-1"},
		{"apply", "--plan", "p.json", "--override-limits="},
	} {
		r := cli(t, nil, append([]string{"--demo"}, args...)...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
		assert.Regexp(t, `--override-limits (needs a reason|applies: give --apply too)`, r.stderr)
	}

	r = cli(t, nil, "--demo", "run", "--policy", path, "--apply", "--journal", journal, "--override-limits", "office closed, CHG-12")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `\nLimits overridden: policy "inactive" changes \d+ users, [\d.]+% of \d+ active users \(limit: max 2 users\)\.\nReason given: office closed, CHG-12 \(recorded in the journal and the report\)\n`, r.stdout)
	j, err := os.ReadFile(journal)
	require.NoError(t, err)
	assert.Contains(t, string(j), `"limitOverride":{"reason":"office closed, CHG-12"`)
	log, err := os.ReadFile(filepath.Join(filepath.Dir(path), "runs", "inactive.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(log), `"limitOverride":{"reason":"office closed, CHG-12"`)
}
