package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagesPolicy is approvalPolicy with limits, for the plan page to show.
const pagesPolicy = `policies:
  - name: inactive
    when: {onDemand: true}
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
    limits: {maxUsers: 100}
    approval: {project: PROJECT, issueType: Task}
  - name: inactive-wide
    when: {onDemand: true}
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`

var commentLink = regexp.MustCompile(`https://seatwarden\.example\.com(/pages/plans/\S+)`)

// pageLink returns the plan page's link from the approval issue's
// comment, on the test server.
func (e *env) pageLink(issueKey string) string {
	e.t.Helper()
	issue, ok := e.fake.Issue(issueKey)
	require.True(e.t, ok)
	require.NotEmpty(e.t, issue.Comments)
	var body string // DC: a JSON string (Cloud: ADF; these tests run DC)
	require.NoError(e.t, json.Unmarshal(issue.Comments[0], &body))
	m := commentLink.FindStringSubmatch(body)
	require.NotNil(e.t, m, "a page link in %s", issue.Comments[0])
	return e.ts.URL + m[1]
}

// get fetches a page as a browser would: no bearer token.
func (e *env) get(u string) (int, http.Header, string) {
	e.t.Helper()
	resp, err := http.Get(u)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// TestPlanPageFromTheComment: the approval issue's comment links to a
// signed page an approver opens without the API token: who, what, why,
// limits and the approval state in plain HTML, with a signed link to the
// site's insights; no scripts, nothing fetched from elsewhere.
func TestPlanPageFromTheComment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pagesPolicy, 0)
	v := e.plan("inactive")
	link := e.pageLink(v.IssueKey)

	code, h, page := e.get(link)
	require.Equal(t, http.StatusOK, code, page)
	assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
	assert.Contains(t, page, "<title>Plan "+v.ID+" (pending) — Seatwarden</title>")
	assert.Contains(t, page, `<span class="status pending" id="status">pending</span>`)
	assert.Contains(t, page, ">"+v.IssueKey+"</a>")
	keys := deactivations(t, v)
	first, _ := e.fake.User(keys[0])
	assert.Contains(t, page, first.Name, "who")
	assert.Contains(t, page, "inactive: ", "why, by policy")
	assert.Regexp(t, `<td>deactivate</td><td class="num">\d+</td>`, page, "what")
	assert.Regexp(t, `<td>inactive</td><td class="num">\d+</td><td class="num">100</td><td class="num">—</td><td class="within">within</td>`, page, "the limit")
	for _, bad := range []string{"<script", "<link", "src=\"http", "@import"} {
		assert.NotContains(t, page, bad)
	}

	// The insights link of the page opens the insights page.
	m := regexp.MustCompile(`id="insights-link" href="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m)
	ins := strings.ReplaceAll(m[1], "&amp;", "&")
	require.True(t, strings.HasPrefix(ins, publicURL+"/pages/insights?"), ins)
	code, _, ipage := e.get(e.ts.URL + strings.TrimPrefix(ins, publicURL))
	require.Equal(t, http.StatusOK, code, ipage)
	assert.Contains(t, ipage, "<h1>Insights</h1>")
	assert.Contains(t, ipage, `<section id="recommendations">`)
	assert.Contains(t, ipage, "<svg")

	// The bearer API is unchanged: no token, 401.
	resp, err := http.Get(e.ts.URL + "/insights")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestPageLinksRefused: a link opens only what it was signed for, until
// it expires; a changed, foreign, unsigned or expired link gets a 403
// page that says which, and the key is never in the logs.
func TestPageLinksRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pagesPolicy, 0)
	v := e.plan("inactive")
	link := e.pageLink(v.IssueKey)
	u, err := url.Parse(link)
	require.NoError(t, err)
	other := e.plan("inactive-wide")
	require.NotEqual(t, v.ID, other.ID)
	s := e.cur.Load()

	with := func(f func(q url.Values, path *string)) string {
		q := u.Query()
		path := u.Path
		f(q, &path)
		return e.ts.URL + path + "?" + q.Encode()
	}
	past := testNow.Add(-time.Minute)
	cases := map[string]struct {
		url, want string
	}{
		"another plan":          {with(func(_ url.Values, p *string) { *p = "/pages/plans/" + other.ID }), "Link not valid"},
		"later expiry":          {with(func(q url.Values, _ *string) { q.Set("exp", "4102444800") }), "Link not valid"},
		"changed sig":           {with(func(q url.Values, _ *string) { q.Set("sig", strings.Repeat("A", 43)) }), "Link not valid"},
		"no sig":                {with(func(q url.Values, _ *string) { q.Del("sig") }), "opens only from a signed link"},
		"plan link as insights": {with(func(_ url.Values, p *string) { *p = "/pages/insights" }), "Link not valid"},
		"expired": {e.ts.URL + "/pages/plans/" + v.ID + "?" + s.cfg.links.sign(linkPlan, v.ID, past, nil),
			"this link expired on " + past.Truncate(time.Second).Format("2 Jan 2006 15:04 MST")},
		"insights of another site": {e.ts.URL + "/pages/insights?" + s.cfg.links.sign(linkInsights, "", testNow.Add(time.Hour), url.Values{"site": {"other"}}), "Link not valid"},
	}
	for name, c := range cases {
		code, h, page := e.get(c.url)
		assert.Equal(t, http.StatusForbidden, code, name)
		assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"), name)
		assert.Contains(t, page, c.want, name)
		assert.NotContains(t, page, v.IssueKey, "%s: nothing of the plan", name)
	}
	code, _, _ := e.get(link)
	assert.Equal(t, http.StatusOK, code, "the link itself still opens")

	key, err := os.ReadFile(filepath.Join(e.dir, "link.key"))
	require.NoError(t, err, "the key made on the first start")
	fi, err := os.Stat(filepath.Join(e.dir, "link.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.NotContains(t, e.logs.String(), strings.TrimSpace(string(key)))
	require.NotEmpty(t, u.Query().Get("sig"))
	assert.NotContains(t, e.logs.String(), u.Query().Get("sig"))
	assert.Contains(t, e.logs.String(), `"page link refused"`)

	// Restarted over the same data directory, the key and links stay.
	e.restart()
	code, _, _ = e.get(link)
	assert.Equal(t, http.StatusOK, code, "the link survives a restart")
}

// TestLinkKeySources: --link-key-file, then SEATWARDEN_LINK_KEY, then
// the data directory's key; a short key is refused without showing it.
func TestLinkKeySources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := strings.Repeat("k", 40)
	file := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(file, []byte(long+"\n"), 0o600))
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == linkKeyEnv {
				return v
			}
			return ""
		}
	}
	k, err := linkKey(file, env(strings.Repeat("e", 40)), dir)
	require.NoError(t, err)
	assert.Equal(t, long, string(k), "the file first")
	k, err = linkKey("", env(strings.Repeat("e", 40)), dir)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("e", 40), string(k), "then the environment")
	k1, err := linkKey("", env(""), dir)
	require.NoError(t, err)
	k2, err := linkKey("", env(""), dir)
	require.NoError(t, err)
	assert.Equal(t, k1, k2, "then the data directory's, made once")
	assert.Len(t, k1, 64)

	_, err = linkKey("", env("short-secret-value"), dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SEATWARDEN_LINK_KEY: the link key has 18 bytes; want at least 32")
	assert.NotContains(t, err.Error(), "short-secret-value")
	_, err = linkKey(filepath.Join(dir, "missing"), env(""), dir)
	assert.ErrorContains(t, err, "--link-key-file")

	var out, errb strings.Builder
	code := program{getenv: env("x"), stdout: &out, stderr: &errb}.run(t.Context(), []string{"--demo", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()})
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errb.String(), "SEATWARDEN_LINK_KEY: the link key has 1 bytes")
}
