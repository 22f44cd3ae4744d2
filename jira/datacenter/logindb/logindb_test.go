package logindb_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/datacenter/jiradbtest"
	_ "github.com/seatwarden/seatwarden/jira/datacenter/logindb"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// These tests load Jira's user tables, as Jira defines them, into real
// PostgreSQL and MariaDB servers, run the login query through
// SQLLoginSource, and compare its answer with the generated org user by
// user. .ci/run starts the servers and exports their DSNs; without a DSN
// a test skips, except in CI (CI=true), where it fails.

// directory is a row of cwd_directory.
type directory struct {
	id       int
	name     string
	position int
	active   bool
}

// dbUser is a row of cwd_user with its login attributes.
type dbUser struct {
	id        int
	dir       int
	name      string
	created   time.Time
	lastLogin time.Time // zero: no login.lastLoginMillis attribute
	count     int       // -1: no login.count attribute
}

// org is a generated set of Jira user tables: 300 names, every fourth
// also in a second active directory placed before the internal one
// (shadowing it), every fifth also in an inactive directory, and a few
// only in the inactive directory (not users of Jira at all).
type org struct {
	dirs  []directory
	users []dbUser
}

func genOrg(seed uint64) org {
	r := rand.New(rand.NewPCG(seed, 1))
	o := org{dirs: []directory{
		{10000, "Jira Internal Directory", 1, true},
		{10100, "Corporate LDAP", 0, true},
		{10200, "Old LDAP", 2, false},
	}}
	base := time.Date(2019, 7, 23, 18, 52, 34, 887_000_000, time.UTC)
	id := 20000
	add := func(dir int, name string) {
		u := dbUser{id: id, dir: dir, name: name, count: -1,
			created: base.Add(time.Duration(r.IntN(5*365*24*3600)) * time.Second).Truncate(time.Second)}
		id++
		if r.IntN(3) > 0 {
			u.lastLogin = time.UnixMilli(base.UnixMilli() + r.Int64N(6*365*24*3600*1000)).UTC()
			u.count = 1 + r.IntN(500)
		} else if r.IntN(2) == 0 {
			u.count = 0
		}
		o.users = append(o.users, u)
	}
	for i := range 300 {
		name := fmt.Sprintf("User%04d", i)
		add(10000, name)
		if i%4 == 0 {
			add(10100, name)
		}
		if i%5 == 0 {
			add(10200, name)
		}
	}
	for i := range 7 {
		add(10200, fmt.Sprintf("ghost%d", i))
	}
	return o
}

// want is what the login source must say: the effective user of each
// name, in the active directory with the lowest position.
func (o org) want() map[string]datacenter.LoginRecord {
	dir := map[int]directory{}
	for _, d := range o.dirs {
		dir[d.id] = d
	}
	best := map[string]dbUser{}
	for _, u := range o.users {
		d := dir[u.dir]
		if !d.active {
			continue
		}
		k := strings.ToLower(u.name)
		if b, ok := best[k]; !ok || d.position < dir[b.dir].position {
			best[k] = u
		}
	}
	out := map[string]datacenter.LoginRecord{}
	for k, u := range best {
		r := datacenter.LoginRecord{LastLogin: jira.NeverLoggedIn(), Created: u.created, Directory: dir[u.dir].name}
		if !u.lastLogin.IsZero() {
			r.LastLogin = jira.LoggedInAt(u.lastLogin)
		}
		if u.count >= 0 {
			r.LoginCount = new(u.count)
		}
		out[k] = r
	}
	return out
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// load inserts the org into Jira's tables (jiradbtest.Open made them).
func load(t *testing.T, db *sql.DB, d datacenter.Dialect, o org) {
	t.Helper()
	ctx := t.Context()
	ts := func(at time.Time) string {
		if d == datacenter.MySQL {
			return quote(at.UTC().Format("2006-01-02 15:04:05"))
		}
		return quote(at.UTC().Format("2006-01-02 15:04:05.000Z07:00"))
	}
	var dirs, users, attrs, apps []string
	for _, dr := range o.dirs {
		active := 0
		if dr.active {
			active = 1
		}
		dirs = append(dirs, fmt.Sprintf("(%d, %s, %s, %s, %s, %d, '', 'x', 'x', 'INTERNAL', %d)", dr.id, quote(dr.name),
			quote(strings.ToLower(dr.name)), ts(o.users[0].created), ts(o.users[0].created), active, dr.position))
	}
	attr := 30000
	keyed := map[string]bool{}
	for _, u := range o.users {
		users = append(users, fmt.Sprintf("(%d, %d, %s, %s, 1, %s, %s, 'F', 'f', 'L', 'l', 'F L', 'f l', %s, %s, 'x', 0, %s)",
			u.id, u.dir, quote(u.name), quote(strings.ToLower(u.name)), ts(u.created), ts(u.created),
			quote(u.name+"@example.com"), quote(strings.ToLower(u.name)+"@example.com"), quote(fmt.Sprint(u.id))))
		if !u.lastLogin.IsZero() {
			v := fmt.Sprint(u.lastLogin.UnixMilli())
			attrs = append(attrs, fmt.Sprintf("(%d, %d, %d, 'login.lastLoginMillis', %s, %s)", attr, u.id, u.dir, quote(v), quote(v)))
			attr++
		}
		if u.count >= 0 {
			v := fmt.Sprint(u.count)
			attrs = append(attrs, fmt.Sprintf("(%d, %d, %d, 'login.count', %s, %s)", attr, u.id, u.dir, quote(v), quote(v)))
			attr++
		}
		attrs = append(attrs, fmt.Sprintf("(%d, %d, %d, 'passwordLastChanged', '1', '1')", attr, u.id, u.dir))
		attr++
		if !keyed[strings.ToLower(u.name)] { // app_user: one key per name
			keyed[strings.ToLower(u.name)] = true
			apps = append(apps, fmt.Sprintf("(%d, %s, %s)", u.id, quote(fmt.Sprintf("JIRAUSER%d", u.id)), quote(strings.ToLower(u.name))))
		}
	}
	insert := func(table string, rows []string) {
		for len(rows) > 0 {
			n := min(len(rows), 200)
			_, err := db.ExecContext(ctx, "INSERT INTO "+table+" VALUES "+strings.Join(rows[:n], ", "))
			require.NoError(t, err, table)
			rows = rows[n:]
		}
	}
	insert("cwd_directory", dirs)
	insert("cwd_user", users)
	insert("cwd_user_attributes", attrs)
	insert("app_user", apps)
}

// check compares the login source's answer with the org, user by user.
func check(t *testing.T, got map[string]datacenter.LoginRecord, o org) {
	t.Helper()
	want := o.want()
	assert.Len(t, got, len(want), "one row per effective user; the inactive directory's users are left out")
	for name, w := range want {
		g, ok := got[name]
		if !assert.True(t, ok, "%s missing", name) {
			continue
		}
		assert.Equal(t, w.Directory, g.Directory, "%s: directory", name)
		assert.Equal(t, w.LastLogin.Known, g.LastLogin.Known, name)
		assert.True(t, w.LastLogin.Time.Equal(g.LastLogin.Time), "%s: last login %v, want %v", name, g.LastLogin, w.LastLogin)
		assert.True(t, w.Created.Equal(g.Created), "%s: created %v, want %v", name, g.Created, w.Created)
		assert.Equal(t, w.LoginCount, g.LoginCount, "%s: login count", name)
	}
	for name := range got {
		assert.Contains(t, want, name, "ghost users of the inactive directory are not users")
	}
}

// postgres returns a connection to a fresh schema of the test PostgreSQL
// database holding Jira's tables, dropped when the test ends; it skips
// (fails in CI) without one.
func postgres(t *testing.T) *sql.DB { return jiradbtest.Open(t, datacenter.PostgreSQL) }

func TestPostgreSQL(t *testing.T) {
	ctx := t.Context()
	db := postgres(t)
	o := genOrg(11)
	load(t, db, datacenter.PostgreSQL, o)
	got, err := datacenter.SQLLoginSource(db, datacenter.PostgreSQL).Logins(ctx)
	require.NoError(t, err)
	check(t, got, o)

	// What psql prints (created_date as text, "…+00") reads back.
	exportReadsBack(t, db, "SELECT lower_user_name, created_date::text FROM cwd_user WHERE directory_id = 10000", o)
}

func TestMariaDB(t *testing.T) {
	ctx := t.Context()
	db := jiradbtest.Open(t, datacenter.MySQL)
	var version string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version))
	t.Logf("server %s", version)

	o := genOrg(12)
	load(t, db, datacenter.MySQL, o)
	got, err := datacenter.SQLLoginSource(db, datacenter.MySQL).Logins(ctx)
	require.NoError(t, err)
	check(t, got, o)

	// What the mysql client prints ("2019-07-23 18:52:34") reads back.
	exportReadsBack(t, db, "SELECT lower_user_name, CAST(created_date AS CHAR) FROM cwd_user WHERE directory_id = 10000", o)
}

// exportReadsBack runs q (user name, created date as the database prints
// it), writes the answer as a CSV export and reads it with ReadLogins.
func exportReadsBack(t *testing.T, db *sql.DB, q string, o org) {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), q)
	require.NoError(t, err)
	defer rows.Close()
	var b strings.Builder
	b.WriteString("username,created\n")
	n := 0
	for rows.Next() {
		var name, created string
		require.NoError(t, rows.Scan(&name, &created))
		if n == 0 {
			t.Logf("the database prints created_date as %q", created)
		}
		fmt.Fprintf(&b, "%s,%s\n", name, created)
		n++
	}
	require.NoError(t, rows.Err())
	table, err := datacenter.ReadLogins(strings.NewReader(b.String()))
	require.NoError(t, err)
	require.Len(t, table, n)
	for _, u := range o.users {
		if u.dir == 10000 {
			assert.True(t, u.created.Equal(table[strings.ToLower(u.name)].Created), u.name)
		}
	}
}

// TestSnapshotJira10FromDatabase is the whole path as a user runs it: a
// Jira DC 10.0 site (no REST call lists every user) and its PostgreSQL
// database holding the same org. With SQLLoginSource the snapshot sees
// every user, with the database's last logins, login counts and
// directories; some users are in no licence group, so REST alone could
// not see them.
func TestSnapshotJira10FromDatabase(t *testing.T) {
	ctx := t.Context()
	gen := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 5, Users: 400})
	o := org{dirs: []directory{{10000, "Jira Internal Directory", 0, true}}}
	unlicensed := 0
	for i, u := range gen.Users {
		created := u.Created
		if created.IsZero() {
			created = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		last, count := time.Time{}, u.LoginCount
		if !u.LastLogin.IsZero() {
			last = u.LastLogin.UTC().Truncate(time.Millisecond)
		}
		o.users = append(o.users, dbUser{id: 20000 + i, dir: 10000, name: u.Name, created: created.UTC().Truncate(time.Second), lastLogin: last, count: count})
		if len(u.Licences) == 0 {
			unlicensed++
		}
	}
	require.Positive(t, unlicensed, "the generated org has users in no licence group")

	db := postgres(t)
	load(t, db, datacenter.PostgreSQL, o)

	fake := jiratest.New(jiratest.WithDCVersion("10.0"), jiratest.WithOrg(gen))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken),
		datacenter.WithTransport(fake.Transport()), datacenter.WithRateLimit(1e6, 1e6),
		datacenter.WithLoginSource(datacenter.SQLLoginSource(db, datacenter.PostgreSQL)))
	require.NoError(t, err)
	var res jira.SnapshotResult
	got := map[string]jira.User{}
	for u, err := range c.Snapshot(ctx, jira.SnapshotOptions{LastLogin: true, Licences: true, Result: &res}) {
		require.NoError(t, err)
		got[strings.ToLower(u.Name)] = u
	}
	assert.False(t, res.Partial, res.Enumeration)
	want := o.want()
	for _, u := range gen.Users {
		g, ok := got[strings.ToLower(u.Name)]
		if !assert.True(t, ok, "%s not seen", u.Name) {
			continue
		}
		w := want[strings.ToLower(u.Name)]
		assert.Equal(t, w.LastLogin.Known, g.LastLogin.Known, u.Name)
		assert.True(t, w.LastLogin.Time.Equal(g.LastLogin.Time), "%s: %v, want %v", u.Name, g.LastLogin, w.LastLogin)
		assert.Equal(t, w.LoginCount, g.LoginCount, u.Name)
		assert.Equal(t, "Jira Internal Directory", g.Directory, u.Name)
	}
}
