package insights

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteJSON: the JSON shape has empty lists rather than null, the
// licence sentences, and no HTML escaping.
func TestWriteJSON(t *testing.T) {
	in := &Insights{Site: "https://jira.example.com/?a=1&b=<2>", Licences: []LicenceUse{{Application: "jira-software", Used: 480, Tier: 500, Headroom: 20}}}
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, in))
	assert.Contains(t, b.String(), `"site": "https://jira.example.com/?a=1&b=<2>"`)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &m))
	assert.Equal(t, []any{}, m["levels"])
	assert.Equal(t, []any{}, m["charts"])
	lic := m["licences"].([]any)[0].(map[string]any)
	assert.Equal(t, in.Licences[0].Sentence(), lic["sentence"])
	assert.NotEmpty(t, lic["sentence"])
	assert.NotContains(t, m, "simulation")
}
