package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report/insights"
)

// TestInsightsJSON: GET /api/v1/insights answers the one JSON shape of
// insights (insights.JSON, strictly), with the site's numbers; it needs
// the bearer token like every API route.
func TestInsightsJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	code, b := e.do(http.MethodGet, "/api/v1/insights", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var in insights.JSON
	require.NoError(t, dec.Decode(&in))
	assert.NotEmpty(t, in.Site)
	assert.Positive(t, in.Summary.Total)
	assert.NotEmpty(t, in.Licences)
	assert.NotEmpty(t, in.Levels)
	code, _ = e.doAs("", http.MethodGet, "/api/v1/insights", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
}

// TestJSONNotHTMLEscaped: the API's JSON keeps "&&" and "<" as they are,
// as the CLI prints them.
func TestJSONNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	code, b := e.do(http.MethodGet, "/api/v1/users?where="+urlEscape(`active && bogusField < 3`), nil)
	require.Equal(t, http.StatusBadRequest, code, string(b))
	assert.Contains(t, string(b), "&&")
	assert.NotContains(t, string(b), `\u0026`)
}
