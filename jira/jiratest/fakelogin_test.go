package jiratest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestFakeLogin records a login over HTTP, as a black-box test does: the
// user's last login and login count change; an unknown user is 404, a bad
// time 400, and neither changes anything.
func TestFakeLogin(t *testing.T) {
	t.Parallel()
	s := jiratest.NewServer(t)
	c := &tclient{t: t, base: s.URL, hc: http.DefaultClient}
	before, _ := s.User("admin")
	count := func(u jira.User) int {
		if u.LoginCount == nil {
			return 0
		}
		return *u.LoginCount
	}
	at := time.Date(2026, 4, 1, 8, 30, 0, 0, time.UTC)
	c.want(204, "POST", "/_fake/login?user=admin&at="+at.Format(time.RFC3339), nil)
	u, _ := s.User("admin")
	if !u.LastLogin.Known || !u.LastLogin.Time.Equal(at) || count(u) != count(before)+1 {
		t.Fatalf("after the login: %v, count %d (before %d)", u.LastLogin, count(u), count(before))
	}
	c.want(404, "POST", "/_fake/login?user=ghost", nil)
	c.want(400, "POST", "/_fake/login?user=admin&at=yesterday", nil)
	if u, _ = s.User("admin"); !u.LastLogin.Time.Equal(at) || count(u) != count(before)+1 {
		t.Fatalf("a refused login changed the user: %v, count %d", u.LastLogin, count(u))
	}
}
