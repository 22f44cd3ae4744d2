package usermgmt_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// TestSiteCheckReadOnlyDirectories: a readOnlyDirectories name that no
// user of the site is in (a typo would protect nobody) is reported with
// file, line and field, before any write, with the site's directories.
func TestSiteCheckReadOnlyDirectories(t *testing.T) {
	t.Parallel()
	dc, dir, connect := ldapSite(t, 100)
	plan := func(dirs string) error {
		f, err := usermgmt.Parse([]byte(`version: 1
sites:
  dc:
    url: "https://dc.example.com"
    flavor: dc
    token: "${DC_TOKEN}"
    logins: logins.csv
    readOnlyDirectories:
`+dirs+fmt.Sprintf(inactivePolicy, 1000)), usermgmt.YAML, usermgmt.WithDir(dir), usermgmt.WithName("dirs.yaml"),
			usermgmt.WithLookupEnv(func(string) (string, bool) { return "t", true }))
		require.NoError(t, err)
		m, err := usermgmt.New(usermgmt.Config{Policies: f, Connect: connect, Now: func() time.Time { return mgrNow }})
		require.NoError(t, err)
		_, _, err = m.Plan(t.Context())
		return err
	}

	require.NoError(t, plan("      - "+jiratest.LDAPDirectoryName+"\n"))

	dc.ResetStats()
	err := plan("      - " + jiratest.LDAPDirectoryName + "\n      - corporate ldap\n      - HR LDAP\n")
	le, ok := errors.AsType[*usermgmt.LoadError](err)
	require.True(t, ok, "%v", err)
	require.Len(t, le.Problems, 2, err.Error())
	assert.Equal(t, 10, le.Problems[0].Line)
	assert.Equal(t, "sites.dc.readOnlyDirectories[1]", le.Problems[0].Path)
	assert.Contains(t, err.Error(), `dirs.yaml:10: sites.dc.readOnlyDirectories[1]: directory "corporate ldap": no user of site dc is in it (the directories are "`)
	assert.Contains(t, err.Error(), `did you mean "`+jiratest.LDAPDirectoryName+`"?`)
	assert.Contains(t, err.Error(), `dirs.yaml:11: sites.dc.readOnlyDirectories[2]: directory "HR LDAP"`)
	for _, r := range dc.Requests() {
		assert.Equal(t, "GET", r.Method, "nothing written: %s %s", r.Method, r.Path)
	}
}

// ldapSite starts a fake DC of users generated users, some in its
// read-only LDAP directory, and writes their directories into
// dir/logins.csv, the login source that tells them; connect reaches the
// fake with a site's logins.
func ldapSite(t *testing.T, users int) (dc *jiratest.Server, dir string, connect func(context.Context, usermgmt.Site) (usermgmt.Client, error)) {
	t.Helper()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: users, Now: mgrNow})
	dc = jiratest.NewServer(t, jiratest.WithOrg(org))
	dir = t.TempDir()
	var b strings.Builder
	b.WriteString("username,directory_name\n")
	for _, u := range org.Users {
		name := "Jira Internal Directory"
		if u.Directory == jiratest.LDAPDirectoryName || u.Directory == jiratest.LDAPDirectoryID {
			name = jiratest.LDAPDirectoryName
		}
		fmt.Fprintf(&b, "%s,%s\n", u.Name, name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logins.csv"), []byte(b.String()), 0o600))
	connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		fs := fakeSite(dc)
		fs.Logins = s.Logins
		return usermgmt.Connect(ctx, fs)
	}
	return dc, dir, connect
}
