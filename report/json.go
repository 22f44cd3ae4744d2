package report

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"time"

	"github.com/seatwarden/seatwarden/actions"
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

// Run is a run in the programs' JSON: what the CLI's 'apply', 'run
// --apply' and 'undo --apply' write with --output json, and what the
// server answers to POST /api/v1/plans/{id}/apply, POST
// /api/v1/runs/{id}/undo, GET /api/v1/runs/{id} and, without Results,
// GET /api/v1/runs. Build it with [NewRun] from a run's report, or with
// [RunOfSummary] from the history, so that a run reads the same wherever
// it comes from.
//
// Times are RFC 3339 in UTC. Counts has every outcome that occurred.
// A step's error is its text ("error"); a run saved in the history keeps
// only the text.
type Run struct {
	ID       string      `json:"id"`
	PlanID   string      `json:"planId"`
	Policies []string    `json:"policies"`
	Site     string      `json:"site"`
	Flavor   jira.Flavor `json:"flavor,omitzero"`
	DryRun   bool        `json:"dryRun"`
	// Resumed is true when the run resumed an interrupted one; the
	// history does not keep it.
	Resumed  bool                    `json:"resumed,omitempty"`
	Started  time.Time               `json:"started"`
	Finished time.Time               `json:"finished"`
	Steps    int                     `json:"steps"`
	Counts   map[actions.Outcome]int `json:"counts"`
	// ApprovalIssue is the issue that approved the run, if any.
	ApprovalIssue string `json:"approvalIssue,omitempty"`
	// LimitOverride is present when the run went over a blast-radius
	// limit with a reason (--override-limits).
	LimitOverride *actions.LimitOverride `json:"limitOverride,omitempty"`
	// Results are the steps' outcomes in the run's order: present ([]
	// when none) in a run's own document, absent in a list of runs.
	Results []actions.Result `json:"results,omitzero"`
}

// NewRun returns r in the programs' JSON shape, with its results.
func NewRun(r *Report) Run {
	out := RunOfSummary(r.RunSummary(), r.Results)
	out.Resumed = r.Resumed
	return out
}

// RunOfSummary returns a run of the history in the programs' JSON shape,
// with results when they are given (nil leaves them out, as a list of
// runs does).
func RunOfSummary(s RunSummary, results []actions.Result) Run {
	out := Run{ID: s.RunID, PlanID: s.PlanID, Policies: nonNil(s.Policies), Site: s.Site, Flavor: s.Flavor,
		DryRun: s.DryRun, Started: s.Started.UTC(), Finished: s.Finished.UTC(), Steps: s.Steps,
		Counts: maps.Clone(s.Counts), ApprovalIssue: s.ApprovalIssue, LimitOverride: s.LimitOverride}
	if out.Counts == nil {
		out.Counts = map[actions.Outcome]int{}
	}
	if results != nil {
		out.Results = make([]actions.Result, len(results))
		for i, res := range results {
			if res.Error == "" && res.Err != nil {
				res.Error = res.Err.Error()
			}
			res.Err = nil
			out.Results[i] = res
		}
	}
	return out
}
