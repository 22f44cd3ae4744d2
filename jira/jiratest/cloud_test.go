package jiratest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// newCloud starts a Cloud fake for the test.
func newCloud(t testing.TB, opts ...jiratest.Option) *jiratest.Server {
	t.Helper()
	return jiratest.NewServer(t, append([]jiratest.Option{jiratest.WithFlavor(jira.Cloud)}, opts...)...)
}

// cloudClient talks to s over its socket as the default Cloud site
// administrator (Basic email:token).
func cloudClient(t testing.TB, s *jiratest.Server) *tclient {
	cr := s.Credentials()
	return &tclient{t: t, base: s.URL, hc: &http.Client{Timeout: time.Minute}, user: cr.CloudEmail, secret: cr.CloudToken}
}

// orgClient talks to s's Admin API with the organisation's API key.
func orgClient(t testing.TB, s *jiratest.Server) *tclient {
	return cloudClient(t, s).withBearer(s.Credentials().OrgKey)
}

// accountID returns the accountId of the user with the given email.
func accountID(t testing.TB, s *jiratest.Server, email string) string {
	t.Helper()
	u, ok := s.User(email)
	if !ok || u.AccountID == "" {
		t.Fatalf("no Cloud user %s", email)
	}
	return u.AccountID
}

// addCloudUser adds a user with an API token "tok" and returns its
// accountId.
func addCloudUser(t testing.TB, s *jiratest.Server, sp jiratest.UserSpec) string {
	t.Helper()
	if sp.Password == "" {
		sp.Password = "tok"
	}
	u, err := s.AddUser(sp)
	if err != nil {
		t.Fatal(err)
	}
	return u.AccountID
}

type cloudItems[T any] struct {
	Size  int `json:"size"`
	Items []T `json:"items"`
}

type cloudGroupName struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
	Self    string `json:"self"`
}

type cloudUser struct {
	Self             string                      `json:"self"`
	AccountID        string                      `json:"accountId"`
	AccountType      string                      `json:"accountType"`
	AppType          string                      `json:"appType"`
	EmailAddress     *string                     `json:"emailAddress"`
	DisplayName      string                      `json:"displayName"`
	Active           bool                        `json:"active"`
	Locale           string                      `json:"locale"`
	Key              *string                     `json:"key"`
	Name             *string                     `json:"name"`
	AvatarURLs       map[string]string           `json:"avatarUrls"`
	Groups           *cloudItems[cloudGroupName] `json:"groups"`
	ApplicationRoles *cloudItems[struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}] `json:"applicationRoles"`
}

type cloudPage[T any] struct {
	Self       string `json:"self"`
	NextPage   string `json:"nextPage"`
	MaxResults int    `json:"maxResults"`
	StartAt    int    `json:"startAt"`
	Total      int    `json:"total"`
	IsLast     bool   `json:"isLast"`
	Values     []T    `json:"values"`
}

type cloudRole struct {
	Key          string           `json:"key"`
	UserCount    int              `json:"userCount"`
	GroupDetails []cloudGroupName `json:"groupDetails"`
}

func (c *tclient) cloudUser(id, expand string) cloudUser {
	c.t.Helper()
	var u cloudUser
	c.want(200, "GET", "/rest/api/3/user?accountId="+url.QueryEscape(id)+"&expand="+expand, nil).decode(c.t, &u)
	return u
}

func (c *tclient) userCount(role string) int {
	c.t.Helper()
	var r cloudRole
	c.want(200, "GET", "/rest/api/3/applicationrole/"+role, nil).decode(c.t, &r)
	return r.UserCount
}

func (c *tclient) members(group string, inactive bool) []string {
	c.t.Helper()
	var ids []string
	path := fmt.Sprintf("/rest/api/3/group/member?groupname=%s&includeInactiveUsers=%t", url.QueryEscape(group), inactive)
	for {
		var p cloudPage[cloudUser]
		c.want(200, "GET", path, nil).decode(c.t, &p)
		for _, u := range p.Values {
			ids = append(ids, u.AccountID)
		}
		if p.IsLast {
			return ids
		}
		next, err := url.Parse(p.NextPage)
		if err != nil || p.NextPage == "" {
			c.t.Fatalf("nextPage %q on a page that is not the last", p.NextPage)
		}
		path = next.RequestURI()
	}
}

func TestCloudServerInfo(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	var info struct {
		BaseURL        string `json:"baseUrl"`
		Version        string `json:"version"`
		VersionNumbers []int  `json:"versionNumbers"`
		DeploymentType string `json:"deploymentType"`
	}
	cloudClient(t, s).as("", "").want(200, "GET", "/rest/api/3/serverInfo", nil).decode(t, &info)
	if info.DeploymentType != "Cloud" || info.Version != "1001.0.0-SNAPSHOT" ||
		!slices.Equal(info.VersionNumbers, []int{1001, 0, 0}) || info.BaseURL != s.URL {
		t.Fatalf("serverInfo %+v", info)
	}
	// The same from REST v2, where a client probing the flavour looks.
	info.DeploymentType = ""
	cloudClient(t, s).as("", "").want(200, "GET", "/rest/api/2/serverInfo", nil).decode(t, &info)
	if info.DeploymentType != "Cloud" {
		t.Fatalf("v2 serverInfo %+v", info)
	}
}

func TestCloudAuth(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	alice := addCloudUser(t, s, jiratest.UserSpec{Email: "alice@example.com", DisplayName: "Alice", Licences: []string{"jira-software"}})
	addCloudUser(t, s, jiratest.UserSpec{Email: "jadmin@example.com", Groups: []string{"jira-admins"}})
	addCloudUser(t, s, jiratest.UserSpec{Email: "gone@example.com", Inactive: true})
	admin := cloudClient(t, s)
	cr := s.Credentials()
	tests := []struct {
		name         string
		c            *tclient
		method, path string
		body         any
		want         int
	}{
		{"anonymous serverInfo", admin.as("", ""), "GET", "/rest/api/3/serverInfo", nil, 200},
		{"no credentials", admin.as("", ""), "GET", "/rest/api/3/myself", nil, 401},
		{"wrong token", admin.as(cr.CloudEmail, "nope"), "GET", "/rest/api/3/myself", nil, 401},
		{"unknown email", admin.as("who@example.com", "tok"), "GET", "/rest/api/3/users/search", nil, 401},
		{"bearer is not Jira Cloud REST auth", admin.withBearer(cr.CloudToken), "GET", "/rest/api/3/myself", nil, 401},
		{"org key is not Jira REST auth", admin.withBearer(cr.OrgKey), "GET", "/rest/api/3/myself", nil, 401},
		{"inactive user", admin.as("gone@example.com", "tok"), "GET", "/rest/api/3/myself", nil, 401},
		{"user lists users", admin.as("alice@example.com", "tok"), "GET", "/rest/api/3/users/search", nil, 200},
		{"user reads a user", admin.as("alice@example.com", "tok"), "GET", "/rest/api/3/user?accountId=" + alice, nil, 200},
		{"user deletes a user", admin.as("alice@example.com", "tok"), "DELETE", "/rest/api/3/user?accountId=" + alice, nil, 403},
		{"user creates a user", admin.as("alice@example.com", "tok"), "POST", "/rest/api/3/user", map[string]any{"emailAddress": "x@example.com", "products": []string{}}, 403},
		{"user reads roles", admin.as("alice@example.com", "tok"), "GET", "/rest/api/3/applicationrole", nil, 403},
		{"user adds to a group", admin.as("alice@example.com", "tok"), "POST", "/rest/api/3/group/user?groupname=site-admins", map[string]string{"accountId": alice}, 403},
		{"user deletes a group", admin.as("alice@example.com", "tok"), "DELETE", "/rest/api/3/group?groupname=jira-software-users", nil, 403},
		{"jira admin is not site admin", admin.as("jadmin@example.com", "tok"), "DELETE", "/rest/api/3/user?accountId=" + alice, nil, 403},
		{"jira admin reads roles", admin.as("jadmin@example.com", "tok"), "GET", "/rest/api/3/applicationrole", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := *tt.c
			c.t = t
			a := c.want(tt.want, tt.method, tt.path, tt.body)
			if tt.want >= 400 {
				a.errors(t) // Jira's error collection
			}
		})
	}
	if _, ok := s.User("alice@example.com"); !ok {
		t.Fatal("a refused request deleted alice")
	}
}

func TestCloudUserJSON(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	id := addCloudUser(t, s, jiratest.UserSpec{Email: "mia@example.com", DisplayName: "Mia Krystof",
		Groups: []string{"design"}, Licences: []string{"jira-software", "jira-servicedesk"}})
	bot := addCloudUser(t, s, jiratest.UserSpec{Email: "bot@apps.example.com", DisplayName: "Automation", AccountType: jira.AccountApp})

	a := c.want(200, "GET", "/rest/api/3/user?accountId="+id+"&expand=groups,applicationRoles", nil)
	if a.header.Get("X-AAccountId") != accountID(t, s, jiratest.DefaultCloudEmail) {
		t.Errorf("X-AAccountId %q", a.header.Get("X-AAccountId"))
	}
	var u cloudUser
	a.decode(t, &u)
	if u.AccountID != id || u.AccountType != "atlassian" || u.DisplayName != "Mia Krystof" || !u.Active ||
		u.EmailAddress == nil || *u.EmailAddress != "mia@example.com" || u.Key == nil || *u.Key != "" ||
		u.Name == nil || *u.Name != "" || !strings.HasSuffix(u.Self, "/rest/api/3/user?accountId="+url.QueryEscape(id)) ||
		len(u.AvatarURLs) != 4 || u.Locale == "" || u.AppType != "" {
		t.Fatalf("user %s", a.body)
	}
	var groups []string
	for _, g := range u.Groups.Items {
		groups = append(groups, g.Name)
		if g.GroupID == "" || !strings.Contains(g.Self, "groupId="+g.GroupID) {
			t.Errorf("group item %+v", g)
		}
	}
	if u.Groups.Size != 3 || !slices.Equal(groups, []string{"design", "jira-servicemanagement-users", "jira-software-users"}) {
		t.Errorf("groups %+v", u.Groups)
	}
	if u.ApplicationRoles.Size != 2 || len(u.ApplicationRoles.Items) != 2 || u.ApplicationRoles.Items[0].Key != "jira-software" {
		t.Errorf("applicationRoles %+v", u.ApplicationRoles)
	}

	// Without expand the wrappers carry sizes only.
	u = c.cloudUser(id, "")
	if u.Groups.Size != 3 || len(u.Groups.Items) != 0 || u.ApplicationRoles.Size != 2 || len(u.ApplicationRoles.Items) != 0 {
		t.Errorf("unexpanded %+v %+v", u.Groups, u.ApplicationRoles)
	}
	if u := c.cloudUser(bot, ""); u.AccountType != "app" || u.AppType == "" {
		t.Errorf("app account %+v", u)
	}
	var me cloudUser
	c.as("mia@example.com", "tok").want(200, "GET", "/rest/api/3/myself?expand=groups", nil).decode(t, &me)
	if me.AccountID != id || len(me.Groups.Items) != 3 {
		t.Errorf("myself %+v", me)
	}

	c.want(404, "GET", "/rest/api/3/user?accountId=712020:nobody", nil).errors(t)
	c.want(400, "GET", "/rest/api/3/user", nil).errors(t)
	c.want(400, "GET", "/rest/api/3/user?username=mia", nil).errors(t) // dead parameter
}

func TestCloudEmailHiddenInJiraREST(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	id := addCloudUser(t, s, jiratest.UserSpec{Email: "quiet@example.com", DisplayName: "Quiet Person",
		EmailHidden: true, Licences: []string{"jira-software"}})
	if u := c.cloudUser(id, ""); u.EmailAddress != nil {
		t.Errorf("GET user shows the hidden email %q", *u.EmailAddress)
	}
	var all []cloudUser
	c.want(200, "GET", "/rest/api/3/users/search", nil).decode(t, &all)
	var found []cloudUser
	c.want(200, "GET", "/rest/api/3/user/search?query=quiet", nil).decode(t, &found)
	if len(found) != 1 || found[0].DisplayName != "Quiet Person" { // matched by display name
		t.Fatalf("user/search found %+v", found)
	}
	var members cloudPage[cloudUser]
	c.want(200, "GET", "/rest/api/3/group/member?groupname=jira-software-users", nil).decode(t, &members)
	for _, u := range slices.Concat(all, found, members.Values) {
		if u.AccountID == id && u.EmailAddress != nil {
			t.Errorf("hidden email shown: %+v", u)
		}
		if u.AccountID != id && u.EmailAddress == nil {
			t.Errorf("visible email missing: %+v", u)
		}
	}
	// By email the hidden user is not found.
	c.want(200, "GET", "/rest/api/3/user/search?query=quiet@", nil).decode(t, &found)
	if len(found) != 0 {
		t.Errorf("found by hidden email: %+v", found)
	}
}

// bigOrg is n Cloud users: every 10th inactive, every 50th an app, every
// 77th a customer, every 9th with a hidden email.
func bigOrg(n int) *jiratest.Org {
	o := &jiratest.Org{ClaimedDomains: []string{"example.com"}}
	base := time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)
	for i := range n {
		sp := jiratest.UserSpec{
			Email: fmt.Sprintf("user%05d@example.com", i+1), DisplayName: fmt.Sprintf("User %05d", i+1),
			Inactive: i%10 == 9, EmailHidden: i%9 == 8, Licences: []string{"jira-software"},
			Created: base.Add(time.Duration(i) * time.Minute),
		}
		switch {
		case i%50 == 49:
			sp.AccountType, sp.Licences = jira.AccountApp, nil
		case i%77 == 76:
			sp.AccountType, sp.Licences = jira.AccountCustomer, []string{"jira-servicedesk"}
		}
		o.Users = append(o.Users, sp)
	}
	return o
}

func TestCloudUsersSearchPagesToTheEnd(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(bigOrg(5000)))
	c := cloudClient(t, s)
	gone := accountID(t, s, "user00007@example.com")
	c.want(204, "DELETE", "/rest/api/3/user?accountId="+gone, nil)

	for _, path := range []string{"/rest/api/3/users/search", "/rest/api/3/users"} {
		seen := map[string]bool{}
		types := map[string]int{}
		inactive, pages := 0, 0
		for startAt := 0; ; startAt += 1000 {
			var page []cloudUser
			// Asking for more than 1000 gets 1000.
			c.want(200, "GET", fmt.Sprintf("%s?startAt=%d&maxResults=5000", path, startAt), nil).decode(t, &page)
			pages++
			for _, u := range page {
				if seen[u.AccountID] {
					t.Fatalf("%s: %s listed twice", path, u.AccountID)
				}
				seen[u.AccountID] = true
				types[u.AccountType]++
				if !u.Active {
					inactive++
				}
			}
			if len(page) < 1000 {
				break
			}
		}
		// 5000 + the administrator - the one removed from the site.
		if len(seen) != 5000 || seen[gone] || pages != 6 {
			t.Errorf("%s: %d users in %d pages; removed user listed: %v", path, len(seen), pages, seen[gone])
		}
		if types["app"] != 100 || types["customer"] == 0 || inactive != 500 {
			t.Errorf("%s: types %v, %d inactive", path, types, inactive)
		}
	}
	var page []cloudUser
	c.want(200, "GET", "/rest/api/3/users/search", nil).decode(t, &page)
	if len(page) != 50 {
		t.Errorf("default page has %d users, want 50", len(page))
	}
	c.want(400, "GET", "/rest/api/3/users/search?maxResults=lots", nil).errors(t)
}

func TestCloudUserSearch(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	ann := addCloudUser(t, s, jiratest.UserSpec{Email: "ann.lee@example.com", DisplayName: "Ann Lee",
		Properties: map[string]json.RawMessage{"hr": json.RawMessage(`{"dept":{"code":"ENG"},"level":3}`)}})
	addCloudUser(t, s, jiratest.UserSpec{Email: "bob@example.com", DisplayName: "Bob Leeson"})
	addCloudUser(t, s, jiratest.UserSpec{Email: "carl@example.com", DisplayName: "Carl Lee", Inactive: true})
	suspended := addCloudUser(t, s, jiratest.UserSpec{Email: "dora@example.com", DisplayName: "Dora Lee"})
	orgClient(t, s).want(204, "POST", "/admin/v2/orgs/demo-org/directories/-/users/"+suspended+"/suspend", "{}")

	tests := []struct {
		query string
		want  []string // display names; nil for an error
	}{
		{"query=lee", []string{"Ann Lee", "Bob Leeson"}},   // word prefix; inactive and suspended left out
		{"query=ANN", []string{"Ann Lee"}},                 // case ignored
		{"query=bob@ex", []string{"Bob Leeson"}},           // email prefix
		{"query=ee", []string{}},                           // not a prefix
		{"accountId=" + ann, []string{"Ann Lee"}},          // exact accountId
		{"accountId=" + suspended, []string{}},             // inactive users are never found
		{"property=hr.dept.code=ENG", []string{"Ann Lee"}}, // entity property path
		{"property=hr.level=3", []string{"Ann Lee"}},
		{"property=hr.level=4", []string{}},
		{"query=lee&startAt=1&maxResults=1", []string{"Bob Leeson"}},
		{"", nil},
		{"query=lee&accountId=" + ann, nil},
		{"property=nodots", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			c := *c
			c.t = t
			path := "/rest/api/3/user/search?" + tt.query
			if tt.want == nil {
				c.want(400, "GET", path, nil).errors(t)
				return
			}
			var got []cloudUser
			c.want(200, "GET", path, nil).decode(t, &got)
			names := []string{}
			for _, u := range got {
				names = append(names, u.DisplayName)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
		})
	}
	// Anonymous callers get no results, not an error.
	var got []cloudUser
	c.as("", "").want(200, "GET", "/rest/api/3/user/search?query=lee", nil).decode(t, &got)
	if len(got) != 0 {
		t.Errorf("anonymous search found %d users", len(got))
	}
}

func TestCloudUserSearchCapsAtTheThousandth(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(bigOrg(1500)))
	c := cloudClient(t, s)
	var got []cloudUser
	c.want(200, "GET", "/rest/api/3/user/search?query=user&startAt=900&maxResults=1000", nil).decode(t, &got)
	if len(got) != 100 {
		t.Errorf("got %d users past 900, want the 100 up to the thousandth match", len(got))
	}
}

func TestCloudUserBulk(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(bigOrg(30)))
	c := cloudClient(t, s)
	q := url.Values{}
	for i := range 25 {
		q.Add("accountId", accountID(t, s, fmt.Sprintf("user%05d@example.com", i+1)))
	}
	q.Add("accountId", "712020:unknown")
	var p cloudPage[cloudUser]
	c.want(200, "GET", "/rest/api/3/user/bulk?"+q.Encode(), nil).decode(t, &p)
	if p.Total != 25 || len(p.Values) != 10 || p.MaxResults != 10 || p.IsLast || p.NextPage == "" {
		t.Fatalf("first page: total %d, %d values, maxResults %d, isLast %v, next %q", p.Total, len(p.Values), p.MaxResults, p.IsLast, p.NextPage)
	}
	next, _ := url.Parse(p.NextPage)
	c.want(200, "GET", next.RequestURI(), nil).decode(t, &p)
	if p.StartAt != 10 || len(p.Values) != 10 {
		t.Fatalf("second page: startAt %d, %d values", p.StartAt, len(p.Values))
	}
	p = cloudPage[cloudUser]{}
	c.want(200, "GET", "/rest/api/3/user/bulk?startAt=20&maxResults=500&"+q.Encode(), nil).decode(t, &p)
	if len(p.Values) != 5 || !p.IsLast || p.NextPage != "" || p.MaxResults != 200 {
		t.Fatalf("last page: %d values, isLast %v, maxResults %d", len(p.Values), p.IsLast, p.MaxResults)
	}
	c.want(400, "GET", "/rest/api/3/user/bulk", nil).errors(t)
}

func TestCloudGroupMembership(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	id := addCloudUser(t, s, jiratest.UserSpec{Email: "eve@example.com", DisplayName: "Eve"})

	var g struct {
		Name    string `json:"name"`
		GroupID string `json:"groupId"`
		Users   struct {
			Size int `json:"size"`
		} `json:"users"`
	}
	c.want(201, "POST", "/rest/api/3/group", map[string]string{"name": "auditors"}).decode(t, &g)
	if g.Name != "auditors" || g.GroupID == "" {
		t.Fatalf("group %+v", g)
	}
	c.want(400, "POST", "/rest/api/3/group", map[string]string{"name": "Auditors"}).errors(t) // exists
	c.want(201, "POST", "/rest/api/3/group/user?groupId="+g.GroupID, map[string]string{"accountId": id}).decode(t, &g)
	if g.Users.Size != 1 {
		t.Errorf("group after adding: %+v", g)
	}
	// Adding a member again is refused, as on DC.
	c.want(400, "POST", "/rest/api/3/group/user?groupname=auditors", map[string]string{"accountId": id}).errors(t)

	inGroups := func() []string {
		var gs []cloudGroupName
		c.want(200, "GET", "/rest/api/3/user/groups?accountId="+id, nil).decode(t, &gs)
		names := []string{}
		for _, g := range gs {
			names = append(names, g.Name)
		}
		expanded := []string{}
		for _, g := range c.cloudUser(id, "groups").Groups.Items {
			expanded = append(expanded, g.Name)
		}
		if !slices.Equal(names, expanded) {
			t.Errorf("user/groups %v but expand=groups %v", names, expanded)
		}
		return names
	}
	if got := inGroups(); !slices.Equal(got, []string{"auditors"}) {
		t.Errorf("groups %v", got)
	}
	if got := c.members("auditors", false); !slices.Equal(got, []string{id}) {
		t.Errorf("members %v", got)
	}
	if got, _ := s.GroupMembers("auditors"); !slices.Equal(got, []string{id}) {
		t.Errorf("GroupMembers %v", got)
	}

	c.want(200, "DELETE", "/rest/api/3/group/user?groupId="+g.GroupID+"&accountId="+id, nil)
	c.want(400, "DELETE", "/rest/api/3/group/user?groupId="+g.GroupID+"&accountId="+id, nil).errors(t)
	if got := inGroups(); len(got) != 0 {
		t.Errorf("groups after removal %v", got)
	}
	if got := c.members("auditors", true); len(got) != 0 {
		t.Errorf("members after removal %v", got)
	}

	for _, tt := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"GET", "/rest/api/3/group/member", nil, 400},
		{"GET", "/rest/api/3/group/member?groupname=auditors&groupId=" + g.GroupID, nil, 400},
		{"GET", "/rest/api/3/group/member?groupname=nope", nil, 404},
		{"POST", "/rest/api/3/group/user?groupname=auditors", map[string]string{"accountId": "712020:nobody"}, 404},
		{"POST", "/rest/api/3/group/user?groupname=auditors", map[string]string{}, 400},
		{"POST", "/rest/api/3/group/user?groupname=auditors", `{"accountId":`, 400},
		{"POST", "/rest/api/3/group", `{"name": "x"`, 400},
		{"DELETE", "/rest/api/3/group?groupname=site-admins", nil, 400},
		{"DELETE", "/rest/api/3/group?groupname=auditors&swapGroup=nope", nil, 404},
	} {
		c.want(tt.want, tt.method, tt.path, tt.body).errors(t)
	}
	if got := s.Groups(); slices.Contains(got, "x") || !slices.Contains(got, "auditors") {
		t.Errorf("refused requests changed the groups: %v", got)
	}
	c.want(200, "DELETE", "/rest/api/3/group?groupId="+g.GroupID+"&swapGroup=jira-admins", nil)
	if slices.Contains(s.Groups(), "auditors") {
		t.Error("group not deleted")
	}
	c.want(404, "GET", "/rest/api/3/group/member?groupId="+g.GroupID, nil)
}

func TestCloudGroupMemberPages(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(bigOrg(120)))
	c := cloudClient(t, s)
	var p cloudPage[cloudUser]
	c.want(200, "GET", "/rest/api/3/group/member?groupname=jira-software-users&maxResults=100", nil).decode(t, &p)
	if p.MaxResults != 50 || len(p.Values) != 50 || p.IsLast {
		t.Fatalf("maxResults %d, %d values, isLast %v", p.MaxResults, len(p.Values), p.IsLast)
	}
	u := p.Values[0]
	if u.Key == nil || *u.Key != "" || u.Locale != "" || u.AccountType == "" || u.Self == "" {
		t.Errorf("UserDetails %+v", u)
	}
	want, _ := s.GroupMembers("jira-software-users")
	all := c.members("jira-software-users", true)
	active := c.members("jira-software-users", false)
	slices.Sort(all)
	if !slices.Equal(all, want) {
		t.Errorf("paged %d members, GroupMembers has %d", len(all), len(want))
	}
	if len(active) >= len(all) || len(active) == 0 {
		t.Errorf("%d active of %d members", len(active), len(all))
	}
	for _, id := range active {
		if u, _ := s.User(id); !u.Active {
			t.Errorf("inactive %s listed without includeInactiveUsers", id)
		}
	}
}

func TestCloudLicenceSeats(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	id := addCloudUser(t, s, jiratest.UserSpec{Email: "sam@example.com", Licences: []string{"jira-software"}})
	if n := c.userCount("jira-software"); n != 2 {
		t.Fatalf("userCount %d, want 2 (admin and sam)", n)
	}
	var roles []cloudRole
	c.want(200, "GET", "/rest/api/3/applicationrole", nil).decode(t, &roles)
	if len(roles) != 3 || roles[0].Key != "jira-software" || len(roles[0].GroupDetails) == 0 || roles[0].GroupDetails[0].GroupID == "" {
		t.Fatalf("roles %+v", roles)
	}
	c.want(404, "GET", "/rest/api/3/applicationrole/jira-core", nil).errors(t)

	c.want(200, "DELETE", "/rest/api/3/group/user?groupname=jira-software-users&accountId="+id, nil)
	if n := c.userCount("jira-software"); n != 1 {
		t.Errorf("userCount after leaving the licence group %d, want 1", n)
	}
	if n, _ := s.SeatsUsed("jira-software"); n != 1 {
		t.Errorf("SeatsUsed %d", n)
	}
	u := c.cloudUser(id, "applicationRoles")
	if u.ApplicationRoles.Size != 0 {
		t.Errorf("applicationRoles after leaving %+v", u.ApplicationRoles)
	}
	c.want(201, "POST", "/rest/api/3/group/user?groupname=jira-software-users", map[string]string{"accountId": id})
	if n := c.userCount("jira-software"); n != 2 {
		t.Errorf("userCount after rejoining %d", n)
	}
}

func TestCloudCreateUser(t *testing.T) {
	t.Parallel()
	recv := &hookReceiver{}
	hooks := httptest.NewServer(recv)
	t.Cleanup(hooks.Close)
	s := newCloud(t, jiratest.WithOrg(&jiratest.Org{Seats: map[string]int{"jira-product-discovery": 0}}))
	c := cloudClient(t, s)
	c.want(201, "POST", "/rest/webhooks/1.0/webhook", map[string]any{"name": "new", "url": hooks.URL, "events": []string{"user_created"}})
	addCloudUser(t, s, jiratest.UserSpec{Email: "has@example.com", Licences: []string{"jira-software"}})
	addCloudUser(t, s, jiratest.UserSpec{Email: "hasnot@example.com"})
	before := len(s.Users())

	tests := []struct {
		name string
		body any
		want int
	}{
		{"software", map[string]any{"emailAddress": "mia@example.com", "displayName": "Mia", "products": []string{"jira-software"}}, 201},
		{"no products", map[string]any{"emailAddress": "nobody@example.com", "products": []string{}}, 201},
		{"products missing", map[string]any{"emailAddress": "x1@example.com"}, 400},
		{"email missing", map[string]any{"products": []string{}}, 400},
		{"jira-core is not a Cloud role", map[string]any{"emailAddress": "x2@example.com", "products": []string{"jira-core"}}, 400},
		{"unknown product", map[string]any{"emailAddress": "x3@example.com", "products": []string{"confluence"}}, 400},
		{"seats exhausted", map[string]any{"emailAddress": "x4@example.com", "products": []string{"jira-product-discovery"}}, 400},
		{"exists with access", map[string]any{"emailAddress": "HAS@example.com", "products": []string{"jira-software"}}, 201},
		{"exists without access", map[string]any{"emailAddress": "hasnot@example.com", "products": []string{"jira-software"}}, 400},
		{"malformed JSON", `{"emailAddress": "x5@example.com", "products": [}`, 400},
		{"empty body", "", 400},
	}
	for _, tt := range tests {
		a := c.want(tt.want, "POST", "/rest/api/3/user", tt.body)
		if tt.want == 400 {
			a.errors(t)
		}
	}
	if n := len(s.Users()); n != before+2 {
		t.Errorf("%d users, want %d: only the two new users are created", n, before+2)
	}
	mia, ok := s.User("mia@example.com")
	if !ok || !mia.Active || !slices.Equal(mia.Licences, []string{"jira-software"}) || mia.DisplayName != "Mia" {
		t.Errorf("mia %+v", mia)
	}
	if u, _ := s.User("nobody@example.com"); len(u.Licences) != 0 || u.DisplayName != "nobody" {
		t.Errorf("user without products %+v", u)
	}
	s.WaitWebhooks()
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if len(recv.got) != 2 || recv.got[0]["webhookEvent"] != "user_created" ||
		recv.got[0]["user"].(map[string]any)["accountId"] != mia.AccountID {
		t.Errorf("webhooks %v", recv.got)
	}
}

func TestCloudRemoveUserFromSite(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	id := addCloudUser(t, s, jiratest.UserSpec{Email: "leo@example.com", Groups: []string{"ops"}, Licences: []string{"jira-software"}})
	c.want(204, "DELETE", "/rest/api/3/user?accountId="+id, nil)
	c.want(404, "GET", "/rest/api/3/user?accountId="+id, nil)
	c.want(404, "DELETE", "/rest/api/3/user?accountId="+id, nil)
	c.want(400, "DELETE", "/rest/api/3/user?accountId="+accountID(t, s, jiratest.DefaultCloudEmail), nil).errors(t)
	if m, _ := s.GroupMembers("ops"); len(m) != 0 {
		t.Errorf("still in ops: %v", m)
	}
	if n := c.userCount("jira-software"); n != 1 {
		t.Errorf("userCount %d", n)
	}
	// The account stays in the organisation.
	var got struct {
		Data struct {
			AccountID string `json:"accountId"`
			Email     string `json:"email"`
		} `json:"data"`
	}
	orgClient(t, s).want(200, "GET", "/admin/v2/orgs/demo-org/directories/-/users/"+id, nil).decode(t, &got)
	if got.Data.AccountID != id || got.Data.Email != "leo@example.com" {
		t.Errorf("Admin API after removal from the site: %+v", got)
	}
	// A removed user cannot be added to groups.
	c.want(404, "POST", "/rest/api/3/group/user?groupname=ops", map[string]string{"accountId": id})
}

func TestCloudGroupBulkAndPicker(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(&jiratest.Org{Groups: []string{"Eng-Backend", "eng-frontend", "sales"}}))
	c := cloudClient(t, s)
	var p cloudPage[struct{ GroupID, Name string }]
	c.want(200, "GET", "/rest/api/3/group/bulk?maxResults=500", nil).decode(t, &p)
	if p.MaxResults != 50 || p.Total != 8 || len(p.Values) != 8 || !p.IsLast {
		t.Fatalf("group/bulk %+v", p)
	}
	id, _ := s.GroupID("sales")
	c.want(200, "GET", "/rest/api/3/group/bulk?groupId="+id+"&groupName=eng-frontend", nil).decode(t, &p)
	if p.Total != 2 || p.Values[0].Name != "eng-frontend" || p.Values[1].GroupID != id {
		t.Errorf("filtered %+v", p)
	}
	c.want(200, "GET", "/rest/api/3/group/bulk?applicationKey=jira-software", nil).decode(t, &p)
	if p.Total != 1 || p.Values[0].Name != "jira-software-users" {
		t.Errorf("by application %+v", p)
	}
	c.want(200, "GET", "/rest/api/3/group/bulk?maxResults=3&startAt=3", nil).decode(t, &p)
	if len(p.Values) != 3 || p.IsLast || p.NextPage == "" {
		t.Errorf("paged %+v", p)
	}
	c.want(400, "GET", "/rest/api/3/group/bulk?accessType=root", nil).errors(t)

	type picked struct {
		Header string `json:"header"`
		Total  int    `json:"total"`
		Groups []struct {
			Name, GroupID, HTML string
			Labels              []any
		} `json:"groups"`
	}
	var f picked
	c.want(200, "GET", "/rest/api/3/groups/picker?query=eng&caseInsensitive=true", nil).decode(t, &f)
	if f.Total != 2 || f.Groups[0].Name != "Eng-Backend" || f.Groups[0].HTML != "<b>Eng</b>-Backend" || f.Groups[0].Labels == nil {
		t.Errorf("picker %+v", f)
	}
	c.want(200, "GET", "/rest/api/3/groups/picker?query=eng", nil).decode(t, &f) // case-sensitive by default
	if f.Total != 1 || f.Groups[0].Name != "eng-frontend" {
		t.Errorf("case-sensitive picker %+v", f)
	}
	c.want(200, "GET", "/rest/api/3/groups/picker?query=&maxResults=2&excludeId="+id, nil).decode(t, &f)
	if f.Total != 7 || len(f.Groups) != 2 || f.Header != "Showing 2 of 7 matching groups" {
		t.Errorf("capped picker %+v", f)
	}
	c.as("", "").want(200, "GET", "/rest/api/3/groups/picker?query=eng", nil).decode(t, &f)
	if f.Total != 0 {
		t.Errorf("anonymous picker %+v", f)
	}
}

func TestCloudPickerLimit(t *testing.T) {
	t.Parallel()
	o := &jiratest.Org{}
	for i := range 30 {
		o.Groups = append(o.Groups, fmt.Sprintf("team-%02d", i))
	}
	s := newCloud(t, jiratest.WithOrg(o), jiratest.WithPickerLimit(5))
	var f struct {
		Total  int   `json:"total"`
		Groups []any `json:"groups"`
	}
	cloudClient(t, s).want(200, "GET", "/rest/api/3/groups/picker?query=team&maxResults=100", nil).decode(t, &f)
	if f.Total != 30 || len(f.Groups) != 5 {
		t.Errorf("total %d, %d shown", f.Total, len(f.Groups))
	}
}

func TestCloudUserProperties(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	id := addCloudUser(t, s, jiratest.UserSpec{Email: "pat@example.com"})
	path := "/rest/api/3/user/properties/seatwarden.exempt?accountId=" + id
	c.want(201, "PUT", path, `{"reason":"on leave"}`)
	c.want(200, "PUT", path, `{"reason":"contractor"}`)
	var got struct {
		Key   string         `json:"key"`
		Value map[string]any `json:"value"`
	}
	c.want(200, "GET", path, nil).decode(t, &got)
	if got.Key != "seatwarden.exempt" || got.Value["reason"] != "contractor" {
		t.Errorf("property %+v", got)
	}
	// Users may write their own properties, not others'.
	c.as("pat@example.com", "tok").want(204, "DELETE", path, nil)
	c.as("pat@example.com", "tok").want(403, "PUT", "/rest/api/3/user/properties/x?accountId="+accountID(t, s, jiratest.DefaultCloudEmail), `1`)
	c.want(404, "GET", path, nil)
	c.want(400, "GET", "/rest/api/3/user/properties?username=pat", nil)
	c.want(404, "GET", "/rest/api/3/user/properties?accountId=712020:nobody", nil)
}

func TestCloudRoutesTakeOnlyTheirParameters(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	c := cloudClient(t, s)
	a := c.want(400, "GET", "/rest/api/3/users/search?maxResult=10", nil)
	if msgs, _ := a.errors(t); !strings.Contains(msgs[0], "maxResult") {
		t.Errorf("message %q", msgs)
	}
	for _, rt := range s.Routes() {
		if !strings.HasPrefix(rt.Path, "/rest/api/3/") {
			continue
		}
		if slices.Contains(rt.Params, "key") || slices.Contains(rt.Params, "userKey") && !strings.Contains(rt.Path, "properties") {
			t.Errorf("%s takes a DC parameter: %v", rt, rt.Params)
		}
	}
}

func TestCloudRateLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithRateLimit(1, 5))
		cr := s.Credentials()
		c := memClient(t, s).as(cr.CloudEmail, cr.CloudToken)
		var near []string
		for range 5 {
			near = append(near, c.want(200, "GET", "/rest/api/3/users/search", nil).header.Get("X-RateLimit-NearLimit"))
		}
		if !slices.Equal(near, []string{"", "", "", "", "true"}) {
			t.Errorf("NearLimit %q", near)
		}
		a := c.want(429, "GET", "/rest/api/3/user?accountId=x", nil)
		if a.header.Get("Retry-After") != "1" || a.header.Get("RateLimit-Reason") != "jira-burst-based" {
			t.Fatalf("429 headers %v", a.header)
		}
		if _, err := time.Parse("2006-01-02T15:04Z", a.header.Get("X-RateLimit-Reset")); err != nil {
			t.Errorf("X-RateLimit-Reset: %v", err)
		}
		a.errors(t)
		// The Admin API has its own bucket.
		org := memClient(t, s).withBearer(cr.OrgKey)
		for range 5 {
			org.want(200, "GET", "/admin/v1/orgs", nil)
		}
		org.want(429, "GET", "/admin/v1/orgs", nil)
		time.Sleep(time.Second)
		c.want(200, "GET", "/rest/api/3/myself", nil)
	})
}
