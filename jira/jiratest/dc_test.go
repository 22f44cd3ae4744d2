package jiratest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

type dcUser struct {
	Key           string `json:"key"`
	Name          string `json:"name"`
	EmailAddress  string `json:"emailAddress"`
	DisplayName   string `json:"displayName"`
	Active        bool   `json:"active"`
	LastLoginTime string `json:"lastLoginTime"`
	Groups        struct {
		Size  int `json:"size"`
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	} `json:"groups"`
	ApplicationRoles struct {
		Size  int `json:"size"`
		Items []struct {
			Key string `json:"key"`
		} `json:"items"`
	} `json:"applicationRoles"`
}

type pageBean[T any] struct {
	Self       string `json:"self"`
	NextPage   string `json:"nextPage"`
	MaxResults int    `json:"maxResults"`
	StartAt    int    `json:"startAt"`
	Total      int    `json:"total"`
	IsLast     bool   `json:"isLast"`
	Values     []T    `json:"values"`
}

func orgOf(users ...jiratest.UserSpec) jiratest.Option {
	return jiratest.WithOrg(&jiratest.Org{Users: users})
}

func TestDCAuth(t *testing.T) {
	t.Parallel()
	s := jiratest.New(orgOf(people(2)...))
	c := memClient(t, s)
	tests := []struct {
		name   string
		c      *tclient
		path   string
		status int
	}{
		{"anonymous serverInfo", c.as("", ""), "/rest/api/2/serverInfo", 200},
		{"anonymous myself", c.as("", ""), "/rest/api/2/myself", 401},
		{"wrong password", c.as("admin", "nope"), "/rest/api/2/myself", 401},
		{"wrong password on anonymous route", c.as("admin", "nope"), "/rest/api/2/serverInfo", 401},
		{"basic admin", c, "/rest/api/2/myself", 200},
		{"personal access token", c.withBearer("demo-token"), "/rest/api/2/myself", 200},
		{"unknown token", c.withBearer("other"), "/rest/api/2/myself", 401},
		{"user reads self", c.as("user0001", "pw-user0001"), "/rest/api/2/myself", 200},
		{"user on admin route", c.as("user0001", "pw-user0001"), "/rest/api/2/group/member?groupname=jira-software-users", 403},
		{"user on user list", c.as("user0001", "pw-user0001"), "/rest/api/2/user/list", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.c.do("GET", tt.path, nil)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if a.status >= 400 {
				msgs, _ := a.errors(t)
				if len(msgs) == 0 {
					t.Fatalf("no error message in %s", a.body)
				}
			}
			if a.status == 401 && a.header.Get("X-Seraph-LoginReason") != "AUTHENTICATED_FAILED" {
				t.Errorf("401 without X-Seraph-LoginReason")
			}
		})
	}
}

func TestDCCustomCredentials(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithCredentials(jiratest.Credentials{DCUser: "root", DCPassword: "s3cret", DCToken: "pat-1"}))
	c := memClient(t, s)
	if c.user != "root" {
		t.Fatalf("Credentials() user %q", c.user)
	}
	c.want(200, "GET", "/rest/api/2/myself", nil)
	c.withBearer("pat-1").want(200, "GET", "/rest/api/2/myself", nil)
	c.as("admin", "admin").want(401, "GET", "/rest/api/2/myself", nil)
}

func TestDCUserLifecycle(t *testing.T) {
	t.Parallel()
	s := jiratest.New()
	c := memClient(t, s)

	var created dcUser
	c.want(201, "POST", "/rest/api/2/user", map[string]any{
		"name": "fred", "password": "pw", "emailAddress": "fred@example.com", "displayName": "Fred F. User",
	}).decode(t, &created)
	if !strings.HasPrefix(created.Key, "JIRAUSER") || created.Name != "fred" || !created.Active {
		t.Fatalf("created %+v", created)
	}
	if created.LastLoginTime != "" {
		t.Errorf("a new user has lastLoginTime %q", created.LastLoginTime)
	}
	// Created with the default application (jira-software).
	if u, _ := s.User("fred"); !slices.Contains(u.Licences, "jira-software") || !u.LastLogin.Never() {
		t.Fatalf("state after create: %+v", u)
	}
	a := c.want(400, "POST", "/rest/api/2/user", map[string]any{"name": "FRED", "emailAddress": "x@example.com", "displayName": "X"})
	if _, fields := a.errors(t); fields["username"] == "" {
		t.Errorf("duplicate name: fields %v", fields)
	}
	a = c.want(400, "POST", "/rest/api/2/user", map[string]any{"name": "", "emailAddress": "nope"})
	if _, fields := a.errors(t); len(fields) != 3 {
		t.Errorf("every missing field is reported: %v", fields)
	}

	// Rename and deactivate, addressed by key.
	c.want(200, "PUT", "/rest/api/2/user?key="+created.Key, map[string]any{"name": "freddy", "active": false})
	var got dcUser
	c.want(200, "GET", "/rest/api/2/user?username=freddy", nil).decode(t, &got)
	if got.Active || got.Key != created.Key {
		t.Fatalf("after deactivate: %+v", got)
	}
	c.want(404, "GET", "/rest/api/2/user?username=fred", nil)
	// An inactive user cannot log in and is not listed without includeInactive.
	c.as("freddy", "pw").want(401, "GET", "/rest/api/2/myself", nil)
	var found []dcUser
	c.want(200, "GET", "/rest/api/2/user/search?username=fred", nil).decode(t, &found)
	if len(found) != 0 {
		t.Errorf("inactive user listed: %+v", found)
	}
	c.want(200, "GET", "/rest/api/2/user/search?username=fred&includeInactive=true", nil).decode(t, &found)
	if len(found) != 1 || found[0].Active {
		t.Errorf("includeInactive: %+v", found)
	}
	// An inactive user takes no seat.
	if n, _ := s.SeatsUsed("jira-software"); n != 1 {
		t.Errorf("seats used %d, want 1 (the admin)", n)
	}
	c.want(200, "PUT", "/rest/api/2/user?username=freddy", map[string]any{"active": true})
	c.as("freddy", "pw").want(200, "GET", "/rest/api/2/myself", nil)

	c.want(204, "DELETE", "/rest/api/2/user?username=freddy", nil)
	c.want(404, "GET", "/rest/api/2/user?key="+created.Key, nil)
	if _, ok := s.User(created.Key); ok {
		t.Error("deleted user still in state")
	}
}

func TestDCUserWritesRefused(t *testing.T) {
	t.Parallel()
	org := &jiratest.Org{
		Directories: []jiratest.Directory{{ID: "10000", Name: "Corporate LDAP", ReadOnly: true}},
		Users: []jiratest.UserSpec{
			{Name: "lead", Email: "lead@example.com"},
			{Name: "ldap", Email: "ldap@example.com", Directory: "Corporate LDAP", Groups: []string{"staff"}},
		},
		Projects: []jiratest.ProjectSpec{{Key: "WEB", Name: "Website", Lead: "lead"}},
	}
	s := jiratest.New(jiratest.WithOrg(org))
	c := memClient(t, s)
	before := s.Users()

	tests := []struct {
		method, path string
		body         any
		status       int
		msg          string
	}{
		{"DELETE", "/rest/api/2/user?username=lead", nil, 400, "project lead"},
		{"DELETE", "/rest/api/2/user?username=admin", nil, 400, "currently logged in"},
		{"DELETE", "/rest/api/2/user?username=ldap", nil, 400, "read-only"},
		{"PUT", "/rest/api/2/user?username=ldap", map[string]any{"active": false}, 403, "read-only"},
		{"PUT", "/rest/api/2/user/password?username=ldap", map[string]any{"password": "x"}, 403, "read-only"},
		{"PUT", "/rest/api/2/user?username=admin", map[string]any{"active": false}, 400, "own user"},
		{"PUT", "/rest/api/2/user?username=lead", `{"active": fals`, 400, "Unexpected character"},
		{"PUT", "/rest/api/2/user?username=ghost", map[string]any{"active": false}, 404, "ghost"},
		{"PUT", "/rest/api/2/user", map[string]any{"active": false}, 400, "required"},
		{"POST", "/rest/api/2/user", "", 400, "No content"},
	}
	for _, tt := range tests {
		a := c.want(tt.status, tt.method, tt.path, tt.body)
		msgs, _ := a.errors(t)
		if !strings.Contains(strings.Join(msgs, " "), tt.msg) {
			t.Errorf("%s %s: messages %q lack %q", tt.method, tt.path, msgs, tt.msg)
		}
	}
	// Group membership of read-only users is local to Jira and may change.
	c.want(201, "POST", "/rest/api/2/group/user?groupname=jira-software-users", map[string]string{"name": "ldap"})
	c.want(200, "DELETE", "/rest/api/2/group/user?groupname=jira-software-users&username=ldap", nil)

	if after := s.Users(); !equalJSON(t, before, after) {
		t.Errorf("refused writes changed the state:\nbefore %+v\nafter  %+v", before, after)
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

func TestDCSearchPagesToTheEnd(t *testing.T) {
	t.Parallel()
	specs := people(5000)
	for i := range specs {
		specs[i].Inactive = i%10 == 0
	}
	s := jiratest.New(orgOf(specs...), jiratest.WithDCVersion("9.12")) // Jira 10+ serves only the first 100
	c := memClient(t, s)

	seen := map[string]bool{}
	pages := 0
	for startAt := 0; ; pages++ {
		var page []dcUser
		// Asking for more than 1000 gets 1000: clients must read back the
		// page size.
		c.want(200, "GET", fmt.Sprintf("/rest/api/2/user/search?username=.&includeInactive=true&startAt=%d&maxResults=5000", startAt), nil).decode(t, &page)
		if len(page) > 1000 {
			t.Fatalf("page of %d users, max is 1000", len(page))
		}
		for _, u := range page {
			if seen[u.Name] {
				t.Fatalf("user %s returned twice", u.Name)
			}
			seen[u.Name] = true
		}
		startAt += len(page)
		if len(page) < 1000 {
			break
		}
	}
	if len(seen) != 5001 || pages != 5 {
		t.Fatalf("saw %d users in %d pages, want 5001 (with admin) in 5", len(seen), pages)
	}

	var active []dcUser
	c.want(200, "GET", "/rest/api/2/user/search?username=user00&maxResults=1000", nil).decode(t, &active)
	if len(active) != 89 { // user0001…user0099, less the inactive user0001, user0011, …, user0091
		t.Errorf("prefix search of active users: %d, want 89", len(active))
	}
	c.want(400, "GET", "/rest/api/2/user/search", nil)
	c.want(400, "GET", "/rest/api/2/user/search?username=.&maxResults=many", nil)
}

func TestDCListCursor(t *testing.T) {
	t.Parallel()
	s := jiratest.New(orgOf(people(5000)...))
	c := memClient(t, s)
	type streamPage struct {
		NextCursor string   `json:"nextCursor"`
		NextPage   string   `json:"nextPage"`
		IsLast     bool     `json:"isLast"`
		MaxResults int      `json:"maxResults"`
		Values     []dcUser `json:"values"`
		Total      *int     `json:"total"`
	}
	seen := map[string]bool{}
	path := "/rest/api/2/user/list?maxResults=1500"
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("cursor never ends")
		}
		var p streamPage
		c.want(200, "GET", path, nil).decode(t, &p)
		if p.Total != nil {
			t.Error("a StreamPageBean has no total")
		}
		for _, u := range p.Values {
			seen[u.Key] = true
		}
		if p.IsLast {
			if p.NextCursor != "" {
				t.Error("last page has a nextCursor")
			}
			break
		}
		// A user created between pages appears later; the cursor stays valid.
		if pages == 0 {
			if _, err := s.AddUser(jiratest.UserSpec{Name: "latecomer", Email: "late@example.com"}); err != nil {
				t.Fatal(err)
			}
		}
		path = "/rest/api/2/user/list?maxResults=1500&cursor=" + url.QueryEscape(p.NextCursor)
	}
	if len(seen) != 5002 {
		t.Fatalf("listed %d users, want 5002", len(seen))
	}
}

func TestDCOldServer(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithDCVersion("9.12.0"), orgOf(people(3)...))
	c := memClient(t, s)
	var info struct {
		Version        string `json:"version"`
		VersionNumbers []int  `json:"versionNumbers"`
		DeploymentType string `json:"deploymentType"`
	}
	c.want(200, "GET", "/rest/api/2/serverInfo", nil).decode(t, &info)
	if info.Version != "9.12.0" || !slices.Equal(info.VersionNumbers, []int{9, 12, 0}) || info.DeploymentType != "Server" {
		t.Fatalf("serverInfo %+v", info)
	}
	c.want(404, "GET", "/rest/api/2/user/list", nil)
	var users []dcUser
	c.want(200, "GET", "/rest/api/2/user/search?username=user", nil).decode(t, &users)
	if len(users) != 3 {
		t.Fatalf("%d users", len(users))
	}
	for _, u := range users {
		if u.LastLoginTime != "" {
			t.Errorf("9.x server sent lastLoginTime %q", u.LastLoginTime)
		}
	}
	// 10.x sends it, in DC's format.
	s10 := jiratest.New(orgOf(people(1)...))
	var u dcUser
	memClient(t, s10).want(200, "GET", "/rest/api/2/user?username=user0001", nil).decode(t, &u)
	if _, err := time.Parse("2006-01-02T15:04:05-0700", u.LastLoginTime); err != nil {
		t.Errorf("lastLoginTime %q: %v", u.LastLoginTime, err)
	}
}

func TestDCGroups(t *testing.T) {
	t.Parallel()
	s := jiratest.New(orgOf(people(120)...))
	c := memClient(t, s)

	c.want(201, "POST", "/rest/api/2/group", map[string]string{"name": "contractors"})
	c.want(400, "POST", "/rest/api/2/group", map[string]string{"name": "Contractors"})
	for i := 1; i <= 120; i++ {
		c.want(201, "POST", "/rest/api/2/group/user?groupname=contractors", map[string]string{"name": fmt.Sprintf("user%04d", i)})
	}
	a := c.want(400, "POST", "/rest/api/2/group/user?groupname=contractors", map[string]string{"name": "user0001"})
	if msgs, _ := a.errors(t); !strings.Contains(msgs[0], "already a member") {
		t.Errorf("duplicate add: %q", msgs)
	}
	c.want(404, "POST", "/rest/api/2/group/user?groupname=nope", map[string]string{"name": "user0001"})
	c.want(404, "POST", "/rest/api/2/group/user?groupname=contractors", map[string]string{"name": "ghost"})

	// Deactivate one member: hidden from group/member unless asked for.
	c.want(200, "PUT", "/rest/api/2/user?username=user0005", map[string]any{"active": false})
	var names []string
	path := "/rest/api/2/group/member?groupname=contractors&maxResults=100"
	for path != "" {
		var p pageBean[dcUser]
		c.want(200, "GET", strings.TrimPrefix(path, jiratest.InMemoryURL), nil).decode(t, &p)
		if len(p.Values) > 50 || p.MaxResults != 50 {
			t.Fatalf("page of %d (maxResults %d): the cap is 50", len(p.Values), p.MaxResults)
		}
		if p.Total != 119 {
			t.Fatalf("total %d, want 119 active members", p.Total)
		}
		for _, u := range p.Values {
			names = append(names, u.Name)
		}
		if p.IsLast != (p.NextPage == "") {
			t.Fatalf("isLast %v with nextPage %q", p.IsLast, p.NextPage)
		}
		path = p.NextPage
	}
	if len(names) != 119 || !slices.IsSorted(names) || slices.Contains(names, "user0005") {
		t.Fatalf("members %d, sorted %v", len(names), slices.IsSorted(names))
	}
	var all pageBean[dcUser]
	c.want(200, "GET", "/rest/api/2/group/member?groupname=contractors&includeInactiveUsers=true&startAt=100", nil).decode(t, &all)
	if all.Total != 120 || len(all.Values) != 20 || !all.IsLast {
		t.Fatalf("with inactive: total %d, %d values", all.Total, len(all.Values))
	}

	// Membership shows in expand=groups and goes away on removal.
	var u dcUser
	c.want(200, "GET", "/rest/api/2/user?username=user0007&expand=groups", nil).decode(t, &u)
	if u.Groups.Size != 2 || len(u.Groups.Items) != 2 {
		t.Fatalf("groups of user0007: %+v", u.Groups)
	}
	c.want(200, "DELETE", "/rest/api/2/group/user?groupname=contractors&username=user0007", nil)
	c.want(400, "DELETE", "/rest/api/2/group/user?groupname=contractors&username=user0007", nil)
	c.want(200, "GET", "/rest/api/2/user?username=user0007&expand=groups", nil).decode(t, &u)
	if u.Groups.Size != 1 || u.Groups.Items[0].Name != "jira-software-users" {
		t.Fatalf("after removal: %+v", u.Groups)
	}
	c.want(400, "GET", "/rest/api/2/group/member", nil)
	c.want(404, "GET", "/rest/api/2/group/member?groupname=nope", nil)

	c.want(400, "DELETE", "/rest/api/2/group?groupname=jira-administrators", nil)
	c.want(200, "DELETE", "/rest/api/2/group?groupname=contractors", nil)
	if _, ok := s.GroupMembers("contractors"); ok {
		t.Fatal("deleted group still exists")
	}
	c.want(200, "GET", "/rest/api/2/user?username=user0001&expand=groups", nil).decode(t, &u)
	if u.Groups.Size != 1 {
		t.Errorf("deleted group still on the user: %+v", u.Groups)
	}
}

func TestDCGroupPickerIsCapped(t *testing.T) {
	t.Parallel()
	org := &jiratest.Org{}
	for i := range 30 {
		org.Groups = append(org.Groups, fmt.Sprintf("team-%02d", i))
	}
	c := memClient(t, jiratest.New(jiratest.WithOrg(org)))
	var found struct {
		Header string `json:"header"`
		Total  int    `json:"total"`
		Groups []struct {
			Name string `json:"name"`
		} `json:"groups"`
	}
	c.want(200, "GET", "/rest/api/2/groups/picker?query=TEAM&maxResults=100", nil).decode(t, &found)
	if found.Total != 30 || len(found.Groups) != 20 || found.Header != "Showing 20 of 30 matching groups" {
		t.Fatalf("picker: total %d, %d groups, header %q", found.Total, len(found.Groups), found.Header)
	}
	c.want(200, "GET", "/rest/api/2/groups/picker?query=team-0&exclude=team-01&exclude=team-02", nil).decode(t, &found)
	if found.Total != 8 {
		t.Errorf("with excludes: total %d, want 8", found.Total)
	}
}

type appRole struct {
	Key               string   `json:"key"`
	Groups            []string `json:"groups"`
	UserCount         int      `json:"userCount"`
	NumberOfSeats     int      `json:"numberOfSeats"`
	RemainingSeats    int      `json:"remainingSeats"`
	HasUnlimitedSeats bool     `json:"hasUnlimitedSeats"`
}

func TestDCApplicationAccess(t *testing.T) {
	t.Parallel()
	org := &jiratest.Org{Users: people(10), Seats: map[string]int{"jira-software": 25}}
	s := jiratest.New(jiratest.WithOrg(org))
	c := memClient(t, s)
	role := func() appRole {
		var r appRole
		c.want(200, "GET", "/rest/api/2/applicationrole/jira-software", nil).decode(t, &r)
		return r
	}
	if r := role(); r.UserCount != 11 || r.NumberOfSeats != 25 || r.RemainingSeats != 14 || r.HasUnlimitedSeats {
		t.Fatalf("role %+v", r)
	}
	// Removing a user from the licence group frees a seat.
	c.want(200, "DELETE", "/rest/api/2/group/user?groupname=jira-software-users&username=user0001", nil)
	if r := role(); r.UserCount != 10 {
		t.Fatalf("after group removal: %+v", r)
	}
	// Revoking application access removes the role's groups.
	c.want(204, "DELETE", "/rest/api/2/user/application?username=user0002&applicationKey=jira-software", nil)
	var u dcUser
	c.want(200, "GET", "/rest/api/2/user?username=user0002&expand=applicationRoles", nil).decode(t, &u)
	if u.ApplicationRoles.Size != 0 {
		t.Fatalf("after revoke: %+v", u.ApplicationRoles)
	}
	c.want(200, "POST", "/rest/api/2/user/application?username=user0002&applicationKey=jira-servicedesk", nil)
	c.want(200, "GET", "/rest/api/2/user?username=user0002&expand=applicationRoles", nil).decode(t, &u)
	if len(u.ApplicationRoles.Items) != 1 || u.ApplicationRoles.Items[0].Key != "jira-servicedesk" {
		t.Fatalf("after grant: %+v", u.ApplicationRoles)
	}
	c.want(400, "POST", "/rest/api/2/user/application?username=user0002&applicationKey=confluence", nil)
	var roles []appRole
	c.want(200, "GET", "/rest/api/2/applicationrole", nil).decode(t, &roles)
	if len(roles) != 3 || roles[0].UserCount != 9 || roles[1].UserCount != 1 {
		t.Fatalf("roles %+v", roles)
	}
	c.want(404, "GET", "/rest/api/2/applicationrole/confluence", nil)
}

func TestDCPasswordAndSessions(t *testing.T) {
	t.Parallel()
	s := jiratest.New(orgOf(people(1)...))
	c := memClient(t, s)
	c.want(204, "PUT", "/rest/api/2/user/password?username=user0001", map[string]string{"password": "n3w"})
	c.as("user0001", "pw-user0001").want(401, "GET", "/rest/api/2/myself", nil)
	c.as("user0001", "n3w").want(200, "GET", "/rest/api/2/myself", nil)
	c.want(400, "PUT", "/rest/api/2/user/password?username=user0001", map[string]string{"password": ""})
	c.want(200, "DELETE", "/rest/api/2/user/session/user0001", nil) // 200 on real Jira, not 204
	c.want(404, "DELETE", "/rest/api/2/user/session/ghost", nil)
}

func TestDCProperties(t *testing.T) {
	t.Parallel()
	s := jiratest.New(orgOf(people(2)...))
	c := memClient(t, s)
	const p = "/rest/api/2/user/properties"
	c.want(201, "PUT", p+"/deactivatedOn?username=user0001", `"2026-11-27"`)
	c.want(200, "PUT", p+"/deactivatedOn?username=user0001", `{"on":"2026-11-28","by":"seatwarden"}`)
	var got struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	c.want(200, "GET", p+"/deactivatedOn?username=user0001", nil).decode(t, &got)
	if got.Key != "deactivatedOn" || string(got.Value) != `{"on":"2026-11-28","by":"seatwarden"}` {
		t.Fatalf("property %s = %s", got.Key, got.Value)
	}
	var keys struct {
		Keys []struct{ Key, Self string } `json:"keys"`
	}
	c.want(200, "GET", p+"?username=user0001", nil).decode(t, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].Key != "deactivatedOn" {
		t.Fatalf("keys %+v", keys)
	}
	if u, _ := s.User("user0001"); string(u.Properties["deactivatedOn"]) != `{"on":"2026-11-28","by":"seatwarden"}` {
		t.Errorf("state %s", u.Properties)
	}
	c.want(400, "PUT", p+"/bad?username=user0001", `{not json`)
	c.want(400, "PUT", p+"/big?username=user0001", `"`+strings.Repeat("x", 40000)+`"`)
	c.want(400, "PUT", p+"/"+strings.Repeat("k", 300)+"?username=user0001", `1`)
	c.want(404, "GET", p+"/bad?username=user0001", nil)
	c.want(404, "GET", p+"?username=ghost", nil)
	// Users may write their own properties, not other users'.
	me := c.as("user0002", "pw-user0002")
	me.want(201, "PUT", p+"/theme?username=user0002", `"dark"`)
	me.want(403, "PUT", p+"/theme?username=user0001", `"dark"`)
	c.want(204, "DELETE", p+"/deactivatedOn?userKey="+mustKey(t, s, "user0001"), nil)
	c.want(404, "DELETE", p+"/deactivatedOn?username=user0001", nil)
}

func mustKey(t *testing.T, s *jiratest.Server, name string) string {
	t.Helper()
	u, ok := s.User(name)
	if !ok {
		t.Fatalf("no user %s", name)
	}
	return u.Key
}

func TestStrictParams(t *testing.T) {
	t.Parallel()
	c := memClient(t, jiratest.New())
	a := c.want(400, "GET", "/rest/api/2/user?usrname=admin", nil)
	if msgs, _ := a.errors(t); !strings.Contains(msgs[0], "usrname") {
		t.Errorf("message %q does not name the parameter", msgs)
	}
	memClient(t, jiratest.New(jiratest.WithLenientParams())).want(400, "GET", "/rest/api/2/user?usrname=admin", nil) // lenient: then no username at all
	memClient(t, jiratest.New(jiratest.WithLenientParams())).want(200, "GET", "/rest/api/2/user?username=admin&usrname=x", nil)
	c.want(404, "GET", "/rest/api/2/nothing", nil)
	c.want(405, "PATCH", "/rest/api/2/user?username=admin", nil)
}

func TestConcurrentWritesAreSerialised(t *testing.T) {
	t.Parallel()
	s := jiratest.New(orgOf(people(200)...))
	c := memClient(t, s)
	c.want(201, "POST", "/rest/api/2/group", map[string]string{"name": "crowd"})
	var wg sync.WaitGroup
	statuses := make([]int, 400)
	for i := range 400 {
		wg.Go(func() {
			// Every user is added twice, concurrently: one wins, one gets 400.
			statuses[i] = c.do("POST", "/rest/api/2/group/user?groupname=crowd", map[string]string{"name": fmt.Sprintf("user%04d", i%200+1)}).status
		})
	}
	wg.Wait()
	created := 0
	for _, st := range statuses {
		if st == http.StatusCreated {
			created++
		} else if st != http.StatusBadRequest {
			t.Fatalf("status %d", st)
		}
	}
	members, _ := s.GroupMembers("crowd")
	if created != 200 || len(members) != 200 {
		t.Fatalf("%d adds succeeded, %d members; want 200 each", created, len(members))
	}
}
