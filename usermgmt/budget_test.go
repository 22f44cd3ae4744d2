package usermgmt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/usermgmt"
)

// laughs is a "billion laughs" policy file: ten levels of aliases, each
// ten times the one before, in the value of a setProperty action.
func laughs() string {
	var b strings.Builder
	b.WriteString("version: 1\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [", i, i)
		for k := range 10 {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("policies:\n  - name: p\n    users: {where: active}\n    actions: [{action: setProperty, key: k, value: *a9}]\n")
	return b.String()
}

// TestLoaderBudgets: a small file that expands to billions of values, a
// deeply nested one, an oversized one and trailing JSON are refused with
// a clear problem; a cancelled load stops.
func TestLoaderBudgets(t *testing.T) {
	t.Parallel()
	doc := laughs()
	require.Less(t, len(doc), 4096, "a few kilobytes")
	_, err := usermgmt.Parse([]byte(doc), usermgmt.YAML, usermgmt.WithName("laughs.yaml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("more than %d values once its aliases are expanded", usermgmt.MaxNodes))
	assert.Contains(t, err.Error(), "laughs.yaml")

	deep := "version: 1\nx: " + strings.Repeat("[", usermgmt.MaxDepth+5) + strings.Repeat("]", usermgmt.MaxDepth+5) + "\n"
	_, err = usermgmt.Parse([]byte(deep), usermgmt.YAML)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("nested deeper than %d levels", usermgmt.MaxDepth))

	big := "version: 1\n#" + strings.Repeat("x", usermgmt.MaxFileSize) + "\n"
	_, err = usermgmt.Parse([]byte(big), usermgmt.YAML)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "over 4194304 bytes")

	_, err = usermgmt.Parse([]byte(`{"version": 1, "policies": []} {"version": 2}`), usermgmt.JSON)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid JSON")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = usermgmt.Parse([]byte(doc), usermgmt.YAML, usermgmt.WithContext(ctx))
	require.ErrorIs(t, err, context.Canceled)
}

// BenchmarkLoaderLaughs measures how fast the billion laughs is refused.
func BenchmarkLoaderLaughs(b *testing.B) {
	doc := []byte(laughs())
	for b.Loop() {
		if _, err := usermgmt.Parse(doc, usermgmt.YAML); err == nil {
			b.Fatal("accepted")
		}
	}
}
