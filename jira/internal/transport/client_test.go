package transport

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

const (
	testPassword = "hunter2-s3cr3t"
	testToken    = "ATATT3xFfGF0-pat-token"
)

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth Auth
		want string
	}{
		{"dc basic", Basic("fred", testPassword), "Basic " + base64.StdEncoding.EncodeToString([]byte("fred:"+testPassword))},
		{"cloud email and api token", Basic("fred@example.com", testToken), "Basic " + base64.StdEncoding.EncodeToString([]byte("fred@example.com:"+testToken))},
		{"bearer", Bearer(testToken), "Bearer " + testToken},
		{"none", Auth{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newScript(reply(200, `{}`))
			c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Auth = tt.auth })
			_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.got()[0].header.Get("Authorization"))
		})
	}
}

func TestAuthNotSentElsewhere(t *testing.T) {
	t.Parallel()
	s := newScript(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "jira.example.com" {
			http.Redirect(w, r, "https://evil.example.net/steal", http.StatusFound)
			return
		}
		reply(200, `{}`)(w, r)
	})
	c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Auth = Bearer(testToken) })
	_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
	require.NoError(t, err)
	got := s.got()
	require.Len(t, got, 2)
	assert.NotEmpty(t, got[0].header.Get("Authorization"))
	assert.Equal(t, "evil.example.net", got[1].url.Host)
	assert.Empty(t, got[1].header.Get("Authorization"), "credentials never follow a redirect to another host")
}

func TestRequestHeadersAndBody(t *testing.T) {
	t.Parallel()
	s := newScript(reply(201, `{"key":"K","name":"fred","active":false}`))
	c := newTestClient(t, handlerTransport{s}, nil)
	var out struct {
		Key    string `json:"key"`
		Active bool   `json:"active"`
	}
	resp, err := c.Do(t.Context(), "PUT", "/rest/api/2/user", url.Values{"username": {"fred"}},
		map[string]any{"active": false}, &out)
	require.NoError(t, err)
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, "K", out.Key)
	a := s.got()[0]
	assert.Equal(t, DefaultUserAgent, a.header.Get("User-Agent"))
	assert.Equal(t, "application/json", a.header.Get("Accept"))
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	assert.Equal(t, "/jira/rest/api/2/user", a.url.Path, "joined to the base path")
	assert.Equal(t, "fred", a.url.Query().Get("username"))
	assert.JSONEq(t, `{"active":false}`, string(a.body))

	s = newScript(reply(200, `{}`))
	c = newTestClient(t, handlerTransport{s}, func(c *Config) { c.UserAgent = "acme-offboarding/1.2" })
	_, err = c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "acme-offboarding/1.2", s.got()[0].header.Get("User-Agent"))
	assert.Empty(t, s.got()[0].header.Get("Content-Type"), "no body, no content type")
}

func TestResponseDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reply   http.HandlerFunc
		wantErr bool
		want    string
	}{
		{"json", reply(200, `{"name":"fred"}`), false, "fred"},
		{"no content", reply(204, ""), false, "unchanged"},
		{"empty 200", reply(200, ""), false, "unchanged"},
		{"bad json", reply(200, `{"name":`), true, "unchanged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, handlerTransport{newScript(tt.reply)}, nil)
			out := struct{ Name string }{Name: "unchanged"}
			resp, err := c.Do(t.Context(), "GET", "/rest/api/2/user", url.Values{"username": {"fred"}}, nil, &out)
			require.NotNil(t, resp)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "jira: decode GET")
				assert.NotContains(t, err.Error(), "fred", "query values are redacted")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Name)
		})
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no scheme", Config{BaseURL: "jira.example.com"}},
		{"ftp", Config{BaseURL: "ftp://jira.example.com"}},
		{"credentials in URL", Config{BaseURL: "https://fred:" + testPassword + "@jira.example.com"}},
		{"query", Config{BaseURL: "https://jira.example.com/?os_password=" + testPassword}},
		{"basic without secret", Config{BaseURL: testBase, Auth: Basic("fred", "")}},
		{"basic user with colon", Config{BaseURL: testBase, Auth: Basic("fr:ed", testPassword)}},
		{"empty bearer", Config{BaseURL: testBase, Auth: Bearer("")}},
		{"header injection", Config{BaseURL: testBase, Auth: Bearer(testToken + "\r\nX-Evil: 1")}},
		{"waits reversed", Config{BaseURL: testBase, RetryWaitMin: 10e9, RetryWaitMax: 1e9}},
		{"negative rate", Config{BaseURL: testBase, Rate: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.NotContains(t, err.Error(), testPassword)
			assert.NotContains(t, err.Error(), testToken)
			assert.Regexp(t, `^jira: `, err.Error())
		})
	}
	_, err := New(Config{BaseURL: "https://example.atlassian.net/"})
	assert.NoError(t, err)
}

func TestPathMustBePlain(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, handlerTransport{newScript(reply(200, ""))}, nil)
	for _, p := range []string{"/x?y=1", "https://evil.example.net/x", "/x#frag"} {
		_, err := c.Do(t.Context(), "GET", p, nil, nil, nil)
		assert.Error(t, err, p)
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("https://fred:" + testPassword + "@jira.example.com/rest/api/2/user/search?username=fred&startAt=50&os_password=" + testPassword + "#x")
	require.NoError(t, err)
	got := redactURL(u)
	assert.Equal(t, "https://jira.example.com/rest/api/2/user/search?os_password=REDACTED&startAt=50&username=REDACTED", got)
	// Identifiers an admin acts on stay: a group, a user's key.
	u, err = url.Parse("https://jira.example.com/rest/api/2/group/member?groupname=break-glass&key=JIRAUSER10006&password=" + testPassword)
	require.NoError(t, err)
	assert.Equal(t, "https://jira.example.com/rest/api/2/group/member?groupname=break-glass&key=JIRAUSER10006&password=REDACTED", redactURL(u))
}

// TestNoSecretsInErrorsOrLogs drives every failure path with a debug logger
// and checks that neither the errors nor the log carry a credential or a
// sensitive query value.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		log, buf := logBuffer()
		query := url.Values{"username": {"fred"}, "os_password": {testPassword}}
		secrets := []string{
			testPassword, testToken, "fred",
			base64.StdEncoding.EncodeToString([]byte("admin:" + testPassword)),
		}
		var errs []error
		for _, auth := range []Auth{Basic("admin", testPassword), Bearer(testToken)} {
			mod := func(c *Config) { c.Auth = auth; c.Logger = log; c.RetryMax = 2 }
			for _, h := range []http.HandlerFunc{
				reply(429, "<html>busy</html>", "Content-Type", "text/html", "Retry-After", "1"),
				reply(500, `{"errorMessages":["oops"]}`),
				reply(401, ""),
				reply(200, `not json`),
			} {
				c := newTestClient(t, handlerTransport{newScript(h)}, mod)
				_, err := c.Do(t.Context(), "GET", "/rest/api/2/user/search", query, nil, &struct{}{})
				require.Error(t, err)
				errs = append(errs, err)
			}
			c := newTestClient(t, &errTransport{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused")}}, mod)
			_, err := c.Do(t.Context(), "POST", "/rest/api/2/user", query, map[string]any{"password": "x"}, nil)
			require.Error(t, err)
			errs = append(errs, err)
		}
		logged := buf.String()
		require.Contains(t, logged, "jira: retrying", "the logger was used")
		for _, err := range errs {
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s)
				assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), s)
			}
		}
		for _, s := range secrets {
			assert.NotContains(t, logged, s)
		}
	})
}

func TestSilentByDefault(t *testing.T) {
	t.Parallel()
	// Retryablehttp logs to stderr unless told otherwise; a nil Config.Logger
	// must mean nothing is logged, which the discard handler guarantees.
	c := newTestClient(t, handlerTransport{newScript(reply(200, ""))}, nil)
	assert.Equal(t, slog.DiscardHandler, c.log.Handler())
}

func TestAuthNeverPrints(t *testing.T) {
	t.Parallel()
	a := Basic("fred", testPassword)
	b := Bearer(testToken)
	holder := struct {
		A Auth
		b Auth
		c authTransport
	}{a, b, authTransport{auth: b}}
	log, buf := logBuffer()
	log.Info("auth", "a", a, "b", b, "holder", holder)
	js, err := json.Marshal(holder)
	require.NoError(t, err)
	out := fmt.Sprintf("%v %+v %#v %s %q %x %d", a, holder, holder, b, b, b, a) + buf.String() + string(js)
	assert.NotContains(t, out, testPassword)
	assert.NotContains(t, out, testToken)
	assert.Contains(t, fmt.Sprint(b), "Bearer [REDACTED]")
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := jira.Secret(testToken)
	holder := struct{ S jira.Secret }{S: s}
	js, err := json.Marshal(holder)
	require.NoError(t, err)
	txt, err := s.MarshalText()
	require.NoError(t, err)
	log, buf := logBuffer()
	log.Info("secret", "s", s, "holder", holder.S)
	out := fmt.Sprintf("%v %+v %#v %s %q %x %d %10.3s", s, s, s, s, s, s, s, s) + string(js) + string(txt) + buf.String()
	assert.NotContains(t, out, testToken)
	assert.NotContains(t, out, fmt.Sprintf("%x", testToken))
	assert.Contains(t, out, "[REDACTED]")
	assert.Equal(t, testToken, s.Reveal())

	var back struct{ S jira.Secret }
	require.NoError(t, json.Unmarshal([]byte(`{"S":"`+testToken+`"}`), &back))
	assert.Equal(t, testToken, back.S.Reveal(), "a secret still loads from JSON")
}
