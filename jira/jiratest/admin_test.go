package jiratest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

type adminUser struct {
	AccountID        string  `json:"accountId"`
	AccountType      string  `json:"accountType"`
	Status           string  `json:"status"`
	AccountStatus    string  `json:"accountStatus"`
	MembershipStatus string  `json:"membershipStatus"`
	AddedToOrg       string  `json:"addedToOrg"`
	Name             string  `json:"name"`
	Email            string  `json:"email"`
	ClaimStatus      string  `json:"claimStatus"`
	ManagementSource string  `json:"managementSource"`
	DeactivatedOn    *string `json:"deactivatedOn"`
	ProductAccess    *[]struct {
		Key                 string `json:"key"`
		ID                  string `json:"id"`
		LastActiveTimestamp string `json:"lastActiveTimestamp"`
	} `json:"productAccess"`
	Groups *[]struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"groups"`
}

type adminPage struct {
	Data  []adminUser `json:"data"`
	Links struct {
		Self *string `json:"self"`
		Prev *string `json:"prev"`
		Next *string `json:"next"`
	} `json:"links"`
}

type adminErrors struct {
	Errors []struct {
		ID, Status, Code, Title, Detail string
	} `json:"errors"`
}

const adminUsersPath = "/admin/v2/orgs/demo-org/directories/-/users"

// adminError checks an answer has the Admin API's error shape.
func (a answer) adminError(t testing.TB) {
	t.Helper()
	var e adminErrors
	a.decode(t, &e)
	if len(e.Errors) != 1 || e.Errors[0].Code == "" || e.Errors[0].Status != fmt.Sprint(a.status) {
		t.Fatalf("not an Admin API error: %s", a.body)
	}
}

// adminUser reads a directory user: with GET user details when expand is
// empty, else with POST users/search for its accountId (the GET takes no
// expand).
func (c *tclient) adminUser(id, expand string) adminUser {
	c.t.Helper()
	if expand == "" {
		var got struct {
			Data adminUser `json:"data"`
		}
		c.want(200, "GET", adminUsersPath+"/"+id, nil).decode(c.t, &got)
		return got.Data
	}
	var p adminPage
	c.want(200, "POST", adminUsersPath+"/search", map[string]any{
		"accountIds": []string{id}, "expand": strings.Split(expand, ",")}).decode(c.t, &p)
	if len(p.Data) != 1 {
		c.t.Fatalf("search for %s: %d users", id, len(p.Data))
	}
	return p.Data[0]
}

// managedOrg has managed users on example.com, a synced one, and an
// unmanaged one on another domain.
func managedOrg() *jiratest.Org {
	return &jiratest.Org{
		Name: "Acme", ClaimedDomains: []string{"example.com"},
		Users: []jiratest.UserSpec{
			{Email: "kim@example.com", DisplayName: "Kim Doe", Licences: []string{"jira-software"}, Password: "tok",
				Created: time.Date(2021, 3, 4, 10, 0, 0, 0, time.UTC), EmailHidden: true, Groups: []string{"eng"},
				LastActive: map[string]time.Time{"jira-software": time.Date(2026, 1, 19, 8, 30, 0, 0, time.UTC)}},
			{Email: "sync@example.com", DisplayName: "Synced", Synced: true, Licences: []string{"jira-software"}},
			{Email: "guest@partner.io", DisplayName: "Guest", Licences: []string{"jira-software"}},
			{Email: "never@example.com", DisplayName: "Never Active", Licences: []string{"jira-servicedesk"}},
		},
	}
}

func TestAdminAuth(t *testing.T) {
	t.Parallel()
	s := newCloud(t)
	cr := s.Credentials()
	c := cloudClient(t, s)
	for _, tt := range []struct {
		name string
		c    *tclient
		path string
		want int
	}{
		{"org key", c.withBearer(cr.OrgKey), "/admin/v1/orgs", 200},
		{"no credentials", c.as("", ""), "/admin/v1/orgs", 401},
		{"wrong key", c.withBearer("nope"), "/admin/v2/orgs/demo-org/directories", 401},
		{"Basic site admin", c, "/admin/v2/orgs/demo-org/directories", 401},
		{"user management without key", c.as("", ""), "/users/x/manage", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := *tt.c
			c.t = t
			c.want(tt.want, "GET", tt.path, nil)
		})
	}
}

func TestAdminOrgsAndDirectories(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c := orgClient(t, s)
	var orgs struct {
		Data []struct {
			ID, Type   string
			Attributes struct{ Name string }
		} `json:"data"`
	}
	c.want(200, "GET", "/admin/v1/orgs", nil).decode(t, &orgs)
	if len(orgs.Data) != 1 || orgs.Data[0].ID != "demo-org" || orgs.Data[0].Type != "orgs" || orgs.Data[0].Attributes.Name != "Acme" {
		t.Fatalf("orgs %+v", orgs)
	}
	var dirs struct {
		Data []struct{ DirectoryID, Name string } `json:"data"`
	}
	c.want(200, "GET", "/admin/v2/orgs/demo-org/directories", nil).decode(t, &dirs)
	want := s.Directories()
	if len(dirs.Data) != len(want) || dirs.Data[0].DirectoryID != want[0].ID || dirs.Data[0].Name != want[0].Name {
		t.Fatalf("directories %+v, want %+v", dirs, want)
	}
	// The directory's own id lists its users as "-" does.
	var p adminPage
	c.want(200, "GET", "/admin/v2/orgs/demo-org/directories/"+want[0].ID+"/users?limit=100", nil).decode(t, &p)
	if len(p.Data) != 5 {
		t.Errorf("%d users in the directory, want 5", len(p.Data))
	}
	var count struct{ Count int }
	c.want(200, "GET", "/admin/v2/orgs/demo-org/directories/-/users/count", nil).decode(t, &count)
	if count.Count != 5 {
		t.Errorf("count %d, want 5", count.Count)
	}
	c.want(400, "GET", adminUsersPath+"?limt=10", nil).adminError(t) // unknown parameter, in the Admin API's shape
	for _, path := range []string{
		"/admin/v2/orgs/other-org/directories",
		"/admin/v2/orgs/other-org/directories/-/users",
		"/admin/v2/orgs/demo-org/directories/nope/users",
		"/admin/v1/orgs/other-org/directory/users/x/last-active-dates",
		adminUsersPath + "/712020:nobody",
		"/users/712020:nobody/manage",
	} {
		c.want(404, "GET", path, nil).adminError(t)
	}
}

func TestAdminUsersCursorPagesToTheEnd(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(bigOrg(1234)))
	c := orgClient(t, s)
	// A user removed from the Jira site is still in the organisation.
	gone := accountID(t, s, "user00010@example.com")
	cloudClient(t, s).want(204, "DELETE", "/rest/api/3/user?accountId="+gone, nil)

	seen := map[string]bool{}
	path, pages := adminUsersPath+"?limit=100", 0
	var cursors []string
	for {
		var p adminPage
		c.want(200, "GET", path, nil).decode(t, &p)
		pages++
		for _, u := range p.Data {
			if seen[u.AccountID] {
				t.Fatalf("%s listed twice", u.AccountID)
			}
			seen[u.AccountID] = true
		}
		if pages > 1 && (p.Links.Prev == nil || p.Links.Self == nil) {
			t.Errorf("page %d: links %+v", pages, p.Links)
		}
		if p.Links.Next == nil {
			break
		}
		cursors = append(cursors, *p.Links.Next)
		path = adminUsersPath + "?limit=100&cursor=" + url.QueryEscape(*p.Links.Next)
	}
	if len(seen) != 1235 || pages != 13 || !seen[gone] {
		t.Errorf("%d users in %d pages; removed user listed: %v", len(seen), pages, seen[gone])
	}
	// prev of the third page leads back to the second.
	var second, third, back adminPage
	c.want(200, "GET", adminUsersPath+"?limit=100&cursor="+url.QueryEscape(cursors[0]), nil).decode(t, &second)
	c.want(200, "GET", adminUsersPath+"?limit=100&cursor="+url.QueryEscape(cursors[1]), nil).decode(t, &third)
	c.want(200, "GET", adminUsersPath+"?limit=100&cursor="+url.QueryEscape(*third.Links.Prev), nil).decode(t, &back)
	if back.Data[0].AccountID != second.Data[0].AccountID || len(back.Data) != 100 {
		t.Errorf("prev does not lead back")
	}

	var p adminPage
	c.want(200, "GET", adminUsersPath, nil).decode(t, &p)
	if len(p.Data) != 50 || p.Links.Prev != nil {
		t.Errorf("default page: %d users, prev %v", len(p.Data), p.Links.Prev)
	}
	for _, q := range []string{"limit=101", "limit=0", "limit=x", "cursor=%21%21", "expand=everything", "accountStatus=gone"} {
		c.want(400, "GET", adminUsersPath+"?"+q, nil).adminError(t)
	}
	var sp adminPage
	c.want(200, "POST", adminUsersPath+"/search", "{}").decode(t, &sp)
	if len(sp.Data) != 50 || sp.Data[0].ProductAccess != nil {
		t.Errorf("POST search: default page of %d users (want 50), productAccess without expand: %v", len(sp.Data), sp.Data[0].ProductAccess != nil)
	}
}

// TestAdminGetsTakeNoExpand: the GET directory-users and GET user-details
// operations take no expand, whether parameters are strict or lenient;
// only POST users/search returns productAccess.
func TestAdminGetsTakeNoExpand(t *testing.T) {
	t.Parallel()
	for _, lenient := range []bool{false, true} {
		opts := []jiratest.Option{jiratest.WithOrg(managedOrg())}
		if lenient {
			opts = append(opts, jiratest.WithLenientParams())
		}
		s := newCloud(t, opts...)
		c := orgClient(t, s)
		kim := accountID(t, s, "kim@example.com")
		for _, path := range []string{adminUsersPath + "?expand=productAccess", adminUsersPath + "/" + kim + "?expand=productAccess"} {
			a := c.want(400, "GET", path, nil)
			a.adminError(t)
			if !strings.Contains(string(a.body), "users/search") {
				t.Errorf("lenient %v: %s: error does not point to the search: %s", lenient, path, a.body)
			}
		}
		var p adminPage
		c.want(200, "GET", adminUsersPath+"?limit=100", nil).decode(t, &p)
		for _, u := range p.Data {
			if u.ProductAccess != nil || u.Groups != nil {
				t.Fatalf("GET lists productAccess or groups: %+v", u)
			}
		}
		if u := c.adminUser(kim, "productAccess"); u.ProductAccess == nil {
			t.Errorf("search without productAccess")
		}
		s.HideProductAccess(kim)
		if u := c.adminUser(kim, "productAccess"); u.ProductAccess != nil {
			t.Errorf("HideProductAccess: still %+v", u.ProductAccess)
		}
	}
}

// TestAdminPostsNeedJSON: every POST to the Admin and user management
// APIs needs Content-Type: application/json, else 415.
func TestAdminPostsNeedJSON(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	kim := accountID(t, s, "kim@example.com")
	cr := s.Credentials()
	for _, path := range []string{
		adminUsersPath + "/search", adminUsersPath + "/" + kim + "/suspend", adminUsersPath + "/" + kim + "/restore",
		"/users/" + kim + "/manage/lifecycle/disable", "/users/" + kim + "/manage/lifecycle/enable",
	} {
		req, _ := http.NewRequest("POST", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+cr.OrgKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("%s without Content-Type: %d, want 415", path, resp.StatusCode)
		}
	}
	if u, _ := s.User(kim); !u.Active {
		t.Error("a refused POST changed the user")
	}
}

func TestAdminUserFields(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c := orgClient(t, s)
	kim := accountID(t, s, "kim@example.com")

	u := c.adminUser(kim, "")
	if u.AccountID != kim || u.Email != "kim@example.com" || u.Name != "Kim Doe" || u.AccountType != "atlassian" ||
		u.Status != "active" || u.AccountStatus != "active" || u.ClaimStatus != "managed" ||
		u.ManagementSource != "invited" || u.AddedToOrg != "2021-03-04T10:00:00Z" || u.DeactivatedOn != nil ||
		u.ProductAccess != nil || u.Groups != nil {
		t.Fatalf("user %+v", u)
	}
	// The email the profile hides from Jira REST is shown here.
	if cu := cloudClient(t, s).cloudUser(kim, ""); cu.EmailAddress != nil {
		t.Errorf("Jira REST shows the hidden email")
	}

	u = c.adminUser(kim, "productAccess,groups")
	if u.ProductAccess == nil || len(*u.ProductAccess) != 1 {
		t.Fatalf("productAccess %+v", u.ProductAccess)
	}
	pa := (*u.ProductAccess)[0]
	if pa.Key != "jira-software" || pa.LastActiveTimestamp != "2026-01-19T08:30:00Z" || pa.ID == "" {
		t.Errorf("productAccess %+v", pa)
	}
	var groups []string
	for _, g := range *u.Groups {
		groups = append(groups, g.Name)
	}
	if !slices.Equal(groups, []string{"eng", "jira-software-users"}) {
		t.Errorf("groups %v", groups)
	}
	never := c.adminUser(accountID(t, s, "never@example.com"), "productAccess")
	if len(*never.ProductAccess) != 1 || (*never.ProductAccess)[0].LastActiveTimestamp != "" {
		t.Errorf("never active %+v", never.ProductAccess)
	}
	if u := c.adminUser(accountID(t, s, "sync@example.com"), ""); u.ManagementSource != "synced" || u.ClaimStatus != "managed" {
		t.Errorf("synced %+v", u)
	}
	if u := c.adminUser(accountID(t, s, "guest@partner.io"), ""); u.ClaimStatus != "unmanaged" {
		t.Errorf("guest %+v", u)
	}
}

func TestAdminSearch(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c := orgClient(t, s)
	search := adminUsersPath + "/search"
	emails := func(p adminPage) []string {
		out := []string{}
		for _, u := range p.Data {
			out = append(out, u.Email)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		name string
		body any
		want []string
	}{
		{"emails", map[string]any{"emails": []string{"KIM@example.com", "guest@partner.io"}}, []string{"guest@partner.io", "kim@example.com"}},
		{"searchTerm", map[string]any{"searchTerm": "never"}, []string{"never@example.com"}},
		{"emailDomains", map[string]any{"emailDomains": []string{"partner.io"}}, []string{"guest@partner.io"}},
		{"claimStatus as a string", map[string]any{"claimStatus": "unmanaged"}, []string{"guest@partner.io"}},
		{"accountIds", map[string]any{"accountIds": []string{accountID(t, s, "sync@example.com")}}, []string{"sync@example.com"}},
		{"status", map[string]any{"status": []string{"suspended"}}, []string{}},
		{"status deactivated", map[string]any{"status": []string{"deactivated", "for_deletion", "not_invited"}}, []string{}},
		{"membershipStatus", map[string]any{"membershipStatus": []string{"active"}}, []string{"admin@example.com", "guest@partner.io", "kim@example.com", "never@example.com", "sync@example.com"}},
	} {
		var p adminPage
		c.want(200, "POST", search, tt.body).decode(t, &p)
		if got := emails(p); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	var p adminPage
	c.want(200, "GET", adminUsersPath+"?emailDomains=partner.io,example.org", nil).decode(t, &p)
	if got := emails(p); !slices.Equal(got, []string{"guest@partner.io"}) {
		t.Errorf("GET emailDomains: %v", got)
	}
	c.want(400, "POST", search+"?limit=2", "{}").adminError(t) // paging is in the body
	c.want(200, "POST", search, map[string]any{"expand": []string{"productAccess"}, "limit": 2}).decode(t, &p)
	if len(p.Data) != 2 || p.Links.Next == nil || p.Data[0].ProductAccess == nil {
		t.Fatalf("paged search %+v", p)
	}
	c.want(200, "POST", search, map[string]any{"limit": 2, "cursor": *p.Links.Next}).decode(t, &p)
	if len(p.Data) != 2 {
		t.Errorf("second page %+v", p)
	}
	c.want(400, "POST", search, map[string]any{"searchTerm": "kim", "emails": []string{"kim@example.com"}}).adminError(t)
	c.want(400, "POST", search, `{"emails": [`).adminError(t)
	c.want(400, "POST", search, "").adminError(t)
}

func TestAdminSuspendAndRestore(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c, jc := orgClient(t, s), cloudClient(t, s)
	kim := accountID(t, s, "kim@example.com")
	seats := jc.userCount("jira-software")

	c.want(204, "POST", adminUsersPath+"/"+kim+"/suspend", "{}")
	c.want(204, "POST", adminUsersPath+"/"+kim+"/suspend", "{}") // idempotent
	if u := jc.cloudUser(kim, "groups"); u.Active || len(u.Groups.Items) != 2 {
		t.Errorf("suspended user in Jira: active %v, groups %+v (groups are kept)", u.Active, u.Groups)
	}
	if n := jc.userCount("jira-software"); n != seats-1 {
		t.Errorf("userCount %d after suspension, want %d", n, seats-1)
	}
	if n, _ := s.SeatsUsed("jira-software"); n != seats-1 {
		t.Errorf("SeatsUsed %d", n)
	}
	var found []cloudUser
	jc.want(200, "GET", "/rest/api/3/user/search?query=kim", nil).decode(t, &found)
	if len(found) != 0 {
		t.Errorf("user/search finds a suspended user")
	}
	if got := jc.members("jira-software-users", false); slices.Contains(got, kim) {
		t.Errorf("group/member lists a suspended user as active")
	}
	jc.as("kim@example.com", "tok").want(401, "GET", "/rest/api/3/myself", nil)
	if jc.listedActive(kim) {
		t.Error("users/search shows a suspended user as active")
	}
	if u := c.adminUser(kim, ""); u.Status != "suspended" || u.AccountStatus != "active" {
		t.Errorf("admin view %+v", u)
	}
	var p adminPage
	c.want(200, "GET", adminUsersPath+"?status=suspended", nil).decode(t, &p)
	if len(p.Data) != 1 || p.Data[0].AccountID != kim {
		t.Errorf("status filter %+v", p.Data)
	}

	c.want(204, "POST", adminUsersPath+"/"+kim+"/restore", "{}")
	if u := jc.cloudUser(kim, ""); !u.Active {
		t.Error("restored user still inactive")
	}
	if n := jc.userCount("jira-software"); n != seats {
		t.Errorf("userCount %d after restore, want %d", n, seats)
	}
	c.want(404, "POST", adminUsersPath+"/712020:nobody/suspend", "{}").adminError(t)
	c.want(404, "POST", "/admin/v2/orgs/other/directories/-/users/"+kim+"/suspend", "{}").adminError(t)
}

func TestAdminLifecycle(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c, jc := orgClient(t, s), cloudClient(t, s)
	kim := accountID(t, s, "kim@example.com")
	synced := accountID(t, s, "sync@example.com")
	guest := accountID(t, s, "guest@partner.io")

	type privilege struct {
		Allowed bool `json:"allowed"`
		Reason  *struct {
			Key string `json:"key"`
		} `json:"reason"`
	}
	for _, tt := range []struct {
		id, reason string
	}{{kim, ""}, {synced, "externalDirectory.scim"}} {
		var got map[string]privilege
		c.want(200, "GET", "/users/"+tt.id+"/manage", nil).decode(t, &got)
		if len(got) != 3 {
			t.Errorf("%s: privileges %v", tt.id, got)
		}
		p := got["lifecycle.enablement"]
		if p.Allowed != (tt.reason == "") || tt.reason != "" && (p.Reason == nil || p.Reason.Key != tt.reason) {
			t.Errorf("%s: lifecycle.enablement %+v, want reason %q", tt.id, p, tt.reason)
		}
	}
	// An account the organisation does not manage: 403 {"key":"forbidden"}.
	if a := c.want(403, "GET", "/users/"+guest+"/manage", nil); string(bytes.TrimSpace(a.body)) != `{"key":"forbidden"}` {
		t.Errorf("unmanaged: %s", a.body)
	}
	var one map[string]privilege
	c.want(200, "GET", "/users/"+kim+"/manage?privileges=profile.write", nil).decode(t, &one)
	if len(one) != 1 || !one["profile.write"].Allowed {
		t.Errorf("one privilege %v", one)
	}
	c.want(400, "GET", "/users/"+kim+"/manage?privileges=root", nil).adminError(t)

	seats := jc.userCount("jira-software")
	c.want(204, "POST", "/users/"+kim+"/manage/lifecycle/disable", map[string]string{"message": "Left the company"})
	if u := jc.cloudUser(kim, ""); u.Active {
		t.Error("disabled user active in Jira")
	}
	if n := jc.userCount("jira-software"); n != seats-1 {
		t.Errorf("userCount %d after disabling", n)
	}
	jc.as("kim@example.com", "tok").want(401, "GET", "/rest/api/3/myself", nil)
	if jc.listedActive(kim) {
		t.Error("users/search shows a disabled user as active")
	}
	if got := jc.members("jira-software-users", false); slices.Contains(got, kim) {
		t.Error("group/member lists a disabled user as active")
	}
	u := c.adminUser(kim, "")
	if u.AccountStatus != "inactive" || u.DeactivatedOn == nil {
		t.Errorf("admin view of a disabled user %+v", u)
	}
	var p adminPage
	c.want(200, "GET", adminUsersPath+"?accountStatus=inactive", nil).decode(t, &p)
	if len(p.Data) != 1 || p.Data[0].AccountID != kim {
		t.Errorf("accountStatus filter %+v", p.Data)
	}
	if m, _ := s.User(kim); m.Active {
		t.Error("Server.User says active")
	}

	c.want(204, "POST", "/users/"+kim+"/manage/lifecycle/enable", "{}")
	if u := jc.cloudUser(kim, ""); !u.Active {
		t.Error("enabled user inactive")
	}
	if u := c.adminUser(kim, ""); u.AccountStatus != "active" || u.DeactivatedOn != nil {
		t.Errorf("enabled %+v", u)
	}

	for _, tt := range []struct {
		path string
		body any
		want int
	}{
		{"/users/" + synced + "/manage/lifecycle/disable", "{}", 403},
		{"/users/" + guest + "/manage/lifecycle/disable", "{}", 403},
		{"/users/" + guest + "/manage/lifecycle/enable", "{}", 403},
		{"/users/712020:nobody/manage/lifecycle/disable", "{}", 404},
		{"/users/" + kim + "/manage/lifecycle/disable", `{"message":`, 400},
	} {
		a := c.want(tt.want, "POST", tt.path, tt.body)
		if tt.want == 403 {
			var k struct{ Key string }
			if a.decode(t, &k); k.Key == "" {
				t.Errorf("%s: 403 without a reason key: %s", tt.path, a.body)
			}
			continue
		}
		a.adminError(t)
	}
	for _, id := range []string{kim, synced, guest} {
		if u := jc.cloudUser(id, ""); !u.Active {
			t.Errorf("%s deactivated by a refused request", id)
		}
	}
}

func TestAdminLastActiveDates(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c := orgClient(t, s)
	type dates struct {
		Data struct {
			ProductAccess []struct {
				ID         string `json:"id"`
				Key        string `json:"key"`
				LastActive string `json:"last_active"`
			} `json:"product_access"`
			AddedToOrg string `json:"added_to_org"`
		} `json:"data"`
		Links struct {
			Next *string `json:"next"`
		} `json:"links"`
	}
	path := func(email string) string {
		return "/admin/v1/orgs/demo-org/directory/users/" + accountID(t, s, email) + "/last-active-dates"
	}
	var d dates
	c.want(200, "GET", path("kim@example.com"), nil).decode(t, &d)
	if len(d.Data.ProductAccess) != 1 || d.Data.ProductAccess[0].Key != "jira-software" ||
		d.Data.ProductAccess[0].LastActive != "2026-01-19" || d.Data.AddedToOrg != "2021-03-04" || d.Links.Next != nil {
		t.Fatalf("dates %+v", d)
	}
	d = dates{}
	c.want(200, "GET", path("never@example.com"), nil).decode(t, &d)
	if d.Data.ProductAccess == nil || len(d.Data.ProductAccess) != 0 {
		t.Errorf("never active: %+v", d)
	}
	// Activity recorded later shows up.
	s.SetLastLogin("never@example.com", time.Date(2026, 2, 1, 23, 0, 0, 0, time.UTC))
	c.want(200, "GET", path("never@example.com"), nil).decode(t, &d)
	if len(d.Data.ProductAccess) != 1 || d.Data.ProductAccess[0].Key != "jira-servicedesk" || d.Data.ProductAccess[0].LastActive != "2026-02-01" {
		t.Errorf("after activity: %+v", d)
	}
}

func TestAdminRemoveFromDirectory(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c, jc := orgClient(t, s), cloudClient(t, s)
	kim := accountID(t, s, "kim@example.com")
	c.want(204, "DELETE", adminUsersPath+"/"+kim, nil)
	c.want(404, "GET", adminUsersPath+"/"+kim, nil).adminError(t)
	jc.want(404, "GET", "/rest/api/3/user?accountId="+kim, nil)
	if _, ok := s.User(kim); ok {
		t.Error("user still exists")
	}
	if m, _ := s.GroupMembers("eng"); len(m) != 0 {
		t.Errorf("eng members %v", m)
	}
}

func TestAdminAppAndCustomerAccounts(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(&jiratest.Org{Users: []jiratest.UserSpec{
		{Email: "bot@connect.example.com", DisplayName: "Bot", AccountType: jira.AccountApp},
		{Email: "buyer@customer.example", DisplayName: "Buyer", AccountType: jira.AccountCustomer},
	}}))
	var p adminPage
	orgClient(t, s).want(200, "GET", adminUsersPath, nil).decode(t, &p)
	types := map[string]bool{}
	for _, u := range p.Data {
		types[u.AccountType] = true
	}
	if !types["app"] || !types["customer"] || !types["atlassian"] {
		t.Errorf("account types %v", types)
	}
}

// listedActive reports whether GET /users/search lists the account as
// active; it fails the test when the account is not listed at all.
func (c *tclient) listedActive(id string) bool {
	c.t.Helper()
	var all []cloudUser
	c.want(200, "GET", "/rest/api/3/users/search?maxResults=1000", nil).decode(c.t, &all)
	for _, u := range all {
		if u.AccountID == id {
			return u.Active
		}
	}
	c.t.Fatalf("users/search does not list %s", id)
	return false
}
