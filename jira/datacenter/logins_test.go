package datacenter_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func TestReadLogins(t *testing.T) {
	t.Parallel()
	table, err := datacenter.ReadLogins(strings.NewReader("\ufeffUsername,login.lastLoginMillis,login.count,created_date\n" +
		"Alice,1780000000000,42,2021-03-04 09:10:11\n" +
		"bob,,0,2026-05-30\n" +
		"carol,2026-01-02T03:04:05Z,,\n"))
	require.NoError(t, err)
	require.Len(t, table, 3)
	alice := table["alice"]
	assert.Equal(t, jira.LoggedInAt(time.UnixMilli(1780000000000).UTC()), alice.LastLogin)
	assert.Equal(t, 42, *alice.LoginCount)
	assert.Equal(t, time.Date(2021, 3, 4, 9, 10, 11, 0, time.UTC), alice.Created)
	assert.True(t, table["bob"].LastLogin.Never(), "an empty last login is never")
	assert.Nil(t, table["carol"].LoginCount)
	assert.True(t, table["carol"].Created.IsZero())

	// Without a last_login column, last login is not known, not never.
	dirs, err := datacenter.ReadLogins(strings.NewReader("name,directory\nalice,Corporate LDAP\n"))
	require.NoError(t, err)
	assert.False(t, dirs["alice"].LastLogin.Known)
	assert.Equal(t, "Corporate LDAP", dirs["alice"].Directory)

	for _, tt := range []struct{ csv, want string }{
		{"name,last_login\nalice,yesterday\n", "row 2, column 2 (last_login): cannot read \"yesterday\""},
		{"name,login_count\nalice,-3\n", "row 2, column 2 (login_count)"},
		{"name,directory_position\nalice,first\n", "row 2, column 2 (directory_position)"},
		{"name,created\nalice,2019-07-23 18:52\n", "row 2, column 2 (created): cannot read"},
		{"last_login\n123\n", "row 1: no username column"},
		{"name,lastlogin,last_login\n", "row 1, column 3: a second last_login column"},
		{"name\n\n,\n", "row 2, column 1: empty username"},
	} {
		_, err := datacenter.ReadLogins(strings.NewReader(tt.csv))
		require.Error(t, err, tt.csv)
		assert.Contains(t, err.Error(), tt.want)
	}
}

// TestReadLoginsDatabaseForms reads what database exports print, and
// resolves a user listed once per directory.
func TestReadLoginsDatabaseForms(t *testing.T) {
	t.Parallel()
	table, err := datacenter.ReadLogins(strings.NewReader("username,last_login,created\n" +
		"pg,1563907954887,2019-07-23 18:52:34.887+00\n" +
		"pgzone,,2019-07-23 20:52:34+02\n" +
		"pghalf,,2019-07-23 18:52:34.5+05:30\n" +
		"my,,2019-07-23 18:52:34\n"))
	require.NoError(t, err)
	want := time.Date(2019, 7, 23, 18, 52, 34, 887_000_000, time.UTC)
	assert.True(t, table["pg"].Created.Equal(want), table["pg"].Created)
	assert.True(t, table["pg"].LastLogin.Time.Equal(want))
	assert.True(t, table["pgzone"].Created.Equal(want.Truncate(time.Second)), table["pgzone"].Created)
	assert.True(t, table["pghalf"].Created.Equal(time.Date(2019, 7, 23, 13, 22, 34, 500_000_000, time.UTC)), table["pghalf"].Created)
	assert.True(t, table["my"].Created.Equal(want.Truncate(time.Second)))

	// The same name in two directories: the lower position wins, as in
	// Jira; without positions, the later login.
	dup, err := datacenter.ReadLogins(strings.NewReader("username,last_login,directory,directory_position\n" +
		"alice,1700000000000,Internal,1\nALICE,1600000000000,LDAP,0\nbob,1600000000000,Internal,1\nbob,1700000000000,Old,2\n"))
	require.NoError(t, err)
	assert.Equal(t, "LDAP", dup["alice"].Directory)
	assert.Equal(t, "Internal", dup["bob"].Directory)
	later, err := datacenter.ReadLogins(strings.NewReader("username,last_login,directory\nalice,1600000000000,A\nalice,1700000000000,B\nalice,,C\n"))
	require.NoError(t, err)
	assert.Equal(t, "B", later["alice"].Directory)
}

// TestLoginQueryDialects: one query per dialect, each reading the
// effective user (active directory, lowest position) with epoch times.
func TestLoginQueryDialects(t *testing.T) {
	t.Parallel()
	for _, d := range []datacenter.Dialect{datacenter.PostgreSQL, datacenter.MySQL, datacenter.SQLServer, datacenter.Oracle} {
		q, err := datacenter.LoginQueryFor(d)
		require.NoError(t, err)
		for _, part := range []string{"d.active = 1", "ORDER BY d.directory_position", "rn = 1", "login.lastLoginMillis", "login.count"} {
			assert.Contains(t, q, part, d)
		}
		assert.NotContains(t, strings.ToUpper(q), "UPDATE ", d)
	}
	assert.Equal(t, datacenter.LoginQuery, must(datacenter.LoginQueryFor(datacenter.PostgreSQL)))
	_, err := datacenter.LoginQueryFor("db2")
	assert.ErrorContains(t, err, "db2")
	_, _, err = datacenter.OpenLoginDB("postgres://u:hunter2@localhost/jira")
	assert.ErrorContains(t, err, "logindb", "the driver is not linked here")
	assert.NotContains(t, err.Error(), "hunter2")
	_, _, err = datacenter.OpenLoginDB("oracle://u:hunter2@localhost/jira")
	assert.ErrorContains(t, err, "scheme")
	assert.NotContains(t, err.Error(), "hunter2")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestLoginSourceOnOldServer: a 9.x server sends no lastLoginTime; the
// login source fills in last login, count and creation date for the users
// it knows, and the others stay unknown — never "never".
func TestLoginSourceOnOldServer(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithDCVersion("9.12.0"), jiratest.WithOrg(&jiratest.Org{Users: people(3)}))
	path := filepath.Join(t.TempDir(), "logins.csv")
	require.NoError(t, os.WriteFile(path, []byte("username,last_login,login_count,created,directory_name\n"+
		"user0001,,0,2026-05-30,Jira Internal Directory\nUSER0002,2026-04-01T10:00:00Z,7,2020-01-01,Corporate LDAP\n"), 0o600))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(s.Transport()), datacenter.WithLoginSource(datacenter.LoginFile(path)))
	require.NoError(t, err)

	got := map[string]jira.User{}
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{LastLogin: true}) {
		require.NoError(t, err)
		got[u.Name] = u
	}
	assert.True(t, got["user0001"].LastLogin.Never())
	assert.Equal(t, 0, *got["user0001"].LoginCount)
	assert.Equal(t, time.Date(2026, 5, 30, 0, 0, 0, 0, time.UTC), got["user0001"].Created)
	assert.Equal(t, jira.LoggedInAt(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)), got["user0002"].LastLogin)
	assert.Equal(t, 7, *got["user0002"].LoginCount)
	assert.Equal(t, "Corporate LDAP", got["user0002"].Directory, "the directory, which DC REST never says")
	assert.Empty(t, got["user0003"].Directory)
	assert.False(t, got["user0003"].LastLogin.Known, "not in the source: unknown on 9.x")
	assert.Nil(t, got["user0003"].LoginCount)

	u, err := c.User(t.Context(), jira.Username("user0002"))
	require.NoError(t, err)
	assert.Equal(t, 7, *u.LoginCount)

	// The file is read again for the next snapshot.
	require.NoError(t, os.WriteFile(path, []byte("username,last_login\nuser0003,2026-05-01\n"), 0o600))
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{}) {
		require.NoError(t, err)
		if u.Name == "user0003" {
			assert.Equal(t, jira.LoggedInAt(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)), u.LastLogin)
		}
	}
	require.NoError(t, os.Remove(path))
	for _, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{}) {
		assert.ErrorContains(t, err, "login source")
		break
	}
}

// TestLoginSourceKeepsTheLaterLogin: on 10.x, the REST API's last login and
// the source's are both known; the later one wins.
func TestLoginSourceKeepsTheLaterLogin(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: people(3)}))
	rest, _ := s.User("user0002")
	src := datacenter.LoginTable{
		"user0002": {LastLogin: jira.LoggedInAt(rest.LastLogin.Time.Add(-time.Hour))},
		"user0003": {LastLogin: jira.LoggedInAt(rest.LastLogin.Time.Add(24 * time.Hour))},
	}
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(s.Transport()), datacenter.WithLoginSource(src))
	require.NoError(t, err)
	u2, err := c.User(t.Context(), jira.Username("user0002"))
	require.NoError(t, err)
	assert.True(t, u2.LastLogin.Time.Equal(rest.LastLogin.Time))
	u3, err := c.User(t.Context(), jira.Username("user0003"))
	require.NoError(t, err)
	assert.True(t, u3.LastLogin.Time.Equal(rest.LastLogin.Time.Add(24*time.Hour)))
	_, err = datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"), datacenter.WithLoginSource(nil))
	assert.Error(t, err)
}
