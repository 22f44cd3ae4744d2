package jiratest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func TestDCRateLimitHeaders(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := jiratest.New(jiratest.WithRateLimit(10, 5))
		c := memClient(t, s)
		for i := range 5 {
			a := c.want(200, "GET", "/rest/api/2/myself", nil)
			h := a.header
			if h.Get("X-RateLimit-Limit") != "5" || h.Get("X-RateLimit-Remaining") != strconv.Itoa(4-i) ||
				h.Get("X-RateLimit-FillRate") != "10" || h.Get("X-RateLimit-Interval-Seconds") != "1" || h.Get("Retry-After") != "0" {
				t.Fatalf("request %d headers %v", i, h)
			}
		}
		// The bucket is empty: a 429 whose Retry-After is 0 because the
		// next token is less than a second away (DC's quirk).
		a := c.want(429, "GET", "/rest/api/2/myself", nil)
		if a.header.Get("Retry-After") != "0" || a.header.Get("X-RateLimit-Remaining") != "0" {
			t.Fatalf("429 headers %v", a.header)
		}
		a.errors(t)
		time.Sleep(100 * time.Millisecond)
		c.want(200, "GET", "/rest/api/2/myself", nil)
		c.want(429, "GET", "/rest/api/2/myself", nil)
		// Buckets are per user.
		if _, err := s.AddUser(jiratest.UserSpec{Name: "other", Password: "pw"}); err != nil {
			t.Fatal(err)
		}
		c.as("other", "pw").want(200, "GET", "/rest/api/2/myself", nil)
	})
}

func TestDCRateLimitSlowFill(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Half a request per second: one token every 2 s.
		c := memClient(t, jiratest.New(jiratest.WithRateLimit(0.5, 1)))
		a := c.want(200, "GET", "/rest/api/2/myself", nil)
		if a.header.Get("X-RateLimit-Interval-Seconds") != "2" || a.header.Get("X-RateLimit-FillRate") != "1" {
			t.Fatalf("headers %v", a.header)
		}
		a = c.want(429, "GET", "/rest/api/2/myself", nil)
		if a.header.Get("Retry-After") != "2" { // no time passed in the bubble: exactly 2 s
			t.Fatalf("Retry-After %q", a.header.Get("Retry-After"))
		}
	})
}

func TestCloudRateLimitHeaders(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithRateLimit(2, 10))
		cr := s.Credentials()
		c := memClient(t, s).as(cr.CloudEmail, cr.CloudToken)
		const path = "/rest/webhooks/1.0/webhook"
		near := 0
		for range 10 {
			a := c.want(200, "GET", path, nil)
			if a.header.Get("X-RateLimit-NearLimit") == "true" {
				near++
			}
			if a.header.Get("Retry-After") != "" {
				t.Fatalf("Retry-After on a success: %v", a.header)
			}
		}
		if near != 2 { // remaining 1 and 0 are under 20% of 10
			t.Errorf("NearLimit on %d responses, want 2", near)
		}
		a := c.want(429, "GET", path, nil)
		reset, err := time.Parse("2006-01-02T15:04Z", a.header.Get("X-RateLimit-Reset"))
		if err != nil || a.header.Get("Retry-After") != "1" || a.header.Get("RateLimit-Reason") != "jira-burst-based" {
			t.Fatalf("429 headers %v (%v)", a.header, err)
		}
		if d := reset.Sub(time.Now().Truncate(time.Minute)); d < 0 || d > 2*time.Minute {
			t.Errorf("reset %v is not about now", reset)
		}
		time.Sleep(time.Second)
		c.want(200, "GET", path, nil)
	})
}

func TestScriptedFaults(t *testing.T) {
	t.Parallel()
	s := jiratest.New()
	c := memClient(t, s)
	const route = "GET /rest/api/2/myself"
	s.Script(route, jiratest.Fault{Status: 503, RetryAfter: 3 * time.Second}, jiratest.Fault{}, jiratest.Fault{Status: 429, HTML: true})
	a := c.want(503, "GET", "/rest/api/2/myself", nil)
	if a.header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	a.errors(t)
	c.want(200, "GET", "/rest/api/2/myself", nil)
	a = c.want(429, "GET", "/rest/api/2/myself", nil)
	if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(string(a.body), "<html>") || a.header.Get("Retry-After") != "1" {
		t.Errorf("HTML 429: %v %s", a.header, a.body)
	}
	c.want(200, "GET", "/rest/api/2/myself", nil)
	// Other routes are not affected; "" scripts every route.
	s.Script("", jiratest.Fault{Status: 502})
	c.want(502, "GET", "/rest/api/2/serverInfo", nil)
	c.want(200, "GET", "/rest/api/2/serverInfo", nil)
}

func TestRandomFaultsAreDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []int {
		s := jiratest.New(jiratest.WithSeed(seed))
		faults, err := jiratest.ParseFaults("429=0.2, 500=0.1,html503=0.1")
		if err != nil {
			t.Fatal(err)
		}
		s.SetFaults("", faults...)
		c := memClient(t, s)
		var out []int
		for range 200 {
			out = append(out, c.do("GET", "/rest/api/2/serverInfo", nil).status)
		}
		return out
	}
	a, b, other := run(7), run(7), run(8)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different faults")
	}
	if slices.Equal(a, other) {
		t.Fatal("different seeds, same faults")
	}
	counts := map[int]int{}
	for _, st := range a {
		counts[st]++
	}
	// About 20% 429s, then 10% of the rest 500s, …: loose bounds.
	if counts[429] < 20 || counts[429] > 65 || counts[500] < 5 || counts[503] < 5 || counts[200] < 80 {
		t.Errorf("fault mix %v", counts)
	}
}

func TestParseFaultsErrors(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"429", "429=2", "abc=0.1", "200=0.1", "reset=x"} {
		if _, err := jiratest.ParseFaults(spec); err == nil {
			t.Errorf("ParseFaults(%q) accepted", spec)
		}
	}
	f, err := jiratest.ParseFaults("reset=0.01,502=0.5")
	if err != nil || len(f) != 2 || !f[0].Reset || f[1].Status != 502 {
		t.Fatalf("%+v %v", f, err)
	}
}

func TestDroppedConnections(t *testing.T) {
	t.Parallel()
	for _, inMemory := range []bool{true, false} {
		t.Run("inMemory="+strconv.FormatBool(inMemory), func(t *testing.T) {
			t.Parallel()
			var s *jiratest.Server
			c := &tclient{t: t, user: "admin", secret: "admin"}
			if inMemory {
				s = jiratest.New(orgOf(people(2)...))
				c.base, c.hc = jiratest.InMemoryURL, s.Client()
			} else {
				s = jiratest.NewServer(t, orgOf(people(2)...))
				c.base, c.hc = s.URL, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			}
			const route = "POST /rest/api/2/group/user"
			s.Script(route, jiratest.Fault{Reset: true}, jiratest.Fault{Reset: true, AfterWrite: true})
			send := func() error {
				req, _ := http.NewRequest("POST", c.base+"/rest/api/2/group/user?groupname=jira-servicedesk-users", strings.NewReader(`{"name":"user0001"}`))
				req.SetBasicAuth("admin", "admin")
				resp, err := c.hc.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				return err
			}
			if err := send(); err == nil {
				t.Fatal("dropped connection: no error")
			}
			if m, _ := s.GroupMembers("jira-servicedesk-users"); len(m) != 0 {
				t.Fatal("a request dropped before serving changed the state")
			}
			if err := send(); err == nil {
				t.Fatal("dropped response: no error")
			}
			if m, _ := s.GroupMembers("jira-servicedesk-users"); !slices.Equal(m, []string{"user0001"}) {
				t.Fatalf("a request dropped after serving was not applied: %v", m)
			}
			// The client retries and learns it was done already.
			c.want(400, "POST", "/rest/api/2/group/user?groupname=jira-servicedesk-users", map[string]string{"name": "user0001"})
			if got := s.Count(route); got != 3 {
				t.Errorf("count %d, want 3", got)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := memClient(t, jiratest.New(jiratest.WithLatency(20*time.Millisecond)))
		start := time.Now()
		c.want(200, "GET", "/rest/api/2/serverInfo", nil)
		if d := time.Since(start); d != 20*time.Millisecond {
			t.Fatalf("took %v, want 20ms", d)
		}
		// A Delay fault slows one route and then serves it.
		s := jiratest.New()
		s.SetFaults("GET /rest/api/2/myself", jiratest.Fault{Delay: time.Second, Probability: 1})
		slow := memClient(t, s)
		start = time.Now()
		slow.want(200, "GET", "/rest/api/2/myself", nil)
		slow.want(200, "GET", "/rest/api/2/serverInfo", nil)
		if d := time.Since(start); d != time.Second {
			t.Fatalf("slow route: took %v, want 1s", d)
		}
		s.Script("GET /rest/api/2/serverInfo", jiratest.Fault{Delay: time.Second, Status: 503})
		start = time.Now()
		slow.want(503, "GET", "/rest/api/2/serverInfo", nil)
		if d := time.Since(start); d != time.Second {
			t.Fatalf("delayed failure: took %v, want 1s", d)
		}
		// A cancelled request stops waiting.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", jiratest.InMemoryURL+"/rest/api/2/serverInfo", nil)
		_, err := c.hc.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestStats(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(t)
	c := &tclient{t: t, base: s.URL, hc: http.DefaultClient, user: "admin", secret: "admin"}
	c.want(200, "GET", "/rest/api/2/myself", nil)
	c.want(200, "GET", "/rest/api/2/myself", nil)
	c.want(404, "GET", "/rest/api/2/user?username=ghost", nil)
	c.want(404, "GET", "/rest/api/2/nothing", nil)
	if s.Count("GET /rest/api/2/myself") != 2 || s.Count("GET /rest/api/2/user") != 1 || s.TotalRequests() != 4 {
		t.Fatalf("stats %v", s.Stats())
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[2].Status != 404 || reqs[2].RawQuery != "username=ghost" || reqs[3].Route != "(unmatched)" {
		t.Fatalf("log %+v", reqs)
	}
	var st struct {
		Total  int            `json:"total"`
		Routes map[string]int `json:"routes"`
	}
	c.as("", "").want(200, "GET", "/_fake/stats", nil).decode(t, &st)
	if st.Total != 4 || st.Routes["GET /rest/api/2/myself"] != 2 {
		t.Fatalf("/_fake/stats %+v", st)
	}
	c.as("", "").want(204, "POST", "/_fake/stats/reset", nil)
	if s.TotalRequests() != 0 || len(s.Requests()) != 0 {
		t.Fatal("reset kept counts")
	}
	routes := s.Routes()
	if !slices.ContainsFunc(routes, func(r jiratest.Route) bool { return r.String() == "GET /rest/api/2/user/search" }) {
		t.Fatalf("routes %v", routes)
	}
}

func TestRequestLogCap(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithRequestLog(3))
	c := memClient(t, s)
	for _, p := range []string{"/rest/api/2/serverInfo", "/rest/api/2/myself", "/rest/api/2/serverInfo", "/rest/api/2/user?username=admin"} {
		c.do("GET", p, nil)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Path != "/rest/api/2/myself" || s.TotalRequests() != 4 {
		t.Fatalf("log %+v", reqs)
	}
}

// hookReceiver is a webhook endpoint that keeps what it receives.
type hookReceiver struct {
	mu   sync.Mutex
	got  []map[string]any
	sigs []string
	urls []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, m)
	h.sigs = append(h.sigs, r.Header.Get("X-Hub-Signature")+" "+hexHMAC("s3cret", body))
	h.urls = append(h.urls, r.URL.RequestURI())
}

func hexHMAC(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebhookReceivesTransition(t *testing.T) {
	t.Parallel()
	for _, flavor := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		t.Run(flavor.String(), func(t *testing.T) {
			t.Parallel()
			recv := &hookReceiver{}
			hooks := httptest.NewServer(recv)
			t.Cleanup(hooks.Close)
			s := jiratest.NewServer(t, jiratest.WithFlavor(flavor))
			cr := s.Credentials()
			c := &tclient{t: t, base: s.URL, hc: http.DefaultClient, user: cr.DCUser, secret: cr.DCPassword}
			api, desc := "/rest/api/2", any("Deactivate 12 users")
			if flavor == jira.Cloud {
				c = c.as(cr.CloudEmail, cr.CloudToken)
				api = "/rest/api/3"
				desc = map[string]any{"type": "doc", "version": 1, "content": []any{map[string]any{"type": "paragraph",
					"content": []any{map[string]any{"type": "text", "text": "Deactivate 12 users"}}}}}
			}
			// Cloud: the webhooks plugin's REST; DC 10.3: Jira 10's, where
			// the secret travels in configuration and URL variables lose $.
			hookPath, created := "/rest/webhooks/1.0/webhook", 201
			hookBody := map[string]any{
				"name": "approvals", "url": hooks.URL + "/hook?issue=${issue.key}", "events": []string{"jira:issue_updated"},
				"filters": map[string]string{"issue-related-events-section": "project = OPS"}, "secret": "s3cret",
			}
			if flavor == jira.DataCenter {
				hookPath, created = "/rest/jira-webhook/1.0/webhooks", 200
				hookBody = map[string]any{
					"name": "approvals", "url": hooks.URL + "/hook?issue={issue.key}", "events": []string{"jira:issue_updated"},
					"configuration": map[string]string{"SECRET": "s3cret"},
				}
			}
			c.want(created, "POST", hookPath, hookBody)
			var list []map[string]any
			c.want(200, "GET", hookPath, nil).decode(t, &list)
			if len(list) != 1 || list[0]["secret"] != nil || strings.Contains(string(c.want(200, "GET", hookPath, nil).body), "s3cret") {
				t.Fatalf("webhook list %v", list)
			}

			var filed struct{ ID, Key string }
			c.want(201, "POST", api+"/issue", map[string]any{"fields": map[string]any{
				"project": map[string]string{"key": "OPS"}, "issuetype": map[string]string{"name": "Task"},
				"summary": "Approve plan 42", "description": desc,
			}}).decode(t, &filed)
			if filed.Key != "OPS-1" {
				t.Fatalf("created %+v", filed)
			}
			var trs struct {
				Transitions []struct{ ID, Name string } `json:"transitions"`
			}
			c.want(200, "GET", api+"/issue/OPS-1/transitions", nil).decode(t, &trs)
			if len(trs.Transitions) != 4 {
				t.Fatalf("transitions from Open: %+v", trs)
			}
			c.want(204, "POST", api+"/issue/OPS-1/transitions", map[string]any{"transition": map[string]string{"id": "11"}})
			c.want(400, "POST", api+"/issue/OPS-1/transitions", map[string]any{"transition": map[string]string{"id": "11"}})
			s.WaitWebhooks() // deliveries are asynchronous, as on Jira 10: keep them in order here
			if err := s.Transition("OPS-1", "Approve"); err != nil {
				t.Fatal(err)
			}
			s.WaitWebhooks()

			recv.mu.Lock()
			defer recv.mu.Unlock()
			if len(recv.got) != 2 {
				t.Fatalf("received %d webhooks, want 2", len(recv.got))
			}
			last := recv.got[1]
			items := last["changelog"].(map[string]any)["items"].([]any)
			item := items[0].(map[string]any)
			issue := last["issue"].(map[string]any)
			status := issue["fields"].(map[string]any)["status"].(map[string]any)
			if last["webhookEvent"] != "jira:issue_updated" || last["issue_event_type_name"] != "issue_generic" ||
				item["field"] != "status" || item["fromString"] != "Waiting for approval" || item["toString"] != "Approved" ||
				item["to"] != "10002" || issue["key"] != "OPS-1" || status["name"] != "Approved" {
				t.Fatalf("payload %v", last)
			}
			for _, sig := range recv.sigs {
				got, want, _ := strings.Cut(sig, " ")
				if got != want {
					t.Errorf("signature %q, want %q", got, want)
				}
			}
			if recv.urls[0] != "/hook?issue=OPS-1" {
				t.Errorf("URL variables not substituted: %s", recv.urls[0])
			}
			if is, _ := s.Issue("OPS-1"); is.Status != "Approved" {
				t.Errorf("issue state %+v", is)
			}
			if d := s.Deliveries(); len(d) != 2 || d[0].Status != 200 {
				t.Errorf("deliveries %+v", d)
			}
		})
	}
}

func TestIssueValidation(t *testing.T) {
	t.Parallel()
	s := jiratest.New()
	c := memClient(t, s)
	a := c.want(400, "POST", "/rest/api/2/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "NOPE"}, "description": map[string]any{"type": "doc"},
	}})
	_, fields := a.errors(t)
	for _, f := range []string{"project", "issuetype", "summary", "description"} {
		if fields[f] == "" {
			t.Errorf("no error for %s: %v", f, fields)
		}
	}
	c.want(404, "GET", "/rest/api/2/issue/OPS-99", nil)
	var created struct{ Key string }
	c.want(201, "POST", "/rest/api/2/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "OPS"}, "issuetype": map[string]string{"name": "task"}, "summary": "s",
		"assignee": map[string]string{"name": "admin"},
	}}).decode(t, &created)
	var got struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	c.want(200, "GET", "/rest/api/2/issue/"+created.Key+"?fields=status,summary", nil).decode(t, &got)
	if len(got.Fields) != 2 || !strings.Contains(string(got.Fields["status"]), `"Open"`) {
		t.Fatalf("fields %v", got.Fields)
	}
	// Comments: DC takes a string body, not a document, and not nothing.
	c.want(400, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]any{"body": map[string]any{"type": "doc"}})
	c.want(400, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]any{"body": ""})
	c.want(404, "POST", "/rest/api/2/issue/OPS-99/comment", map[string]any{"body": "x"})
	c.want(201, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]any{"body": "first"})
	c.want(201, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]any{"body": "second"})
	var comments struct {
		Total    int `json:"total"`
		Comments []struct {
			Body   string         `json:"body"`
			Author map[string]any `json:"author"`
		} `json:"comments"`
	}
	c.want(200, "GET", "/rest/api/2/issue/"+created.Key+"/comment?orderBy=-created", nil).decode(t, &comments)
	if comments.Total != 2 || comments.Comments[0].Body != "second" || comments.Comments[1].Author["name"] != "admin" {
		t.Fatalf("comments %+v", comments)
	}
	if err := s.Transition(created.Key, "Reopen"); err == nil {
		t.Error("Reopen from Open accepted")
	}
}

func TestUserCreatedWebhook(t *testing.T) {
	t.Parallel()
	recv := &hookReceiver{}
	hooks := httptest.NewServer(recv)
	t.Cleanup(hooks.Close)
	s := jiratest.NewServer(t, jiratest.WithDCVersion("9.12")) // the webhooks plugin's REST, before Jira 10
	c := &tclient{t: t, base: s.URL, hc: http.DefaultClient, user: "admin", secret: "admin"}
	c.want(201, "POST", "/rest/webhooks/1.0/webhook", map[string]any{"name": "new users", "url": hooks.URL, "events": []string{"user_created"}})
	c.want(201, "POST", "/rest/api/2/user", map[string]any{"name": "nina", "emailAddress": "nina@example.com", "displayName": "Nina"})
	s.WaitWebhooks()
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if len(recv.got) != 1 || recv.got[0]["webhookEvent"] != "user_created" || recv.got[0]["user"].(map[string]any)["name"] != "nina" {
		t.Fatalf("got %v", recv.got)
	}
	c.want(204, "DELETE", "/rest/webhooks/1.0/webhook/1", nil)
	c.want(404, "DELETE", "/rest/webhooks/1.0/webhook/1", nil)
}
