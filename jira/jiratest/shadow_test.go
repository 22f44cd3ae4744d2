package jiratest_test

import (
	"fmt"
	"testing"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestDCShadowing: a name that exists only in a directory after the first
// writable one can be created again; the new user shadows the old account,
// keeps its key, and GET /user/duplicated/list shows both. A name in the
// first writable directory cannot.
func TestDCShadowing(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithOrg(&jiratest.Org{
		Directories: []jiratest.Directory{{ID: "10200", Name: "Old LDAP", ReadOnly: true}},
		Users: []jiratest.UserSpec{
			{Name: "alice", Key: "JIRAUSER7", DisplayName: "Alice", Email: "alice@example.com", Directory: "Old LDAP"},
			{Name: "bob", DisplayName: "Bob", Email: "bob@example.com"},
		},
	}))
	c := memClient(t, s)
	var dups map[string][]map[string]any
	c.want(200, "GET", "/rest/api/2/user/duplicated/list", nil).decode(t, &dups)
	if len(dups) != 0 {
		t.Fatalf("duplicates before: %v", dups)
	}

	var created struct{ Key, Name string }
	c.want(201, "POST", "/rest/api/2/user", map[string]any{"name": "alice", "emailAddress": "alice@example.com", "displayName": "Alice",
		"applicationKeys": []string{}}).decode(t, &created)
	if created.Key != "JIRAUSER7" {
		t.Errorf("the shadowing user's key is %q, want the name's key JIRAUSER7", created.Key)
	}
	c.want(200, "GET", "/rest/api/2/user/duplicated/list", nil).decode(t, &dups)
	want := `[map[directoryId:1 directoryName:Jira Internal Directory userActive:true] map[directoryId:10200 directoryName:Old LDAP userActive:true]]`
	if got := fmtAny(dups["alice"]); got != want || len(dups) != 1 {
		t.Errorf("duplicated/list = %v, want alice: %s", dups, want)
	}
	var count struct{ Count int }
	c.want(200, "GET", "/rest/api/2/user/duplicated/count?flush=true", nil).decode(t, &count)
	if count.Count != 1 {
		t.Errorf("count %d, want 1", count.Count)
	}

	// bob is in the internal directory, the first writable one.
	c.want(400, "POST", "/rest/api/2/user", map[string]any{"name": "bob", "emailAddress": "bob@example.com", "displayName": "Bob"})
	// A second alice would go to the same directory as the first.
	c.want(400, "POST", "/rest/api/2/user", map[string]any{"name": "ALICE", "emailAddress": "a2@example.com", "displayName": "A"})
}

func fmtAny(v any) string { return fmt.Sprint(v) }
