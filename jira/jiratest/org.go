package jiratest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Org is an organisation to load into a fake: directories, groups, users,
// projects and licence seats. The same Org loads on both flavours: users
// get keys on DC and accountIds on Cloud, licences map to each flavour's
// licence groups, and emails are the same, so DC users can be matched to
// Cloud accounts. [GenerateOrg] makes a realistic one from a seed.
type Org struct {
	// Name is the organisation's name (Cloud Admin API).
	Name string
	// ClaimedDomains are the email domains the organisation has verified
	// (Cloud): their accounts are managed, so the user-management API can
	// disable them.
	ClaimedDomains []string
	// Directories are user directories besides the default one (DC: the
	// internal directory; Cloud: the organisation's directory).
	Directories []Directory
	// Groups are groups besides the built-in ones (administrators and
	// licence groups), e.g. departments and contractors.
	Groups []string
	// Seats caps application roles, by key (e.g. "jira-software": 1000);
	// a role not listed has unlimited seats.
	Seats map[string]int
	// Users are the users, in creation order.
	Users []UserSpec
	// Projects are projects with their leads.
	Projects []ProjectSpec
}

// Directory is a user directory.
type Directory struct {
	ID       string
	Name     string
	ReadOnly bool // writes to its users fail, as with a read-only LDAP directory
}

// ProjectSpec is a project. A project's lead cannot be deleted on DC.
type ProjectSpec struct {
	Key  string
	Name string
	// Lead is the lead's name or email. A name of a user in the same Org
	// works on both flavours, although Cloud users have no name.
	Lead string
}

// UserSpec describes a user to load into the fake.
type UserSpec struct {
	// Name is the DC login name; required on DC. On Cloud it only seeds
	// the accountId when there is no email.
	Name string
	// Key is the DC user key; default JIRAUSER<n>.
	Key string
	// AccountID is the Cloud accountId; default derived from the email, so
	// it is the same on every run.
	AccountID   string
	DisplayName string
	Email       string
	// EmailHidden hides the email in Cloud's Jira REST responses, as a
	// profile-visibility setting does. The Admin API still shows it.
	EmailHidden bool
	// Inactive makes the user inactive.
	Inactive bool
	// AccountType is the Cloud account type; default atlassian. DC has
	// no account types: its users are all atlassian.
	AccountType jira.AccountType
	// Directory is the name or id of the user's directory; default the
	// first one.
	Directory string
	// Groups are the groups the user is in (created if missing).
	Groups []string
	// Licences are the keys of the application roles the user has: the
	// user joins each role's default group.
	Licences []string
	// Created is when the user was created (added to the organisation on
	// Cloud).
	Created time.Time
	// LastLogin is when the user last logged in; zero means never.
	LastLogin time.Time
	// LoginCount is the number of logins.
	LoginCount int
	// LastActive is per-product last activity (Cloud); when nil it is
	// derived from LastLogin for each licence the user has.
	LastActive map[string]time.Time
	// Properties are entity properties by key, as JSON.
	Properties map[string]json.RawMessage
	// Password is the DC password, or the Cloud API token, that lets the
	// user authenticate; empty means the user cannot.
	Password string
	// Synced marks a Cloud account managed from an identity provider
	// (SCIM): it cannot be disabled through the user-management API.
	Synced bool
	// Admin makes the user an administrator on either flavour: the user
	// joins the flavour's administrator groups (DC jira-administrators and
	// jira-system-administrators; Cloud site-admins and jira-admins).
	Admin bool
}

type orgInfo struct {
	id   string
	name string
}

// roleDefs are the application roles each flavour has, with their groups.
func roleDefs(flavor jira.Flavor) []*appRole {
	if flavor == jira.DataCenter {
		return []*appRole{
			{key: "jira-software", name: "Jira Software", groups: []string{"jira-software-users"}, defaultGroups: []string{"jira-software-users"}, seats: -1},
			{key: "jira-servicedesk", name: "Jira Service Management", groups: []string{"jira-servicedesk-users"}, defaultGroups: []string{"jira-servicedesk-users"}, seats: -1},
			{key: "jira-core", name: "Jira Core", groups: []string{"jira-core-users"}, defaultGroups: []string{"jira-core-users"}, seats: -1},
		}
	}
	return []*appRole{
		{key: "jira-software", name: "Jira", groups: []string{"jira-software-users"}, defaultGroups: []string{"jira-software-users"}, seats: -1},
		{key: "jira-servicedesk", name: "Jira Service Management", groups: []string{"jira-servicemanagement-users"}, defaultGroups: []string{"jira-servicemanagement-users"}, seats: -1},
		{key: "jira-product-discovery", name: "Jira Product Discovery", groups: []string{"jira-product-discovery-users"}, defaultGroups: []string{"jira-product-discovery-users"}, seats: -1},
	}
}

// seedDefaults creates what every fresh site has: the default directory,
// the administrators and licence groups, the application roles, the
// administrator the credentials log in as, and the project OPS.
func (s *Server) seedDefaults() error {
	st := s.st
	cr := s.cfg.creds
	if st.flavor == jira.DataCenter {
		st.dirs = append(st.dirs, &directory{id: "1", name: "Jira Internal Directory"})
	} else {
		st.dirs = append(st.dirs, &directory{id: stableUUID("directory", cr.OrgID), name: "Demo Organization directory"})
	}
	st.roles = roleDefs(st.flavor)
	names := slices.Clone(st.adminGrps)
	for _, r := range st.roles {
		names = append(names, r.groups...)
	}
	for _, n := range names {
		if _, err := st.addGroup(n, ""); err != nil {
			return err
		}
	}
	admin := &user{
		name: cr.DCUser, displayName: "Administrator", email: cr.CloudEmail, active: true,
		created: time.Date(2015, 3, 2, 9, 0, 0, 0, time.UTC), lastLogin: time.Now().UTC().Truncate(time.Second),
		loginCount: 1, managed: true,
	}
	if st.flavor == jira.DataCenter {
		admin.password = cr.DCPassword
	} else {
		admin.apiToken = cr.CloudToken
		admin.name = ""
		admin.lastActive = map[string]time.Time{"jira-software": admin.lastLogin}
	}
	if err := st.addUser(admin); err != nil {
		return err
	}
	for _, g := range append(slices.Clone(st.adminGrps), st.roles[0].groups[0]) {
		st.join(st.group(g), admin)
	}
	if st.flavor == jira.DataCenter {
		s.tokens[cr.DCToken] = admin.key
	}
	if ja := s.cfg.jiraAdmin; st.flavor == jira.Cloud && ja[0] != "" {
		u := &user{displayName: "Jira Administrator", email: ja[0], apiToken: ja[1], active: true, managed: true,
			created: admin.created}
		if err := st.addUser(u); err != nil {
			return err
		}
		st.join(st.group("jira-admins"), u)
	}
	st.projects["OPS"] = &project{key: "OPS", id: "10000", name: "Operations", lead: admin}
	return nil
}

// Load adds an organisation to the site. It checks everything first and
// changes nothing when something is wrong.
func (s *Server) Load(o *Org) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkOrg(o); err != nil {
		return err
	}
	st := s.st
	if o.Name != "" && len(s.orgs) > 0 {
		s.orgs[0].name = o.Name
	}
	for _, d := range o.Directories {
		st.dirs = append(st.dirs, &directory{id: d.ID, name: d.Name, readOnly: d.ReadOnly})
	}
	for _, g := range o.Groups {
		if st.group(g) == nil {
			if _, err := st.addGroup(g, ""); err != nil {
				return err
			}
		}
	}
	for key, n := range o.Seats {
		st.role(key).seats = n
	}
	// refs finds the users project leads name, by name or email, on both
	// flavours (Cloud users keep no name).
	refs := make(map[string]*user, len(o.Projects))
	for _, p := range o.Projects {
		if p.Lead != "" {
			refs[strings.ToLower(p.Lead)] = nil
		}
	}
	st.reserve(len(o.Users))
	for i := range o.Users {
		sp := &o.Users[i]
		u, err := s.addSpec(sp, o.ClaimedDomains)
		if err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
		for _, ref := range []string{strings.ToLower(sp.Name), strings.ToLower(sp.Email)} {
			if _, ok := refs[ref]; ok {
				refs[ref] = u
			}
		}
	}
	for _, p := range o.Projects {
		lead := refs[strings.ToLower(p.Lead)]
		if lead == nil {
			lead = st.lookup(p.Lead)
		}
		st.projects[p.Key] = &project{key: p.Key, id: fmt.Sprint(10000 + len(st.projects)), name: p.Name, lead: lead}
	}
	return nil
}

func (s *Server) checkOrg(o *Org) error {
	st := s.st
	for key := range o.Seats {
		if st.role(key) == nil {
			return fmt.Errorf("seats: no application role %q on %s", key, st.flavor)
		}
	}
	seen := make(map[string]bool, len(o.Users))
	refs := make(map[string]bool, 2*len(o.Users)) // names and emails, for project leads
	for i, u := range o.Users {
		id := strings.ToLower(u.Name)
		if st.flavor == jira.Cloud {
			id = strings.ToLower(u.Email)
		}
		if st.flavor == jira.DataCenter && u.Name == "" {
			return fmt.Errorf("users[%d]: name is required on DC", i)
		}
		if id != "" && (seen[id] || st.lookup(id) != nil) {
			return fmt.Errorf("users[%d]: duplicate user %q", i, id)
		}
		seen[id] = true
		for _, ref := range []string{u.Name, u.Email} {
			if ref != "" {
				refs[strings.ToLower(ref)] = true
			}
		}
		if u.Directory != "" && st.directory(u.Directory) == nil && !slices.ContainsFunc(o.Directories, func(d Directory) bool {
			return d.ID == u.Directory || strings.EqualFold(d.Name, u.Directory)
		}) {
			return fmt.Errorf("users[%d]: no directory %q", i, u.Directory)
		}
		for _, l := range u.Licences {
			if st.role(l) == nil {
				return fmt.Errorf("users[%d]: no application role %q on %s", i, l, st.flavor)
			}
		}
	}
	for i, p := range o.Projects {
		if p.Key == "" || st.projects[p.Key] != nil {
			return fmt.Errorf("projects[%d]: missing or duplicate key %q", i, p.Key)
		}
		if p.Lead != "" && !refs[strings.ToLower(p.Lead)] && st.lookup(p.Lead) == nil {
			return fmt.Errorf("projects[%d]: no lead %q", i, p.Lead)
		}
	}
	return nil
}

// addSpec creates the user a spec describes.
func (s *Server) addSpec(sp *UserSpec, claimed []string) (*user, error) {
	st := s.st
	u := &user{
		key: sp.Key, name: sp.Name, accountID: sp.AccountID, displayName: sp.DisplayName,
		email: sp.Email, emailHidden: sp.EmailHidden, active: !sp.Inactive, accountType: sp.AccountType,
		created: sp.Created, lastLogin: sp.LastLogin, loginCount: sp.LoginCount,
		synced: sp.Synced,
	}
	if st.flavor == jira.DataCenter {
		u.password = sp.Password
		u.accountType = jira.AccountAtlassian // account types are Cloud's
	} else {
		u.apiToken = sp.Password
		u.name = ""
		_, domain, _ := strings.Cut(sp.Email, "@")
		u.managed = slices.Contains(claimed, strings.ToLower(domain)) || slices.Contains(claimed, domain)
	}
	if u.displayName == "" {
		u.displayName = sp.Name
	}
	if sp.Directory != "" {
		u.dir = st.directory(sp.Directory)
	}
	if len(sp.Properties) > 0 {
		u.properties = make(map[string]json.RawMessage, len(sp.Properties))
		for k, v := range sp.Properties {
			u.properties[k] = slices.Clone(v)
		}
	}
	if st.flavor == jira.Cloud {
		switch {
		case sp.LastActive != nil:
			u.lastActive = make(map[string]time.Time, len(sp.LastActive))
			for k, v := range sp.LastActive {
				u.lastActive[k] = v
			}
		case !sp.LastLogin.IsZero():
			u.lastActive = map[string]time.Time{}
			for _, l := range sp.Licences {
				u.lastActive[l] = sp.LastLogin
			}
		}
	}
	if err := st.addUser(u); err != nil {
		return nil, err
	}
	for _, name := range sp.Groups {
		g := st.group(name)
		if g == nil {
			var err error
			if g, err = st.addGroup(name, ""); err != nil {
				return nil, err
			}
		}
		st.join(g, u)
	}
	for _, l := range sp.Licences {
		for _, gn := range st.role(l).defaultGroups {
			st.join(st.group(gn), u)
		}
	}
	if sp.Admin {
		for _, gn := range st.adminGrps {
			if g := st.group(gn); g != nil {
				st.join(g, u)
			}
		}
	}
	return u, nil
}

// AddUser adds one user to the site and returns it as the library models
// it. Webhooks are not fired: this is seeding, not a request.
func (s *Server) AddUser(sp UserSpec) (jira.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range sp.Licences {
		if s.st.role(l) == nil {
			return jira.User{}, fmt.Errorf("jiratest: no application role %q on %s", l, s.st.flavor)
		}
	}
	if sp.Directory != "" && s.st.directory(sp.Directory) == nil {
		return jira.User{}, fmt.Errorf("jiratest: no directory %q", sp.Directory)
	}
	u, err := s.addSpec(&sp, nil)
	if err != nil {
		return jira.User{}, fmt.Errorf("jiratest: %w", err)
	}
	return s.st.model(u), nil
}

// AddGroup adds an empty group, or reports an error if it exists.
func (s *Server) AddGroup(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.st.addGroup(name, "")
	if err != nil {
		return fmt.Errorf("jiratest: %w", err)
	}
	return nil
}

// User returns the current state of the user with the given key, name,
// accountId or email, with everything the fake knows about it (groups,
// licences, last login, properties). ok is false when there is no such user.
func (s *Server) User(id string) (u jira.User, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.st.lookup(id)
	if x == nil {
		return jira.User{}, false
	}
	return s.st.model(x), true
}

// Users returns the current state of every user, in creation order.
func (s *Server) Users() []jira.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]jira.User, len(s.st.users))
	for i, u := range s.st.users {
		out[i] = s.st.model(u)
	}
	return out
}

// Groups returns the names of all groups, sorted.
func (s *Server) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.st.groups))
	for _, g := range s.st.groups {
		names = append(names, g.name)
	}
	slices.Sort(names)
	return names
}

// GroupMembers returns the identities (name on DC, accountId on Cloud) of
// the members of a group, sorted; ok is false when there is no such group.
func (s *Server) GroupMembers(name string) (members []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.group(name)
	if g == nil {
		return nil, false
	}
	for u := range g.members {
		members = append(members, s.ident(u))
	}
	slices.Sort(members)
	return members, true
}

// GroupID returns the Cloud groupId of a group.
func (s *Server) GroupID(name string) (id string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.st.group(name); g != nil {
		return g.id, true
	}
	return "", false
}

// Directories returns the site's directories.
func (s *Server) Directories() []Directory {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Directory, len(s.st.dirs))
	for i, d := range s.st.dirs {
		out[i] = Directory{ID: d.id, Name: d.name, ReadOnly: d.readOnly}
	}
	return out
}

// SeatsUsed returns the number of active users with access to an
// application role, the count Jira bills; ok is false for an unknown role.
func (s *Server) SeatsUsed(role string) (n int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.role(role)
	if r == nil {
		return 0, false
	}
	return s.st.roleUsers(r), true
}

// SetLastLogin records a login of the user at t, as if the user had logged
// in then (login count goes up; on Cloud, last active in each licensed
// product too). It reports false when there is no such user.
func (s *Server) SetLastLogin(id string, t time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.lookup(id)
	if u == nil {
		return false
	}
	u.lastLogin = t
	u.loginCount++
	if s.st.flavor == jira.Cloud {
		if u.lastActive == nil {
			u.lastActive = map[string]time.Time{}
		}
		for _, l := range s.st.licences(u) {
			u.lastActive[l] = t
		}
	}
	return true
}

// ident is how a user is named in inspection results: the login name on
// DC, the accountId on Cloud.
func (s *Server) ident(u *user) string {
	if s.st.flavor == jira.DataCenter {
		return u.name
	}
	return u.accountID
}
