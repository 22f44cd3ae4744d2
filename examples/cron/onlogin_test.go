package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// loginPolicies adds the users who log in to the group "returning"; it
// has no schedule, so it runs only on logins.
const loginPolicies = `version: 1
sites:
  jira:
    url: ${JIRA_URL}
    token: ${JIRA_TOKEN}
    flavor: dc
policies:
  - name: welcome-back
    when: {onLogin: {every: 15m}}
    users:
      where: active && !inGroup("returning")
    actions:
      - action: addGroups
        groups: [returning]
`

// loginUsers returns the names of n active users of the generated org
// in writable directories, not the administrator.
func loginUsers(t *testing.T, org *jiratest.Org, n int) []string {
	t.Helper()
	var out []string
	for _, u := range org.Users {
		ldap := u.Directory == jiratest.LDAPDirectoryName || u.Directory == jiratest.LDAPDirectoryID
		if !u.Inactive && !u.Admin && !ldap && (u.AccountType == "" || u.AccountType == jira.AccountAtlassian) &&
			u.Name != jiratest.DefaultDCUser && len(out) < n {
			out = append(out, u.Name)
		}
	}
	require.Len(t, out, n)
	return out
}

// TestOnLoginDaemon runs the daemon in virtual time on a file whose one
// policy runs on logins: the policy is not scheduled, its first check acts
// on nobody, a login is acted on at the next check, once, and after a
// restart a login made while the daemon was down is acted on once and the
// earlier one not again.
func TestOnLoginDaemon(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 150, Now: time.Now()})
		fake := jiratest.New(jiratest.WithOrg(org))
		require.NoError(t, fake.AddGroup("returning"))
		users := loginUsers(t, org, 2)
		policies := filepath.Join(dir, "policies.yaml")
		require.NoError(t, os.WriteFile(policies, []byte(loginPolicies), 0o644))
		var stderr syncBuffer
		args := []string{"--apply", "--policies", policies, "--history", filepath.Join(dir, "history.db"),
			"--journal-dir", filepath.Join(dir, "journals")}
		start := func() (stop func() int) {
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan int)
			go func() { done <- testApp(fake, &stderr).run(ctx, args) }()
			return func() int { cancel(); return <-done }
		}
		members := func() []string {
			m, _ := fake.GroupMembers("returning")
			slices.Sort(m)
			return m
		}
		checks := func() []map[string]any { return withMsg(records(t, stderr.String()), "login check") }

		stop := start()
		synctest.Wait()
		require.Len(t, checks(), 1, stderr.String())
		assert.Equal(t, true, checks()[0]["first"])
		assert.Empty(t, withMsg(records(t, stderr.String()), "policy scheduled"), "an on-login policy is not scheduled")
		assert.Empty(t, withMsg(records(t, stderr.String()), "no policy of the file has a schedule (when.schedule): nothing runs until it is reloaded with one"))

		time.Sleep(time.Minute)
		fake.SetLastLogin(users[0], time.Now())
		time.Sleep(14 * time.Minute)
		synctest.Wait()
		require.Len(t, checks(), 2)
		assert.EqualValues(t, 1, checks()[1]["logins"])
		assert.EqualValues(t, 1, checks()[1]["applied"])
		assert.Equal(t, users[:1], members())
		require.Equal(t, exitOK, stop())

		// Down: users[1] logs in.
		time.Sleep(time.Hour)
		fake.SetLastLogin(users[1], time.Now())
		time.Sleep(time.Hour)
		stop = start()
		synctest.Wait()
		require.Len(t, checks(), 3)
		assert.Equal(t, false, checks()[2]["first"])
		assert.EqualValues(t, 1, checks()[2]["logins"], "the login while down, not the earlier one")
		assert.Equal(t, sorted(users[:2]...), members())
		time.Sleep(15 * time.Minute)
		synctest.Wait()
		require.Len(t, checks(), 4)
		assert.EqualValues(t, 0, checks()[3]["logins"])
		require.Equal(t, exitOK, stop())
		assert.NotContains(t, stderr.String(), fake.Credentials().DCToken)
	})
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestOnLoginProgram runs the daemon as cron(8) would, one process per
// invocation (--once --apply), against examples/fakejira in another
// process: the first invocation records the last logins, a login is
// recorded in the fake over HTTP, the second invocation adds that user to
// the group, and the third finds no login and writes nothing.
func TestOnLoginProgram(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and starts examples/fakejira")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	fakeBin := filepath.Join(dir, "fakejira")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", fakeBin, "../fakejira").CombinedOutput()
	require.NoError(t, err, "%s", out)
	const users = 300
	fj := exec.CommandContext(ctx, fakeBin, "-addr", "127.0.0.1:0", "-users", fmt.Sprint(users), "-seed", "5")
	stdout, err := fj.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, fj.Start())
	t.Cleanup(func() { _ = fj.Process.Kill(); _ = fj.Wait() })
	sc := bufio.NewScanner(stdout)
	require.True(t, sc.Scan(), "fakejira prints its URL")
	base := strings.TrimSpace(sc.Text())
	go func() {
		for sc.Scan() {
		}
	}()
	call := func(method, path string, body any) *http.Response {
		t.Helper()
		var b bytes.Buffer
		if body != nil {
			require.NoError(t, json.NewEncoder(&b).Encode(body))
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, &b)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+jiratest.DefaultDCToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { _ = resp.Body.Close() })
		return resp
	}
	require.Equal(t, http.StatusCreated, call("POST", "/rest/api/2/group", map[string]string{"name": "returning"}).StatusCode)
	members := func() []string {
		var page struct {
			Values []struct {
				Name string `json:"name"`
			} `json:"values"`
		}
		resp := call("GET", "/rest/api/2/group/member?groupname=returning", nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
		var out []string
		for _, v := range page.Values {
			out = append(out, v.Name)
		}
		return out
	}
	who := loginUsers(t, jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 5, Users: users}), 1)[0]

	policies := filepath.Join(dir, "policies.yaml")
	require.NoError(t, os.WriteFile(policies, []byte(loginPolicies), 0o644))
	invoke := func() map[string]any {
		t.Helper()
		cmd := exec.CommandContext(ctx, os.Args[0], "--once", "--apply", "--policies", policies,
			"--history", filepath.Join(dir, "history.db"), "--journal-dir", filepath.Join(dir, "journals"))
		cmd.Env = append(os.Environ(), "SEATWARDEN_CRON_MAIN=1", "JIRA_URL="+base, "JIRA_TOKEN="+jiratest.DefaultDCToken)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Run(), "exit code 0: %s", stderr.String())
		checks := withMsg(records(t, stderr.String()), "login check")
		require.Len(t, checks, 1, stderr.String())
		assert.Empty(t, withMsg(records(t, stderr.String()), "policy run started"), "an on-login policy is not run in full")
		return checks[0]
	}

	first := invoke()
	assert.Equal(t, true, first["first"])
	assert.Empty(t, members())

	// Jira's clock and the daemon's are this machine's: the login is
	// after the first check's snapshot.
	resp := call("POST", "/_fake/login?user="+url.QueryEscape(who), nil)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	second := invoke()
	assert.EqualValues(t, 1, second["logins"], "%v", second)
	assert.EqualValues(t, 1, second["users"])
	assert.Equal(t, []string{who}, members())

	third := invoke()
	assert.EqualValues(t, 0, third["logins"], "%v", third)
	assert.Nil(t, third["plan_id"], "nothing planned without a login")
	assert.Equal(t, []string{who}, members())
}

// TestOnLoginOnceRefused checks that --once exits 3 when the plan for the
// logins is over the policy's limit, and that the logins stay pending:
// once the limit allows them, the next invocation acts on both.
func TestOnLoginOnceRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 150, Now: time.Now().Add(-time.Hour)})
	fake := jiratest.New(jiratest.WithOrg(org))
	require.NoError(t, fake.AddGroup("returning"))
	users := loginUsers(t, org, 2)
	policies := filepath.Join(dir, "policies.yaml")
	write := func(limit int) {
		src := strings.Replace(loginPolicies, "    actions:\n", fmt.Sprintf("    limits: {maxUsers: %d}\n    actions:\n", limit), 1)
		require.NoError(t, os.WriteFile(policies, []byte(src), 0o644))
	}
	once := func() (int, string) {
		var stderr syncBuffer
		code := testApp(fake, &stderr).run(t.Context(), []string{"--once", "--apply", "--policies", policies,
			"--history", filepath.Join(dir, "history.db"), "--journal-dir", filepath.Join(dir, "journals")})
		return code, stderr.String()
	}
	write(1)
	code, logs := once()
	require.Equal(t, exitOK, code, logs)
	for _, u := range users {
		fake.SetLastLogin(u, time.Now())
	}
	code, logs = once()
	assert.Equal(t, exitRefused, code, logs)
	assert.Len(t, withMsg(records(t, logs), "login check refused"), 1)
	m, _ := fake.GroupMembers("returning")
	assert.Empty(t, m, "nothing applied over the limit")

	write(5)
	code, logs = once()
	require.Equal(t, exitOK, code, logs)
	checks := withMsg(records(t, logs), "login check")
	require.Len(t, checks, 1)
	assert.EqualValues(t, 0, checks[0]["logins"])
	assert.EqualValues(t, 2, checks[0]["retried"], "the pending logins are acted on")
	m, _ = fake.GroupMembers("returning")
	assert.ElementsMatch(t, users, m)
}
