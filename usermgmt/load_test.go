package usermgmt_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testEnv is the environment the tests resolve ${VAR} references in.
var testEnv = map[string]string{
	"JIRA_URL":          "https://jira.example.com",
	"JIRA_USER":         "admin@example.com",
	"JIRA_TOKEN":        "tok-3f9a-very-secret",
	"ATLASSIAN_ORG_ID":  "org-1",
	"ATLASSIAN_ORG_KEY": "orgkey-77-very-secret",
	"CLOUD_URL":         "https://example.atlassian.net",
}

func lookup(k string) (string, bool) { v, ok := testEnv[k]; return v, ok }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}

func TestLoadExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../examples/policies/*.yaml")
	require.NoError(t, err)
	require.Len(t, files, 4)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			f, err := usermgmt.Load(path, usermgmt.WithLookupEnv(lookup))
			require.NoError(t, err)
			require.NotEmpty(t, f.Policies())
			for i := range f.Policies() {
				p := &f.Policies()[i]
				assert.NotNil(t, p.Criterion(), p.Name)
				s, ok := f.Site(p.Site)
				require.True(t, ok, p.Name)
				assert.Equal(t, jira.Secret(testEnv["JIRA_TOKEN"]), s.Token)
			}
		})
	}
}

func TestLoadLifecycle(t *testing.T) {
	t.Parallel()
	f, err := usermgmt.Load("../examples/policies/lifecycle.yaml", usermgmt.WithLookupEnv(lookup))
	require.NoError(t, err)
	require.Len(t, f.Policies(), 4)
	returned, warn, licence, deactivate := &f.Policies()[0], &f.Policies()[1], &f.Policies()[2], &f.Policies()[3]
	assert.Equal(t, "jira", warn.Site, "the only site is the default")
	assert.Equal(t, []usermgmt.ActionKind{usermgmt.Notify, usermgmt.SetProperty},
		[]usermgmt.ActionKind{warn.Actions[0].Action, warn.Actions[1].Action})
	assert.Contains(t, warn.Actions[0].Body, "unless you log in")
	assert.Equal(t, 60, warn.Actions[0].DeadlineDays)
	assert.JSONEq(t, `"{{now}}"`, string(warn.Actions[1].Value))
	assert.Equal(t, usermgmt.DeleteProperty, returned.Actions[0].Action)
	assert.Equal(t, usermgmt.RemoveAllLicences, licence.Actions[0].Action)
	assert.Equal(t, usermgmt.Deactivate, deactivate.Actions[0].Action)
	assert.Equal(t, []string{"jira-administrators"}, []string{f.File().Exemptions.Groups[0].Value})

	// Each stage after the warning acts only on users warned long enough
	// ago: a user inactive for 130 days is warned first, loses the licence
	// 30 days after the warning, and is deactivated on its deadline.
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	user := func(inactive, warnedAgo int) *jira.User {
		u := &jira.User{Name: "u", Active: true, LastLogin: jira.LoggedInAt(now.AddDate(0, 0, -inactive)), Properties: map[string]json.RawMessage{}}
		if warnedAgo >= 0 {
			u.Properties["seatwarden.warned"] = json.RawMessage(`"` + now.AddDate(0, 0, -warnedAgo).Format(time.RFC3339) + `"`)
		}
		return u
	}
	for _, c := range []struct {
		name                                 string
		u                                    *jira.User
		returned, warned, licence, deactived bool
	}{
		{"inactive 130 days, never warned", user(130, -1), false, true, false, false},
		{"inactive 130 days, warned 10 days ago", user(130, 10), false, false, false, false},
		{"inactive 130 days, warned 30 days ago", user(130, 30), false, false, true, false},
		{"inactive 130 days, warned 60 days ago", user(130, 60), false, false, true, true},
		{"inactive 100 days, warned 60 days ago", user(100, 60), false, false, true, false},
		{"back 5 days ago, warned 60 days ago", user(5, 60), true, false, false, false},
		{"inactive 30 days", user(30, -1), false, false, false, false},
	} {
		for p, want := range map[*usermgmt.CompiledPolicy]bool{returned: c.returned, warn: c.warned, licence: c.licence, deactivate: c.deactived} {
			ok, err := p.Criterion().MatchAt(c.u, now)
			require.NoError(t, err)
			assert.Equal(t, want, ok, "%s: %s", c.name, p.Name)
		}
	}

	// The schedule runs in the policy's time zone.
	assert.True(t, warn.Scheduled())
	london := warn.Location()
	assert.Equal(t, "Europe/London", london.String())
	next := warn.Next(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2026, 7, 2, 6, 0, 0, 0, london), next)
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	src := `{
	"version": 1,
	"sites": {"dc": {"url": "${JIRA_URL}", "flavor": "dc", "token": "${JIRA_TOKEN}"},
	          "cloud": {"url": "${CLOUD_URL}", "user": "${JIRA_USER}", "token": "${JIRA_TOKEN}",
	                    "orgId": "${ATLASSIAN_ORG_ID}", "orgKey": "${ATLASSIAN_ORG_KEY}"}},
	"policies": [{
		"name": "dc-inactive-on-cloud",
		"site": "dc",
		"actOn": "cloud",
		"users": {"where": "active && daysSinceLastLogin > 90",
		          "exemptions": {"users": ["alice", {"value": "bob", "until": "2026-06-30T00:00:00Z"}]}},
		"actions": [{"action": "deactivate"}, {"action": "setProperty", "key": "offboarding", "value": {"by": "seatwarden", "at": "{{now}}"}}]
	}]
}`
	f, err := usermgmt.Parse([]byte(src), usermgmt.JSON, usermgmt.WithLookupEnv(lookup))
	require.NoError(t, err)
	p := f.Policies()[0]
	assert.Equal(t, "cloud", p.ActOn)
	assert.False(t, p.Scheduled(), "on demand by default")
	assert.JSONEq(t, `{"by":"seatwarden","at":"{{now}}"}`, string(p.Actions[1].Value))
	assert.Equal(t, usermgmt.Exempt{Value: "alice"}, p.Users.Exemptions.Users[0])
	until, err := p.Users.Exemptions.Users[1].Until.Time(time.UTC)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), until)
	cloud, ok := f.Site("cloud")
	require.True(t, ok)
	assert.Equal(t, usermgmt.Site{Name: "cloud", URL: "https://example.atlassian.net", User: "admin@example.com",
		Token: jira.Secret(testEnv["JIRA_TOKEN"]), OrgID: "org-1", OrgKey: jira.Secret(testEnv["ATLASSIAN_ORG_KEY"])}, cloud)
	dc, _ := f.Site("dc")
	assert.Equal(t, jira.DataCenter, dc.Flavor)
}

func TestUntilDate(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	end, err := usermgmt.Until("2026-12-31").Time(berlin)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, berlin), end, "a date holds through its whole day")
	zero, err := usermgmt.Until("").Time(berlin)
	require.NoError(t, err)
	assert.True(t, zero.IsZero())
	_, err = usermgmt.Until("next week").Time(berlin)
	assert.Error(t, err)
}

// TestSecretsNeverShow checks that neither a literal secret written in a
// file by mistake nor a resolved credential appears in an error, a
// String, JSON or %+v.
func TestSecretsNeverShow(t *testing.T) {
	t.Parallel()
	src := `version: 1
sites:
  a: {url: "${JIRA_URL}", token: literal-s3cr3t-value, orgKey: 12345678}
  b: {url: "${JIRA_URL}", flavor: cloud, user: "${JIRA_USER}", token: "${JIRA_TOKEN}", orgId: x, orgKey: "${ATLASSIAN_ORG_KEY}"}
policies:
  - {name: p, site: a, users: {where: active}, actions: [{action: deactivate}]}
`
	_, err := usermgmt.Parse([]byte(src), usermgmt.YAML, usermgmt.WithLookupEnv(lookup))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "literal-s3cr3t-value")
	assert.NotContains(t, err.Error(), "12345678")
	assert.Contains(t, err.Error(), "sites.a.token: a secret must not be written in the file")

	_, err = usermgmt.Parse([]byte(strings.Replace(strings.Replace(src, "literal-s3cr3t-value", "${JIRA_TOKEN}", 1), "12345678", `"${ATLASSIAN_ORG_KEY}"`, 1)),
		usermgmt.YAML, usermgmt.WithLookupEnv(lookup))
	require.Error(t, err, "site a has an orgKey without an orgId")
	assert.NotContains(t, err.Error(), testEnv["ATLASSIAN_ORG_KEY"])

	f, err := usermgmt.Parse([]byte(`version: 1
sites:
  b: {url: "${JIRA_URL}", flavor: cloud, user: "${JIRA_USER}", token: "${JIRA_TOKEN}", orgId: x, orgKey: "${ATLASSIAN_ORG_KEY}"}
policies:
  - {name: p, users: {where: active}, actions: [{action: deactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(lookup))
	require.NoError(t, err)
	s, ok := f.Site("b")
	require.True(t, ok)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	for _, shown := range []string{fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprint(s), string(b)} {
		assert.NotContains(t, shown, testEnv["JIRA_TOKEN"])
		assert.NotContains(t, shown, testEnv["ATLASSIAN_ORG_KEY"])
	}
	fb, err := json.Marshal(f.File())
	require.NoError(t, err)
	assert.NotContains(t, string(fb), "very-secret")
}

func TestCompileErrorIsKept(t *testing.T) {
	t.Parallel()
	_, err := usermgmt.Parse([]byte("version: 1\npolicies:\n  - name: p\n    users: {where: active && lastlogin > 3}\n    actions: [{action: deactivate}]\n"), usermgmt.YAML)
	le, ok := errors.AsType[*usermgmt.LoadError](err)
	require.True(t, ok)
	require.Len(t, le.Problems, 1)
	p := le.Problems[0]
	assert.Equal(t, "policies[0].users.where", p.Path)
	assert.Equal(t, 4, p.Line)
	ce, ok := errors.AsType[*criteria.CompileError](p.Err)
	require.True(t, ok)
	assert.Equal(t, 11, ce.Column)
	assert.Equal(t, "line 4: policies[0].users.where: line 1, column 11: unknown name lastlogin; did you mean lastLogin?", p.String())
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	const site = "sites:\n  dc: {url: \"${JIRA_URL}\", token: \"${JIRA_TOKEN}\"}\n"
	pol := func(body string) string {
		return "version: 1\n" + site + "policies:\n  - name: p\n" + body
	}
	cases := []struct {
		name   string
		format usermgmt.Format
		src    string
	}{
		{"empty file", usermgmt.YAML, "# nothing\n"},
		{"yaml syntax", usermgmt.YAML, "version: 1\npolicies:\n  - name: [x\n"},
		{"json syntax", usermgmt.JSON, "{\n  \"version\": 1,\n  \"policies\": [,]\n}"},
		{"version missing, no policies", usermgmt.YAML, "policies: []\n"},
		{"version unsupported", usermgmt.YAML, "version: 2\npolicies: []\n"},
		{"unknown fields", usermgmt.YAML, "version: 1\npolices: []\npolicies:\n  - name: p\n    users: {wher: active}\n    action: [{action: deactivate}]\n"},
		{"wrong types", usermgmt.YAML, pol("    when: {onDemand: sometimes}\n    users: active\n    actions: {action: deactivate}\n    limits: {maxUsers: lots, maxPercent: [5]}\n")},
		{"defined twice", usermgmt.YAML, pol("    users: {where: active}\n    users: {where: active}\n    actions: [{action: deactivate}]\n")},
		{"merge keys", usermgmt.YAML, "version: 1\nbase: &b {where: active}\npolicies:\n  - name: p\n    users: {<<: *b}\n    actions: [{action: deactivate}]\n"},
		{"sites", usermgmt.YAML, `version: 1
sites:
  literal: {url: "https://jira.example.com", token: hunter2}
  missing-env: {url: "${NO_SUCH_URL}", token: "${NO_SUCH_TOKEN}", user: "${NO_SUCH_USER}"}
  no-token: {url: "https://jira.example.com"}
  creds-in-url: {url: "https://admin:pw@jira.example.com", token: "${JIRA_TOKEN}"}
  bad-url: {url: "jira.example.com", token: "${JIRA_TOKEN}"}
  bad-flavor: {url: "${JIRA_URL}", flavor: server-ish, token: "${JIRA_TOKEN}"}
  cloud-no-user: {url: "${JIRA_URL}", flavor: cloud, token: "${JIRA_TOKEN}"}
  half-admin: {url: "${JIRA_URL}", flavor: cloud, user: a@example.com, token: "${JIRA_TOKEN}", orgId: o}
  dc-admin: {url: "${JIRA_URL}", flavor: dc, token: "${JIRA_TOKEN}", orgId: o, orgKey: "${ATLASSIAN_ORG_KEY}"}
  literal-org-key: {url: "${JIRA_URL}", flavor: cloud, user: a@example.com, token: "${JIRA_TOKEN}", orgId: o, orgKey: "k-123"}
  "bad name!": {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - {name: p, site: literal, users: {where: active}, actions: [{action: deactivate}]}
`},
		{"login exports and read-only directories", usermgmt.YAML, `version: 1
sites:
  missing-file: {url: "${JIRA_URL}", flavor: dc, token: "${JIRA_TOKEN}", logins: no-such-logins.csv}
  cloud-logins: {url: "${JIRA_URL}", flavor: cloud, user: a@example.com, token: "${JIRA_TOKEN}", logins: logins.csv}
  dirs-without-logins: {url: "${JIRA_URL}", flavor: dc, token: "${JIRA_TOKEN}", readOnlyDirectories: [Corporate LDAP, ""]}
policies:
  - {name: p, site: missing-file, users: {where: active}, actions: [{action: deactivate}]}
`},
		{"policy names and sites", usermgmt.YAML, `version: 1
sites:
  dc: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
  cloud: {url: "${CLOUD_URL}", flavor: cloud, user: "${JIRA_USER}", token: "${JIRA_TOKEN}"}
policies:
  - {users: {where: active}, actions: [{action: deactivate}]}
  - {name: "no spaces please", site: dc, users: {where: active}, actions: [{action: deactivate}]}
  - {name: twice, site: dc, users: {where: active}, actions: [{action: deactivate}]}
  - {name: twice, site: dc, users: {where: active}, actions: [{action: deactivate}]}
  - {name: unknown-site, site: dcc, users: {where: active}, actions: [{action: deactivate}]}
  - {name: act-on-unknown, site: dc, actOn: clod, users: {where: active}, actions: [{action: deactivate}]}
  - {name: act-on-self, site: dc, actOn: dc, users: {where: active}, actions: [{action: deactivate}]}
`},
		{"when", usermgmt.YAML, `version: 1
policies:
  - {name: bad-cron, when: {schedule: "0 3 * *"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: bad-field, when: {schedule: "0 25 * * *"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: bad-tz, when: {schedule: "@daily", timeZone: Europe/Berlinn}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: local-tz, when: {timeZone: Local}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: both, when: {schedule: "@weekly", onDemand: true}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: tz-in-spec, when: {schedule: "CRON_TZ=UTC 0 3 * * *"}, users: {where: active}, actions: [{action: deactivate}]}
`},
		{"users", usermgmt.YAML, `version: 1
policies:
  - {name: p0, users: {where: active}, actions: [{action: deactivate}]}
  - {name: p1, users: {where: active}, actions: [{action: deactivate}]}
  - name: p2
    users:
      where: active && lastlogin < date("2026-01-01")
    actions: [{action: deactivate}]
  - name: no-selection
    users: {}
    actions: [{action: deactivate}]
  - name: not-bool
    users: {where: daysSinceLastLogin + 1}
    actions: [{action: deactivate}]
  - name: selection
    users: {selection: missing.csv}
    actions: [{action: deactivate}]
  - name: selection-ok
    users: {selection: leavers.csv, where: active}
    actions: [{action: deactivate}]
  - name: exemptions
    users:
      where: active
      exemptions:
        users: ["", {value: bob, until: next-week}]
        groups: [{until: 2026-01-01}]
        expressions: [{name: no-where}, {where: "accountType = 'app'"}, {where: active, until: tomorrow}]
    actions: [{action: deactivate}]
exemptions:
  groups: [""]
  expressions: [{where: "inGroup()"}]
`},
		{"actions", usermgmt.YAML, `version: 1
sites:
  cloud: {url: "${CLOUD_URL}", flavor: cloud, user: "${JIRA_USER}", token: "${JIRA_TOKEN}"}
policies:
  - name: none
    users: {where: active}
    actions: []
  - name: kinds
    users: {where: active}
    actions:
      - {action: deactivte}
      - {groups: [a]}
      - {action: removeGroups}
      - {action: addGroups, groups: []}
      - {action: removeGroups, groups: [a, "", a]}
      - {action: deactivate, groups: [a], licence: jira-software}
      - {action: revokeLicence}
      - {action: resetPassword, password: hunter2}
      - {action: invalidateSessions}
      - {action: setProperty, key: k}
      - {action: deleteProperty, value: 1}
      - {action: createIssue, description: d}
      - {action: setProperty, key: k, value: {1: one}}
`},
		{"limits approval reporting", usermgmt.YAML, pol(`    users: {where: active}
    actions: [{action: deactivate}]
    limits: {maxUsers: -1, maxPercent: 150}
    approval: {approvedStatus: Done, rejectedStatus: Done}
    reporting:
      sinks:
        - {type: jsonl}
        - {type: htm, path: r.html}
        - {type: email}
        - {type: comment}
        - {type: log, path: x, to: [a], subject: s}
        - {}
`)},
		{"json with lines", usermgmt.JSON, `{
  "version": 1,
  "policies": [
    {
      "name": "p",
      "users": {"where": "active && lastlogin > 3"},
      "actions": [{"action": "deactivate", "groups": ["x"]}],
      "limits": {"maxUsers": -5}
    }
  ]
}`},
	}
	var b strings.Builder
	for _, c := range cases {
		_, err := usermgmt.Parse([]byte(c.src), c.format, usermgmt.WithLookupEnv(lookup),
			usermgmt.WithDir("testdata"), usermgmt.WithName(strings.ReplaceAll(c.name, " ", "-")+"."+c.format.String()))
		fmt.Fprintf(&b, "=== %s\n", c.name)
		if err == nil {
			b.WriteString("no error\n\n")
			continue
		}
		_, ok := errors.AsType[*usermgmt.LoadError](err)
		assert.True(t, ok, c.name)
		b.WriteString(err.Error() + "\n\n")
		for _, secret := range []string{"hunter2", "k-123", "very-secret"} {
			assert.NotContains(t, err.Error(), secret, c.name)
		}
	}
	golden(t, "load-errors.golden", b.String())
}

func TestOnUserCreated(t *testing.T) {
	t.Parallel()
	f, err := usermgmt.Parse([]byte(`version: 1
policies:
  - {name: welcome, when: {onUserCreated: true}, users: {where: active}, actions: [{action: addGroups, groups: [staff]}]}
`), usermgmt.YAML)
	require.NoError(t, err)
	assert.True(t, f.Policies()[0].When.OnUserCreated)
	assert.False(t, f.Policies()[0].Scheduled(), "a trigger is not a schedule")

	_, err = usermgmt.Parse([]byte(`version: 1
sites:
  dc: {url: https://jira.example.com, token: "${T}"}
  cloud: {url: https://example.atlassian.net, user: a@example.com, token: "${T}", flavor: cloud}
policies:
  - {name: act-on, site: dc, actOn: cloud, when: {onUserCreated: true}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: csv, site: dc, when: {onUserCreated: true}, users: {selection: testdata/leavers.csv}, actions: [{action: deactivate}]}
  - {name: flag, site: dc, when: {onUserCreated: maybe}, users: {where: active}, actions: [{action: deactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(func(string) (string, bool) { return "x", true }))
	le, ok := errors.AsType[*usermgmt.LoadError](err)
	require.True(t, ok, "%v", err)
	var got []string
	for _, p := range le.Problems {
		got = append(got, p.Path+": "+p.Msg)
	}
	require.Len(t, got, 3, "%q", got)
	assert.Contains(t, got[0], "policies[2].when.onUserCreated")
	assert.Equal(t, "policies[0].when.onUserCreated: a new user is acted on where it was created; leave actOn out", got[1])
	assert.Equal(t, "policies[1].when.onUserCreated: a new user is in no selection file; select with users.where", got[2])
}

func TestLoginExportAndReadOnlyDirectories(t *testing.T) {
	t.Parallel()
	f, err := usermgmt.Parse([]byte(`version: 1
sites:
  dc: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", logins: logins.csv, readOnlyDirectories: [Corporate LDAP]}
policies:
  - {name: p, users: {where: active}, actions: [{action: deactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(lookup), usermgmt.WithDir("testdata"))
	require.NoError(t, err)
	s, ok := f.Site("dc")
	require.True(t, ok)
	assert.Equal(t, filepath.Join("testdata", "logins.csv"), s.Logins, "relative to the policy file")
	assert.Equal(t, []string{"Corporate LDAP"}, s.ReadOnlyDirectories)
}

func TestSiteRateLimit(t *testing.T) {
	t.Parallel()
	f, err := usermgmt.Parse([]byte(`version: 1
sites:
  dc: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", rateLimit: 50, burst: 100}
  cloud: {url: "${JIRA_URL}", flavor: cloud, user: a@example.com, token: "${JIRA_TOKEN}", rateLimit: 12.5}
policies:
  - {name: p, site: dc, users: {where: active}, actions: [{action: deactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(lookup))
	require.NoError(t, err)
	s, ok := f.Site("dc")
	require.True(t, ok)
	assert.Equal(t, 50.0, s.RateLimit)
	assert.Equal(t, 100, s.Burst)
	s, ok = f.Site("cloud")
	require.True(t, ok)
	assert.Equal(t, 12.5, s.RateLimit)
	assert.Zero(t, s.Burst, "one second's worth, chosen by the client")

	_, err = usermgmt.Parse([]byte(`version: 1
sites:
  negative: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", rateLimit: -5}
  burst-alone: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", burst: 10}
  bad-burst: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", rateLimit: 5, burst: -1}
  words: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", rateLimit: fast}
policies:
  - {name: p, site: negative, users: {where: active}, actions: [{action: deactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(lookup), usermgmt.WithName("rates.yaml"))
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		"sites.negative.rateLimit: -5: want a positive number of requests per second",
		"sites.burst-alone.burst: needs rateLimit",
		"sites.bad-burst.burst: -1: want a positive number",
		"sites.words.rateLimit",
	} {
		assert.Contains(t, msg, want)
	}
	assert.Contains(t, msg, "rates.yaml:6:", "the wrongly typed value's line")
}

// TestLoginDatabase: a DC site reads its logins from Jira's database
// through a DSN, which is a secret (an environment variable).
func TestLoginDatabase(t *testing.T) {
	t.Parallel()
	env := func(k string) (string, bool) {
		if k == "JIRA_DB_DSN" {
			return "postgres://jira:hunter2@db/jira", true
		}
		return lookup(k)
	}
	f, err := usermgmt.Parse([]byte(`version: 1
sites:
  dc: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", logins: {dsn: "${JIRA_DB_DSN}"}, readOnlyDirectories: [Corporate LDAP]}
policies:
  - {name: p, users: {where: active}, actions: [{action: deactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(env))
	require.NoError(t, err)
	s, ok := f.Site("dc")
	require.True(t, ok)
	assert.Equal(t, "postgres://jira:hunter2@db/jira", s.LoginsDSN.Reveal())
	assert.Empty(t, s.Logins)

	for _, tt := range []struct{ site, want string }{
		{`logins: {dsn: "postgres://jira:hunter2@db/jira"}`, "sites.dc.logins.dsn"},
		{`logins: {dsn: "${JIRA_DB_DSN}", file: x.csv}`, "a file or a dsn, not both"},
		{`logins: {dsm: "${JIRA_DB_DSN}"}`, "dsm"},
	} {
		_, err := usermgmt.Parse([]byte("version: 1\nsites:\n  dc: {url: \"${JIRA_URL}\", token: \"${JIRA_TOKEN}\", "+tt.site+"}\n"),
			usermgmt.YAML, usermgmt.WithLookupEnv(env))
		require.Error(t, err, tt.site)
		assert.Contains(t, err.Error(), tt.want)
		assert.NotContains(t, err.Error(), "hunter2")
	}
}
