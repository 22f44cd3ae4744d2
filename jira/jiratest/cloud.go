package jiratest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Limits of Jira Cloud REST v3, as JIRA-API.md and the Cloud OpenAPI
// record them.
const (
	cloudUsersMax    = 1000 // GET /users/search, /users, /user/search
	cloudSearchCap   = 1000 // GET /user/search considers the first 1000 matches only
	cloudBulkDefault = 10   // GET /user/bulk
	cloudBulkMax     = 200  // GET /user/bulk (unconfirmed; the spec gives no maximum)
	cloudGroupsMax   = 50   // GET /group/bulk
	cloudMemberMax   = 50   // GET /group/member
	cloudVersion     = "1001.0.0-SNAPSHOT"
	cloudAPI         = "/rest/api/3"
	cloudSiteAdmins  = "site-admins"
	cloudAppType     = "unknown" // appType of app accounts: the fake does not model service or agent apps
)

// cloudAPIs are the REST APIs Jira Cloud serves: v3, and v2 with the same
// operations on the same state, bodies in plain text instead of the
// Atlassian Document Format.
var cloudAPIs = []string{cloudAPI, "/rest/api/2"}

func (s *Server) registerCloud() {
	for _, api := range cloudAPIs {
		s.registerCloudAPI(api)
	}
	// Jira Cloud names the caller in X-AAccountId on every authenticated
	// response.
	for _, rt := range s.routes {
		if rt.auth == authOrg {
			continue
		}
		h := rt.h
		rt.h = func(c *call) {
			if c.caller != nil {
				c.w.Header().Set("X-AAccountId", c.caller.accountID)
			}
			h(c)
		}
	}
}

// registerCloudAPI registers the user, group, property and role routes
// of one of [cloudAPIs].
func (s *Server) registerCloudAPI(api string) {
	s.handle("GET", api+"/serverInfo", authAnon, nil, (*call).cloudServerInfo)
	s.handle("GET", api+"/myself", authUser, []string{"expand"}, func(c *call) {
		c.writeJSON(http.StatusOK, c.cloudUserJSON(c.caller, c.q("expand")))
	})
	s.handle("GET", api+"/users/search", authUser, []string{"startAt", "maxResults"}, (*call).cloudAllUsers)
	s.handle("GET", api+"/users", authUser, []string{"startAt", "maxResults"}, (*call).cloudAllUsers)
	s.handle("GET", api+"/user", authUser, []string{"accountId", "expand"}, func(c *call) {
		if u := c.cloudTarget(); u != nil {
			c.writeJSON(http.StatusOK, c.cloudUserJSON(u, c.q("expand")))
		}
	})
	s.handle("POST", api+"/user", authAdmin, nil, (*call).cloudCreateUser)
	s.handle("DELETE", api+"/user", authAdmin, []string{"accountId"}, siteAdminOnly((*call).cloudDeleteUser))
	s.handle("GET", api+"/user/search", authAnon,
		[]string{"query", "accountId", "property", "startAt", "maxResults"}, (*call).cloudSearchUsers)
	s.handle("GET", api+"/user/bulk", authUser, []string{"accountId", "startAt", "maxResults"}, (*call).cloudBulkUsers)
	s.handle("GET", api+"/user/groups", authUser, []string{"accountId"}, func(c *call) {
		u := c.cloudTarget()
		if u == nil {
			return
		}
		out := make([]cloudGroupName, 0, len(u.groups))
		for _, name := range u.groupNames() {
			out = append(out, c.cloudGroupName(c.st.group(name)))
		}
		c.writeJSON(http.StatusOK, out)
	})
	s.handle("GET", api+"/group/bulk", authUser,
		[]string{"groupId", "groupName", "accessType", "applicationKey", "startAt", "maxResults"}, (*call).cloudBulkGroups)
	s.handle("GET", api+"/group/member", authUser,
		[]string{"groupId", "groupname", "includeInactiveUsers", "startAt", "maxResults"}, (*call).cloudGroupMembers)
	// Group writes and DELETE user need site-admin: Administer Jira
	// (jira-admins) is not enough (siteAdminOnly).
	s.handle("POST", api+"/group/user", authAdmin, []string{"groupId", "groupname"}, siteAdminOnly((*call).cloudAddToGroup))
	s.handle("DELETE", api+"/group/user", authAdmin, []string{"groupId", "groupname", "accountId"}, siteAdminOnly((*call).cloudRemoveFromGroup))
	s.handle("POST", api+"/group", authAdmin, nil, func(c *call) {
		if !c.siteAdmin() {
			return
		}
		var b struct {
			Name string `json:"name"`
		}
		if !c.decode(&b) {
			return
		}
		if strings.TrimSpace(b.Name) == "" {
			c.fieldError(http.StatusBadRequest, "name", "You must specify a group name.")
			return
		}
		g, err := c.st.addGroup(strings.TrimSpace(b.Name), "")
		if err != nil {
			c.errorf(http.StatusBadRequest, "%s", err.Error())
			return
		}
		c.writeJSON(http.StatusCreated, c.cloudGroupJSON(g))
	})
	s.handle("DELETE", api+"/group", authAdmin,
		[]string{"groupId", "groupname", "swapGroupId", "swapGroup"}, siteAdminOnly((*call).cloudDeleteGroup))
	s.handle("GET", api+"/groups/picker", authAnon,
		[]string{"query", "exclude", "excludeId", "maxResults", "caseInsensitive", "accountId", "userName"}, (*call).cloudGroupPicker)
	s.registerProperties(api, []string{"accountId", "userKey", "username"})
	s.registerRoles(api)
}

func (c *call) cloudServerInfo() {
	c.writeJSON(http.StatusOK, map[string]any{
		"baseUrl": c.base(), "displayUrl": c.base(), "version": cloudVersion,
		"versionNumbers": []int{1001, 0, 0}, "deploymentType": "Cloud", "buildNumber": 100285,
		"buildDate": "2026-01-05T00:00:00.000+0000", "serverTime": time.Now().Format(jiraTime),
		"scmInfo": "seatwarden-jiratest", "serverTitle": "Jira (seatwarden fake)",
		"serverTimeZone": "Etc/UTC",
	})
}

// cloudTarget finds the user named by the accountId parameter. It writes
// 400 when the parameter is missing and 404 when there is no such user on
// the site (users removed from the site are gone from Jira).
func (c *call) cloudTarget() *user {
	id := c.q("accountId")
	if id == "" {
		c.errorf(http.StatusBadRequest, "The accountId query parameter needs to be provided.")
		return nil
	}
	u := c.st.byAccount[id]
	if u == nil || u.removed {
		c.errorf(http.StatusNotFound, "Specified user does not exist or you do not have required permissions")
		return nil
	}
	return u
}

// siteAdminOnly lets only site administrators through to h.
func siteAdminOnly(h func(*call)) func(*call) {
	return func(c *call) {
		if c.siteAdmin() {
			h(c)
		}
	}
}

// siteAdmin reports whether the caller is a site administrator; if not it
// answers 403.
func (c *call) siteAdmin() bool {
	if c.caller == nil || !c.caller.inGroup(cloudSiteAdmins) {
		c.errorf(http.StatusForbidden, "You must be a site administrator to perform this operation.")
		return false
	}
	return true
}

// cloudList is the legacy list wrapper of groups and applicationRoles
// inside a User.
type cloudList struct {
	Size  int   `json:"size"`
	Items []any `json:"items"`
}

type cloudGroupName struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
	Self    string `json:"self"`
}

type cloudRoleName struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// cloudUser is Cloud's User and, without locale, UserDetails.
type cloudUser struct {
	Self             string     `json:"self"`
	AccountID        string     `json:"accountId"`
	AccountType      string     `json:"accountType"`
	AppType          string     `json:"appType,omitempty"`
	EmailAddress     string     `json:"emailAddress,omitempty"`
	AvatarURLs       avatarURLs `json:"avatarUrls"`
	DisplayName      string     `json:"displayName"`
	Active           bool       `json:"active"`
	TimeZone         string     `json:"timeZone,omitempty"`
	Locale           string     `json:"locale,omitempty"`
	Groups           *cloudList `json:"groups,omitempty"`
	ApplicationRoles *cloudList `json:"applicationRoles,omitempty"`
	Expand           string     `json:"expand,omitempty"`
	Key              string     `json:"key"`
	Name             string     `json:"name"`
}

// cloudUserBase renders the fields every Cloud user listing has. The email
// is left out when the user's profile hides it.
func (c *call) cloudUserBase(u *user) cloudUser {
	b := cloudUser{
		Self:        c.base() + c.api() + "/user?accountId=" + url.QueryEscape(u.accountID),
		AccountID:   u.accountID,
		AccountType: string(u.accountType),
		AvatarURLs:  avatars(c.base(), u.accountID),
		DisplayName: u.displayName,
		Active:      u.jiraActive(),
		TimeZone:    u.timeZone,
		Locale:      u.locale,
	}
	if !u.emailHidden {
		b.EmailAddress = u.email
	}
	if u.accountType == jira.AccountApp {
		b.AppType = cloudAppType
	}
	return b
}

func (c *call) cloudGroupName(g *group) cloudGroupName {
	return cloudGroupName{Name: g.name, GroupID: g.id, Self: c.base() + c.api() + "/group?groupId=" + g.id}
}

// cloudUserJSON renders a full User; expand may ask for groups and
// applicationRoles.
func (c *call) cloudUserJSON(u *user, expand string) cloudUser {
	b := c.cloudUserBase(u)
	b.Expand = "groups,applicationRoles"
	b.Groups = &cloudList{Size: len(u.groups), Items: []any{}}
	lic := c.st.licences(u)
	b.ApplicationRoles = &cloudList{Size: len(lic), Items: []any{}}
	if hasExpand(expand, "groups") {
		for _, name := range u.groupNames() {
			b.Groups.Items = append(b.Groups.Items, c.cloudGroupName(c.st.group(name)))
		}
	}
	if hasExpand(expand, "applicationRoles") {
		for _, k := range lic {
			b.ApplicationRoles.Items = append(b.ApplicationRoles.Items, cloudRoleName{Key: k, Name: c.st.role(k).name})
		}
	}
	return b
}

// cloudAllUsers serves GET /users/search and GET /users: every user of
// the site, whatever the state or account type, in creation order.
func (c *call) cloudAllUsers() {
	startAt, maxResults, ok := c.page(50, cloudUsersMax)
	if !ok {
		return
	}
	out := make([]cloudUser, 0, min(maxResults, 256))
	i := 0
	for _, u := range c.st.sortedUsers() {
		if u.removed {
			continue
		}
		if i >= startAt {
			out = append(out, c.cloudUserBase(u))
			if len(out) == maxResults {
				break
			}
		}
		i++
	}
	c.writeJSON(http.StatusOK, out)
}

// newUserDetails is the body of POST /user.
type newUserDetails struct {
	EmailAddress string    `json:"emailAddress"`
	DisplayName  string    `json:"displayName"`
	Products     *[]string `json:"products"`
	// Legacy fields Cloud accepts and ignores.
	Name            string   `json:"name"`
	Key             string   `json:"key"`
	Password        string   `json:"password"`
	ApplicationKeys []string `json:"applicationKeys"`
	Self            string   `json:"self"`
}

func (c *call) cloudCreateUser() {
	var b newUserDetails
	if !c.decode(&b) {
		return
	}
	errs := map[string]string{}
	email := strings.TrimSpace(b.EmailAddress)
	if !strings.Contains(email, "@") {
		errs["emailAddress"] = "You must specify a valid email address."
	}
	if b.Products == nil {
		errs["products"] = "You must specify the products the user gets access to ([] for none)."
	}
	var roles []*appRole
	if b.Products != nil {
		for _, k := range *b.Products {
			r := c.st.role(k)
			if r == nil {
				errs["products"] = fmt.Sprintf("Product '%s' is not valid.", k)
				continue
			}
			roles = append(roles, r)
		}
	}
	if len(errs) > 0 {
		writeErrors(c.w, http.StatusBadRequest, nil, errs)
		return
	}
	if u := c.st.byEmail[strings.ToLower(email)]; u != nil {
		// Inviting an existing user: 201 when the user has access to
		// Jira, 400 when not.
		if u.removed || len(c.st.licences(u)) == 0 {
			c.errorf(http.StatusBadRequest, "The user '%s' already exists but does not have access to Jira.", email)
			return
		}
		for _, r := range roles {
			for _, g := range r.defaultGroups {
				c.st.join(c.st.group(g), u)
			}
		}
		c.writeJSON(http.StatusCreated, c.cloudUserJSON(u, ""))
		return
	}
	for _, r := range roles {
		if r.seats >= 0 && c.st.roleUsers(r) >= r.seats {
			c.errorf(http.StatusBadRequest, "The number of licensed users for %s is exceeded (%d seats).", r.name, r.seats)
			return
		}
	}
	name := strings.TrimSpace(b.DisplayName)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	u := &user{email: email, displayName: name, active: true, created: time.Now().UTC()}
	if err := c.st.addUser(u); err != nil {
		c.fieldError(http.StatusBadRequest, "emailAddress", err.Error())
		return
	}
	for _, r := range roles {
		for _, g := range r.defaultGroups {
			c.st.join(c.st.group(g), u)
		}
	}
	c.events = append(c.events, c.userCreatedEvent(u))
	c.writeJSON(http.StatusCreated, c.cloudUserJSON(u, ""))
}

// cloudDeleteUser removes a user from the Jira site. The Atlassian account
// stays in the organisation: the Admin API still lists it.
func (c *call) cloudDeleteUser() {
	if !c.siteAdmin() {
		return
	}
	u := c.cloudTarget()
	if u == nil {
		return
	}
	if u == c.caller {
		c.errorf(http.StatusBadRequest, "You cannot remove yourself from the site.")
		return
	}
	for g := range u.groups {
		c.st.leave(g, u)
	}
	u.removed = true
	c.noContent(http.StatusNoContent)
}

// cloudMatches applies Cloud's user search: query matches a prefix of a
// word of the display name or of the visible email, ignoring case.
func cloudMatches(u *user, q string) bool {
	q = strings.ToLower(q)
	if !u.emailHidden && strings.HasPrefix(strings.ToLower(u.email), q) {
		return true
	}
	name := strings.ToLower(u.displayName)
	if strings.HasPrefix(name, q) {
		return true
	}
	for _, w := range strings.Fields(name) {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return false
}

// propertyMatches applies the property parameter of user search:
// "key.path.to.value=value" matches users whose entity property key holds
// value at that path (a JSON string compares without its quotes).
func propertyMatches(u *user, key string, path []string, want string) bool {
	raw, ok := u.properties[key]
	if !ok {
		return false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[p]; !ok {
			return false
		}
	}
	switch x := v.(type) {
	case string:
		return x == want
	case map[string]any, []any:
		return false
	default:
		b, _ := json.Marshal(x)
		return string(b) == want
	}
}

func (c *call) cloudSearchUsers() {
	query, account, property := c.q("query"), c.q("accountId"), c.q("property")
	switch {
	case query == "" && account == "" && property == "":
		c.errorf(http.StatusBadRequest, "One of 'query', 'accountId' or 'property' query parameters must be provided.")
		return
	case query != "" && account != "":
		c.errorf(http.StatusBadRequest, "The 'query' and 'accountId' query parameters cannot be used together.")
		return
	}
	var propKey, propWant string
	var propPath []string
	if property != "" {
		p, want, ok := strings.Cut(property, "=")
		parts := strings.Split(p, ".")
		if !ok || slices.Contains(parts, "") {
			c.errorf(http.StatusBadRequest, "The property '%s' is not valid: use key.path=value.", property)
			return
		}
		propKey, propPath, propWant = parts[0], parts[1:], want
	}
	startAt, maxResults, ok := c.page(50, cloudUsersMax)
	if !ok {
		return
	}
	out := make([]cloudUser, 0, min(maxResults, 64))
	if c.caller == nil {
		// Anonymous callers lack Browse users and groups: empty results.
		c.writeJSON(http.StatusOK, out)
		return
	}
	i := 0
	for _, u := range c.st.sortedUsers() {
		if i >= cloudSearchCap || len(out) == maxResults {
			break
		}
		if u.removed || !u.jiraActive() ||
			(account != "" && u.accountID != account) ||
			(query != "" && !cloudMatches(u, query)) ||
			(property != "" && !propertyMatches(u, propKey, propPath, propWant)) {
			continue
		}
		if i >= startAt {
			out = append(out, c.cloudUserBase(u))
		}
		i++
	}
	c.writeJSON(http.StatusOK, out)
}

// pageBean renders a PageBean of the given page of values out of total.
func (c *call) pageBean(startAt, maxResults, total int, values any) map[string]any {
	q := c.r.URL.Query()
	q.Set("startAt", strconv.Itoa(startAt))
	q.Set("maxResults", strconv.Itoa(maxResults))
	page := map[string]any{
		"self": c.base() + c.r.URL.Path + "?" + q.Encode(), "maxResults": maxResults,
		"startAt": startAt, "total": total, "isLast": startAt+maxResults >= total, "values": values,
	}
	if startAt+maxResults < total {
		q.Set("startAt", strconv.Itoa(startAt+maxResults))
		page["nextPage"] = c.base() + c.r.URL.Path + "?" + q.Encode()
	}
	return page
}

func (c *call) cloudBulkUsers() {
	ids := c.r.URL.Query()["accountId"]
	if len(ids) == 0 {
		c.errorf(http.StatusBadRequest, "The accountId query parameter needs to be provided.")
		return
	}
	startAt, maxResults, ok := c.page(cloudBulkDefault, cloudBulkMax)
	if !ok {
		return
	}
	var found []*user
	seen := map[*user]bool{}
	for _, id := range ids {
		if u := c.st.byAccount[id]; u != nil && !u.removed && !seen[u] {
			seen[u] = true
			found = append(found, u)
		}
	}
	start := min(startAt, len(found))
	end := min(start+maxResults, len(found))
	values := make([]cloudUser, 0, end-start)
	for _, u := range found[start:end] {
		values = append(values, c.cloudUserBase(u))
	}
	c.writeJSON(http.StatusOK, c.pageBean(startAt, maxResults, len(found), values))
}

type cloudGroupDetails struct {
	GroupID string `json:"groupId"`
	Name    string `json:"name"`
}

func (c *call) cloudBulkGroups() {
	q := c.r.URL.Query()
	startAt, maxResults, ok := c.page(cloudGroupsMax, cloudGroupsMax)
	if !ok {
		return
	}
	var only []string // group names the access type or application selects
	switch at := c.q("accessType"); at {
	case "":
	case "site-admin":
		only = []string{cloudSiteAdmins}
	case "admin":
		only = slices.Clone(c.st.adminGrps)
	case "user":
		for _, r := range c.st.roles {
			only = append(only, r.groups...)
		}
	default:
		c.errorf(http.StatusBadRequest, "Invalid accessType '%s': use site-admin, admin or user.", at)
		return
	}
	if key := c.q("applicationKey"); key != "" {
		r := c.st.role(key)
		if r == nil && key != "jira-core" {
			c.errorf(http.StatusBadRequest, "Invalid applicationKey '%s'.", key)
			return
		}
		var groups []string
		if r != nil {
			groups = r.groups
		}
		if c.has("accessType") {
			only = slices.DeleteFunc(only, func(n string) bool { return !slices.Contains(groups, n) })
		} else {
			only = slices.Clone(groups)
		}
		if only == nil {
			only = []string{}
		}
	}
	ids, names := q["groupId"], q["groupName"]
	var matched []*group
	for _, key := range sortedKeys(c.st.groups) {
		g := c.st.groups[key]
		if only != nil && !slices.Contains(only, g.name) {
			continue
		}
		if (len(ids) > 0 || len(names) > 0) && !slices.Contains(ids, g.id) &&
			!slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, g.name) }) {
			continue
		}
		matched = append(matched, g)
	}
	start := min(startAt, len(matched))
	end := min(start+maxResults, len(matched))
	values := make([]cloudGroupDetails, 0, end-start)
	for _, g := range matched[start:end] {
		values = append(values, cloudGroupDetails{GroupID: g.id, Name: g.name})
	}
	c.writeJSON(http.StatusOK, c.pageBean(startAt, maxResults, len(matched), values))
}

// cloudGroup finds the group named by exactly one of two parameters (the
// id first, then the name), or writes 400 or 404.
func (c *call) cloudGroup(idParam, nameParam string) *group {
	id, name := c.q(idParam), c.q(nameParam)
	var g *group
	switch {
	case id != "" && name != "":
		c.errorf(http.StatusBadRequest, "Only one of '%s' and '%s' can be provided.", idParam, nameParam)
		return nil
	case id != "":
		g = c.st.groupByID[id]
	case name != "":
		g = c.st.group(name)
	default:
		c.errorf(http.StatusBadRequest, "Either '%s' or '%s' must be provided.", idParam, nameParam)
		return nil
	}
	if g == nil {
		c.errorf(http.StatusNotFound, "Specified group does not exist.")
	}
	return g
}

func (c *call) cloudGroupJSON(g *group) map[string]any {
	return map[string]any{
		"name": g.name, "groupId": g.id, "self": c.base() + c.api() + "/group?groupId=" + g.id,
		"users":  map[string]any{"size": len(g.members), "items": []any{}, "max-results": 50, "start-index": 0, "end-index": 0},
		"expand": "users",
	}
}

func (c *call) cloudGroupMembers() {
	g := c.cloudGroup("groupId", "groupname")
	if g == nil {
		return
	}
	startAt, maxResults, ok := c.page(cloudMemberMax, cloudMemberMax)
	if !ok {
		return
	}
	incl, ok := c.boolParam("includeInactiveUsers", false)
	if !ok {
		return
	}
	c.writeJSON(http.StatusOK, c.memberPage(g, startAt, maxResults, incl, func(u *user) any {
		b := c.cloudUserBase(u)
		b.Locale, b.AppType = "", "" // UserDetails has neither
		return b
	}))
}

// bodyAccount reads {"accountId"} from the body and finds the user, or
// writes 400 or 404.
func (c *call) bodyAccount() *user {
	var b struct {
		AccountID string `json:"accountId"`
		Name      string `json:"name"`
	}
	if !c.decode(&b) {
		return nil
	}
	if b.AccountID == "" {
		c.fieldError(http.StatusBadRequest, "accountId", "You must specify the accountId of the user.")
		return nil
	}
	u := c.st.byAccount[b.AccountID]
	if u == nil || u.removed {
		c.errorf(http.StatusNotFound, "Specified user does not exist or you do not have required permissions")
		return nil
	}
	return u
}

// cloudAddToGroup adds a user to a group. Adding a member again answers
// 400, as DC does (Cloud's behaviour is unconfirmed).
func (c *call) cloudAddToGroup() {
	if !c.siteAdmin() {
		return
	}
	g := c.cloudGroup("groupId", "groupname")
	if g == nil {
		return
	}
	u := c.bodyAccount()
	if u == nil {
		return
	}
	if !c.st.join(g, u) {
		c.errorf(http.StatusBadRequest, "Cannot add user. '%s' is already a member of '%s'", u.accountID, g.name)
		return
	}
	c.writeJSON(http.StatusCreated, c.cloudGroupJSON(g))
}

func (c *call) cloudRemoveFromGroup() {
	if !c.siteAdmin() {
		return
	}
	g := c.cloudGroup("groupId", "groupname")
	if g == nil {
		return
	}
	u := c.cloudTarget()
	if u == nil {
		return
	}
	if !c.st.leave(g, u) {
		c.errorf(http.StatusBadRequest, "Cannot remove user '%s' from group '%s' since user is not a member of '%s'", u.accountID, g.name, g.name)
		return
	}
	c.noContent(http.StatusOK)
}

func (c *call) cloudDeleteGroup() {
	if !c.siteAdmin() {
		return
	}
	g := c.cloudGroup("groupId", "groupname")
	if g == nil {
		return
	}
	if slices.Contains(c.st.adminGrps, g.name) {
		c.errorf(http.StatusBadRequest, "You cannot delete the group '%s': it grants administration permissions.", g.name)
		return
	}
	if c.q("swapGroupId") != "" || c.q("swapGroup") != "" {
		sw := c.cloudGroup("swapGroupId", "swapGroup")
		if sw == nil {
			return
		}
		if sw == g {
			c.errorf(http.StatusBadRequest, "You cannot swap a group with itself.")
			return
		}
	}
	c.st.removeGroup(g)
	c.noContent(http.StatusOK)
}

type foundGroup struct {
	GroupID   string `json:"groupId"`
	Name      string `json:"name"`
	HTML      string `json:"html"`
	Labels    []any  `json:"labels"`
	ManagedBy string `json:"managedBy"`
	UsageType string `json:"usageType"`
}

// highlight writes name as HTML with the first match of query in bold, as
// the picker's html field has it.
func highlight(name, query string) string {
	lower := strings.ToLower(name)
	i := strings.Index(lower, strings.ToLower(query))
	if query == "" || i < 0 || len(lower) != len(name) {
		return html.EscapeString(name)
	}
	j := i + len(strings.ToLower(query))
	if j > len(name) {
		return html.EscapeString(name)
	}
	return html.EscapeString(name[:i]) + "<b>" + html.EscapeString(name[i:j]) + "</b>" + html.EscapeString(name[j:])
}

func (c *call) cloudGroupPicker() {
	caseInsensitive, ok := c.boolParam("caseInsensitive", false)
	if !ok {
		return
	}
	limit, ok := c.intParam("maxResults", c.s.cfg.pickerLimit)
	if !ok {
		return
	}
	if limit <= 0 || limit > c.s.cfg.pickerLimit {
		limit = c.s.cfg.pickerLimit
	}
	matched, _, ok := c.pickGroups("exclude")
	if !ok {
		return
	}
	if c.caller == nil {
		matched = nil // anonymous callers get an empty list
	}
	query, excludeIDs := c.q("query"), c.r.URL.Query()["excludeId"]
	matched = slices.DeleteFunc(matched, func(g *group) bool {
		return slices.Contains(excludeIDs, g.id) || !caseInsensitive && !strings.Contains(g.name, query)
	})
	shown := min(limit, len(matched))
	groups := make([]foundGroup, 0, shown)
	for _, g := range matched[:shown] {
		groups = append(groups, foundGroup{GroupID: g.id, Name: g.name, HTML: highlight(g.name, query),
			Labels: []any{}, ManagedBy: "ADMINS", UsageType: "USERBASE_GROUP"})
	}
	c.writeJSON(http.StatusOK, map[string]any{
		"header": fmt.Sprintf("Showing %d of %d matching groups", shown, len(matched)),
		"total":  len(matched), "groups": groups,
	})
}
