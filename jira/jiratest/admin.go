package jiratest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Limits of the Atlassian Admin API as the fake serves it.
const (
	adminUsersDefault = 50  // directory users per page when no limit is given (Admin OpenAPI)
	adminUsersMax     = 100 // directory users per page at most
	// adminAllDirs in place of a directoryId lists the users of every
	// directory.
	adminAllDirs = "-"
)

// The privileges of the user management API the fake knows.
var adminPrivileges = []string{"lifecycle.enablement", "profile.write", "email.set"}

func (s *Server) registerAdmin() {
	const (
		v2    = "/admin/v2/orgs/{orgId}"
		users = v2 + "/directories/{directoryId}/users"
		one   = users + "/{accountId}"
	)
	// The query parameters of GET .../users, as the Admin OpenAPI declares
	// them. There is no expand: productAccess and groups come only from
	// POST .../users/search.
	userFilters := []string{"cursor", "limit", "accountIds", "directoryIds", "resourceIds", "groupIds",
		"mfaEnabled", "claimStatus", "status", "accountStatus", "membershipStatus", "roleIds",
		"emailDomains", "searchTerm", "sortBy"}
	s.handle("GET", "/admin/v1/orgs", authOrg, []string{"cursor"}, func(c *call) {
		data := make([]map[string]any, 0, len(c.s.orgs))
		for _, o := range c.s.orgs {
			data = append(data, map[string]any{"id": o.id, "type": "orgs", "attributes": map[string]string{"name": o.name}})
		}
		c.writeJSON(http.StatusOK, map[string]any{"data": data, "links": map[string]any{}})
	})
	s.handle("GET", v2+"/directories", authOrg, []string{"cursor", "limit", "searchTerm"}, func(c *call) {
		if !c.adminOrg() {
			return
		}
		term := strings.ToLower(c.q("searchTerm"))
		data := []map[string]any{}
		for _, d := range c.st.dirs {
			if strings.Contains(strings.ToLower(d.name), term) {
				data = append(data, map[string]any{"directoryId": d.id, "name": d.name, "icon": nil})
			}
		}
		c.writeJSON(http.StatusOK, map[string]any{"data": data, "links": map[string]any{"self": nil, "prev": nil, "next": nil}})
	})
	// The GETs take no expand: refused even when parameters are lenient,
	// since productAccess read from them would always be missing on real
	// Cloud.
	noExpand := map[string]string{"expand": "This operation takes no expand; use POST " +
		"/admin/v2/orgs/{orgId}/directories/{directoryId}/users/search with \"expand\" in the body."}
	s.handle("GET", users, authOrg, userFilters, func(c *call) {
		f, ok := c.adminQueryFilter()
		if ok {
			c.adminUsers(f, false)
		}
	}).refused = noExpand
	s.handle("POST", users+"/search", authOrg, nil, func(c *call) {
		var b adminFilter
		if !c.adminDecode(&b, false) {
			return
		}
		if b.SearchTerm != "" && len(b.Emails) > 0 {
			c.adminError(http.StatusBadRequest, "ADMIN-400-2", "Bad Request", "searchTerm and emails cannot be used together.")
			return
		}
		c.adminUsers(&b, true)
	})
	s.handle("GET", users+"/count", authOrg, nil, func(c *call) {
		dir, ok := c.adminDir()
		if !ok {
			return
		}
		n := 0
		for _, u := range c.st.users {
			if dir == nil || u.dir == dir {
				n++
			}
		}
		c.writeJSON(http.StatusOK, map[string]int{"count": n})
	})
	s.handle("GET", one, authOrg, nil, func(c *call) {
		if u := c.adminDirUser(); u != nil {
			c.writeJSON(http.StatusOK, map[string]any{"data": c.adminUserJSON(u, nil)})
		}
	}).refused = noExpand
	s.handle("POST", one+"/suspend", authOrg, nil, func(c *call) {
		var b struct{}
		if u := c.adminDirUser(); u != nil && c.adminDecode(&b, true) {
			u.suspended = true
			c.noContent(http.StatusNoContent)
		}
	})
	s.handle("POST", one+"/restore", authOrg, nil, func(c *call) {
		var b struct{}
		if u := c.adminDirUser(); u != nil && c.adminDecode(&b, true) {
			u.suspended = false
			c.noContent(http.StatusNoContent)
		}
	})
	s.handle("DELETE", one, authOrg, nil, func(c *call) {
		if u := c.adminDirUser(); u != nil {
			c.st.deleteUser(u)
			c.noContent(http.StatusNoContent)
		}
	})
	s.handle("GET", "/admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates", authOrg, []string{"cursor"}, func(c *call) {
		if !c.adminOrg() {
			return
		}
		u := c.adminAccount()
		if u == nil {
			return
		}
		access := make([]map[string]string, 0, len(u.lastActive))
		for _, k := range sortedKeys(u.lastActive) {
			access = append(access, map[string]string{
				"id": c.productARI(k), "key": k, "last_active": u.lastActive[k].UTC().Format(time.DateOnly)})
		}
		data := map[string]any{"product_access": access}
		if !u.created.IsZero() {
			data["added_to_org"] = u.created.UTC().Format(time.DateOnly)
		}
		c.writeJSON(http.StatusOK, map[string]any{"data": data, "links": map[string]any{"next": nil}})
	})
	s.handle("GET", "/users/{accountId}/manage", authOrg, []string{"privileges"}, func(c *call) {
		u := c.userManagement()
		if u == nil {
			return
		}
		privs := listParam(c.r.URL.Query()["privileges"])
		if len(privs) == 0 {
			privs = adminPrivileges
		}
		out := map[string]any{}
		for _, p := range privs {
			if !slices.Contains(adminPrivileges, p) {
				c.adminError(http.StatusBadRequest, "ADMIN-400-3", "Bad Request", "Unknown privilege: "+p)
				return
			}
			if reason := manageBlock(u); reason != "" {
				out[p] = map[string]any{"allowed": false, "reason": map[string]string{"key": reason}}
			} else {
				out[p] = map[string]any{"allowed": true}
			}
		}
		c.writeJSON(http.StatusOK, out)
	})
	s.handle("POST", "/users/{accountId}/manage/lifecycle/disable", authOrg, nil, func(c *call) {
		var b struct {
			Message string `json:"message"`
		}
		if u := c.adminManaged(); u != nil && c.adminDecode(&b, true) {
			if u.active {
				u.active, u.deactivated = false, time.Now().UTC()
			}
			c.noContent(http.StatusNoContent)
		}
	})
	s.handle("POST", "/users/{accountId}/manage/lifecycle/enable", authOrg, nil, func(c *call) {
		var b struct{}
		if u := c.adminManaged(); u != nil && c.adminDecode(&b, true) {
			u.active, u.deactivated = true, time.Time{}
			c.noContent(http.StatusNoContent)
		}
	})
}

// adminOrg reports whether the orgId in the path is the served
// organisation; if not it answers 404.
func (c *call) adminOrg() bool {
	if c.r.PathValue("orgId") != c.s.cfg.creds.OrgID {
		c.adminError(http.StatusNotFound, "ADMIN-404-1", "Not Found", "Organization "+c.r.PathValue("orgId")+" was not found.")
		return false
	}
	return true
}

// adminDir finds the directory in the path after checking the org; nil
// with ok means every directory ("-").
func (c *call) adminDir() (dir *directory, ok bool) {
	if !c.adminOrg() {
		return nil, false
	}
	id := c.r.PathValue("directoryId")
	if id == adminAllDirs {
		return nil, true
	}
	for _, d := range c.st.dirs {
		if d.id == id {
			return d, true
		}
	}
	c.adminError(http.StatusNotFound, "ADMIN-404-2", "Not Found", "Directory "+id+" was not found.")
	return nil, false
}

// adminAccount finds the account in the path, whether or not it is on the
// Jira site, or answers 404.
func (c *call) adminAccount() *user {
	u := c.st.byAccount[c.r.PathValue("accountId")]
	if u == nil {
		c.adminError(http.StatusNotFound, "ADMIN-404-3", "Not Found", "User "+c.r.PathValue("accountId")+" was not found.")
	}
	return u
}

// adminDirUser finds the account in the path within the directory in the
// path, or answers 404.
func (c *call) adminDirUser() *user {
	dir, ok := c.adminDir()
	if !ok {
		return nil
	}
	u := c.adminAccount()
	if u != nil && dir != nil && u.dir != dir {
		c.adminError(http.StatusNotFound, "ADMIN-404-3", "Not Found", "User "+u.accountID+" was not found in directory "+dir.id+".")
		return nil
	}
	return u
}

// manageBlock says why the user management API may not change u, as one
// of the documented restriction reason keys: "" when it may. An account
// the organisation does not manage never gets here: it is a 403.
func manageBlock(u *user) string {
	if u.synced {
		return "externalDirectory.scim"
	}
	return ""
}

// forbidden answers the user management API's 403.
func (c *call) forbidden() { c.writeJSON(http.StatusForbidden, map[string]string{"key": "forbidden"}) }

// userManagement finds the account in the path for the user management
// API, or answers 404, or 403 {"key":"forbidden"} when the caller may
// manage no aspect of it: the organisation does not manage the account,
// or the API key was created with scopes.
func (c *call) userManagement() *user {
	if c.scopedKey {
		c.forbidden()
		return nil
	}
	u := c.adminAccount()
	if u != nil && !u.managed {
		c.forbidden()
		return nil
	}
	return u
}

// adminManaged finds the account in the path and checks the organisation
// may change its lifecycle, or answers 404 or 403.
func (c *call) adminManaged() *user {
	u := c.userManagement()
	if u == nil {
		return nil
	}
	if reason := manageBlock(u); reason != "" {
		c.writeJSON(http.StatusForbidden, map[string]string{"key": reason})
		return nil
	}
	return u
}

// adminDecode reads a JSON body into v, answering 400 in the Admin API's
// shape when it is malformed, or missing and not optional.
func (c *call) adminDecode(v any, optional bool) bool {
	body, err := c.rawBody(1 << 20)
	if err != nil {
		c.adminError(http.StatusBadRequest, "ADMIN-400-1", "Bad Request", "Could not read the request body.")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return true
		}
		c.adminError(http.StatusBadRequest, "ADMIN-400-1", "Bad Request", "The request body is required.")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.adminError(http.StatusBadRequest, "ADMIN-400-1", "Bad Request", "Malformed JSON: "+err.Error())
		return false
	}
	return true
}

// strList is a list that JSON may give as an array or a single string.
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = strList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// adminFilter selects directory users: the query of GET .../users or the
// body of POST .../users/search.
type adminFilter struct {
	AccountIDs    strList `json:"accountIds"`
	AccountStatus strList `json:"accountStatus"`
	Status        strList `json:"status"`
	ClaimStatus   strList `json:"claimStatus"`
	EmailDomains  strList `json:"emailDomains"`
	GroupIDs      strList `json:"groupIds"`
	Membership    strList `json:"membershipStatus"`
	SearchTerm    string  `json:"searchTerm"`
	Emails        strList `json:"emails"`
	Expand        strList `json:"expand"`
	Cursor        string  `json:"cursor"`
	Limit         *int    `json:"limit"`
}

// listParam splits the values of a repeatable parameter on commas too.
func listParam(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// adminQueryFilter reads the filters of GET .../users from the query.
func (c *call) adminQueryFilter() (*adminFilter, bool) {
	q := c.r.URL.Query()
	f := &adminFilter{
		AccountIDs: listParam(q["accountIds"]), AccountStatus: listParam(q["accountStatus"]),
		Status: listParam(q["status"]), ClaimStatus: listParam(q["claimStatus"]),
		EmailDomains: listParam(q["emailDomains"]), GroupIDs: listParam(q["groupIds"]),
		Membership: listParam(q["membershipStatus"]), SearchTerm: q.Get("searchTerm"), Cursor: q.Get("cursor"),
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.adminError(http.StatusBadRequest, "ADMIN-400-4", "Bad Request", "limit must be a number from 1 to 100.")
			return nil, false
		}
		f.Limit = &n
	}
	return f, true
}

// adminExpand checks the expand values; it reports whether productAccess
// and groups are asked for in a set.
func (c *call) adminExpand(vals []string) (map[string]bool, bool) {
	out := map[string]bool{}
	for _, e := range vals {
		switch e {
		case "productAccess", "groups", "platformRoles", "counts.resources":
			out[e] = true
		default:
			c.adminError(http.StatusBadRequest, "ADMIN-400-5", "Bad Request", "Unknown expand value: "+e)
			return nil, false
		}
	}
	return out, true
}

// checkFilter validates the enumerated filters, answering 400 for an unknown
// value.
func (c *call) checkFilter(f *adminFilter) bool {
	for _, p := range []struct {
		name  string
		vals  []string
		valid []string
	}{
		{"accountStatus", f.AccountStatus, []string{"active", "inactive", "closed"}},
		{"status", f.Status, []string{"active", "suspended", "not_invited", "deactivated", "for_deletion"}},
		{"membershipStatus", f.Membership, []string{"active", "suspended", "no_membership"}},
		{"claimStatus", f.ClaimStatus, []string{"managed", "unmanaged"}},
	} {
		for _, v := range p.vals {
			if !slices.Contains(p.valid, v) {
				c.adminError(http.StatusBadRequest, "ADMIN-400-6", "Bad Request",
					"Invalid "+p.name+" '"+v+"': use one of "+strings.Join(p.valid, ", ")+".")
				return false
			}
		}
	}
	return true
}

// adminStatus is the composite status of the Admin API: for_deletion
// first, then deactivated (accountStatus inactive, whatever the
// membership), then not_invited and suspended from the membership.
func adminStatus(u *user) string {
	switch {
	case u.forDeletion:
		return "for_deletion"
	case !u.active:
		return "deactivated"
	case u.notInvited:
		return "not_invited"
	case u.suspended:
		return "suspended"
	}
	return "active"
}

func adminMembership(u *user) string {
	switch {
	case u.notInvited:
		return "no_membership"
	case u.suspended:
		return "suspended"
	}
	return "active"
}

func adminAccountStatus(u *user) string {
	if !u.active {
		return "inactive"
	}
	return "active"
}

func adminClaimStatus(u *user) string {
	if u.managed {
		return "managed"
	}
	return "unmanaged"
}

// matches reports whether u passes the filter.
func (f *adminFilter) matches(u *user) bool {
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	if !in(f.AccountIDs, u.accountID) || !in(f.AccountStatus, adminAccountStatus(u)) ||
		!in(f.Status, adminStatus(u)) || !in(f.ClaimStatus, adminClaimStatus(u)) ||
		!in(f.Membership, adminMembership(u)) {
		return false
	}
	_, domain, _ := strings.Cut(u.email, "@")
	if len(f.EmailDomains) > 0 && !slices.ContainsFunc(f.EmailDomains, func(d string) bool { return strings.EqualFold(d, domain) }) {
		return false
	}
	if len(f.Emails) > 0 && !slices.ContainsFunc(f.Emails, func(e string) bool { return strings.EqualFold(e, u.email) }) {
		return false
	}
	if len(f.GroupIDs) > 0 && !slices.ContainsFunc(f.GroupIDs, func(id string) bool {
		for g := range u.groups {
			if g.id == id {
				return true
			}
		}
		return false
	}) {
		return false
	}
	if t := strings.ToLower(f.SearchTerm); t != "" {
		return strings.Contains(strings.ToLower(u.displayName), t) || strings.Contains(strings.ToLower(u.email), t)
	}
	return true
}

// Cursors are opaque to clients: base64 of "seq:N", meaning the users
// created after user number N.
func encodeCursor(seq int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.Itoa(seq)))
}

func decodeCursor(s string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "seq:"))
	if err != nil || !strings.HasPrefix(string(raw), "seq:") || n < 0 {
		return 0, false
	}
	return n, true
}

// adminUsers answers a page of directory users: users in creation order
// after the cursor, filtered. Only the POST search takes expand.
func (c *call) adminUsers(f *adminFilter, search bool) {
	dir, ok := c.adminDir()
	if !ok || !c.checkFilter(f) {
		return
	}
	var expand map[string]bool
	if search {
		if expand, ok = c.adminExpand(f.Expand); !ok {
			return
		}
	}
	limit := adminUsersDefault
	if f.Limit != nil {
		limit = *f.Limit
	}
	if limit < 1 || limit > adminUsersMax {
		c.adminError(http.StatusBadRequest, "ADMIN-400-4", "Bad Request", "limit must be a number from 1 to 100.")
		return
	}
	after := 0
	if f.Cursor != "" {
		if after, ok = decodeCursor(f.Cursor); !ok {
			c.adminError(http.StatusBadRequest, "ADMIN-400-7", "Bad Request", "The cursor is not valid.")
			return
		}
	}
	match := func(u *user) bool { return (dir == nil || u.dir == dir) && f.matches(u) }
	users := c.st.users // creation order: seq ascending
	start, _ := slices.BinarySearchFunc(users, after+1, func(u *user, seq int) int { return u.seq - seq })
	data := make([]adminUser, 0, limit)
	var next any
	last := 0
	for i := start; i < len(users); i++ {
		if !match(users[i]) {
			continue
		}
		if len(data) == limit {
			next = encodeCursor(last)
			break
		}
		data = append(data, c.adminUserJSON(users[i], expand))
		last = users[i].seq
	}
	// prev: the limit matching users before this page.
	var prev any
	if f.Cursor != "" {
		n, first := 0, -1
		for i := start - 1; i >= 0 && n < limit; i-- {
			if match(users[i]) {
				n, first = n+1, i
			}
		}
		if first >= 0 {
			prev = encodeCursor(users[first].seq - 1)
		}
	}
	var self any
	if f.Cursor != "" {
		self = f.Cursor
	}
	c.writeJSON(http.StatusOK, map[string]any{"data": data, "links": map[string]any{"self": self, "prev": prev, "next": next}})
}

type adminProduct struct {
	Key                 string `json:"key"`
	ID                  string `json:"id"`
	LastActiveTimestamp string `json:"lastActiveTimestamp,omitempty"`
}

type adminGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// adminUser is the Admin API's MultiDirectoryUser.
type adminUser struct {
	AccountID        string          `json:"accountId"`
	AccountType      string          `json:"accountType"`
	Status           string          `json:"status"`
	AccountStatus    string          `json:"accountStatus"`
	MembershipStatus string          `json:"membershipStatus"`
	AddedToOrg       string          `json:"addedToOrg,omitempty"`
	Name             string          `json:"name"`
	Nickname         string          `json:"nickname"`
	Email            string          `json:"email"`
	EmailVerified    bool            `json:"emailVerified"`
	ClaimStatus      string          `json:"claimStatus"`
	ManagementSource string          `json:"managementSource"`
	ProductAccess    *[]adminProduct `json:"productAccess,omitempty"`
	Groups           *[]adminGroup   `json:"groups,omitempty"`
	DeactivatedOn    *string         `json:"deactivatedOn"`
	ForDeletion      bool            `json:"forDeletion"`
}

// productARI is the id of a product on the site.
func (c *call) productARI(key string) string {
	return "ari:cloud:" + key + "::site/" + stableUUID("site", c.s.cfg.creds.OrgID)
}

func (c *call) adminUserJSON(u *user, expand map[string]bool) adminUser {
	nick, _, _ := strings.Cut(u.displayName, " ")
	a := adminUser{
		AccountID: u.accountID, AccountType: string(u.accountType), Status: adminStatus(u),
		AccountStatus: adminAccountStatus(u), MembershipStatus: adminMembership(u), ForDeletion: u.forDeletion,
		Name: u.displayName, Nickname: nick, Email: u.email,
		EmailVerified: u.accountType != jira.AccountApp, ClaimStatus: adminClaimStatus(u),
		ManagementSource: "invited",
	}
	if u.synced {
		a.ManagementSource = "synced"
	}
	if !u.created.IsZero() {
		a.AddedToOrg = u.created.UTC().Format(time.RFC3339)
	}
	if !u.deactivated.IsZero() {
		d := u.deactivated.UTC().Format(time.RFC3339)
		a.DeactivatedOn = &d
	}
	// productAccess is left out for a user the fake was told to hide it
	// for ([Server.HideProductAccess]): clients must read that as unknown.
	if expand["productAccess"] && !u.noProductAccess {
		pa := []adminProduct{}
		if !u.removed {
			for _, k := range c.st.licences(u) {
				p := adminProduct{Key: k, ID: c.productARI(k)}
				if t, ok := u.lastActive[k]; ok && !t.IsZero() {
					p.LastActiveTimestamp = t.UTC().Format(time.RFC3339)
				}
				pa = append(pa, p)
			}
		}
		a.ProductAccess = &pa
	}
	if expand["groups"] {
		gs := make([]adminGroup, 0, len(u.groups))
		for _, n := range u.groupNames() {
			gs = append(gs, adminGroup{ID: c.st.group(n).id, Name: n})
		}
		a.Groups = &gs
	}
	return a
}

// adminState changes the Admin API state of the account with the given
// accountId under the lock; it reports false when there is no such
// account.
func (s *Server) adminState(accountID string, f func(u *user)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.byAccount[accountID]
	if u == nil {
		return false
	}
	f(u)
	return true
}

// MarkForDeletion schedules a Cloud account for deletion: its Admin
// status becomes for_deletion and forDeletion true. It reports false when
// there is no such account.
func (s *Server) MarkForDeletion(accountID string) bool {
	return s.adminState(accountID, func(u *user) { u.forDeletion = true })
}

// SetNotInvited takes a Cloud account out of the organisation's
// directories' memberships (or puts it back): membershipStatus
// no_membership, status not_invited. It reports false when there is no
// such account.
func (s *Server) SetNotInvited(accountID string, notInvited bool) bool {
	return s.adminState(accountID, func(u *user) { u.notInvited = notInvited })
}

// HideProductAccess makes the Admin API's search leave productAccess out
// for the account even when it is expanded, as real Cloud does for some
// users. It reports false when there is no such account.
func (s *Server) HideProductAccess(accountID string) bool {
	return s.adminState(accountID, func(u *user) { u.noProductAccess = true })
}
