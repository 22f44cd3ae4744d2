package dirmove_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/datacenter/dirmove"
	"github.com/seatwarden/seatwarden/jira/datacenter/jiradbtest"
	_ "github.com/seatwarden/seatwarden/jira/datacenter/logindb"
)

// These tests run on real PostgreSQL and MariaDB servers holding Jira's
// user tables (jiradbtest). Without a DSN they skip; in CI they fail.

const (
	internalDir = 10000
	corpDir     = 10100
	oldDir      = 10200
)

// genOrg is an internal directory (first, writable), a read-only
// corporate LDAP and an "old LDAP" (read/write, last) with 531 users: 500
// to move, 30 whose names the internal directory has too (conflicts) and
// the tool's own account.
func genOrg(seed uint64) (jiradbtest.Org, map[string]jiradbtest.User) {
	r := rand.New(rand.NewPCG(seed, 2))
	o := jiradbtest.Org{
		Dirs: []jiradbtest.Directory{
			{ID: internalDir, Name: "Jira Internal Directory", Type: "INTERNAL", Position: 0, Active: true, Ops: jiradbtest.WritableOps},
			{ID: corpDir, Name: "Corporate LDAP", Type: "CONNECTOR", Position: 1, Active: true, Ops: jiradbtest.ReadOnlyOps},
			{ID: oldDir, Name: "Old LDAP", Type: "CONNECTOR", Position: 2, Active: true, Ops: jiradbtest.WritableOps},
		},
		Groups: []jiradbtest.Group{
			{ID: 10010, Dir: internalDir, Name: "jira-software-users"},
			{ID: 10011, Dir: internalDir, Name: "jira-administrators"},
			{ID: 10020, Dir: oldDir, Name: "jira-software-users"},
			{ID: 10021, Dir: oldDir, Name: "Old-Engineering"},
			{ID: 10022, Dir: oldDir, Name: "old-sales"},
			{ID: 10023, Dir: oldDir, Name: `O'Brien\team`},
		},
		GroupSeq: 10100,
	}
	moving := map[string]jiradbtest.User{}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	id := int64(20000)
	oldGroups := []string{"jira-software-users", "Old-Engineering", "old-sales", `O'Brien\team`}
	for i := range 530 {
		name := fmt.Sprintf("User%04d", i)
		if i == 7 {
			name = `d'angelo\x`
		}
		u := jiradbtest.User{ID: id, Dir: oldDir, Name: name, Display: "User " + strconv.Itoa(i), Email: name + "@old.example.com", Active: i%9 != 0,
			Attrs: map[string]string{"passwordLastChanged": "1"}}
		id++
		if r.IntN(4) > 0 {
			u.Attrs["login.lastLoginMillis"] = strconv.FormatInt(base.UnixMilli()+r.Int64N(400*24*3600*1000), 10)
			u.Attrs["login.count"] = strconv.Itoa(1 + r.IntN(900))
		}
		for j, g := range oldGroups {
			if (i+j)%3 == 0 || j == 0 {
				u.Groups = append(u.Groups, g)
			}
		}
		o.Users = append(o.Users, u)
		if i%18 == 5 { // 30 of them
			// The same name in the internal directory: a conflict.
			o.Users = append(o.Users, jiradbtest.User{ID: id, Dir: internalDir, Name: name, Display: "Internal " + name, Email: name + "@example.com",
				Active: true, Groups: []string{"jira-software-users"}, Attrs: map[string]string{"login.count": "3"}})
			id++
		} else {
			moving[strings.ToLower(name)] = u
		}
	}
	o.Users = append(o.Users, jiradbtest.User{ID: id, Dir: oldDir, Name: "svc-seatwarden", Active: true, Groups: []string{"jira-software-users"}})
	id++
	for i := range 40 {
		o.Users = append(o.Users, jiradbtest.User{ID: id, Dir: internalDir, Name: fmt.Sprintf("staff%02d", i), Active: true,
			Groups: []string{"jira-software-users", "jira-administrators"}})
		id++
	}
	return o, moving
}

var toInternal = dirmove.Request{From: "Old LDAP", To: "Jira Internal Directory", Self: "svc-seatwarden"}

func dump(t *testing.T, db *sql.DB, tables ...string) string {
	t.Helper()
	s, err := jiradbtest.Dump(t.Context(), db, tables...)
	require.NoError(t, err)
	return s
}

func plan(t *testing.T, db *sql.DB, req dirmove.Request) *dirmove.Plan {
	t.Helper()
	st, err := dirmove.Inspect(t.Context(), db, req)
	require.NoError(t, err)
	p, err := dirmove.NewPlan(st, req, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	return p
}

func setup(t *testing.T, d datacenter.Dialect) (*sql.DB, jiradbtest.Org, map[string]jiradbtest.User) {
	t.Helper()
	db := jiradbtest.Open(t, d)
	o, moving := genOrg(18)
	require.NoError(t, jiradbtest.Load(t.Context(), db, d, o))
	return db, o, moving
}

func TestMoveAndBack(t *testing.T) {
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db, _, moving := setup(t, d)
			before := dump(t, db)
			tables := []string{"cwd_user", "cwd_user_attributes", "cwd_membership", "app_user"}
			beforeUsers := dump(t, db, tables...)

			p := plan(t, db, toInternal)
			require.Len(t, p.Moves, 500)
			require.Len(t, moving, 500)
			require.Len(t, p.Conflicts, 30)
			for _, c := range p.Conflicts {
				assert.Equal(t, int64(oldDir), c.Source.Directory, c.Source.Name)
				assert.Equal(t, int64(internalDir), c.Target.Directory, c.Source.Name)
				assert.Equal(t, c.Source.Name, c.Target.Name)
				assert.Equal(t, "Internal "+c.Source.Name, c.Target.Display, "the target's own record is shown")
				assert.NotContains(t, moving, strings.ToLower(c.Source.Name))
			}
			require.Equal(t, []dirmove.Refusal{{User: "svc-seatwarden", Reason: "the account Seatwarden runs as is never moved"}}, p.Refused)
			var created []string
			for _, g := range p.NewGroups {
				created = append(created, g.Name)
			}
			assert.ElementsMatch(t, []string{"Old-Engineering", "old-sales", `O'Brien\team`}, created, "jira-software-users exists in the target")
			assert.Contains(t, p.Online, "possible (shadowing)")
			for _, m := range p.Moves {
				assert.Equal(t, "offline", m.Way)
				assert.Contains(t, m.Reason, fmt.Sprintf("keeps id %d, key %s", m.User.ID, m.Key))
			}

			var journal bytes.Buffer
			res, err := dirmove.Apply(ctx, db, d, p, dirmove.ApplyOptions{Journal: &journal})
			require.NoError(t, err)
			assert.Equal(t, 500, res.Users)
			lines := strings.Split(strings.TrimSpace(journal.String()), "\n")
			require.Len(t, lines, 501)
			assert.Contains(t, lines[500], `"outcome":"committed"`)

			// What Jira reads now: every moved user in the internal
			// directory with its last login, login count, key and groups.
			logins, err := datacenter.SQLLoginSource(db, d).Logins(ctx)
			require.NoError(t, err)
			for lower, u := range moving {
				l, ok := logins[lower]
				require.True(t, ok, lower)
				assert.Equal(t, "Jira Internal Directory", l.Directory, lower)
				if v, ok := u.Attrs["login.lastLoginMillis"]; ok {
					ms, _ := strconv.ParseInt(v, 10, 64)
					assert.Equal(t, ms, l.LastLogin.Time.UnixMilli(), lower)
					n, _ := strconv.Atoi(u.Attrs["login.count"])
					require.NotNil(t, l.LoginCount, lower)
					assert.Equal(t, n, *l.LoginCount, lower)
				} else {
					assert.False(t, l.LastLogin.Known && !l.LastLogin.Time.IsZero(), lower)
				}
			}
			groups := memberships(t, db, internalDir)
			for lower, u := range moving {
				assert.ElementsMatch(t, lowerAll(u.Groups), groups[lower], lower)
			}
			keys := userKeys(t, db)
			for lower, u := range moving {
				assert.Equal(t, fmt.Sprintf("JIRAUSER%d", u.ID), keys[lower], lower)
			}
			// Conflicts and the tool's account untouched.
			after := dump(t, db, "cwd_user")
			for _, c := range p.Conflicts {
				assert.Contains(t, after, fmt.Sprintf("%d | %d | %s", c.Source.ID, oldDir, c.Source.Name))
				assert.Contains(t, after, fmt.Sprintf("%d | %d | %s", c.Target.ID, internalDir, c.Target.Name))
			}
			probs, err := dirmove.Verify(ctx, db, p, true)
			require.NoError(t, err)
			assert.Empty(t, probs)
			// The verification script returns no row.
			sc, err := dirmove.Render(p, d)
			require.NoError(t, err)
			for _, q := range sc.Verify {
				assert.Zero(t, countRows(t, db, q), q)
			}

			// Undo restores the exact rows.
			journal.Reset()
			_, err = dirmove.Undo(ctx, db, d, p, dirmove.ApplyOptions{Journal: &journal})
			require.NoError(t, err)
			sameDump(t, before, dump(t, db), "undo restores every row as it was")
			assert.Positive(t, countRows(t, db, sc.Verify[0]), "after the undo the verification sees users outside the target")

			// Move again, then back to the old LDAP with a second plan:
			// users, attributes and memberships as they were.
			_, err = dirmove.Apply(ctx, db, d, p, dirmove.ApplyOptions{})
			require.NoError(t, err)
			var names []string
			for _, m := range p.Moves {
				names = append(names, m.User.Name)
			}
			back := plan(t, db, dirmove.Request{From: "Jira Internal Directory", To: "Old LDAP", Users: names})
			require.Len(t, back.Moves, 500)
			assert.Empty(t, back.NewGroups, "every group exists in the old LDAP")
			assert.Contains(t, back.Online, "not possible")
			_, err = dirmove.Apply(ctx, db, d, back, dirmove.ApplyOptions{})
			require.NoError(t, err)
			sameDump(t, beforeUsers, dump(t, db, tables...), "moved there and back: users, attributes, memberships and keys as they were")
		})
	}
}

// memberships returns each user's groups (lower names) in directory dir,
// read through the membership and group tables.
func memberships(t *testing.T, db *sql.DB, dir int64) map[string][]string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), fmt.Sprintf(`SELECT u.lower_user_name, g.lower_group_name FROM cwd_membership m
		JOIN cwd_user u ON u.id = m.child_id AND u.directory_id = m.directory_id
		JOIN cwd_group g ON g.id = m.parent_id AND g.directory_id = m.directory_id WHERE m.directory_id = %d`, dir))
	require.NoError(t, err)
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var u, g string
		require.NoError(t, rows.Scan(&u, &g))
		out[u] = append(out[u], g)
	}
	require.NoError(t, rows.Err())
	return out
}

func lowerAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToLower(v)
	}
	return out
}

func userKeys(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT lower_user_name, user_key FROM app_user")
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, k string
		require.NoError(t, rows.Scan(&u, &k))
		out[u] = k
	}
	require.NoError(t, rows.Err())
	return out
}

func countRows(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), q)
	require.NoError(t, err, q)
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	require.NoError(t, rows.Err())
	return n
}

func TestRunningJiraRefused(t *testing.T) {
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db, _, _ := setup(t, d)
			p := plan(t, db, toInternal)
			// A node that stopped long ago does not block.
			require.NoError(t, jiradbtest.Heartbeat(ctx, db, d, "node-old", 3*time.Hour))
			c, err := dirmove.CheckStopped(ctx, db, d, 0)
			require.NoError(t, err)
			assert.Equal(t, 1, c.Nodes)
			assert.Equal(t, []string{"clusternode_heartbeat", "clusterlockstatus"}, c.Checked)

			require.NoError(t, jiradbtest.Heartbeat(ctx, db, d, "node-2", 20*time.Second))
			before := dump(t, db)
			_, err = dirmove.Apply(ctx, db, d, p, dirmove.ApplyOptions{})
			require.Error(t, err)
			assert.True(t, dirmove.IsRefused(err))
			// The age is the database's: 20 s plus however long this took.
			assert.Regexp(t, `Jira is running on this database \(node node-2: heartbeat (2\d|[3-9]\d)s ago \(clusternode_heartbeat\), within the last 5m0s\)`, err.Error())
			assert.Contains(t, err.Error(), "stop every Jira node")
			sameDump(t, before, dump(t, db), "nothing changed")

			// A held cluster lock, recently updated, refuses too.
			_, err = db.ExecContext(ctx, "DELETE FROM clusternode_heartbeat WHERE node_id = 'node-2'")
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, "INSERT INTO clusterlockstatus VALUES (1, 'com.atlassian.jira.user.sync', 'node-3', "+
				map[datacenter.Dialect]string{datacenter.PostgreSQL: "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)",
					datacenter.MySQL: "CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)"}[d]+" - 5000)")
			require.NoError(t, err)
			_, err = dirmove.Apply(ctx, db, d, p, dirmove.ApplyOptions{})
			require.Error(t, err)
			assert.Regexp(t, `node node-3: cluster lock \d+s ago \(clusterlockstatus\)`, err.Error())
			sameDump(t, strings.Split(before, "== clusternode_heartbeat")[0], strings.Split(dump(t, db), "== clusternode_heartbeat")[0], "nothing changed")
		})
	}
}

func TestRefusals(t *testing.T) {
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db, _, _ := setup(t, d)
			req := dirmove.Request{From: "Old LDAP", To: "Corporate LDAP"}
			st, err := dirmove.Inspect(ctx, db, req)
			require.NoError(t, err)
			_, err = dirmove.NewPlan(st, req, time.Now())
			require.ErrorIs(t, err, dirmove.ErrRefused)
			assert.ErrorContains(t, err, "the target Corporate LDAP (10100) is a read-only CONNECTOR directory")

			// Named users: one missing, one conflict, two moving.
			p := plan(t, db, dirmove.Request{From: "10200", To: "10000", Users: []string{"user0001", "USER0005", "nobody"}})
			require.Len(t, p.Moves, 1)
			assert.Equal(t, "User0001", p.Moves[0].User.Name)
			require.Len(t, p.Conflicts, 1)
			assert.Equal(t, []dirmove.Refusal{{User: "nobody", Reason: "not in Old LDAP (10200)"}}, p.Refused)

			// Two groups mapped to one target group: that user is refused.
			p = plan(t, db, dirmove.Request{From: "Old LDAP", To: "Jira Internal Directory", Users: []string{"user0002", "user0001"},
				GroupMap: map[string]string{"old-engineering": "jira-software-users"}})
			require.Len(t, p.Refused, 1)
			assert.Equal(t, "User0002", p.Refused[0].User)
			assert.Contains(t, p.Refused[0].Reason, `both map to "jira-software-users"`)
			require.Len(t, p.Moves, 1)
			for _, ms := range p.Moves[0].Memberships {
				if ms.FromGroup == "Old-Engineering" {
					t.Errorf("User0001 is not in Old-Engineering")
				}
			}

			// A plan that no longer matches the database is refused.
			p = plan(t, db, toInternal)
			before := dump(t, db)
			_, err = db.ExecContext(ctx, "UPDATE cwd_user SET directory_id = 10000 WHERE lower_user_name = 'user0002' AND directory_id = 10200")
			require.NoError(t, err)
			_, err = dirmove.Apply(ctx, db, d, p, dirmove.ApplyOptions{})
			require.ErrorIs(t, err, dirmove.ErrRefused)
			assert.EqualError(t, err, "dirmove: refused: the plan does not match the database (plan again): User0002: not to be moved now (not in Old LDAP (10200))")
			_, err = db.ExecContext(ctx, "UPDATE cwd_user SET directory_id = 10200 WHERE lower_user_name = 'user0002' AND directory_id = 10000")
			require.NoError(t, err)
			sameDump(t, before, dump(t, db), "nothing changed")

			// An edited plan (a conflict slipped into the moves) is refused.
			edited := plan(t, db, toInternal)
			c := edited.Conflicts[0]
			edited.Moves = append(edited.Moves, dirmove.Move{User: c.Source, Way: "offline"})
			_, err = dirmove.Apply(ctx, db, d, edited, dirmove.ApplyOptions{})
			require.ErrorIs(t, err, dirmove.ErrRefused)
			assert.ErrorContains(t, err, c.Source.Name+": not to be moved now (the name exists in Jira Internal Directory)")
			sameDump(t, before, dump(t, db), "nothing changed")
		})
	}
}

// TestCancelledMigration cancels the migration halfway through its
// statements: the transaction rolls back and the database is unchanged.
func TestCancelledMigration(t *testing.T) {
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, _, _ := setup(t, d)
			p := plan(t, db, toInternal)
			before := dump(t, db)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var journal bytes.Buffer
			halfway := 0
			_, err := dirmove.Apply(ctx, db, d, p, dirmove.ApplyOptions{Journal: &journal, Progress: func(done, total int) {
				if done == total/2 {
					halfway = done
					cancel()
				}
			}})
			require.Error(t, err)
			assert.Positive(t, halfway)
			assert.Contains(t, journal.String(), `"outcome":"rolled back"`)
			sameDump(t, before, dump(t, db), "a cancelled migration changes nothing")
		})
	}
}

// TestKilledMigration runs the migration in a child process and kills it
// (SIGKILL) halfway through the transaction: the server rolls it back.
func TestKilledMigration(t *testing.T) {
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, dsn := jiradbtest.OpenDSN(t, d)
			o, _ := genOrg(18)
			require.NoError(t, jiradbtest.Load(t.Context(), db, d, o))
			p := plan(t, db, toInternal)
			before := dump(t, db)
			planFile := t.TempDir() + "/plan.json"
			b, err := json.Marshal(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(planFile, b, 0o600))

			cmd := exec.Command(os.Args[0], "-test.run=^TestChildMigration$")
			cmd.Env = append(os.Environ(), "DIRMOVE_CHILD_DSN="+dsn, "DIRMOVE_CHILD_PLAN="+planFile)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			sc := bufio.NewScanner(out)
			halfway := false
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "HALFWAY") {
					halfway = true
					break
				}
			}
			require.True(t, halfway, "the child reached the middle of the transaction")
			require.NoError(t, cmd.Process.Kill())
			_ = cmd.Wait()
			// The server notices the lost connection and rolls back.
			sameDump(t, before, dump(t, db), "a killed migration changes nothing")
			_, err = dirmove.Apply(t.Context(), db, d, p, dirmove.ApplyOptions{})
			require.NoError(t, err, "after the kill the same plan still applies")
		})
	}
}

// TestChildMigration is the child process of TestKilledMigration.
func TestChildMigration(t *testing.T) {
	dsn, planFile := os.Getenv("DIRMOVE_CHILD_DSN"), os.Getenv("DIRMOVE_CHILD_PLAN")
	if dsn == "" {
		t.Skip("the child of TestKilledMigration")
	}
	db, d, err := datacenter.OpenLoginDB(dsn)
	require.NoError(t, err)
	b, err := os.ReadFile(planFile)
	require.NoError(t, err)
	var p dirmove.Plan
	require.NoError(t, json.Unmarshal(b, &p))
	_, _ = dirmove.Apply(context.Background(), db, d, &p, dirmove.ApplyOptions{Progress: func(done, total int) {
		if done == total/2 {
			fmt.Println("HALFWAY")
			time.Sleep(time.Minute) // killed here
		}
	}})
	t.Fatal("not killed")
}

// sameDump fails with the first differing line when two dumps differ.
func sameDump(t *testing.T, want, got, msg string) {
	t.Helper()
	if want == got {
		return
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			t.Errorf("%s: the dumps differ at line %d:\nwant %q\ngot  %q", msg, i+1, a, b)
			return
		}
	}
}
