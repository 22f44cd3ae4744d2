package usermgmt_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

func parseNamed(t *testing.T, name, src string, env map[string]string) *usermgmt.PolicySet {
	t.Helper()
	f, err := usermgmt.Parse([]byte(src), usermgmt.YAML, usermgmt.WithName(name), usermgmt.WithDir(t.TempDir()),
		usermgmt.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	require.NoError(t, err)
	return f
}

// TestSiteCheckUnknownGroups: every group the site lacks, in exemptions,
// criteria and actions, is reported with file, line, policy and field,
// before the snapshot; an optional exempt group may be absent.
func TestSiteCheckUnknownGroups(t *testing.T) {
	fake := newFake(t, jira.DataCenter, 30)
	f := parseNamed(t, "groups.yaml", sitesYAML+`policies:
  - name: p
    site: dc
    users:
      where: active && inGroup("no-such-group")
      exemptions:
        groups:
          - jira-administrators
          - break-glass
          - {value: maybe-there, optional: true}
    actions:
      - action: addGroups
        groups: [engineering, missing-target]
`, map[string]string{"DC_TOKEN": "t", "CLOUD_TOKEN": "t", "ORG_KEY": "k"})
	m := newManager(t, f, fakes{"dc": fake}, nil)
	_, _, err := m.Plan(t.Context())
	var le *usermgmt.LoadError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, `usermgmt: groups.yaml: 3 problems:
	groups.yaml:9: policies[0].users.where: group "no-such-group" does not exist on site dc
	groups.yaml:13: policies[0].users.exemptions.groups[1]: group "break-glass" does not exist on site dc (create it, correct the name, or mark the exemption optional: {value: break-glass, optional: true})
	groups.yaml:17: policies[0].actions[0].groups[1]: group "missing-target" does not exist on site dc`, err.Error())
	for _, r := range fake.Requests() {
		assert.NotContains(t, r.Path, "/user/search", "no snapshot before the check")
	}

	// Without the missing ones, the optional absent group is no error.
	f = parseNamed(t, "groups.yaml", sitesYAML+`policies:
  - name: p
    site: dc
    users:
      where: active && daysSinceLastLogin > 90
      exemptions:
        groups: [jira-administrators, {value: maybe-there, optional: true}]
    actions: [{action: deactivate}]
`, map[string]string{"DC_TOKEN": "t", "CLOUD_TOKEN": "t", "ORG_KEY": "k"})
	m = newManager(t, f, fakes{"dc": fake}, nil)
	plan, _, err := m.Plan(t.Context())
	require.NoError(t, err)
	assert.NotEmpty(t, plan.Users)
}

// TestSiteCheckOptionalOnlyForGroups: a user exemption cannot be optional.
func TestSiteCheckOptionalOnlyForGroups(t *testing.T) {
	_, err := usermgmt.Parse([]byte(sitesYAML+`policies:
  - name: p
    site: dc
    users:
      where: active
      exemptions:
        users: [{value: bob, optional: true}]
    actions: [{action: deactivate}]
`), usermgmt.YAML, usermgmt.WithName("u.yaml"), usermgmt.WithLookupEnv(func(string) (string, bool) { return "t", true }))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "u.yaml:11: policies[0].users.exemptions.users[0].optional: only an exempt group can be optional")
}

// TestSiteCheckCloudCredentials: a Cloud site without a user, or without
// the Admin API's organisation for a policy reading last logins, is a
// problem of the file's site, with its line.
func TestSiteCheckCloudCredentials(t *testing.T) {
	fake := newFake(t, jira.Cloud, 30)
	src := `version: 1
sites:
  c:
    url: ${JIRA_URL}
    user: ${JIRA_USER:-}
    token: ${JIRA_TOKEN}
    orgId: ${ATLASSIAN_ORG_ID:-}
    orgKey: ${ATLASSIAN_ORG_KEY:-}
policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
`
	connect := func(f *usermgmt.PolicySet) error {
		m, err := usermgmt.New(usermgmt.Config{Policies: f, Connect: func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			s.Transport = fake.Transport()
			return usermgmt.Connect(ctx, s)
		}})
		require.NoError(t, err)
		_, _, err = m.Plan(t.Context())
		return err
	}
	cr := fake.Credentials()
	f := parseNamed(t, "cloud.yaml", src, map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": cr.CloudToken})
	err := connect(f)
	require.Error(t, err)
	assert.Equal(t, "usermgmt: cloud.yaml: 1 problem:\n\tcloud.yaml:5: sites.c.user: the site is Cloud: the user must be the admin account's email (set JIRA_USER, or --user)", err.Error())

	f = parseNamed(t, "cloud.yaml", src, map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": cr.CloudToken, "JIRA_USER": cr.CloudEmail})
	err = connect(f)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cloud.yaml:3: sites.c: policy \"inactive\" reads last logins or deactivates, which on Cloud need the Admin API")
}
