package usermgmt

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
)

// TestActionTable: every action of package actions' table is a complete
// policy-file action — it builds from an ActionSpec, its parameters are
// fields of ActionSpec, its required parameters are checked, parameters
// of other actions are refused — so that a row there is all a new action
// needs.
func TestActionTable(t *testing.T) {
	t.Parallel()
	full := ActionSpec{Groups: []string{"g"}, Licence: "jira-software", Password: "random", Key: "k",
		Value: json.RawMessage(`1`), Project: "OPS", IssueType: "Task", Summary: "s", Description: "d", Labels: []string{"l"}, To: "Internal",
		Subject: "Hello {{displayName}}", Body: "Log in by {{deadline}}", Cc: []string{"ops@example.com"}, DeadlineDays: 30}
	known := setParams(&full)
	require.Len(t, known, len(specParams), "the full spec sets every parameter")
	seen := map[ActionKind]bool{}
	for _, d := range actions.Actions() {
		kind := ActionKind(d.Name)
		require.False(t, seen[kind], "%s listed twice", kind)
		seen[kind] = true
		spec := ActionSpec{Action: kind}
		for _, p := range d.Params {
			require.Contains(t, known, p.Name, "%s: parameter %s is not a field of ActionSpec", kind, p.Name)
		}
		fillParams(&spec, &full, d.Params)
		a, err := spec.action(nil)
		require.NoError(t, err, kind)
		assert.NotEmpty(t, a.Name(), kind)
		// A spec without its required parameters is refused, with each
		// missing parameter's path.
		ps := &problems{lines: map[string]int{}}
		validateAction("a", &ActionSpec{Action: kind}, 0, ps)
		for _, p := range d.Params {
			if p.Required {
				assert.True(t, ps.has("a."+p.Name), "%s: missing %s not reported", kind, p.Name)
			}
		}
		// A parameter of another action is refused, by name.
		for _, name := range known {
			if !containsParam(d.Params, name) {
				extra := spec
				fillParams(&extra, &full, []actions.Param{{Name: name}})
				ps := &problems{lines: map[string]int{}}
				validateAction("a", &extra, 0, ps)
				assert.True(t, ps.has("a."+name), "%s: extra %s not reported", kind, name)
				_, err := extra.action(nil)
				assert.Error(t, err, "%s built with %s", kind, name)
				break
			}
		}
	}
	assert.Equal(t, len(actions.Actions()), len(ActionKinds()))
	_, err := ActionSpec{Action: "explode"}.action(nil)
	assert.Error(t, err)
}

func containsParam(ps []actions.Param, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// fillParams copies the named parameters from src into dst.
func fillParams(dst, src *ActionSpec, params []actions.Param) {
	for _, p := range params {
		i := specParams[p.Name]
		reflectField(dst, i).Set(reflectField(src, i))
	}
}

func reflectField(a *ActionSpec, i int) reflect.Value { return reflect.ValueOf(a).Elem().Field(i) }
