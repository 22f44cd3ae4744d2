package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

const (
	testToken  = "api-token-5f3a9c"
	testSecret = "hook-secret-81d2e7"
	publicURL  = "https://seatwarden.example.com"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a fake Jira and the service in front of it, with the service
// replaceable (a restart) behind one httptest server.
type env struct {
	t     *testing.T
	fake  *jiratest.Server
	org   *jiratest.Org
	ts    *httptest.Server
	dir   string
	file  *usermgmt.PolicySet
	poll  time.Duration
	cur   atomic.Pointer[server]
	store *history.SQLite
	logs  *syncBuffer
	// maxReads is the server's --max-reads (0: the default).
	maxReads int
	// logins is a login export of the org, for Jira DC versions whose
	// REST sends no last login (9.x).
	logins string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv starts a fake DC with 200 users and the service over the
// policies (YAML after the sites section).
func newEnv(t *testing.T, policies string, poll time.Duration) *env {
	t.Helper()
	return newEnvAt(t, jiratest.DefaultDCVersion, policies, poll)
}

// newEnvAt is newEnv on a given Jira DC version. Before Jira 10 the site
// reads last logins from a login export of the org.
func newEnvAt(t *testing.T, version, policies string, poll time.Duration) *env {
	t.Helper()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 200, Now: testNow})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	fake := jiratest.NewServer(t, jiratest.WithOrg(org), jiratest.WithDCVersion(version))
	require.NoError(t, fake.AddGroup("staff"))
	e := &env{t: t, fake: fake, org: org, dir: t.TempDir(), poll: poll, logs: &syncBuffer{}}
	if major, _, _ := strings.Cut(version, "."); major != "" && len(major) < 2 { // 9.x and earlier
		e.logins = filepath.Join(e.dir, "logins.csv")
		csv := "username,last_login\n"
		for _, u := range org.Users {
			ms := ""
			if !u.LastLogin.IsZero() {
				ms = strconv.FormatInt(u.LastLogin.UnixMilli(), 10)
			}
			csv += strings.ToLower(u.Name) + "," + ms + "\n"
		}
		require.NoError(t, os.WriteFile(e.logins, []byte(csv), 0o600))
	}
	src := strings.ReplaceAll(`version: 1
sites:
  jira: {url: "https://jira.example.com", flavor: dc, token: "${JIRA_TOKEN}"}
`+policies, "PROJECT", org.Projects[0].Key)
	f, err := usermgmt.Parse([]byte(src), usermgmt.YAML, usermgmt.WithClock(func() time.Time { return testNow }),
		usermgmt.WithLookupEnv(func(k string) (string, bool) { return "jira-token", k == "JIRA_TOKEN" }))
	require.NoError(t, err)
	e.file = f
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.cur.Load().Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(e.ts.Close)
	e.start()
	t.Cleanup(e.stop)
	return e
}

// start starts a service over the history file.
func (e *env) start() {
	t := e.t
	store, err := history.OpenSQLite(t.Context(), filepath.Join(e.dir, "history.db"))
	require.NoError(t, err)
	e.store = store
	cr := e.fake.Credentials()
	site := usermgmt.Site{URL: e.fake.URL, Flavor: jira.DataCenter, Transport: e.fake.Transport(), Token: jira.Secret(cr.DCToken),
		RateLimit: 100_000, Burst: 1000, Logins: e.logins}
	s, err := newServer(t.Context(), serverConfig{file: e.file, store: store, apiToken: testToken, webhookSecret: testSecret,
		dataDir: e.dir, publicURL: publicURL, poll: e.poll, now: func() time.Time { return testNow }, maxReads: e.maxReads,
		log: slog.New(slog.NewJSONHandler(e.logs, nil)),
		connect: func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			site := site
			site.Observer = s.Observer // the metrics'
			return usermgmt.Connect(ctx, site)
		}})
	require.NoError(t, err)
	e.cur.Store(s)
	s.pollLoop()
}

// stop stops the service, as a shutdown would.
func (e *env) stop() {
	if s := e.cur.Load(); s != nil {
		e.fake.WaitWebhooks()
		s.stop()
		_ = e.store.Close()
	}
}

// restart stops the service and starts a new one over the same history.
func (e *env) restart() {
	e.stop()
	e.start()
}

// registerWebhook registers a webhook on the fake to the service, as an
// administrator would.
// The DC client picks the webhooks REST of the fake's version; Jira 9
// signs nothing, so there the secret goes in the URL as a token.
func (e *env) registerWebhook(query, secret string, events ...string) {
	c, err := datacenter.New(e.fake.URL, datacenter.TokenAuth(jira.Secret(e.fake.Credentials().DCToken)),
		datacenter.WithTransport(e.fake.Transport()))
	require.NoError(e.t, err)
	w := &jira.Webhook{Name: "seatwarden", URL: e.ts.URL + "/webhooks/jira" + query, Events: events, Secret: jira.Secret(secret)}
	_, _, err = c.Webhooks.Create(e.t.Context(), w)
	if errors.Is(err, jira.ErrUnsupported) && query == "" {
		w.URL, w.Secret = e.ts.URL+"/webhooks/jira?token="+secret, ""
		_, _, err = c.Webhooks.Create(e.t.Context(), w)
	}
	require.NoError(e.t, err)
}

// jira calls the fake's REST API as its administrator.
func (e *env) jira(method, path string, body any) *http.Response {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, e.fake.URL+path, bytes.NewReader(b))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.fake.Credentials().DCToken) // Jira 11: no Basic
	resp, err := e.fake.Client().Do(req)
	require.NoError(e.t, err)
	resp.Body.Close()
	return resp
}

// do calls the service with the API token; it returns the status and
// the body.
func (e *env) do(method, path string, body any) (int, []byte) {
	return e.doAs(testToken, method, path, body)
}

func (e *env) doAs(token, method, path string, body any) (int, []byte) {
	var rd io.Reader
	if b, ok := body.([]byte); ok {
		rd = bytes.NewReader(b)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	require.NoError(e.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.ts.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	assertNoSecret(e.t, string(b))
	return resp.StatusCode, b
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	assert.NotContains(t, s, testToken)
	assert.NotContains(t, s, testSecret)
	assert.NotContains(t, s, "jira-token")
}

// plan creates a plan of the policies.
func (e *env) plan(policies ...string) planView {
	code, b := e.do(http.MethodPost, "/api/v1/plans", map[string]any{"policies": policies})
	require.Equal(e.t, http.StatusCreated, code, string(b))
	var v planView
	require.NoError(e.t, json.Unmarshal(b, &v))
	return v
}

func (e *env) getPlan(id string) planView {
	code, b := e.do(http.MethodGet, "/api/v1/plans/"+id, nil)
	require.Equal(e.t, http.StatusOK, code, string(b))
	var v planView
	require.NoError(e.t, json.Unmarshal(b, &v))
	return v
}

// waitStatus waits until the plan has the status.
func (e *env) waitStatus(id string, want history.PlanStatus) planView {
	e.t.Helper()
	var v planView
	require.Eventually(e.t, func() bool {
		v = e.getPlan(id)
		return v.Status == want
	}, 10*time.Second, 10*time.Millisecond, "plan %s never became %s", id, want)
	return v
}

// deactivations are the users a plan deactivates.
func deactivations(t *testing.T, v planView) []string {
	t.Helper()
	var p struct {
		Users []struct {
			User struct {
				Key string `json:"key"`
			} `json:"user"`
			Steps []struct {
				Kind string `json:"kind"`
			} `json:"steps"`
		} `json:"users"`
	}
	require.NoError(t, json.Unmarshal(v.Plan, &p))
	var keys []string
	for _, u := range p.Users {
		keys = append(keys, u.User.Key)
	}
	require.NotEmpty(t, keys)
	return keys
}

func (e *env) active(keys []string) int {
	n := 0
	for _, k := range keys {
		u, ok := e.fake.User(k)
		require.True(e.t, ok)
		if u.Active {
			n++
		}
	}
	return n
}

func (e *env) runs() []report.RunSummary {
	runs, err := e.store.Runs(e.t.Context(), "", time.Time{}, testNow.AddDate(1, 0, 0))
	require.NoError(e.t, err)
	return runs
}

const approvalPolicy = `policies:
  - name: inactive
    when: {onDemand: true}
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
    approval: {project: PROJECT, issueType: Task}
`

func TestApprovalFlow(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"9.12", "10.3", "11.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			testApprovalFlow(t, version)
		})
	}
}

func testApprovalFlow(t *testing.T, version string) {
	e := newEnvAt(t, version, approvalPolicy, 0)
	e.registerWebhook("", testSecret, "jira:issue_updated")

	v := e.plan("inactive")
	assert.Equal(t, history.PlanPending, v.Status)
	require.NotEmpty(t, v.IssueKey)
	keys := deactivations(t, v)
	issue, ok := e.fake.Issue(v.IssueKey)
	require.True(t, ok, "the approval issue exists on the fake")
	assert.Contains(t, issue.Summary, v.ID)
	assert.Contains(t, string(issue.Description), "users")
	require.Len(t, issue.Comments, 1, "the link and the users")
	assert.Contains(t, string(issue.Comments[0]), publicURL+"/pages/plans/"+v.ID+"?exp=", "a signed page, not the API (pages_test.go)")
	first, _ := e.fake.User(keys[0])
	assert.Contains(t, string(issue.Comments[0]), first.Name)
	assert.Equal(t, len(keys), e.active(keys), "nothing applied before the approval")

	code, b := e.do(http.MethodPost, "/api/v1/plans/"+v.ID+"/apply", nil)
	assert.Equal(t, http.StatusConflict, code, "not approved yet: %s", b)

	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve"))
	v = e.waitStatus(v.ID, history.PlanApplied)
	assert.Zero(t, e.active(keys), "the fake's users are deactivated")
	require.NotEmpty(t, v.RunID)

	code, b = e.do(http.MethodGet, "/api/v1/runs/"+v.RunID, nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var run runView
	require.NoError(t, json.Unmarshal(b, &run))
	assert.Equal(t, v.ID, run.PlanID)
	assert.Equal(t, v.IssueKey, run.ApprovalIssue)
	assert.Len(t, run.Results, len(keys))

	code, _ = e.do(http.MethodPost, "/api/v1/plans/"+v.ID+"/apply", nil)
	assert.Equal(t, http.StatusConflict, code, "applied once")
	e.fake.WaitWebhooks()
	for _, d := range e.fake.Deliveries() {
		assert.Equal(t, http.StatusAccepted, d.Status)
	}
}

func TestRejectionCancels(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	e.registerWebhook("", testSecret, "jira:issue_updated")
	v := e.plan("inactive")
	keys := deactivations(t, v)
	require.NoError(t, e.fake.Transition(v.IssueKey, "Reject"))
	v = e.waitStatus(v.ID, history.PlanRejected)
	assert.Contains(t, v.Error, "rejected")
	assert.Equal(t, len(keys), e.active(keys))
	assert.Empty(t, e.runs())
}

func TestWebhookURLToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	e.registerWebhook("?token="+testSecret, "", "jira:issue_updated") // no signature: the token in the URL
	v := e.plan("inactive")
	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve"))
	e.waitStatus(v.ID, history.PlanApplied)
	assert.Zero(t, e.active(deactivations(t, v)))
}

// hook delivers a webhook to the service as Jira would, signed with
// secret (unsigned when empty).
func (e *env) hook(query, secret string, payload []byte) (int, string) {
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/webhooks/jira"+query, bytes.NewReader(payload))
	require.NoError(e.t, err)
	if secret != "" {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(payload)
		req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := e.ts.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assertNoSecret(e.t, string(b))
	return resp.StatusCode, string(b)
}

func approvedPayload(issueID, key, changelog string) []byte {
	b, _ := json.Marshal(map[string]any{
		"timestamp": 1772366400000, "webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic",
		"issue":     map[string]any{"id": issueID, "key": key, "fields": map[string]any{"status": map[string]any{"name": "Approved"}}},
		"changelog": map[string]any{"id": changelog, "items": []map[string]any{{"field": "status", "toString": "Approved"}}},
	})
	return b
}

func TestWebhookVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	v := e.plan("inactive")
	keys := deactivations(t, v)
	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve")) // no webhook registered
	issue, _ := e.fake.Issue(v.IssueKey)
	payload := approvedPayload(issue.ID, issue.Key, "900")

	for name, c := range map[string]struct{ query, secret string }{
		"wrong signature":         {"", "not-the-secret"},
		"wrong token":             {"?token=not-the-secret", ""},
		"nothing":                 {"", ""},
		"signature beats a token": {"?token=" + testSecret, "not-the-secret"},
	} {
		code, body := e.hook(c.query, c.secret, payload)
		assert.Equal(t, http.StatusUnauthorized, code, name)
		assert.Contains(t, body, `"error"`, name)
	}
	// A forged signature of a tampered body.
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/webhooks/jira", bytes.NewReader(payload))
	req.Header.Set("X-Hub-Signature", "sha256=zz")
	resp, err := e.ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, history.PlanPending, e.getPlan(v.ID).Status, "nothing applied")
	assert.Equal(t, len(keys), e.active(keys))

	// Then the real one, and its replay.
	code, body := e.hook("", testSecret, payload)
	require.Equal(t, http.StatusAccepted, code, body)
	e.waitStatus(v.ID, history.PlanApplied)
	code, body = e.hook("", testSecret, payload)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "duplicate")
	assert.Len(t, e.runs(), 1, "applied once")
	assert.NotContains(t, e.logs.String(), testSecret)
	assert.NotContains(t, e.logs.String(), testToken)
}

func TestReplayedWebhookIgnored(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	v := e.plan("inactive")
	issue, _ := e.fake.Issue(v.IssueKey)
	// Still waiting: the delivery is taken, Jira says not approved, the
	// plan stays pending.
	payload := approvedPayload(issue.ID, issue.Key, "901")
	code, _ := e.hook("", testSecret, payload)
	require.Equal(t, http.StatusAccepted, code)
	e.cur.Load().wg.Wait()
	assert.Equal(t, history.PlanPending, e.getPlan(v.ID).Status, "the payload is a hint; Jira decides")

	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve"))
	code, body := e.hook("", testSecret, payload)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "duplicate", "the same issue id and changelog id")
	e.cur.Load().wg.Wait()
	assert.Equal(t, history.PlanPending, e.getPlan(v.ID).Status)

	code, _ = e.hook("", testSecret, approvedPayload(issue.ID, issue.Key, "902"))
	require.Equal(t, http.StatusAccepted, code)
	e.waitStatus(v.ID, history.PlanApplied)
}

func TestPollingFallback(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 20*time.Millisecond) // no webhook registered
	v := e.plan("inactive")
	time.Sleep(60 * time.Millisecond)
	assert.Equal(t, history.PlanPending, e.getPlan(v.ID).Status)
	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve"))
	e.waitStatus(v.ID, history.PlanApplied)
	assert.Zero(t, e.active(deactivations(t, v)))
	assert.Len(t, e.runs(), 1)
}

func TestRestartWithPendingApproval(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	e.registerWebhook("", testSecret, "jira:issue_updated")
	v := e.plan("inactive")
	keys := deactivations(t, v)

	e.poll = 5 * time.Millisecond // the new instance polls too: webhook and poll race
	e.restart()
	assert.Equal(t, history.PlanPending, e.getPlan(v.ID).Status, "the pending approval survived")
	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve"))
	e.waitStatus(v.ID, history.PlanApplied)
	e.fake.WaitWebhooks()
	time.Sleep(30 * time.Millisecond)
	assert.Zero(t, e.active(keys))
	assert.Len(t, e.runs(), 1, "applied once")
	assert.Equal(t, len(keys), e.fake.Count("PUT /rest/api/2/user"), "each user written once")
}

func TestUserCreatedTrigger(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `policies:
  - name: welcome
    when: {onUserCreated: true}
    users: {where: active && emailDomain == "example.com" && (neverLoggedIn || daysSinceLastLogin < 1)}
    actions: [{action: addGroups, groups: [staff]}]
  - name: not-a-trigger
    users: {where: active}
    actions: [{action: deactivate}]
`, 0)
	e.registerWebhook("", testSecret, "user_created")
	resp := e.jira(http.MethodPost, "/rest/api/2/user", map[string]any{"name": "nina", "emailAddress": "nina@example.com",
		"displayName": "Nina New", "password": "s3cret-pass"})
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Eventually(t, func() bool {
		u, _ := e.fake.User("nina")
		return len(u.Groups) > 0 && strings.Contains(strings.Join(u.Groups, ","), "staff")
	}, 10*time.Second, 10*time.Millisecond)
	u, _ := e.fake.User("nina")
	assert.True(t, u.Active, "only the trigger policy ran")
	members, _ := e.fake.GroupMembers("staff")
	assert.Equal(t, []string{"nina"}, members, "only the new user")
	e.cur.Load().wg.Wait()
	runs := e.runs()
	require.Len(t, runs, 1)
	assert.Equal(t, []string{"welcome"}, runs[0].Policies)
	code, b := e.do(http.MethodGet, "/api/v1/plans", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, string(b), `"source": "user_created"`)

	// Someone outside the criterion is left alone.
	resp = e.jira(http.MethodPost, "/rest/api/2/user", map[string]any{"name": "ext", "emailAddress": "ext@partner.example.net",
		"displayName": "External", "password": "s3cret-pass"})
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	e.fake.WaitWebhooks()
	e.cur.Load().wg.Wait()
	members, _ = e.fake.GroupMembers("staff")
	assert.Equal(t, []string{"nina"}, members)
}

func TestAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	code, b := e.do(http.MethodGet, "/api/v1/users?where="+urlEscape(`active && daysSinceLastLogin > 365`), nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var users struct {
		Read, Matched int
		Users         []map[string]any
	}
	require.NoError(t, json.Unmarshal(b, &users))
	assert.Equal(t, len(e.fake.Users()), users.Read)
	assert.Len(t, users.Users, users.Matched)
	assert.NotZero(t, users.Matched)

	code, b = e.do(http.MethodGet, "/api/v1/users?where="+urlEscape(`daysSinceLastLogn > 1`), nil)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(b), "daysSinceLastLogin", "the criterion's own error")

	code, b = e.do(http.MethodPost, "/api/v1/plans", map[string]any{"policies": []string{"nope"}})
	assert.Equal(t, http.StatusBadRequest, code, string(b))
	code, _ = e.do(http.MethodPost, "/api/v1/plans", []byte(`{"policies": "inactive"}`))
	assert.Equal(t, http.StatusBadRequest, code)
	code, b = e.do(http.MethodPost, "/api/v1/plans", []byte(`{"policies": ["inactive"]} {"policies": ["other"]}`))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(b), "trailing data")
	code, b = e.do(http.MethodPost, "/api/v1/plans", nil)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(b), "name the policies")
	code, _ = e.do(http.MethodGet, "/api/v1/plans/nope", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = e.do(http.MethodGet, "/api/v1/runs/nope", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, b = e.do(http.MethodGet, "/api/v1/nothing", nil)
	assert.Equal(t, http.StatusNotFound, code)
	assert.JSONEq(t, `{"error": "no such route"}`, string(b))
	code, _ = e.do(http.MethodDelete, "/api/v1/plans", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, code)

	dropped := e.plan("inactive")
	code, b = e.do(http.MethodPost, "/api/v1/plans/"+dropped.ID+"/cancel", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Equal(t, history.PlanCancelled, e.getPlan(dropped.ID).Status)
	code, _ = e.do(http.MethodPost, "/api/v1/plans/"+dropped.ID+"/apply", nil)
	assert.Equal(t, http.StatusConflict, code, "a cancelled plan is never applied")

	v := e.plan("inactive")
	assert.Equal(t, history.PlanPlanned, v.Status, "a dry run")
	keys := deactivations(t, v)
	assert.Equal(t, len(keys), e.active(keys))
	code, b = e.do(http.MethodPost, "/api/v1/plans/"+v.ID+"/apply", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Zero(t, e.active(keys))
	code, _ = e.do(http.MethodPost, "/api/v1/plans/"+v.ID+"/apply", nil)
	assert.Equal(t, http.StatusConflict, code)

	code, b = e.do(http.MethodGet, "/api/v1/runs", nil)
	require.Equal(t, http.StatusOK, code)
	var runs struct{ Runs []runView }
	require.NoError(t, json.Unmarshal(b, &runs))
	require.Len(t, runs.Runs, 1)
	undo := "/api/v1/runs/" + runs.Runs[0].ID + "/undo"
	// dryRun is true or false, nothing else; a dry run writes nothing.
	for _, bad := range []string{"1", "True", "yes", "", "true&dryRun=true"} {
		e.fake.ResetStats()
		code, b = e.do(http.MethodPost, undo+"?dryRun="+bad, nil)
		assert.Equal(t, http.StatusBadRequest, code, "dryRun=%s: %s", bad, b)
		assert.Empty(t, fakeWrites(e.fake), "dryRun=%s", bad)
	}
	e.fake.ResetStats()
	code, b = e.do(http.MethodPost, undo+"?dryRun=true", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Contains(t, string(b), `"reactivate"`)
	assert.Empty(t, fakeWrites(e.fake), "a dry run writes nothing")
	assert.Zero(t, e.active(keys))
	code, b = e.do(http.MethodPost, undo+"?dryRun=false", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Equal(t, len(keys), e.active(keys), "undone")
	e.fake.ResetStats()
	code, b = e.do(http.MethodPost, undo, nil)
	assert.Equal(t, http.StatusConflict, code, string(b))
	assert.Contains(t, string(b), "already undone")
	assert.Empty(t, fakeWrites(e.fake))

	code, b = e.do(http.MethodGet, "/api/v1/plans?status=bogus", nil)
	assert.Equal(t, http.StatusBadRequest, code, string(b))
	code, _ = e.do(http.MethodGet, "/api/v1/plans?status=applied", nil)
	assert.Equal(t, http.StatusOK, code)

	code, b = e.do(http.MethodGet, "/insights", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, string(b), "<svg")
}

func urlEscape(s string) string {
	r := strings.NewReplacer(" ", "%20", "&", "%26", ">", "%3E", "<", "%3C", "=", "%3D", "!", "%21", `"`, "%22")
	return r.Replace(s)
}

func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	for _, route := range []string{"GET /api/v1/users", "POST /api/v1/plans", "GET /api/v1/plans", "GET /api/v1/plans/x",
		"POST /api/v1/plans/x/apply", "POST /api/v1/plans/x/cancel", "GET /api/v1/runs", "GET /api/v1/runs/x", "POST /api/v1/runs/x/undo", "GET /insights"} {
		method, path, _ := strings.Cut(route, " ")
		for _, tok := range []string{"", "wrong", testToken + "x", strings.ToUpper(testToken)} {
			code, b := e.doAs(tok, method, path, nil)
			assert.Equal(t, http.StatusUnauthorized, code, "%s with %q", route, tok)
			assert.JSONEq(t, `{"error": "missing or wrong bearer token"}`, string(b))
		}
	}
	code, _ := e.doAs("", http.MethodGet, "/healthz", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, e.runs())
	plans, err := e.store.Plans(t.Context())
	require.NoError(t, err)
	assert.Empty(t, plans, "nothing planned")
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	big := []byte(`{"policies": ["` + strings.Repeat("x", 2<<20) + `"]}`)
	code, b := e.do(http.MethodPost, "/api/v1/plans", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, string(b))
	code, _ = e.hook("", testSecret, big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
}

func TestWebhookOffWithoutSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	e.cur.Load().cfg.webhookSecret = ""
	code, body := e.hook("?token=", "", approvedPayload("1", "X-1", "1"))
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "SEATWARDEN_WEBHOOK_SECRET")
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr syncBuffer
	env := map[string]string{"SEATWARDEN_API_TOKEN": testToken, "SEATWARDEN_WEBHOOK_SECRET": testSecret}
	p := program{getenv: func(k string) string { return env[k] }, stdout: outW, stderr: &stderr}
	done := make(chan int, 1)
	go func() {
		done <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--demo", "--demo-users", "100", "--data-dir", t.TempDir()})
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	require.True(t, sc.Scan())
	base := sc.Text()
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base, "the first line is the base URL alone")
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/plans", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	assert.Equal(t, exitOK, <-done)
	assert.NotContains(t, stderr.String(), testToken)
	assert.NotContains(t, stderr.String(), testSecret)
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	for name, c := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"no token":         {[]string{"--policies", "x.yaml"}, nil, "SEATWARDEN_API_TOKEN"},
		"no policies":      {nil, map[string]string{"SEATWARDEN_API_TOKEN": "t"}, "--policies"},
		"token flag":       {[]string{"--token", "t"}, nil, "flag provided but not defined: -token"},
		"empty token file": {[]string{"--token-file", empty, "--policies", "x.yaml"}, nil, "--token-file: the file is empty"},
		"no token file":    {[]string{"--token-file", empty + ".missing", "--policies", "x.yaml"}, nil, "--token-file:"},
		"negative rate":    {[]string{"--demo", "--rate", "-2"}, nil, "--rate -2: want a positive number"},
		"burst alone":      {[]string{"--demo", "--burst", "5"}, nil, "--burst needs --rate"},
	} {
		var stderr bytes.Buffer
		p := program{getenv: func(k string) string { return c.env[k] }, stdout: io.Discard, stderr: &stderr}
		assert.Equal(t, exitUsage, p.run(t.Context(), c.args), name)
		assert.Contains(t, stderr.String(), c.want, name)
	}
}

func TestApprovedWhileDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	v := e.plan("inactive")
	e.stop()
	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve")) // nobody listening
	e.poll = time.Hour                                           // only the poll at start
	e.start()
	e.waitStatus(v.ID, history.PlanApplied)
	assert.Zero(t, e.active(deactivations(t, v)))
}

// TestSecondServerOnOneDataDir: a second server on the data directory a
// live server holds refuses to start, and changes nothing there.
func TestSecondServerOnOneDataDir(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	dir := t.TempDir()
	env := map[string]string{"SEATWARDEN_API_TOKEN": testToken, "SEATWARDEN_WEBHOOK_SECRET": testSecret}
	done := startServing(t, ctx, env, dir, io.Discard)

	var stderr syncBuffer
	second := program{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: &stderr}
	code := second.run(ctx, []string{"--addr", "127.0.0.1:0", "--demo", "--demo-users", "50", "--data-dir", dir})
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr.String(), "another server uses it")
	assert.Contains(t, stderr.String(), "in use by another process (pid")

	cancel()
	<-done // stopped at once, it may end with "context canceled"
	// Once the first has stopped, the directory is free.
	ctx2, cancel2 := context.WithCancel(t.Context())
	var stderr3 syncBuffer
	done = startServing(t, ctx2, env, dir, &stderr3)
	cancel2()
	<-done
	assert.NotContains(t, stderr3.String(), "another server uses it")
}

// startServing runs the program with --demo on dir until ctx is done,
// and returns once it serves (its first line out); the exit code comes on
// the channel.
func startServing(t *testing.T, ctx context.Context, env map[string]string, dir string, stderr io.Writer) chan int {
	t.Helper()
	outR, outW := io.Pipe()
	p := program{getenv: func(k string) string { return env[k] }, stdout: outW, stderr: stderr}
	done := make(chan int, 1)
	go func() {
		done <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--demo", "--demo-users", "50", "--data-dir", dir})
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	require.True(t, sc.Scan(), "the server starts")
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	return done
}

// fakeWrites lists the requests to the fake that are not reads.
func fakeWrites(fake *jiratest.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// TestApprovalOfNobody: an approval policy that selects nobody files no
// issue and records no run: 200, "nothing to approve", every time.
func TestApprovalOfNobody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, strings.Replace(approvalPolicy, "daysSinceLastLogin > 365", `name == "nobody-at-all"`, 1), 0)
	for range 2 {
		e.fake.ResetStats()
		code, b := e.do(http.MethodPost, "/api/v1/plans", map[string]any{"policies": []string{"inactive"}})
		require.Equal(t, http.StatusOK, code, string(b))
		assert.Contains(t, string(b), "nothing to approve")
		assert.Empty(t, fakeWrites(e.fake), "no approval issue")
	}
	assert.Empty(t, e.runs(), "no empty run in the history")
	code, b := e.do(http.MethodGet, "/api/v1/plans", nil)
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"plans": []}`, string(b))
}

// Concurrent reads of the users share one client and one snapshot, and a
// later read reuses it while it is younger than the maximum age.
func TestConcurrentUsersShareASnapshot(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	e.maxReads = 20 // the sharing is tested, not the back-pressure (TestSlotsAnswer429): no 429 on a slow machine
	e.restart()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			code, b := e.do(http.MethodGet, "/api/v1/users?where=active", nil)
			assert.Equal(t, http.StatusOK, code, string(b))
		})
	}
	wg.Wait()
	lists := e.fake.Count("GET /rest/api/2/user/list")
	require.NotZero(t, lists)
	assert.LessOrEqual(t, lists, 2, "20 concurrent reads, at most a fetch and one started after it ended")
	code, b := e.do(http.MethodGet, "/api/v1/users?where=active", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, lists, e.fake.Count("GET /rest/api/2/user/list"), "a recent snapshot is reused")
	var out struct {
		SnapshotAgeSeconds *float64
	}
	require.NoError(t, json.Unmarshal(b, &out))
	require.NotNil(t, out.SnapshotAgeSeconds)
	assert.Less(t, *out.SnapshotAgeSeconds, 60.0)
	assert.LessOrEqual(t, e.fake.Count("GET /rest/api/2/myself"), 1)
}

// TestConcurrentPlansOneApprovalIssue (issue 19): 20 concurrent POST
// /api/v1/plans for one approval policy answer 20 × 201 with one
// approval issue: the identical pending plan is returned, not filed again.
func TestConcurrentPlansOneApprovalIssue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	e.maxReads = 20 // 20 at once; the default 4 would answer some 429 (TestSlotsAnswer429)
	e.restart()
	var wg sync.WaitGroup
	views := make([]planView, 20)
	codes := make([]int, 20)
	for i := range views {
		wg.Go(func() {
			code, b := e.do(http.MethodPost, "/api/v1/plans", map[string]any{"policies": []string{"inactive"}})
			codes[i] = code
			_ = json.Unmarshal(b, &views[i])
		})
	}
	wg.Wait()
	issues := map[string]bool{}
	for i, v := range views {
		assert.Equal(t, http.StatusCreated, codes[i])
		assert.Equal(t, history.PlanPending, v.Status)
		issues[v.IssueKey] = true
	}
	assert.Len(t, issues, 1, "one approval issue for 20 identical plans")
	assert.Equal(t, 1, e.fake.Count("POST /rest/api/2/issue"), "one issue filed on the fake")
	pending, err := e.store.Plans(t.Context(), history.PlanPending)
	require.NoError(t, err)
	assert.Len(t, pending, 1, "one plan recorded")

	// Once decided, a new plan files a new issue.
	require.NoError(t, e.fake.Transition(views[0].IssueKey, "Reject"))
	code, _ := e.do(http.MethodPost, "/api/v1/plans/"+views[0].ID+"/apply", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	v := e.plan("inactive")
	assert.NotEqual(t, views[0].IssueKey, v.IssueKey)
}

// TestIdempotencyKey: a POST repeated with the same Idempotency-Key (in
// turn or at once) gets the first answer and does the work once; the key
// with another body is refused.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `policies:
  - name: inactive
    when: {onDemand: true}
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	post := func(key, path string, body any) (int, []byte) {
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Idempotency-Key", key)
		resp, err := e.ts.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	var wg sync.WaitGroup
	bodies := make([][]byte, 5)
	for i := range bodies {
		wg.Go(func() {
			code, b := post("k1", "/api/v1/plans", map[string]any{"policies": []string{"inactive"}})
			assert.Equal(t, http.StatusCreated, code)
			bodies[i] = b
		})
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		assert.JSONEq(t, string(bodies[0]), string(b), "the same answer")
	}
	plans, err := e.store.Plans(t.Context())
	require.NoError(t, err)
	assert.Len(t, plans, 1, "one plan made")
	var v planView
	require.NoError(t, json.Unmarshal(bodies[0], &v))

	code, _ := post("k1", "/api/v1/plans", map[string]any{"policies": []string{"other"}})
	assert.Equal(t, http.StatusUnprocessableEntity, code, "a key is one request")

	puts := func() int { return e.fake.Count("PUT /rest/api/2/user") }
	code, first := post("k2", "/api/v1/plans/"+v.ID+"/apply", nil)
	require.Equal(t, http.StatusOK, code, string(first))
	writes := puts()
	require.Positive(t, writes)
	code, again := post("k2", "/api/v1/plans/"+v.ID+"/apply", nil)
	assert.Equal(t, http.StatusOK, code, "the first answer again, not 409")
	assert.Equal(t, string(first), string(again))
	assert.Equal(t, writes, puts(), "applied once")
}
