package jiratest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/seatwarden/seatwarden/jira"
)

// The state of the fake site. Every field is guarded by Server.mu.

// idSpace is the UUID namespace the fake derives stable ids from, so the same
// organisation gets the same accountIds and groupIds on every run.
var idSpace = uuid.MustParse("6f1d3a52-5c3e-4a8e-9d0b-3d1f2b7c9e10")

func stableUUID(kind, name string) string {
	return uuid.NewSHA1(idSpace, []byte(kind+":"+name)).String()
}

type directory struct {
	id       string
	name     string
	readOnly bool
}

type user struct {
	seq         int
	key         string // DC
	name        string // DC
	accountID   string // Cloud
	displayName string
	email       string
	emailHidden bool // Cloud: the profile hides the email
	active      bool
	accountType jira.AccountType
	dir         *directory
	created     time.Time
	lastLogin   time.Time // zero: never
	loginCount  int
	lastActive  map[string]time.Time // Cloud: product key → last active
	properties  map[string]json.RawMessage
	password    string
	apiToken    string // Cloud API token for Basic email:token
	groups      map[*group]struct{}
	timeZone    string
	locale      string

	managed     bool      // Cloud: account on a claimed domain, managed by the org
	synced      bool      // Cloud: managed from an identity provider (SCIM): cannot be disabled here
	suspended   bool      // Cloud: product access suspended through the Admin API
	removed     bool      // Cloud: removed from the Jira site (still in the org directory)
	deactivated time.Time // Cloud: when the account was disabled through the Admin API; zero if not
	forDeletion bool      // Cloud: the managed account is scheduled for deletion (Admin status for_deletion)
	notInvited  bool      // Cloud: the account is in none of the org's directories (membership no_membership)
	// noProductAccess: the Admin API's search leaves productAccess out
	// for this user even when expanded (Cloud).
	noProductAccess bool
	sessionsValid   int // DC: active sessions (user/session DELETE sets to 0)
}

func (u *user) inGroup(name string) bool {
	for g := range u.groups {
		if g.name == name {
			return true
		}
	}
	return false
}

func (u *user) groupNames() []string {
	names := make([]string, 0, len(u.groups))
	for g := range u.groups {
		names = append(names, g.name)
	}
	slices.Sort(names)
	return names
}

// jiraActive is the active flag Jira's REST API reports.
func (u *user) jiraActive() bool { return u.active && !u.suspended }

type group struct {
	name    string
	id      string // Cloud groupId
	members map[*user]struct{}
	sorted  []*user // members ordered for paging; nil when stale
}

func (g *group) sortedMembers(flavor jira.Flavor) []*user {
	if g.sorted == nil {
		g.sorted = make([]*user, 0, len(g.members))
		for u := range g.members {
			g.sorted = append(g.sorted, u)
		}
		slices.SortFunc(g.sorted, func(a, b *user) int { return compareUsers(flavor, a, b) })
	}
	return g.sorted
}

// compareUsers orders users as Jira lists them: by login name on DC, by
// display name (then accountId) on Cloud.
func compareUsers(flavor jira.Flavor, a, b *user) int {
	if flavor == jira.DataCenter {
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	}
	if c := strings.Compare(strings.ToLower(a.displayName), strings.ToLower(b.displayName)); c != 0 {
		return c
	}
	return strings.Compare(a.accountID, b.accountID)
}

type appRole struct {
	key           string
	name          string
	groups        []string
	defaultGroups []string
	seats         int // -1: unlimited
}

type project struct {
	key    string
	id     string
	name   string
	lead   *user
	issues int // issues created, for the next key
}

type issue struct {
	id          string
	key         string
	project     *project
	issueType   string
	summary     string
	description json.RawMessage
	status      *status
	reporter    *user
	assignee    *user
	created     time.Time
	updated     time.Time
	labels      []string
	comments    []*comment
}

type comment struct {
	id      string
	body    json.RawMessage // a string on DC, an ADF document on Cloud
	author  *user
	created time.Time
}

type status struct {
	id   string
	name string
}

type transition struct {
	id   string
	name string
	from []string // status ids it is available from; empty: all
	to   *status
}

type webhook struct {
	id         int
	name       string
	url        string
	events     []string
	jql        string
	excludeBdy bool
	created    time.Time
	// gen10 marks a webhook registered through Jira 10's
	// /rest/jira-webhook/1.0: URL variables are written {issue.key}.
	gen10   bool
	updated time.Time
	ssl     bool
}

// state is the whole site: users, groups, roles, projects, issues, webhooks.
type state struct {
	flavor    jira.Flavor
	dirs      []*directory
	shadowed  []shadowAccount // DC: accounts hidden behind a same-named user (shadow.go)
	users     []*user         // creation order
	byKey     map[string]*user
	byName    map[string]*user // lower-cased login name (DC)
	byAccount map[string]*user
	byEmail   map[string]*user // lower-cased
	sorted    []*user          // users ordered for listing; nil when stale
	groups    map[string]*group
	groupByID map[string]*group
	roles     []*appRole
	projects  map[string]*project
	issues    map[string]*issue // by key and by id
	issueSeq  int
	hooks     map[int]*webhook
	hookSeq   int
	// hookSecrets holds webhook secrets apart, so listings never show them.
	hookSecrets map[int]string
	userSeq     int
	changeSeq   int // changelog ids
	commentSeq  int
	statuses    map[string]*status
	workflow    []*transition
	adminGrps   []string
}

func newState(flavor jira.Flavor) *state {
	st := &state{
		flavor:    flavor,
		byKey:     map[string]*user{},
		byName:    map[string]*user{},
		byAccount: map[string]*user{},
		byEmail:   map[string]*user{},
		groups:    map[string]*group{},
		groupByID: map[string]*group{},
		projects:  map[string]*project{},
		issues:    map[string]*issue{},
		hooks:     map[int]*webhook{},
		statuses:  map[string]*status{},
		userSeq:   10000,
		issueSeq:  10000,
	}
	for _, s := range []*status{
		{"1", "Open"}, {"10001", "Waiting for approval"}, {"10002", "Approved"},
		{"10003", "Rejected"}, {"6", "Closed"},
	} {
		st.statuses[s.id] = s
	}
	st.workflow = []*transition{
		{id: "11", name: "Request approval", from: []string{"1"}, to: st.statuses["10001"]},
		{id: "21", name: "Approve", from: []string{"1", "10001"}, to: st.statuses["10002"]},
		{id: "31", name: "Reject", from: []string{"1", "10001"}, to: st.statuses["10003"]},
		{id: "41", name: "Close", from: []string{"1", "10001", "10002", "10003"}, to: st.statuses["6"]},
		{id: "51", name: "Reopen", from: []string{"10002", "10003", "6"}, to: st.statuses["1"]},
	}
	if flavor == jira.DataCenter {
		st.adminGrps = []string{"jira-administrators", "jira-system-administrators"}
	} else {
		st.adminGrps = []string{"site-admins", "jira-admins"}
	}
	return st
}

// nextChange returns the id of a new changelog entry.
func (st *state) nextChange() int {
	st.changeSeq++
	return 10000 + st.changeSeq
}

func (st *state) isAdmin(u *user) bool {
	return u != nil && slices.ContainsFunc(st.adminGrps, u.inGroup)
}

func (st *state) directory(idOrName string) *directory {
	for _, d := range st.dirs {
		if d.id == idOrName || strings.EqualFold(d.name, idOrName) {
			return d
		}
	}
	return nil
}

// sortedUsers returns every user in listing order.
func (st *state) sortedUsers() []*user {
	if st.sorted == nil {
		st.sorted = slices.Clone(st.users)
		if st.flavor == jira.DataCenter {
			slices.SortFunc(st.sorted, func(a, b *user) int { return compareUsers(st.flavor, a, b) })
		}
		// Cloud lists users in creation order, which is stable under paging.
	}
	return st.sorted
}

func (st *state) addGroup(name, id string) (*group, error) {
	if name == "" {
		return nil, fmt.Errorf("group name is empty")
	}
	if _, ok := st.groups[strings.ToLower(name)]; ok {
		return nil, fmt.Errorf("a group or user with this name already exists")
	}
	if id == "" {
		id = stableUUID("group", name)
	}
	g := &group{name: name, id: id, members: map[*user]struct{}{}}
	st.groups[strings.ToLower(name)] = g
	st.groupByID[id] = g
	return g, nil
}

func (st *state) group(name string) *group { return st.groups[strings.ToLower(name)] }

func (st *state) removeGroup(g *group) {
	for u := range g.members {
		delete(u.groups, g)
	}
	delete(st.groups, strings.ToLower(g.name))
	delete(st.groupByID, g.id)
}

// join adds u to g; it reports false when u was already a member.
func (st *state) join(g *group, u *user) bool {
	if _, ok := g.members[u]; ok {
		return false
	}
	g.members[u] = struct{}{}
	u.groups[g] = struct{}{}
	g.sorted = nil
	return true
}

// leave removes u from g; it reports false when u was not a member.
func (st *state) leave(g *group, u *user) bool {
	if _, ok := g.members[u]; !ok {
		return false
	}
	delete(g.members, u)
	delete(u.groups, g)
	g.sorted = nil
	return true
}

// reserve makes room for n more users, so that loading many users does
// not grow the indexes step by step.
func (st *state) reserve(n int) {
	for _, m := range []*map[string]*user{&st.byKey, &st.byName, &st.byAccount, &st.byEmail} {
		grown := make(map[string]*user, len(*m)+n)
		maps.Copy(grown, *m)
		*m = grown
	}
	st.users = slices.Grow(st.users, n)
}

// addUser stores u, filling in the identities the flavour needs.
func (st *state) addUser(u *user) error {
	if st.flavor == jira.DataCenter {
		if u.name == "" {
			return fmt.Errorf("username is required")
		}
		if st.byName[strings.ToLower(u.name)] != nil {
			return fmt.Errorf("a user with that username already exists")
		}
	}
	if u.email != "" && st.byEmail[strings.ToLower(u.email)] != nil && st.flavor == jira.Cloud {
		return fmt.Errorf("a user with that email address already exists")
	}
	st.userSeq++
	u.seq = st.userSeq
	if st.flavor == jira.DataCenter {
		if u.key == "" {
			u.key = fmt.Sprintf("JIRAUSER%d", u.seq)
		}
		u.accountID = ""
	} else {
		if u.accountID == "" {
			seed := u.email
			if seed == "" {
				seed = u.name
			}
			if seed == "" {
				seed = fmt.Sprint(u.seq)
			}
			u.accountID = "712020:" + stableUUID("account", seed)
		}
	}
	if u.groups == nil {
		u.groups = map[*group]struct{}{}
	}
	if u.properties == nil {
		u.properties = map[string]json.RawMessage{}
	}
	if u.accountType == "" {
		u.accountType = jira.AccountAtlassian
	}
	if u.dir == nil && len(st.dirs) > 0 {
		u.dir = st.dirs[0]
	}
	if u.timeZone == "" {
		u.timeZone = "UTC"
	}
	if u.locale == "" {
		u.locale = "en_US"
	}
	st.users = append(st.users, u)
	if u.key != "" {
		st.byKey[u.key] = u
	}
	if u.name != "" {
		st.byName[strings.ToLower(u.name)] = u
	}
	if u.accountID != "" {
		st.byAccount[u.accountID] = u
	}
	if u.email != "" {
		st.byEmail[strings.ToLower(u.email)] = u
	}
	st.sorted = nil
	return nil
}

func (st *state) deleteUser(u *user) {
	for g := range u.groups {
		st.leave(g, u)
	}
	st.users = slices.DeleteFunc(st.users, func(x *user) bool { return x == u })
	delete(st.byKey, u.key)
	delete(st.byName, strings.ToLower(u.name))
	delete(st.byAccount, u.accountID)
	if x := st.byEmail[strings.ToLower(u.email)]; x == u {
		delete(st.byEmail, strings.ToLower(u.email))
	}
	st.sorted = nil
}

func (st *state) rename(u *user, newName string) error {
	if strings.EqualFold(newName, u.name) {
		u.name = newName
		return nil
	}
	if st.byName[strings.ToLower(newName)] != nil {
		return fmt.Errorf("a user with that username already exists")
	}
	delete(st.byName, strings.ToLower(u.name))
	u.name = newName
	st.byName[strings.ToLower(newName)] = u
	st.sorted = nil
	for g := range u.groups {
		g.sorted = nil
	}
	return nil
}

func (st *state) setEmail(u *user, email string) {
	if x := st.byEmail[strings.ToLower(u.email)]; x == u {
		delete(st.byEmail, strings.ToLower(u.email))
	}
	u.email = email
	if email != "" {
		st.byEmail[strings.ToLower(email)] = u
	}
}

// lookup finds a user by any identity: key, name, accountId or email.
func (st *state) lookup(ref string) *user {
	if u := st.byKey[ref]; u != nil {
		return u
	}
	if u := st.byAccount[ref]; u != nil {
		return u
	}
	if u := st.byName[strings.ToLower(ref)]; u != nil {
		return u
	}
	return st.byEmail[strings.ToLower(ref)]
}

// licences returns the keys of the application roles u has access to
// through group membership.
func (st *state) licences(u *user) []string {
	var keys []string
	for _, r := range st.roles {
		if slices.ContainsFunc(r.groups, u.inGroup) {
			keys = append(keys, r.key)
		}
	}
	return keys
}

func (st *state) role(key string) *appRole {
	for _, r := range st.roles {
		if r.key == key {
			return r
		}
	}
	return nil
}

// roleUsers counts the active users with access to r: the seats in use.
func (st *state) roleUsers(r *appRole) int {
	seen := map[*user]struct{}{}
	for _, name := range r.groups {
		g := st.group(name)
		if g == nil {
			continue
		}
		for u := range g.members {
			if u.jiraActive() && !u.removed {
				seen[u] = struct{}{}
			}
		}
	}
	return len(seen)
}

// model converts u to the library's model, with everything the fake knows.
func (st *state) model(u *user) jira.User {
	m := jira.User{
		Key:         u.key,
		Name:        u.name,
		AccountID:   u.accountID,
		DisplayName: u.displayName,
		Email:       u.email,
		Active:      u.jiraActive(),
		AccountType: u.accountType,
		Groups:      u.groupNames(),
		Licences:    st.licences(u),
		Created:     u.created,
		LoginCount:  new(u.loginCount),
	}
	if u.dir != nil {
		m.Directory = u.dir.name
	}
	if u.lastLogin.IsZero() {
		m.LastLogin = jira.NeverLoggedIn()
	} else {
		m.LastLogin = jira.LoggedInAt(u.lastLogin)
	}
	if len(u.lastActive) > 0 {
		m.LastActive = make(map[string]time.Time, len(u.lastActive))
		for k, v := range u.lastActive {
			m.LastActive[k] = v
		}
	}
	if len(u.properties) > 0 {
		m.Properties = make(map[string]json.RawMessage, len(u.properties))
		for k, v := range u.properties {
			m.Properties[k] = slices.Clone(v)
		}
	}
	return m
}

func sortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
