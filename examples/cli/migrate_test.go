package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/datacenter/jiradbtest"
)

// smallOrg is a Jira user database with an old LDAP (read/write) being
// retired into the internal directory: four users to move (one with a
// mapped group, one whose group is created), a conflict, the tool's own
// account.
func smallOrg() jiradbtest.Org {
	return jiradbtest.Org{
		Dirs: []jiradbtest.Directory{
			{ID: 10000, Name: "Jira Internal Directory", Type: "INTERNAL", Position: 0, Active: true, Ops: jiradbtest.WritableOps},
			{ID: 10100, Name: "Corporate LDAP", Type: "CONNECTOR", Position: 1, Active: true, Ops: jiradbtest.ReadOnlyOps},
			{ID: 10200, Name: "Old LDAP", Type: "CONNECTOR", Position: 2, Active: true, Ops: jiradbtest.WritableOps},
		},
		Groups: []jiradbtest.Group{
			{ID: 10010, Dir: 10000, Name: "jira-software-users"},
			{ID: 10011, Dir: 10000, Name: "engineering"},
			{ID: 10020, Dir: 10200, Name: "jira-software-users"},
			{ID: 10021, Dir: 10200, Name: "eng"},
			{ID: 10022, Dir: 10200, Name: "old-sales"},
		},
		GroupSeq: 10100,
		Users: []jiradbtest.User{
			{ID: 20001, Dir: 10200, Name: "alice", Display: "Alice Ash", Email: "alice@old.example.com", Active: true,
				Attrs: map[string]string{"login.lastLoginMillis": "1760000000000", "login.count": "212"}, Groups: []string{"jira-software-users", "eng"}},
			{ID: 20002, Dir: 10200, Name: "bob", Display: "Bob Birch", Email: "bob@old.example.com", Active: true,
				Attrs: map[string]string{"login.count": "0"}, Groups: []string{"old-sales"}},
			{ID: 20003, Dir: 10200, Name: "carol", Display: "Carol Cedar", Email: "carol@old.example.com", Active: false, Groups: []string{"jira-software-users"}},
			{ID: 20004, Dir: 10200, Name: "dave", Display: "Dave Dogwood", Email: "dave@old.example.com", Active: true,
				Attrs: map[string]string{"login.lastLoginMillis": "1700000000000", "login.count": "9"}},
			{ID: 20005, Dir: 10200, Name: "erin", Display: "Erin (old)", Email: "erin@old.example.com", Active: true, Groups: []string{"jira-software-users"}},
			{ID: 20006, Dir: 10000, Name: "erin", Display: "Erin Elm", Email: "erin@example.com", Active: true, Groups: []string{"jira-software-users"}},
			{ID: 20007, Dir: 10200, Name: "svc-seatwarden", Display: "Seatwarden", Email: "svc@example.com", Active: true},
		},
	}
}

func TestMigrateCommands(t *testing.T) {
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			db, dsn := jiradbtest.OpenDSN(t, d)
			require.NoError(t, jiradbtest.Load(t.Context(), db, d, smallOrg()))
			before, err := jiradbtest.Dump(t.Context(), db)
			require.NoError(t, err)
			dir := t.TempDir()
			groupMap := filepath.Join(dir, "groups.csv")
			require.NoError(t, os.WriteFile(groupMap, []byte("from,to\neng,engineering\n"), 0o600))
			planFile := filepath.Join(dir, "move.json")
			env := map[string]string{"JIRA_DB_DSN": dsn}

			r := cli(t, env, "migrate", "plan", "--from", "Old LDAP", "--to", "Jira Internal Directory", "--self", "svc-seatwarden",
				"--group-map", groupMap, "--out", planFile)
			require.Equal(t, exitOK, r.code, r.stderr)
			golden(t, "migrate-plan", strings.ReplaceAll(r.stdout, planFile, "move.json"))
			if d == datacenter.PostgreSQL && *update {
				b, err := os.ReadFile(planFile)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join("testdata", "move-plan.json"), b, 0o644))
			}

			// The users a policy plan's moveDirectory action selected.
			policyPlan := filepath.Join(dir, "policy-plan.json")
			require.NoError(t, os.WriteFile(policyPlan, []byte(`{"id": "p1", "flavor": "dc", "users": [
  {"user": {"name": "alice"}, "steps": [{"kind": "move-directory", "directory": "Jira Internal Directory", "fromDirectory": "Old LDAP"}]},
  {"user": {"name": "bob"}, "steps": [{"kind": "move-directory", "directory": "Jira Internal Directory", "noop": "already in Jira Internal Directory"}]},
  {"user": {"name": "erin"}, "steps": [{"kind": "move-directory", "directory": "Jira Internal Directory", "fromDirectory": "Old LDAP"}]}]}`), 0o600))
			r = cli(t, env, "migrate", "plan", "--from-plan", policyPlan)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "Move 1 user from Old LDAP (10200)")
			assert.Contains(t, r.stdout, "  move      alice ")
			assert.Contains(t, r.stdout, "  conflict  erin ")
			assert.NotContains(t, r.stdout, "bob")
			r = cli(t, env, "migrate", "plan", "--from-plan", policyPlan, "--to", "Corporate LDAP")
			assert.Equal(t, exitFailed, r.code)
			assert.Contains(t, r.stderr, `users[0].steps[0]: moves alice to "Jira Internal Directory", not "Corporate LDAP": plan one target at a time`)

			// A read-only target is refused (exit 3).
			r = cli(t, env, "migrate", "plan", "--from", "Old LDAP", "--to", "Corporate LDAP")
			assert.Equal(t, exitRefused, r.code)
			assert.Contains(t, r.stderr, "refused: dirmove: refused: the target Corporate LDAP (10100) is a read-only CONNECTOR directory")

			// A running node refuses the migration, and nothing changes.
			require.NoError(t, jiradbtest.Heartbeat(t.Context(), db, d, "node-1", 30*time.Second))
			r = cli(t, env, "migrate", "--plan", planFile, "--apply")
			assert.Equal(t, exitRefused, r.code)
			assert.Regexp(t, `Jira is running on this database \(node node-1: heartbeat ([3-9]\d)s ago \(clusternode_heartbeat\), within the last 5m0s\); stop every Jira node`, r.stderr)
			_, err = db.ExecContext(t.Context(), "DELETE FROM clusternode_heartbeat")
			require.NoError(t, err)
			after, err := jiradbtest.Dump(t.Context(), db)
			require.NoError(t, err)
			assert.Equal(t, before, after)

			r = cli(t, env, "migrate", "--plan", planFile, "--apply")
			require.Equal(t, exitOK, r.code, r.stderr)
			golden(t, "migrate-apply", strings.ReplaceAll(r.stdout, planFile, "move.json"))
			journal, err := os.ReadFile(planFile + ".journal")
			require.NoError(t, err)
			assert.Equal(t, 5, strings.Count(string(journal), "\n"), "four users and the commit")

			// Applying twice is refused: the plan no longer matches.
			r = cli(t, env, "migrate", "--plan", planFile, "--apply")
			assert.Equal(t, exitRefused, r.code)
			assert.Contains(t, r.stderr, "the plan does not match the database")

			r = cli(t, env, "migrate", "--plan", planFile, "--undo")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "moved back alice: Jira Internal Directory → Old LDAP, verified")
			after, err = jiradbtest.Dump(t.Context(), db)
			require.NoError(t, err)
			assert.Equal(t, before, after, "undo restored every row")
		})
	}
}

// TestMigratePrint prints a plan's SQL without a database.
func TestMigratePrint(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		r := cli(t, nil, "migrate", "--plan", filepath.Join("testdata", "move-plan.json"), "--dialect", d)
		require.Equal(t, exitOK, r.code, r.stderr)
		golden(t, "migrate-print-"+d, r.stdout)
	}
	r := cli(t, nil, "migrate", "--plan", filepath.Join("testdata", "move-plan.json"))
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "without a DSN, say which SQL to print: --dialect postgres or --dialect mysql")

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"format\": 1,\n  \"moves\": [{\"user\": {\"id\": \"x\"}}]\n}\n"), 0o600))
	r = cli(t, nil, "migrate", "--plan", bad, "--dialect", "postgres")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, fmt.Sprintf("%s:3:", bad))
	assert.Contains(t, r.stderr, "field moves.user.id")
}

// TestMigrateBuiltProgram runs the built program in another process, as
// an admin would, on 2,000 users of an old LDAP (100 of them conflicts):
// plan, print, apply, undo; the undo leaves the database as it was.
// Skipped with -short (it builds the program).
func TestMigrateBuiltProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program; not with -short")
	}
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			db, dsn := jiradbtest.OpenDSN(t, d)
			o := smallOrg()
			o.Users = o.Users[:0]
			id := int64(30000)
			for i := range 2000 {
				name := fmt.Sprintf("u%05d", i)
				o.Users = append(o.Users, jiradbtest.User{ID: id, Dir: 10200, Name: name, Display: "U " + name, Email: name + "@old.example.com", Active: true,
					Attrs:  map[string]string{"login.lastLoginMillis": fmt.Sprint(1700000000000 + int64(i)*1000), "login.count": fmt.Sprint(i)},
					Groups: []string{"jira-software-users", []string{"eng", "old-sales"}[i%2]}})
				id++
				if i%20 == 0 {
					o.Users = append(o.Users, jiradbtest.User{ID: id, Dir: 10000, Name: name, Display: "Internal " + name, Email: name + "@example.com", Active: true})
					id++
				}
			}
			require.NoError(t, jiradbtest.Load(t.Context(), db, d, o))
			before, err := jiradbtest.Dump(t.Context(), db)
			require.NoError(t, err)

			bin := filepath.Join(t.TempDir(), "seatwarden")
			out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
			require.NoError(t, err, string(out))
			planFile := filepath.Join(t.TempDir(), "move.json")
			run := func(args ...string) string {
				t.Helper()
				cmd := exec.Command(bin, args...)
				cmd.Env = append(os.Environ(), "JIRA_DB_DSN="+dsn)
				start := time.Now()
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, string(out))
				t.Logf("%s %s: %s, %d lines", d, strings.Join(args[:len(args)-1], " "), time.Since(start).Round(time.Millisecond), strings.Count(string(out), "\n"))
				return string(out)
			}
			plan := run("migrate", "plan", "--from", "Old LDAP", "--to", "Jira Internal Directory", "--out", planFile)
			assert.Equal(t, 1900, strings.Count(plan, "\n  move      "))
			assert.Equal(t, 100, strings.Count(plan, "\n  conflict  "))
			printed := run("migrate", "--plan", planFile)
			assert.Contains(t, printed, "Checked against the database: it matches the plan.")
			applied := run("migrate", "--plan", planFile, "--apply")
			assert.Contains(t, applied, "1900 users moved in one transaction")
			run("migrate", "--plan", planFile, "--undo")
			after, err := jiradbtest.Dump(t.Context(), db)
			require.NoError(t, err)
			assert.True(t, before == after, "undo restored every row")
		})
	}
}
