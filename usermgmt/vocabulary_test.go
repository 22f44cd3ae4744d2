package usermgmt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestActionTable: every row of the action table is a complete action —
// it builds, its parameters are fields of ActionSpec, its required
// parameters are checked — so that a row is all a new action needs.
func TestActionTable(t *testing.T) {
	t.Parallel()
	full := ActionSpec{Groups: []string{"g"}, Licence: "jira-software", Password: "random", Key: "k",
		Value: json.RawMessage(`1`), Project: "OPS", IssueType: "Task", Summary: "s", Description: "d", Labels: []string{"l"}, To: "Internal"}
	known := setParams(&full)
	seen := map[ActionKind]bool{}
	for _, d := range actionTable {
		require.False(t, seen[d.kind], "%s listed twice", d.kind)
		seen[d.kind] = true
		spec := full
		spec.Action = d.kind
		a, err := spec.action()
		require.NoError(t, err, d.kind)
		assert.NotEmpty(t, a.Name(), d.kind)
		for _, p := range d.params {
			assert.Contains(t, known, strings.TrimSuffix(p, "!"), "%s: parameter %s is not a field", d.kind, p)
		}
		// A spec without its required parameters is refused, with each
		// missing parameter's path.
		ps := &problems{lines: map[string]int{}}
		validateAction("a", &ActionSpec{Action: d.kind}, 0, ps)
		for _, p := range d.params {
			if name, required := strings.CutSuffix(p, "!"); required {
				assert.True(t, ps.has("a."+name), "%s: missing %s not reported", d.kind, name)
			}
		}
	}
	assert.Equal(t, len(actionTable), len(ActionKinds()))
	_, err := ActionSpec{Action: "explode"}.action()
	assert.Error(t, err)
}
