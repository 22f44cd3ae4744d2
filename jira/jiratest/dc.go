package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Limits of Jira DC, as JIRA-API.md records them.
const (
	dcSearchMax     = 1000 // GET /user/search: "results truncated" above
	dcSearchTotal   = 100  // GET /user/search on Jira 10+: only the first 100 results, in total
	dcListDefault   = 2000 // GET /user/list default and cap
	dcMemberMax     = 50   // GET /group/member
	propertyMaxSize = 32768
	propertyKeyMax  = 255
)

// lastLoginLayout is DC's lastLoginTime format: 2023-08-30T16:37:01+1000.
const lastLoginLayout = "2006-01-02T15:04:05-0700"

func (s *Server) registerRoutes() {
	s.registerWebhooks()
	s.registerIssues()
	if s.cfg.flavor == jira.DataCenter {
		s.registerDC()
		return
	}
	s.registerCloud()
	s.registerAdmin()
}

// dcCaps is what an emulated Jira DC release serves: the version matrix
// (JIRA-API.md, "Corrections").
type dcCaps struct {
	lastLogin   bool // UserBean.lastLoginTime in user listings (10.0+)
	userList    bool // GET /user/list (10.3 LTS and 11.0+)
	searchTotal int  // user/search serves only the first searchTotal results (100 on 10+); 0: no cap
	oldWebhooks bool // /rest/webhooks/1.0/webhook (before 10)
	newWebhooks bool // /rest/jira-webhook/1.0/webhooks (10+)
	sessions    bool // DELETE /user/session/{username} (10+)
	basicOff    bool // Basic authentication off by default (11+)
}

// dcVersionNumbers parses "10.3.24" into [10 3 24]; missing parts are 0.
func dcVersionNumbers(v string) [3]int {
	var nums [3]int
	for i, p := range strings.SplitN(v, ".", 3) {
		nums[i], _ = strconv.Atoi(p)
	}
	return nums
}

// dcCapsOf returns the capabilities of DC release v.
func dcCapsOf(v string) dcCaps {
	n := dcVersionNumbers(v)
	at := func(major, minor int) bool { return n[0] > major || n[0] == major && n[1] >= minor }
	c := dcCaps{
		lastLogin: at(10, 0), userList: at(10, 3), oldWebhooks: !at(10, 0), newWebhooks: at(10, 0),
		sessions: at(10, 0), basicOff: at(11, 0),
	}
	if at(10, 0) {
		c.searchTotal = dcSearchTotal
	}
	return c
}

// caps returns the capabilities of the emulated DC release.
func (s *Server) caps() dcCaps { return s.dcCaps }

// hasLastLogin reports whether the emulated DC server sends lastLoginTime.
func (s *Server) hasLastLogin() bool { return s.dcCaps.lastLogin }

func (s *Server) registerDC() {
	const api = "/rest/api/2"
	ident := []string{"username", "key"}
	s.handle("GET", api+"/serverInfo", authAnon, []string{"doHealthCheck"}, (*call).dcServerInfo)
	s.handle("GET", api+"/myself", authUser, []string{"expand"}, func(c *call) {
		c.writeJSON(http.StatusOK, c.dcUserJSON(c.caller, c.q("expand")))
	})
	s.handle("GET", api+"/user", authUser, append(ident, "includeDeleted", "expand"), func(c *call) {
		if u := c.dcTarget("username", "key"); u != nil {
			c.writeJSON(http.StatusOK, c.dcUserJSON(u, c.q("expand")))
		}
	})
	s.handle("POST", api+"/user", authAdmin, nil, (*call).dcCreateUser)
	s.registerDirectories()
	s.handle("PUT", api+"/user", authAdmin, ident, (*call).dcUpdateUser)
	s.handle("DELETE", api+"/user", authAdmin, ident, (*call).dcDeleteUser)
	// query is not Jira's parameter, but clients written for Cloud send
	// it (empty) and Jira ignores it.
	s.handle("GET", api+"/user/search", authUser,
		[]string{"username", "query", "startAt", "maxResults", "includeActive", "includeInactive"}, (*call).dcSearchUsers)
	if s.caps().userList {
		s.handle("GET", api+"/user/list", authAdmin, []string{"cursor", "maxResults"}, (*call).dcListUsers)
	}
	s.handle("PUT", api+"/user/password", authAdmin, ident, (*call).dcSetPassword)
	s.handle("POST", api+"/user/application", authAdmin, []string{"username", "applicationKey"}, func(c *call) { c.dcApplication(true) })
	s.handle("DELETE", api+"/user/application", authAdmin, []string{"username", "applicationKey"}, func(c *call) { c.dcApplication(false) })
	if s.caps().sessions {
		s.handle("DELETE", api+"/user/session/{username}", authAdmin, nil, func(c *call) {
			u := c.st.byName[strings.ToLower(c.r.PathValue("username"))]
			if u == nil {
				c.errorf(http.StatusNotFound, "The user named '%s' does not exist", c.r.PathValue("username"))
				return
			}
			u.sessionsValid = 0
			c.noContent(http.StatusOK) // 200, not 204 (JIRA-API.md, "Corrections")
		})
	}
	s.handle("POST", api+"/group", authAdmin, nil, func(c *call) {
		var b struct {
			Name string `json:"name"`
		}
		if !c.decode(&b) {
			return
		}
		g, err := c.st.addGroup(strings.TrimSpace(b.Name), "")
		if err != nil {
			c.errorf(http.StatusBadRequest, "%s", err.Error())
			return
		}
		c.writeJSON(http.StatusCreated, c.dcGroupJSON(g))
	})
	s.handle("DELETE", api+"/group", authAdmin, []string{"groupname", "swapGroup"}, func(c *call) {
		g := c.dcGroup()
		if g == nil {
			return
		}
		if slices.Contains(c.st.adminGrps, g.name) {
			c.errorf(http.StatusBadRequest, "You cannot delete the group '%s': it grants administration permissions.", g.name)
			return
		}
		if sw := c.q("swapGroup"); sw != "" && c.st.group(sw) == nil {
			c.errorf(http.StatusBadRequest, "The swap group '%s' does not exist.", sw)
			return
		}
		c.st.removeGroup(g)
		c.noContent(http.StatusOK)
	})
	// expand (e.g. users[0:50]) is sent by some clients and ignored.
	s.handle("GET", api+"/group/member", authAdmin,
		[]string{"groupname", "includeInactiveUsers", "startAt", "maxResults", "expand"}, (*call).dcGroupMembers)
	s.handle("POST", api+"/group/user", authAdmin, []string{"groupname"}, (*call).dcAddToGroup)
	s.handle("DELETE", api+"/group/user", authAdmin, []string{"groupname", "username"}, (*call).dcRemoveFromGroup)
	s.handle("GET", api+"/groups/picker", authUser, []string{"query", "exclude", "maxResults", "userName"}, (*call).dcGroupPicker)
	s.registerProperties(api, []string{"username", "userKey"})
	s.registerRoles(api)
}

func (c *call) dcServerInfo() {
	nums := dcVersionNumbers(c.s.cfg.dcVersion)
	build := nums[0]*100000 + nums[1]*1000 + nums[2]
	c.writeJSON(http.StatusOK, map[string]any{
		"baseUrl": c.base(), "version": c.s.cfg.dcVersion, "versionNumbers": nums,
		"deploymentType": "Server", "buildNumber": build,
		"buildDate":  "2025-06-02T00:00:00.000+0000",
		"serverTime": time.Now().Format(jiraTime), "scmInfo": "seatwarden-jiratest",
		"serverTitle": "Jira (seatwarden fake)",
	})
}

// dcTarget finds the user a request names by name or key parameters. It
// writes 400 or 404 and returns nil when there is none.
func (c *call) dcTarget(nameParam, keyParam string) *user {
	name, key := c.q(nameParam), c.q(keyParam)
	var u *user
	switch {
	case name != "":
		u = c.st.byName[strings.ToLower(name)]
	case key != "":
		u = c.st.byKey[key]
	default:
		c.errorf(http.StatusBadRequest, "Either the '%s' or the '%s' query parameter is required.", nameParam, keyParam)
		return nil
	}
	if u == nil {
		who := name
		if who == "" {
			who = key
		}
		c.errorf(http.StatusNotFound, "The user named '%s' does not exist", who)
	}
	return u
}

type avatarURLs struct {
	X48 string `json:"48x48"`
	X24 string `json:"24x24"`
	X16 string `json:"16x16"`
	X32 string `json:"32x32"`
}

func avatars(base, owner string) avatarURLs {
	u := base + "/secure/useravatar?ownerId=" + url.QueryEscape(owner) + "&avatarId=10122"
	return avatarURLs{u, u + "&size=small", u + "&size=xsmall", u + "&size=medium"}
}

type itemList struct {
	Size       int   `json:"size"`
	Items      []any `json:"items"`
	MaxResults int   `json:"max-results,omitempty"`
}

type dcUserBean struct {
	Self             string     `json:"self"`
	Key              string     `json:"key"`
	Name             string     `json:"name"`
	EmailAddress     string     `json:"emailAddress"`
	AvatarURLs       avatarURLs `json:"avatarUrls"`
	DisplayName      string     `json:"displayName"`
	Active           bool       `json:"active"`
	Deleted          bool       `json:"deleted"`
	TimeZone         string     `json:"timeZone"`
	Locale           string     `json:"locale,omitempty"`
	LastLoginTime    string     `json:"lastLoginTime,omitempty"`
	Groups           *itemList  `json:"groups,omitempty"`
	ApplicationRoles *itemList  `json:"applicationRoles,omitempty"`
	Expand           string     `json:"expand,omitempty"`
}

// dcUserBase renders the fields every DC user listing has.
func (c *call) dcUserBase(u *user) dcUserBean {
	b := dcUserBean{
		Self: c.base() + "/rest/api/2/user?username=" + url.QueryEscape(u.name),
		Key:  u.key, Name: u.name, EmailAddress: u.email, AvatarURLs: avatars(c.base(), u.key),
		DisplayName: u.displayName, Active: u.active, TimeZone: u.timeZone, Locale: u.locale,
	}
	if c.s.hasLastLogin() && !u.lastLogin.IsZero() {
		b.LastLoginTime = u.lastLogin.Format(lastLoginLayout)
	}
	return b
}

// dcUserJSON renders a full UserBean; expand may ask for groups and
// applicationRoles.
func (c *call) dcUserJSON(u *user, expand string) dcUserBean {
	b := c.dcUserBase(u)
	b.Expand = "groups,applicationRoles"
	b.Groups = &itemList{Size: len(u.groups), Items: []any{}}
	lic := c.st.licences(u)
	b.ApplicationRoles = &itemList{Size: len(lic), Items: []any{}}
	if hasExpand(expand, "groups") {
		for _, g := range u.groupNames() {
			b.Groups.Items = append(b.Groups.Items, map[string]string{
				"name": g, "self": c.base() + "/rest/api/2/group?groupname=" + url.QueryEscape(g)})
		}
	}
	if hasExpand(expand, "applicationRoles") {
		for _, k := range lic {
			b.ApplicationRoles.Items = append(b.ApplicationRoles.Items, map[string]string{"key": k, "name": c.st.role(k).name})
		}
	}
	return b
}

func hasExpand(expand, what string) bool {
	for _, e := range strings.Split(expand, ",") {
		if strings.TrimSpace(e) == what {
			return true
		}
	}
	return false
}

// dcWritable reports whether the user's directory allows writes; if not it
// answers status with Jira's message.
func (c *call) dcWritable(u *user, status int) bool {
	if u.dir != nil && u.dir.readOnly {
		c.errorf(status, "The user '%s' is in the read-only directory '%s' and cannot be changed.", u.name, u.dir.name)
		return false
	}
	return true
}

// dcMaySysadmin reports whether the caller may change u: only system
// administrators change system administrators.
func (c *call) dcMaySysadmin(u *user) bool {
	if u.inGroup("jira-system-administrators") && !c.caller.inGroup("jira-system-administrators") {
		c.errorf(http.StatusForbidden, "You must be a system administrator to change the user '%s'.", u.name)
		return false
	}
	return true
}

type dcUserWrite struct {
	Name            *string   `json:"name"`
	Password        *string   `json:"password"`
	EmailAddress    *string   `json:"emailAddress"`
	DisplayName     *string   `json:"displayName"`
	Notification    any       `json:"notification"`
	ApplicationKeys *[]string `json:"applicationKeys"`
	Active          *bool     `json:"active"`
	Key             *string   `json:"key"`
	Self            *string   `json:"self"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (c *call) dcCreateUser() {
	var b dcUserWrite
	if !c.decode(&b) {
		return
	}
	errs := map[string]string{}
	name := strings.TrimSpace(deref(b.Name))
	switch {
	case name == "":
		errs["username"] = "You must specify a username."
	case c.st.byName[strings.ToLower(name)] != nil && !c.st.shadowable(c.st.byName[strings.ToLower(name)]):
		errs["username"] = "A user with that username already exists."
	}
	if !strings.Contains(deref(b.EmailAddress), "@") {
		errs["email"] = "You must specify a valid email address."
	}
	if strings.TrimSpace(deref(b.DisplayName)) == "" {
		errs["displayName"] = "You must specify a full name."
	}
	keys := []string{"jira-software"} // selected by default
	if b.ApplicationKeys != nil {
		keys = *b.ApplicationKeys
	}
	for _, k := range keys {
		if c.st.role(k) == nil {
			errs["applicationKeys"] = fmt.Sprintf("Application key '%s' is not valid.", k)
		}
	}
	if len(errs) > 0 {
		writeErrors(c.w, http.StatusBadRequest, nil, errs)
		return
	}
	u := &user{name: name, email: *b.EmailAddress, displayName: *b.DisplayName, active: true,
		password: deref(b.Password), created: time.Now().UTC()}
	if old := c.st.byName[strings.ToLower(name)]; old != nil {
		u.key = c.st.shadow(old) // shadow.go
	}
	for _, d := range c.st.dirs {
		if !d.readOnly {
			u.dir = d
			break
		}
	}
	if err := c.st.addUser(u); err != nil {
		c.fieldError(http.StatusBadRequest, "username", err.Error())
		return
	}
	for _, k := range keys {
		for _, g := range c.st.role(k).defaultGroups {
			c.st.join(c.st.group(g), u)
		}
	}
	c.events = append(c.events, c.userCreatedEvent(u))
	c.writeJSON(http.StatusCreated, c.dcUserJSON(u, ""))
}

func (c *call) dcUpdateUser() {
	u := c.dcTarget("username", "key")
	if u == nil {
		return
	}
	var b dcUserWrite
	if !c.decode(&b) || !c.dcMaySysadmin(u) {
		return
	}
	changes := (b.Name != nil && *b.Name != u.name) || (b.EmailAddress != nil && *b.EmailAddress != u.email) ||
		(b.DisplayName != nil && *b.DisplayName != u.displayName) || (b.Active != nil && *b.Active != u.active)
	if changes && !c.dcWritable(u, http.StatusForbidden) {
		return
	}
	if b.Active != nil && !*b.Active && u == c.caller {
		c.errorf(http.StatusBadRequest, "You cannot deactivate your own user.")
		return
	}
	if b.EmailAddress != nil && !strings.Contains(*b.EmailAddress, "@") {
		c.fieldError(http.StatusBadRequest, "email", "You must specify a valid email address.")
		return
	}
	if b.Name != nil && *b.Name != u.name {
		if err := c.st.rename(u, strings.TrimSpace(*b.Name)); err != nil {
			c.fieldError(http.StatusBadRequest, "username", "A user with that username already exists.")
			return
		}
	}
	if b.EmailAddress != nil {
		c.st.setEmail(u, *b.EmailAddress)
	}
	if b.DisplayName != nil && strings.TrimSpace(*b.DisplayName) != "" {
		u.displayName = *b.DisplayName
	}
	if b.Active != nil {
		u.active = *b.Active
	}
	c.writeJSON(http.StatusOK, c.dcUserJSON(u, ""))
}

func (c *call) dcDeleteUser() {
	u := c.dcTarget("username", "key")
	if u == nil || !c.dcMaySysadmin(u) {
		return
	}
	if u == c.caller {
		c.errorf(http.StatusBadRequest, "You cannot delete the currently logged in user.")
		return
	}
	var led []string
	for _, k := range sortedKeys(c.st.projects) {
		if c.st.projects[k].lead == u {
			led = append(led, k)
		}
	}
	if len(led) > 0 {
		c.errorf(http.StatusBadRequest, "Cannot delete user '%s' because they are the project lead of: %s.", u.name, strings.Join(led, ", "))
		return
	}
	if !c.dcWritable(u, http.StatusBadRequest) {
		return
	}
	c.st.deleteUser(u)
	for t, id := range c.s.tokens {
		if id == u.key {
			delete(c.s.tokens, t)
		}
	}
	c.noContent(http.StatusNoContent)
}

// dcMatches applies DC's user search: "." and "*" match everyone; any other
// query matches a prefix of the name, the email, or a word of the display
// name, ignoring case.
func dcMatches(u *user, q string) bool {
	if q == "." || q == "*" || q == "" {
		return true
	}
	q = strings.ToLower(q)
	if strings.HasPrefix(strings.ToLower(u.name), q) || strings.HasPrefix(strings.ToLower(u.email), q) {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(u.displayName)) {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return strings.HasPrefix(strings.ToLower(u.displayName), q)
}

func (c *call) dcSearchUsers() {
	q := c.q("username")
	if !c.has("username") || q == "" {
		c.errorf(http.StatusBadRequest, "The username query parameter was not provided")
		return
	}
	startAt, maxResults, ok := c.page(50, dcSearchMax)
	if !ok {
		return
	}
	if limit := c.s.caps().searchTotal; limit > 0 {
		// Jira 10+: startAt + maxResults is limited to the first 100
		// results (JRASERVER-78660); nothing is served past them.
		maxResults = min(maxResults, limit-startAt)
		if maxResults <= 0 {
			c.writeJSON(http.StatusOK, []dcUserBean{})
			return
		}
	}
	inclActive, ok := c.boolParam("includeActive", true)
	if !ok {
		return
	}
	inclInactive, ok := c.boolParam("includeInactive", false)
	if !ok {
		return
	}
	out := make([]dcUserBean, 0, min(maxResults, 64))
	i := 0
	for _, u := range c.st.sortedUsers() {
		if (u.active && !inclActive) || (!u.active && !inclInactive) || !dcMatches(u, q) {
			continue
		}
		if i >= startAt {
			out = append(out, c.dcUserBase(u))
			if len(out) == maxResults {
				break
			}
		}
		i++
	}
	c.writeJSON(http.StatusOK, out)
}

func (c *call) dcListUsers() {
	cursor, ok := c.intParam("cursor", 0)
	if !ok {
		return
	}
	maxResults, ok := c.intParam("maxResults", dcListDefault)
	if !ok {
		return
	}
	if maxResults <= 0 || maxResults > dcListDefault {
		maxResults = dcListDefault
	}
	// The cursor is the sequence number of the last user returned, so a
	// page is stable when users are added or removed between pages.
	users := c.st.users
	i, _ := slices.BinarySearchFunc(users, cursor+1, func(u *user, seq int) int { return u.seq - seq })
	end := min(i+maxResults, len(users))
	values := make([]dcUserBean, 0, end-i)
	for _, u := range users[i:end] {
		values = append(values, c.dcUserBase(u))
	}
	self := c.base() + "/rest/api/2/user/list?cursor=" + strconv.Itoa(cursor) + "&maxResults=" + strconv.Itoa(maxResults)
	page := map[string]any{"self": self, "maxResults": maxResults, "isLast": end >= len(users), "values": values}
	if end < len(users) {
		next := strconv.Itoa(users[end-1].seq)
		page["nextCursor"] = next
		page["nextPage"] = c.base() + "/rest/api/2/user/list?cursor=" + next + "&maxResults=" + strconv.Itoa(maxResults)
	}
	c.writeJSON(http.StatusOK, page)
}

func (c *call) dcSetPassword() {
	u := c.dcTarget("username", "key")
	if u == nil {
		return
	}
	var b struct {
		Password string `json:"password"`
	}
	if !c.decode(&b) || !c.dcMaySysadmin(u) || !c.dcWritable(u, http.StatusForbidden) {
		return
	}
	if b.Password == "" {
		c.fieldError(http.StatusBadRequest, "password", "You must specify a password.")
		return
	}
	u.password = b.Password
	c.noContent(http.StatusNoContent)
}

func (c *call) dcApplication(grant bool) {
	u := c.dcTarget("username", "username")
	if u == nil {
		return
	}
	r := c.st.role(c.q("applicationKey"))
	if r == nil {
		c.errorf(http.StatusBadRequest, "Application with key '%s' does not exist.", c.q("applicationKey"))
		return
	}
	if grant {
		for _, g := range r.defaultGroups {
			c.st.join(c.st.group(g), u)
		}
		c.writeJSON(http.StatusOK, c.dcUserJSON(u, "applicationRoles"))
		return
	}
	for _, g := range r.groups {
		if grp := c.st.group(g); grp != nil {
			c.st.leave(grp, u)
		}
	}
	c.noContent(http.StatusNoContent)
}

// dcGroup finds the group named by the groupname parameter, or writes 404.
func (c *call) dcGroup() *group {
	name := c.q("groupname")
	if name == "" {
		c.errorf(http.StatusBadRequest, "The groupname query parameter was not provided")
		return nil
	}
	g := c.st.group(name)
	if g == nil {
		c.errorf(http.StatusNotFound, "Specified group does not exist.")
	}
	return g
}

func (c *call) dcGroupJSON(g *group) map[string]any {
	return map[string]any{
		"name": g.name, "self": c.base() + "/rest/api/2/group?groupname=" + url.QueryEscape(g.name),
		"users":  map[string]any{"size": len(g.members), "items": []any{}, "max-results": 50, "start-index": 0, "end-index": 0},
		"expand": "users",
	}
}

// memberPage pages through a group's members: a PageBean.
func (c *call) memberPage(g *group, startAt, maxResults int, inclInactive bool, render func(*user) any) map[string]any {
	members := g.sortedMembers(c.s.cfg.flavor)
	if !inclInactive {
		active := make([]*user, 0, len(members))
		for _, u := range members {
			if u.jiraActive() {
				active = append(active, u)
			}
		}
		members = active
	}
	start := min(startAt, len(members))
	end := min(start+maxResults, len(members))
	values := make([]any, 0, end-start)
	for _, u := range members[start:end] {
		values = append(values, render(u))
	}
	q := c.r.URL.Query()
	q.Set("maxResults", strconv.Itoa(maxResults))
	q.Set("startAt", strconv.Itoa(startAt))
	page := map[string]any{
		"self": c.base() + c.r.URL.Path + "?" + q.Encode(), "maxResults": maxResults,
		"startAt": startAt, "total": len(members), "isLast": end >= len(members), "values": values,
	}
	if end < len(members) {
		q.Set("startAt", strconv.Itoa(end))
		page["nextPage"] = c.base() + c.r.URL.Path + "?" + q.Encode()
	}
	return page
}

func (c *call) dcGroupMembers() {
	g := c.dcGroup()
	if g == nil {
		return
	}
	startAt, maxResults, ok := c.page(50, dcMemberMax)
	if !ok {
		return
	}
	incl, ok := c.boolParam("includeInactiveUsers", false)
	if !ok {
		return
	}
	c.writeJSON(http.StatusOK, c.memberPage(g, startAt, maxResults, incl, func(u *user) any {
		b := c.dcUserBase(u)
		b.Locale, b.LastLoginTime = "", "" // UserJsonBean has neither
		return b
	}))
}

func (c *call) dcAddToGroup() {
	g := c.dcGroup()
	if g == nil {
		return
	}
	var b struct {
		Name string `json:"name"`
	}
	if !c.decode(&b) {
		return
	}
	u := c.st.byName[strings.ToLower(b.Name)]
	if u == nil {
		c.errorf(http.StatusNotFound, "The user named '%s' does not exist", b.Name)
		return
	}
	if !c.st.join(g, u) {
		c.errorf(http.StatusBadRequest, "Cannot add user. '%s' is already a member of '%s'", u.name, g.name)
		return
	}
	c.writeJSON(http.StatusCreated, c.dcGroupJSON(g))
}

func (c *call) dcRemoveFromGroup() {
	g := c.dcGroup()
	if g == nil {
		return
	}
	u := c.dcTarget("username", "username")
	if u == nil {
		return
	}
	if !c.st.leave(g, u) {
		c.errorf(http.StatusBadRequest, "Cannot remove user '%s' from group '%s' since user is not a member of '%s'", u.name, g.name, g.name)
		return
	}
	c.noContent(http.StatusOK)
}

// pickGroups applies groups/picker: groups whose name contains query,
// ignoring case, minus excluded ones, sorted, capped like Jira's
// autocomplete limit.
func (c *call) pickGroups(excludeParam string) (matched []*group, shown int, ok bool) {
	maxResults, ok := c.intParam("maxResults", c.s.cfg.pickerLimit)
	if !ok {
		return nil, 0, false
	}
	if maxResults <= 0 || maxResults > c.s.cfg.pickerLimit {
		maxResults = c.s.cfg.pickerLimit
	}
	query := strings.ToLower(c.q("query"))
	exclude := c.r.URL.Query()[excludeParam]
	for _, name := range sortedKeys(c.st.groups) {
		g := c.st.groups[name]
		if strings.Contains(name, query) && !slices.ContainsFunc(exclude, func(e string) bool { return strings.EqualFold(e, g.name) }) {
			matched = append(matched, g)
		}
	}
	return matched, min(maxResults, len(matched)), true
}

func (c *call) dcGroupPicker() {
	matched, shown, ok := c.pickGroups("exclude")
	if !ok {
		return
	}
	groups := make([]map[string]any, 0, shown)
	for _, g := range matched[:shown] {
		groups = append(groups, map[string]any{"name": g.name, "html": g.name, "labels": []any{}})
	}
	c.writeJSON(http.StatusOK, map[string]any{
		"header": fmt.Sprintf("Showing %d of %d matching groups", shown, len(matched)),
		"total":  len(matched), "groups": groups,
	})
}

// registerRoles serves the application roles (licences with their seats).
func (s *Server) registerRoles(api string) {
	s.handle("GET", api+"/applicationrole", authAdmin, nil, func(c *call) {
		out := make([]map[string]any, 0, len(c.st.roles))
		for _, r := range c.st.roles {
			out = append(out, c.roleJSON(r))
		}
		c.writeJSON(http.StatusOK, out)
	})
	s.handle("GET", api+"/applicationrole/{key}", authAdmin, nil, func(c *call) {
		r := c.st.role(c.r.PathValue("key"))
		if r == nil {
			c.errorf(http.StatusNotFound, "The application role with key '%s' does not exist.", c.r.PathValue("key"))
			return
		}
		c.writeJSON(http.StatusOK, c.roleJSON(r))
	})
}

func (c *call) roleJSON(r *appRole) map[string]any {
	used := c.st.roleUsers(r)
	m := map[string]any{
		"key": r.key, "name": r.name, "groups": r.groups, "defaultGroups": r.defaultGroups,
		"selectedByDefault": r.key == "jira-software", "defined": true,
		"hasUnlimitedSeats": r.seats < 0, "userCount": used, "platform": false,
		"userCountDescription": fmt.Sprintf("%d users", used),
	}
	if r.seats >= 0 {
		m["numberOfSeats"], m["remainingSeats"] = r.seats, r.seats-used
	} else {
		m["numberOfSeats"], m["remainingSeats"] = -1, -1
	}
	if c.s.cfg.flavor == jira.Cloud {
		var details, defaults []map[string]string
		for _, n := range r.groups {
			if g := c.st.group(n); g != nil {
				details = append(details, map[string]string{"groupId": g.id, "name": g.name, "self": c.base() + "/rest/api/3/group?groupId=" + g.id})
			}
		}
		for _, n := range r.defaultGroups {
			if g := c.st.group(n); g != nil {
				defaults = append(defaults, map[string]string{"groupId": g.id, "name": g.name, "self": c.base() + "/rest/api/3/group?groupId=" + g.id})
			}
		}
		m["groupDetails"], m["defaultGroupsDetails"] = details, defaults
	}
	return m
}

// registerProperties serves user entity properties; idParams name the
// query parameters that identify the user.
func (s *Server) registerProperties(api string, idParams []string) {
	path := api + "/user/properties"
	s.handle("GET", path, authUser, idParams, func(c *call) {
		u := c.propertyTarget(idParams, false)
		if u == nil {
			return
		}
		keys := make([]map[string]string, 0, len(u.properties))
		for _, k := range sortedKeys(u.properties) {
			keys = append(keys, map[string]string{"key": k, "self": c.base() + path + "/" + url.PathEscape(k) + "?" + c.r.URL.RawQuery})
		}
		c.writeJSON(http.StatusOK, map[string]any{"keys": keys})
	})
	s.handle("GET", path+"/{propertyKey}", authUser, idParams, func(c *call) {
		u := c.propertyTarget(idParams, false)
		if u == nil {
			return
		}
		k := c.r.PathValue("propertyKey")
		v, ok := u.properties[k]
		if !ok {
			c.errorf(http.StatusNotFound, "The property with key '%s' does not exist.", k)
			return
		}
		c.writeJSON(http.StatusOK, map[string]any{"key": k, "value": v})
	})
	s.handle("PUT", path+"/{propertyKey}", authUser, idParams, func(c *call) {
		u := c.propertyTarget(idParams, true)
		if u == nil {
			return
		}
		k := c.r.PathValue("propertyKey")
		if len(k) > propertyKeyMax {
			c.errorf(http.StatusBadRequest, "The property key can not be longer than %d characters.", propertyKeyMax)
			return
		}
		body, err := c.rawBody(propertyMaxSize)
		if err != nil {
			c.errorf(http.StatusBadRequest, "Could not read the request body.")
			return
		}
		if len(body) > propertyMaxSize {
			c.errorf(http.StatusBadRequest, "The property value is too long: the limit is %d bytes.", propertyMaxSize)
			return
		}
		if len(strings.TrimSpace(string(body))) == 0 || !json.Valid(body) {
			c.errorf(http.StatusBadRequest, "The property value must be valid, non-empty JSON.")
			return
		}
		_, existed := u.properties[k]
		u.properties[k] = json.RawMessage(slices.Clone(body))
		if existed {
			c.noContent(http.StatusOK)
		} else {
			c.noContent(http.StatusCreated)
		}
	})
	s.handle("DELETE", path+"/{propertyKey}", authUser, idParams, func(c *call) {
		u := c.propertyTarget(idParams, true)
		if u == nil {
			return
		}
		k := c.r.PathValue("propertyKey")
		if _, ok := u.properties[k]; !ok {
			c.errorf(http.StatusNotFound, "The property with key '%s' does not exist.", k)
			return
		}
		delete(u.properties, k)
		c.noContent(http.StatusNoContent)
	})
}

// propertyTarget finds the user whose properties a request addresses;
// writes need an administrator unless callers change their own.
func (c *call) propertyTarget(idParams []string, write bool) *user {
	var u *user
	if c.s.cfg.flavor == jira.DataCenter {
		u = c.dcTarget(idParams[0], idParams[1])
	} else {
		u = c.cloudTarget()
	}
	if u == nil {
		return nil
	}
	if write && u != c.caller && !c.st.isAdmin(c.caller) {
		c.errorf(http.StatusForbidden, "You do not have permission to edit the properties of this user.")
		return nil
	}
	return u
}
