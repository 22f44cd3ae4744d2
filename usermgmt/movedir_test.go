package usermgmt_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/usermgmt"
)

func TestMoveDirectoryPolicy(t *testing.T) {
	env := usermgmt.WithLookupEnv(func(name string) (string, bool) {
		return map[string]string{"JIRA_URL": "https://jira.example.com", "JIRA_TOKEN": "t", "JIRA_USER": "a@example.com"}[name], true
	})
	f, err := usermgmt.Parse([]byte(`version: 1
sites:
  dc: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: retire-old-ldap
    users: {where: 'directory == "Old LDAP"'}
    actions: [{action: moveDirectory, to: Jira Internal Directory}]
`), usermgmt.YAML, env)
	require.NoError(t, err)
	assert.Equal(t, "moveDirectory(Jira Internal Directory)", f.Policies()[0].Actions[0].String())

	_, err = usermgmt.Parse([]byte(`version: 1
sites:
  cloud: {url: "${JIRA_URL}", flavor: cloud, user: "${JIRA_USER}", token: "${JIRA_TOKEN}"}
policies:
  - name: p
    users: {where: active}
    actions:
      - {action: moveDirectory}
      - {action: moveDirectory, to: Internal, groups: [a]}
`), usermgmt.YAML, env, usermgmt.WithName("move.yaml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "move.yaml:8: policies[0].actions[0].to: missing; moveDirectory needs it")
	assert.Contains(t, err.Error(), "policies[0].actions[0].action: moveDirectory is available on Data Center only")
	assert.Contains(t, err.Error(), "move.yaml:9: policies[0].actions[1].groups: not a parameter of moveDirectory")
}
