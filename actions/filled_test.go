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

// TestUndoNeverAddsAdmins: a journal edited to say a run removed someone
// from an administrators group gives no undo step that adds them back.
func TestUndoNeverAddsAdmins(t *testing.T) {
	t.Parallel()
	u := &Identity{Key: "JIRAUSER10001", Name: "mallory"}
	entries := []JournalEntry{{Type: EntryRun, Plan: "p", Site: "https://jira.example.com"}}
	for _, g := range []string{"jira-administrators", "site-admins", "staff"} {
		entries = append(entries, JournalEntry{Type: EntryOutcome, Plan: "p", StepID: "JIRAUSER10001#" + g, User: u,
			Step: &Step{Kind: KindRemoveGroup, Group: g}, Outcome: Applied})
	}
	undo, err := Undo(entries, UndoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(undo.Users) != 1 || len(undo.Users[0].Steps) != 1 || undo.Users[0].Steps[0].Group != "staff" {
		t.Fatalf("undo steps: %+v", undo.Users)
	}
	if len(undo.NotUndoable) != 2 {
		t.Fatalf("not undoable: %v", undo.NotUndoable)
	}
}
