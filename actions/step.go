package actions

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// StepKind is what one step does to one user.
type StepKind string

// The kinds of step, in the canonical order in which a user's steps are
// planned and applied (see [StepKind.Order]).
const (
	KindReactivate         StepKind = "reactivate"
	KindSetProperty        StepKind = "set-property"
	KindDeleteProperty     StepKind = "delete-property"
	KindRemoveGroup        StepKind = "remove-group"
	KindRevokeLicence      StepKind = "revoke-licence"
	KindAddGroup           StepKind = "add-group"
	KindGrantLicence       StepKind = "grant-licence"
	KindInvalidateSessions StepKind = "invalidate-sessions"
	KindResetPassword      StepKind = "reset-password"
	KindDeactivate         StepKind = "deactivate"
	KindDelete             StepKind = "delete"
	KindCreateIssue        StepKind = "create-issue"
)

// Order returns the kind's place in the canonical order: notify, reactivate,
// set-property, delete-property, remove-group, revoke-licence, add-group,
// grant-licence, invalidate-sessions, reset-password, deactivate, delete,
// create-issue, move-directory. Notify comes first so that the user is
// told before anything is done (and nothing is done when the mail cannot
// be sent), properties next so that a "deactivatedOn" marker is
// written before the user loses access, and create-issue last so that the
// issue describes what was done. An unknown kind sorts last.
func (k StepKind) Order() int {
	_, i, _ := kindOf(k)
	return i
}

// Destructive reports whether the step takes something away from the user
// (access, membership, the account, the password or sessions). Before the
// first step of a user with a destructive step, apply re-reads the user
// and skips the user's steps as stale when the facts the plan decided on
// have changed.
func (k StepKind) Destructive() bool {
	d, _, _ := kindOf(k)
	return d.destructive
}

// Valid reports whether k is one of the known kinds.
func (k StepKind) Valid() bool { _, _, ok := kindOf(k); return ok }

// once reports whether a step of kind k that may have been carried out
// is never carried out again: its effect cannot be read back.
func (k StepKind) once() bool { d, _, _ := kindOf(k); return d.once }

// Step is one change to one user, as data: the plan lists them, the
// journal records them, and apply executes them. Which fields are used
// depends on Kind.
type Step struct {
	Kind StepKind `json:"kind"`
	// Group is the group of add-group and remove-group.
	Group string `json:"group,omitempty"`
	// Licence is the application key of grant-licence and revoke-licence.
	Licence string `json:"licence,omitempty"`
	// Property is the key of set-property and delete-property.
	Property string `json:"property,omitempty"`
	// Value is the JSON value of set-property. It may hold the
	// placeholders {{now}}, {{date}}, {{runId}} and {{planId}}, which are
	// filled in when the step is applied; the journal records the value
	// written.
	Value json.RawMessage `json:"value,omitempty"`
	// Previous is the property's value before the step, when the snapshot
	// had it; [Undo] restores it.
	Previous json.RawMessage `json:"previous,omitempty"`
	// Issue is the issue of create-issue.
	Issue *IssueSpec `json:"issue,omitempty"`
	// Mail is the email of notify (notify.go).
	Mail *Mail `json:"mail,omitempty"`
	// FallbackToDeactivate makes a delete that Jira refuses (a project
	// lead, a read-only directory) deactivate the user instead.
	FallbackToDeactivate bool `json:"fallbackToDeactivate,omitempty"`
	// Password is the source of a reset-password step's password, by name
	// ("random" when empty). The password itself is never in a plan.
	Password string `json:"password,omitempty"`
	// Directory is the target directory of move-directory, FromDirectory
	// the user's directory when planned (movedir.go).
	Directory     string `json:"directory,omitempty"`
	FromDirectory string `json:"fromDirectory,omitempty"`
	// NoOp, when set, says why the step is already done; such steps are
	// kept in [UserPlan.NoOps] and never applied.
	NoOp string `json:"noop,omitempty"`
	// unconfirmed, set by [Verify] on a step that an interrupted run
	// started (its outcome lost) and that the policies do not plan now,
	// is why they do not: [Apply] only checks whether the step's effect
	// is there (then it is applied, found done on resume) and otherwise
	// refuses it with this reason. Such a step is never written. It is
	// not in the JSON: a plan file cannot set it.
	unconfirmed string
}

// Target returns what the step acts on besides the user: the group,
// licence or property, or "".
func (s Step) Target() string {
	switch {
	case s.Group != "":
		return s.Group
	case s.Licence != "":
		return s.Licence
	case s.Property != "":
		return s.Property
	case s.Directory != "":
		return s.Directory
	case s.Mail != nil:
		return strings.Join(s.Mail.To, ",")
	}
	return ""
}

// String returns the kind and target, e.g. "remove-group jira-software-users".
// It never shows a password.
func (s Step) String() string {
	t := s.Target()
	if s.Kind == KindNotify && t == "" {
		return string(s.Kind) + " (no known email address)"
	}
	if t == "" {
		return string(s.Kind)
	}
	return string(s.Kind) + " " + t
}

// same reports whether a and b are the same change (used to merge the
// steps of several policies).
func (s Step) same(o Step) bool {
	return s.Kind == o.Kind && s.Target() == o.Target() && bytes.Equal(s.Value, o.Value) &&
		s.FallbackToDeactivate == o.FallbackToDeactivate && s.Password == o.Password &&
		issueKey(s.Issue) == issueKey(o.Issue) && mailKey(s.Mail) == mailKey(o.Mail)
}

func issueKey(i *IssueSpec) string {
	if i == nil {
		return ""
	}
	b, _ := json.Marshal(i)
	return string(b)
}

func compareSteps(a, b Step) int {
	return cmp.Or(cmp.Compare(a.Kind.Order(), b.Kind.Order()), cmp.Compare(a.Target(), b.Target()),
		bytes.Compare(a.Value, b.Value), strings.Compare(issueKey(a.Issue), issueKey(b.Issue)),
		strings.Compare(mailKey(a.Mail), mailKey(b.Mail)))
}

// IssueSpec is an issue to file: per user (see [CreateIssuePerUser]) or
// once per run ([PlanOptions].RunIssue). Summary and Description may hold
// the placeholders {{user}}, {{name}}, {{email}}, {{displayName}},
// {{policy}} (filled in when planning) and {{now}}, {{date}}, {{runId}},
// {{planId}}, {{summary}} (filled in when applying; {{summary}} is the run
// issue's list of counts).
type IssueSpec struct {
	Project     string   `json:"project"`
	IssueType   string   `json:"issueType"`
	Summary     string   `json:"summary"`
	Description string   `json:"description,omitempty"`
	Labels      []string `json:"labels,omitempty"`
}

func (i *IssueSpec) request() jira.IssueRequest {
	return jira.IssueRequest{Project: i.Project, IssueType: i.IssueType, Summary: i.Summary,
		Description: i.Description, Labels: i.Labels}
}

// fill replaces the placeholders of vars in s.
func fill(s string, vars map[string]string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

// fillJSON replaces placeholders inside a JSON value, escaping what it
// inserts so that the result stays valid JSON.
func fillJSON(v json.RawMessage, vars map[string]string) (json.RawMessage, error) {
	if !bytes.Contains(v, []byte("{{")) {
		return v, nil
	}
	esc := make(map[string]string, len(vars))
	for k, s := range vars {
		b, _ := json.Marshal(s)
		esc[k] = string(b[1 : len(b)-1])
	}
	out := json.RawMessage(fill(string(v), esc))
	if !json.Valid(out) {
		return nil, fmt.Errorf("actions: property value %s is not valid JSON once filled in", v)
	}
	return out, nil
}

// applyVars are the placeholders filled in when a step is applied.
func applyVars(now time.Time, runID, planID string) map[string]string {
	return map[string]string{
		"now": now.UTC().Format(time.RFC3339), "date": now.UTC().Format(time.DateOnly),
		"runId": runID, "planId": planID,
	}
}

// userVars are the placeholders filled in when a step is planned.
func userVars(u *jira.User, policy string) map[string]string {
	return map[string]string{
		"user": u.ID(), "name": u.Name, "email": u.Email, "displayName": u.DisplayName, "policy": policy,
	}
}

// applyPlaceholder matches the placeholders filled in when a step is
// applied (see applyVars).
var applyPlaceholder = regexp.MustCompile(`\{\{(now|date|runId|planId)\}\}`)

// filledFrom reports whether value is tmpl with its apply-time
// placeholders filled in (each by text without quotes or backslashes, as
// dates and ids are) and nothing else changed; tmpl must have one.
func filledFrom(tmpl, value json.RawMessage) bool {
	var ct, cv bytes.Buffer
	if json.Compact(&ct, tmpl) != nil || json.Compact(&cv, value) != nil {
		return false
	}
	t := ct.String()
	locs := applyPlaceholder.FindAllStringIndex(t, -1)
	if len(locs) == 0 {
		return false
	}
	var re strings.Builder
	re.WriteString("^")
	last := 0
	for _, l := range locs {
		re.WriteString(regexp.QuoteMeta(t[last:l[0]]))
		re.WriteString(`[^"\\]*`)
		last = l[1]
	}
	re.WriteString(regexp.QuoteMeta(t[last:]) + "$")
	ok, err := regexp.MatchString(re.String(), cv.String())
	return err == nil && ok
}
