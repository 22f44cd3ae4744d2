package report

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// WriteJSON writes v to w as the programs' JSON documents are written
// (the CLI's --output json and plan files, the server's API): indented
// by two spaces, one newline at the end, and without HTML escaping, so
// that a criterion's "&&" stays "&&" rather than "\u0026\u0026".
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// MarshalJSON returns v as [WriteJSON] writes it.
func MarshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteJSON(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MarshalCompact returns v as compact JSON without HTML escaping and
// without a trailing newline (one value of a streamed array, or what a
// signature covers).
func MarshalCompact(v any) ([]byte, error) {
	b, err := MarshalJSON(v)
	if err != nil {
		return nil, err
	}
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		return nil, err
	}
	return c.Bytes(), nil
}

// User is a user in the programs' JSON: the CLI's 'users list --output
// json' and the server's GET /api/v1/users write this shape, built by
// [NewUser], so that one document means the same in both.
//
// Times are RFC 3339 in UTC. A fact the site was asked for is always
// present, and a fact it was not asked for is absent. lastLogin is a
// time, "never" or "unknown", and created is a time or "unknown": the
// same words as the CLI's table and CSV and the criteria language's three
// states, so that an unknown last login (Jira DC before 10.3 without a
// login source; a Cloud account the Admin API does not report) is never
// mistaken for never. A word, rather than null or a missing key, keeps
// the difference explicit in every language's JSON decoder.
type User struct {
	Key         string `json:"key,omitempty"`
	Name        string `json:"name,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	Active      bool   `json:"active"`
	AccountType string `json:"accountType,omitempty"`
	Directory   string `json:"directory,omitempty"`
	// Groups and Licences are present ([] when none) when they were read.
	Groups   []string `json:"groups,omitzero"`
	Licences []string `json:"licences,omitzero"`
	// Created and LastLogin are present when last logins were read.
	Created   string `json:"created,omitempty"`
	LastLogin string `json:"lastLogin,omitempty"`
	// LoginCount and LastActive are present when the site gives them.
	LoginCount *int                       `json:"loginCount,omitempty"`
	LastActive map[string]time.Time       `json:"lastActive,omitempty"`
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// NewUser returns u in the programs' JSON shape; read says what the
// snapshot asked the site for (groups, licences, last logins), which
// decides which facts are present.
func NewUser(u *jira.User, read jira.SnapshotOptions) User {
	out := User{Key: u.Key, Name: u.Name, AccountID: u.AccountID, Email: u.Email, DisplayName: u.DisplayName,
		Active: u.Active, AccountType: string(u.AccountType), Directory: u.Directory,
		LoginCount: u.LoginCount, Properties: u.Properties}
	if len(u.LastActive) > 0 {
		out.LastActive = make(map[string]time.Time, len(u.LastActive))
		for k, t := range u.LastActive {
			out.LastActive[k] = t.UTC()
		}
	}
	if read.AllGroups || len(read.Groups) > 0 {
		out.Groups = nonNil(u.Groups)
	}
	if read.Licences {
		out.Licences = nonNil(u.Licences)
	}
	if read.LastLogin {
		out.Created, out.LastLogin = CreatedText(u.Created), LastLoginText(u.LastLogin)
	}
	return out
}

// LastLoginText is a last login as the programs write it: RFC 3339 in
// UTC, "never" or "unknown".
func LastLoginText(l jira.LastLogin) string {
	switch {
	case !l.Known:
		return "unknown"
	case l.Time.IsZero():
		return "never"
	}
	return l.Time.UTC().Format(time.RFC3339)
}

// CreatedText is a creation time as the programs write it: RFC 3339 in
// UTC, or "unknown" (Jira DC's REST API gives none).
func CreatedText(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
