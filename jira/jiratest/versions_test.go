package jiratest_test

import (
	"fmt"
	"testing"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestDCVersionMatrix checks the routes and limits of each emulated DC
// release (JIRA-API.md, "Corrections").
func TestDCVersionMatrix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version     string
		lastLogin   bool
		userList    bool
		searchTotal int // users user/search serves in all (0: every user)
		oldHooks    bool
		newHooks    bool
		sessions    bool
		basic       bool
	}{
		{"9.12", false, false, 0, true, false, false, true},
		{"10.0", true, false, 100, false, true, true, true},
		{"10.3", true, true, 100, false, true, true, true},
		{"11.0", true, true, 100, false, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			s := jiratest.New(orgOf(people(250)...), jiratest.WithDCVersion(tt.version))
			s.AddToken("tok", "admin")
			c := memClient(t, s).withBearer("tok")

			var info struct {
				Version        string `json:"version"`
				VersionNumbers []int  `json:"versionNumbers"`
			}
			c.want(200, "GET", "/rest/api/2/serverInfo", nil).decode(t, &info)
			if info.Version != tt.version || len(info.VersionNumbers) != 3 {
				t.Errorf("serverInfo %+v", info)
			}

			var found []map[string]any
			c.want(200, "GET", "/rest/api/2/user/search?username=user0001", nil).decode(t, &found)
			if len(found) != 1 {
				t.Fatalf("search user0001: %v", found)
			}
			if _, has := found[0]["lastLoginTime"]; has != tt.lastLogin {
				t.Errorf("lastLoginTime sent: %v, want %v", has, tt.lastLogin)
			}

			// Page through the match-all search as far as it goes.
			seen := 0
			for startAt := 0; ; {
				var page []map[string]any
				c.want(200, "GET", fmt.Sprintf("/rest/api/2/user/search?username=.&query=&startAt=%d&maxResults=60", startAt), nil).decode(t, &page)
				seen += len(page)
				startAt += len(page)
				if len(page) == 0 {
					break
				}
			}
			want := 251 // with the admin
			if tt.searchTotal > 0 {
				want = tt.searchTotal
			}
			if seen != want {
				t.Errorf("user/search served %d users, want %d", seen, want)
			}

			status := func(ok bool, yes int) int {
				if ok {
					return yes
				}
				return 404
			}
			c.want(status(tt.userList, 200), "GET", "/rest/api/2/user/list", nil)
			c.want(status(tt.oldHooks, 200), "GET", "/rest/webhooks/1.0/webhook", nil)
			c.want(status(tt.newHooks, 200), "GET", "/rest/jira-webhook/1.0/webhooks", nil)
			c.want(status(tt.sessions, 200), "DELETE", "/rest/api/2/user/session/user0002", nil)
			c.want(200, "GET", "/rest/api/2/group/member?groupname=jira-software-users&expand=users%5B0%3A50%5D", nil)

			basic := memClient(t, s)
			basic.want(map[bool]int{true: 200, false: 401}[tt.basic], "GET", "/rest/api/2/myself", nil)
		})
	}
}

// TestDCBasicAuthOption turns Basic authentication back on for Jira 11.
func TestDCBasicAuthOption(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithDCVersion("11.0"), jiratest.WithDCBasicAuth())
	memClient(t, s).want(200, "GET", "/rest/api/2/myself", nil)
}
