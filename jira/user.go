package jira

import (
	"encoding/json"
	"slices"
	"time"
)

// AccountType is the kind of account, as Jira Cloud reports it in
// accountType. Data Center users are always [AccountAtlassian].
type AccountType string

// The account types Jira Cloud reports.
const (
	AccountAtlassian AccountType = "atlassian" // a person
	AccountApp       AccountType = "app"       // an app or bot (Connect, Forge, automation)
	AccountCustomer  AccountType = "customer"  // a Jira Service Management portal customer
	AccountUnknown   AccountType = "unknown"
)

// User is one Jira user as Seatwarden sees it, on either flavour. A field
// that a site does not provide, or that a snapshot did not ask for, keeps its
// zero value; the fields that can be unknown say how that is told apart.
type User struct {
	// Key is the DC user key: immutable, e.g. "JIRAUSER10100". Empty on Cloud.
	Key string `json:"key,omitempty"`
	// Name is the DC login name, which can be renamed. Empty on Cloud.
	Name string `json:"name,omitempty"`
	// AccountID identifies a Cloud account. Empty on DC.
	AccountID string `json:"accountId,omitempty"`

	DisplayName string `json:"displayName,omitempty"`
	// Email is empty when unknown: Cloud hides it for some users.
	Email string `json:"email,omitempty"`
	// Active is Jira's active flag (DC) or the account's active state (Cloud).
	Active      bool        `json:"active"`
	AccountType AccountType `json:"accountType,omitempty"`
	// Directory names the user directory (DC) or Atlassian directory
	// (Cloud) holding the user; empty when unknown.
	Directory string `json:"directory,omitempty"`

	// Groups holds the names of the groups the user belongs to, sorted. A
	// snapshot fills in only the groups that were asked for.
	Groups []string `json:"groups,omitempty"`
	// Licences holds the keys of the application roles (e.g.
	// "jira-software") the user has access to, sorted.
	Licences []string `json:"licences,omitempty"`

	// Created is when the user was created (DC) or added to the
	// organisation (Cloud); zero when unknown.
	Created time.Time `json:"created,omitzero"`
	// LastLogin is when the user last logged in, with a distinct unknown
	// state.
	LastLogin LastLogin `json:"lastLogin,omitzero"`
	// LoginCount is the number of logins, nil when unknown.
	LoginCount *int `json:"loginCount,omitempty"`
	// LastActive maps a Cloud product key (e.g. "jira-software") to the
	// time the user was last active in it.
	LastActive map[string]time.Time `json:"lastActive,omitempty"`
	// Properties holds the user's entity properties by key, as raw JSON.
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// InGroup reports whether the user is a member of the named group, among
// the groups known for the user.
func (u *User) InGroup(name string) bool {
	_, ok := slices.BinarySearch(u.Groups, name)
	if ok {
		return true
	}
	return slices.Contains(u.Groups, name) // tolerate unsorted input
}

// HasLicence reports whether the user has access to the application role
// with the given key.
func (u *User) HasLicence(key string) bool { return slices.Contains(u.Licences, key) }

// Ref returns the reference that identifies the user on the given flavour:
// the accountId on Cloud, the key (or else the name) on DC. ok is false
// when the user carries no identity for that flavour.
func (u *User) Ref(f Flavor) (ref UserRef, ok bool) {
	switch f {
	case Cloud:
		if u.AccountID != "" {
			return AccountID(u.AccountID), true
		}
	case DataCenter:
		if u.Key != "" {
			return UserKey(u.Key), true
		}
		if u.Name != "" {
			return Username(u.Name), true
		}
	}
	return UserRef{}, false
}

// ID returns the most stable identifier the user has: the accountId on
// Cloud, else the DC key, else the DC name.
func (u *User) ID() string {
	switch {
	case u.AccountID != "":
		return u.AccountID
	case u.Key != "":
		return u.Key
	default:
		return u.Name
	}
}

// LastLogin is when a user last logged in. It has three states: unknown
// (Known is false: the site does not say), never (Known, zero Time), and a
// time. Unknown is never to be read as never.
type LastLogin struct {
	Time  time.Time `json:"time,omitzero"`
	Known bool      `json:"known"`
}

// LoggedInAt returns a known last login at t.
func LoggedInAt(t time.Time) LastLogin { return LastLogin{Time: t, Known: true} }

// NeverLoggedIn returns the known state of a user who never logged in.
func NeverLoggedIn() LastLogin { return LastLogin{Known: true} }

// Never reports whether the user is known never to have logged in.
func (l LastLogin) Never() bool { return l.Known && l.Time.IsZero() }

// String returns "unknown", "never" or the time in RFC 3339.
func (l LastLogin) String() string {
	switch {
	case !l.Known:
		return "unknown"
	case l.Time.IsZero():
		return "never"
	default:
		return l.Time.Format(time.RFC3339)
	}
}

// Group is a Jira group. Cloud groups also have an immutable ID; DC groups
// are known by name only.
type Group struct {
	Name string `json:"name"`
	ID   string `json:"groupId,omitempty"`
}
