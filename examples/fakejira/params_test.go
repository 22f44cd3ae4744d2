package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// serve runs the program with args until the test ends and returns its
// base URL.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit code %d", code)
		}
	})
	first, _ := lines(pr)
	return baseURL(t, first)
}

// call sends a request with Basic credentials and a JSON body (when not
// nil) and returns the status and body.
func call(t *testing.T, method, u, user, secret string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(user, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// TestLenientByDefault: like Jira, the program ignores query parameters
// it does not know, unless -strict; the parameters third-party clients
// send (an empty query, an expand of a page of members) answer 200 either
// way.
func TestLenientByDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		unknown int
	}{{nil, 200}, {[]string{"-strict"}, 400}} {
		base := serve(t, append([]string{"-users", "20"}, tc.args...)...)
		for path, want := range map[string]int{
			"/rest/api/2/user/search?username=admin&query=":                                   200,
			"/rest/api/2/group/member?groupname=jira-software-users&expand=users%5B0%3A50%5D": 200,
			"/rest/api/2/user/search?username=admin&bogus=1":                                  tc.unknown,
		} {
			if got, body := call(t, "GET", base+path, "admin", "admin", nil); got != want {
				t.Errorf("%v %s: %d, want %d: %.200s", tc.args, path, got, want, body)
			}
		}
	}
}

// TestCloudV2AndRoles: on -flavor cloud, REST v2 answers as third-party
// clients call it, and the Jira administrator without site-admin is
// refused group writes.
func TestCloudV2AndRoles(t *testing.T) {
	t.Parallel()
	base := serve(t, "-flavor", "cloud", "-users", "20")
	const email, token = "admin@example.com", "demo-token"
	var me struct{ AccountID string }
	_, raw := call(t, "GET", base+"/rest/api/2/myself", email, token, nil)
	if err := json.Unmarshal(raw, &me); err != nil || me.AccountID == "" {
		t.Fatalf("myself: %s", raw)
	}
	for _, path := range []string{
		"/rest/api/2/user?accountId=" + url.QueryEscape(me.AccountID),
		"/rest/api/2/user/search?query=admin",
		"/rest/api/2/group/member?groupname=jira-software-users",
	} {
		if got, body := call(t, "GET", base+path, email, token, nil); got != 200 {
			t.Errorf("%s: %d: %s", path, got, body)
		}
	}
	code, raw := call(t, "POST", base+"/rest/api/2/issue", email, token, map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "OPS"}, "issuetype": map[string]string{"name": "Task"},
		"summary": "from a v2 client", "description": "plain text"}})
	var is struct{ Key string }
	if json.Unmarshal(raw, &is); code != 201 || is.Key == "" {
		t.Fatalf("POST v2 issue: %d %s", code, raw)
	}
	if got, body := call(t, "POST", base+"/rest/api/2/issue/"+is.Key+"/comment", email, token, map[string]string{"body": "ok"}); got != 201 {
		t.Errorf("v2 comment: %d %s", got, body)
	}
	_, raw = call(t, "GET", base+"/rest/api/2/issue/"+is.Key+"/comment", email, token, nil)
	if !strings.Contains(string(raw), `"body":"ok"`) {
		t.Errorf("v2 comments: %s", raw)
	}
	got, body := call(t, "POST", base+"/rest/api/3/group/user?groupname=jira-admins", "jira-admin@example.com", "demo-token",
		map[string]string{"accountId": me.AccountID})
	if got != 403 || !strings.Contains(string(body), "site administrator") {
		t.Errorf("Jira admin adding to a group: %d %s", got, body)
	}
}
