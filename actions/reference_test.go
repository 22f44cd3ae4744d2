package actions_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
)

var update = flag.Bool("update", false, "rewrite the README's actions reference")

const (
	referenceBegin = "<!-- actions reference: generated from actions.Actions() by `go test ./actions -run TestREADMEActions -update` -->\n"
	referenceEnd   = "<!-- end of the actions reference -->\n"
)

// reference renders the actions reference of the README from the table.
func reference() string {
	var b strings.Builder
	b.WriteString("| `action` | parameters (**required**) | step kind | undo | what it does |\n|---|---|---|---|---|\n")
	for _, d := range actions.Actions() {
		var ps []string
		for _, p := range d.Params {
			if p.Required {
				ps = append(ps, "**`"+p.Name+"`**")
			} else {
				ps = append(ps, "`"+p.Name+"`")
			}
		}
		doc := strings.ReplaceAll(d.Doc, "|", `\|`)
		if d.DCOnly {
			doc += " Data Center only."
		}
		b.WriteString("| `" + d.Name + "` | " + strings.Join(ps, ", ") + " | `" + string(d.Kind) + "` | " + d.Undo() + " | " + doc + " |\n")
	}
	return b.String()
}

// TestREADMEActions: the README's actions reference is the table's: an
// action added to the table without the README fails here (-update
// rewrites the section).
func TestREADMEActions(t *testing.T) {
	const path = "../README.md"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(data)
	i := strings.Index(readme, referenceBegin)
	j := strings.Index(readme, referenceEnd)
	require.True(t, i >= 0 && j > i, "the README has no actions reference between %q and %q", referenceBegin, referenceEnd)
	want := reference()
	got := readme[i+len(referenceBegin) : j]
	if *update && got != want {
		readme = readme[:i+len(referenceBegin)] + want + readme[j:]
		require.NoError(t, os.WriteFile(path, []byte(readme), 0o644))
		return
	}
	require.Equal(t, want, got, "run go test ./actions -run TestREADMEActions -update")
}
