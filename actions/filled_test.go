package actions

import (
	"encoding/json"
	"testing"
)

// TestFilledFrom: a journal's value for an interrupted set-property is
// used only when it is the step's template with its placeholders filled.
func TestFilledFrom(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tmpl, value string
		want        bool
	}{
		{`"{{now}}"`, `"2026-06-01T12:00:00Z"`, true},
		{`{"on": "{{date}}", "by": "seatwarden", "run": "{{runId}}"}`, `{"on":"2026-06-01","by":"seatwarden","run":"r-1"}`, true},
		{`{"on": "{{date}}", "by": "seatwarden"}`, `{"on":"2026-06-01","by":"mallory"}`, false},
		{`"{{now}}"`, `"x\", \"admin\": true"`, false},
		{`"{{now}}"`, `{"admin": true}`, false},
		{`"fixed"`, `"fixed"`, false},  // no placeholder: the step's own value is written
		{`"{{user}}"`, `"ann"`, false}, // filled at planning, not at apply
	}
	for _, c := range cases {
		if got := filledFrom(json.RawMessage(c.tmpl), json.RawMessage(c.value)); got != c.want {
			t.Errorf("filledFrom(%s, %s) = %t, want %t", c.tmpl, c.value, got, c.want)
		}
	}
}
