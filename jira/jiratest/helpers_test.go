package jiratest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// tclient sends requests to a fake and decodes answers. It fails the test
// on transport errors, never on statuses: tests assert those.
type tclient struct {
	t      testing.TB
	base   string
	hc     *http.Client
	user   string
	secret string
	bearer string
}

// memClient talks to s in memory as the default DC administrator.
func memClient(t testing.TB, s *jiratest.Server) *tclient {
	cr := s.Credentials()
	return &tclient{t: t, base: jiratest.InMemoryURL, hc: s.Client(), user: cr.DCUser, secret: cr.DCPassword}
}

func (c *tclient) as(user, secret string) *tclient {
	cp := *c
	cp.user, cp.secret, cp.bearer = user, secret, ""
	return &cp
}

func (c *tclient) withBearer(tok string) *tclient {
	cp := *c
	cp.user, cp.secret, cp.bearer = "", "", tok
	return &cp
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decoding %s: %v", a.body, err)
	}
}

// errorMessages returns Jira's error collection from the body.
func (a answer) errors(t testing.TB) (msgs []string, fields map[string]string) {
	t.Helper()
	var ec struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	a.decode(t, &ec)
	if ec.ErrorMessages == nil || ec.Errors == nil {
		t.Fatalf("error body %s lacks errorMessages or errors", a.body)
	}
	return ec.ErrorMessages, ec.Errors
}

func (c *tclient) do(method, path string, body any) answer {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.user != "":
		req.SetBasicAuth(c.user, c.secret)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, raw}
}

// want checks an answer's status and returns it.
func (c *tclient) want(status int, method, path string, body any) answer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, a.status, status, a.body)
	}
	return a
}

// people returns n user specs named user0001… with emails on example.com.
func people(n int) []jiratest.UserSpec {
	out := make([]jiratest.UserSpec, n)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		name := fmt.Sprintf("user%04d", i+1)
		out[i] = jiratest.UserSpec{
			Name: name, DisplayName: fmt.Sprintf("User %04d", i+1), Email: name + "@example.com",
			Licences: []string{"jira-software"}, Created: base.Add(time.Duration(i) * time.Hour),
			LastLogin: base.AddDate(1, 0, i%365), Password: "pw-" + name,
		}
	}
	return out
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
