package main

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsersJSONSameAsCLI: GET /api/v1/users answers the same users, in the
// same shape (report.User), as the CLI's 'users list --output json' on the
// same generated organisation: ../cli/testdata/users-shared.golden is the
// CLI's output (examples/cli TestUsersJSONShared).
func TestUsersJSONSameAsCLI(t *testing.T) {
	t.Parallel()
	// The CLI test's criterion (examples/cli sharedWhere).
	const where = `active && daysSinceLastLogin > 365 && !("nobody" in groups) && !("none" in licences)`
	cliOut, err := os.ReadFile("../cli/testdata/users-shared.golden")
	require.NoError(t, err)
	e := newEnv(t, `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	code, b := e.do(http.MethodGet, "/api/v1/users?where="+urlEscape(where), nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var answer struct {
		Users json.RawMessage `json:"users"`
	}
	require.NoError(t, json.Unmarshal(b, &answer))
	assert.JSONEq(t, string(cliOut), string(answer.Users))
	assert.NotContains(t, string(b), `\u00`, "no HTML escaping")
}
