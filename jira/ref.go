package jira

import "fmt"

// RefKind says which identifier a [UserRef] holds.
type RefKind int

// The kinds of user reference.
const (
	RefAccountID RefKind = iota + 1 // Cloud accountId
	RefUsername                     // DC login name
	RefUserKey                      // DC user key
)

// UserRef names one user in a request. It is built only by [AccountID],
// [Username] or [UserKey], so each reference knows its flavour and a client
// refuses one of the wrong flavour (with [ErrWrongFlavor]) before sending
// anything.
type UserRef struct {
	kind  RefKind
	value string
}

// AccountID refers to a Cloud user by accountId.
func AccountID(id string) UserRef { return UserRef{RefAccountID, id} }

// Username refers to a DC user by login name.
func Username(name string) UserRef { return UserRef{RefUsername, name} }

// UserKey refers to a DC user by immutable key.
func UserKey(key string) UserRef { return UserRef{RefUserKey, key} }

// Kind returns which identifier the reference holds; zero for the zero UserRef.
func (r UserRef) Kind() RefKind { return r.kind }

// Value returns the identifier itself.
func (r UserRef) Value() string { return r.value }

// IsZero reports whether r is the zero UserRef, which refers to nobody.
func (r UserRef) IsZero() bool { return r.kind == 0 }

// Flavor returns the flavour the reference belongs to.
func (r UserRef) Flavor() Flavor {
	switch r.kind {
	case RefAccountID:
		return Cloud
	case RefUsername, RefUserKey:
		return DataCenter
	}
	return 0
}

// String returns the reference as "accountId:…", "username:…" or "key:…".
func (r UserRef) String() string {
	switch r.kind {
	case RefAccountID:
		return "accountId:" + r.value
	case RefUsername:
		return "username:" + r.value
	case RefUserKey:
		return "key:" + r.value
	}
	return "<no user>"
}

// Check returns an error wrapping [ErrWrongFlavor] when r cannot be used on
// a site of flavour f, and an error when r is zero or empty.
func (r UserRef) Check(f Flavor) error {
	if r.kind == 0 || r.value == "" {
		return fmt.Errorf("jira: empty user reference")
	}
	if r.Flavor() != f {
		return fmt.Errorf("jira: %s cannot address a %s user: %w", r, f, ErrWrongFlavor)
	}
	return nil
}
