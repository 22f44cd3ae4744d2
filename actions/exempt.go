package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Entry is one exempt user or group, optionally time-boxed.
type Entry struct {
	// Value is a user (key, name, accountId or email; names and emails
	// are compared ignoring case) or a group name.
	Value string `json:"value"`
	// Until, when set, is when the exemption expires: from that instant
	// on (compared with the plan's Now) it no longer applies.
	Until time.Time `json:"until,omitzero"`
	// Reason is shown in the plan, e.g. "on parental leave".
	Reason string `json:"reason,omitempty"`
}

// UnmarshalJSON reads an entry from a JSON object or a plain string.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*e = Entry{Value: s}
		return nil
	}
	type plain Entry
	return json.Unmarshal(b, (*plain)(e))
}

// Entries returns permanent entries for the values.
func Entries(values ...string) []Entry {
	out := make([]Entry, len(values))
	for i, v := range values {
		out[i] = Entry{Value: v}
	}
	return out
}

func (e Entry) active(now time.Time) bool { return e.Until.IsZero() || now.Before(e.Until) }

func (e Entry) why(kind string) string {
	s := kind + " " + e.Value
	if !e.Until.IsZero() {
		s += " until " + e.Until.UTC().Format(time.RFC3339)
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Rule exempts the users a matcher selects.
type Rule struct {
	Name    string    `json:"name"`
	Matcher Matcher   `json:"-"`
	Until   time.Time `json:"until,omitzero"`
}

// Exemptions are users who must not be touched. They are evaluated
// before any action and always win: an exempt user gets no step, and the
// plan lists the user with the reason.
type Exemptions struct {
	Users  []Entry `json:"users,omitempty"`
	Groups []Entry `json:"groups,omitempty"`
	Rules  []Rule  `json:"rules,omitempty"`
}

// exempt returns why u is exempt, or "".
func (x *Exemptions) exempt(ctx context.Context, u *jira.User, now time.Time) (string, error) {
	for _, e := range x.Users {
		if e.active(now) && identifies(e.Value, u) {
			return e.why("exempt user"), nil
		}
	}
	for _, e := range x.Groups {
		if e.active(now) && u.InGroup(e.Value) {
			return e.why("member of exempt group"), nil
		}
	}
	for _, r := range x.Rules {
		if !r.Until.IsZero() && !now.Before(r.Until) {
			continue
		}
		ok, err := r.Matcher.Match(ctx, u)
		if err != nil {
			// An exemption that cannot be evaluated exempts: fail safe.
			return fmt.Sprintf("exemption rule %q failed (%v): exempt to be safe", r.Name, err), nil
		}
		if ok {
			return "exemption rule " + r.Name, nil
		}
	}
	return "", nil
}

// identifies reports whether id names u: its key or accountId (exactly),
// its name or email (ignoring case).
func identifies(id string, u *jira.User) bool {
	if id == "" {
		return false
	}
	return id == u.Key || id == u.AccountID || strings.EqualFold(id, u.Name) ||
		(u.Email != "" && strings.EqualFold(id, u.Email))
}

// ProtectedGroups returns the administrators groups whose members are
// always exempt on a flavour: DC jira-administrators and
// jira-system-administrators; Cloud site-admins, jira-admins and
// administrators. A snapshot must include their membership (see
// [Requirements]); in addition, a user in any group whose name ends in
// "-admins" or "-administrators" is protected when the snapshot shows it.
func ProtectedGroups(f jira.Flavor) []string {
	switch f {
	case jira.Cloud:
		return []string{"administrators", "jira-admins", "site-admins"}
	default:
		return []string{"jira-administrators", "jira-system-administrators"}
	}
}

// protected returns why u is protected, or "".
func protected(u *jira.User, f jira.Flavor, myself *jira.User, readOnly []string) string {
	if sameUser(u, myself) {
		return "protected: the account the tool runs as"
	}
	if u.AccountType == jira.AccountApp {
		return "protected: app account"
	}
	for _, g := range ProtectedGroups(f) {
		if u.InGroup(g) {
			return "protected: member of administrators group " + g
		}
	}
	for _, g := range u.Groups {
		if adminGroup(f, g) {
			return "protected: member of administrators group " + g
		}
	}
	if u.Directory != "" && slices.Contains(readOnly, u.Directory) {
		return "protected: read-only directory " + u.Directory
	}
	return ""
}

func sameUser(a, b *jira.User) bool {
	switch {
	case a.AccountID != "" || b.AccountID != "":
		return a.AccountID == b.AccountID
	case a.Key != "" && b.Key != "":
		return a.Key == b.Key
	default:
		return a.Name != "" && strings.EqualFold(a.Name, b.Name)
	}
}

// adminGroup reports whether g is an administrators group on flavour f:
// one of [ProtectedGroups], or a name ending in -admins or -administrators.
func adminGroup(f jira.Flavor, g string) bool {
	return slices.Contains(ProtectedGroups(f), g) || strings.HasSuffix(g, "-admins") || strings.HasSuffix(g, "-administrators")
}
