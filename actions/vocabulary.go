package actions

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file is the one place where the vocabulary of actions is written
// down. Two tables, one per concept:
//
//   - kindTable: each kind of step (what apply does to one user) with its
//     place in the canonical order, whether it is destructive, whether it
//     may be repeated when in doubt, and its inverse for [Undo];
//   - actionTable: each action of a policy file (its name in files, its
//     parameters, the step kind it plans, whether only Data Center has
//     it, its one-line documentation, the constructor it builds).
//
// [StepKind.Order], [StepKind.Destructive], [Undo], usermgmt's parsing,
// validation and plan labels, and the README's actions reference
// (checked by TestREADMEActions) are all derived from them: adding an
// action is a row in actionTable (and one in kindTable if it plans a new
// kind of step), its constructor, and tests. A parameter no action had
// before is also a field of usermgmt.ActionSpec, the file format.

// kindDef describes one step kind.
type kindDef struct {
	kind StepKind
	// destructive: the step takes something away from the user; see
	// [StepKind.Destructive].
	destructive bool
	// once: the step's effect cannot be read back, so a step that may
	// have been carried out is never carried out again (an issue, an
	// email): see [ErrInDoubt].
	once bool
	// inverse returns the step that undoes an applied step; nil when the
	// kind cannot be undone.
	inverse func(e JournalEntry) (Step, bool)
	// undo says in words what undo does ("" when inverse is nil: the
	// step is listed as not undoable).
	undo string
}

// kindTable lists the step kinds in the canonical order in which a
// user's steps are planned and applied (see [StepKind.Order]).
var kindTable = []kindDef{
	{kind: KindNotify, once: true},
	{kind: KindReactivate, undo: "deactivate",
		inverse: func(JournalEntry) (Step, bool) { return Step{Kind: KindDeactivate}, true }},
	{kind: KindSetProperty, undo: "restore the previous value, or delete the property", inverse: func(e JournalEntry) (Step, bool) {
		if e.Previous != nil {
			return Step{Kind: KindSetProperty, Property: e.Step.Property, Value: e.Previous}, true
		}
		return Step{Kind: KindDeleteProperty, Property: e.Step.Property}, true
	}},
	{kind: KindDeleteProperty, undo: "restore the previous value, when it was known", inverse: func(e JournalEntry) (Step, bool) {
		if e.Previous != nil {
			return Step{Kind: KindSetProperty, Property: e.Step.Property, Value: e.Previous}, true
		}
		return Step{}, false
	}},
	{kind: KindRemoveGroup, destructive: true, undo: "add to the group again",
		inverse: func(e JournalEntry) (Step, bool) { return Step{Kind: KindAddGroup, Group: e.Step.Group}, true }},
	{kind: KindRevokeLicence, destructive: true, undo: "grant the licence again (through the application's default group)",
		inverse: func(e JournalEntry) (Step, bool) { return Step{Kind: KindGrantLicence, Licence: e.Step.Licence}, true }},
	{kind: KindAddGroup, undo: "remove from the group",
		inverse: func(e JournalEntry) (Step, bool) { return Step{Kind: KindRemoveGroup, Group: e.Step.Group}, true }},
	{kind: KindGrantLicence, undo: "revoke the licence",
		inverse: func(e JournalEntry) (Step, bool) { return Step{Kind: KindRevokeLicence, Licence: e.Step.Licence}, true }},
	{kind: KindInvalidateSessions, destructive: true},
	{kind: KindResetPassword, destructive: true},
	{kind: KindDeactivate, destructive: true, undo: "reactivate",
		inverse: func(JournalEntry) (Step, bool) { return Step{Kind: KindReactivate}, true }},
	{kind: KindDelete, destructive: true, undo: "none; a user deactivated instead is reactivated",
		inverse: func(e JournalEntry) (Step, bool) {
			if e.Fallback == KindDeactivate {
				return Step{Kind: KindReactivate}, true
			}
			return Step{}, false
		}},
	{kind: KindCreateIssue, once: true},
	{kind: KindMoveDirectory, destructive: true},
}

// kindOf returns the definition of kind k.
func kindOf(k StepKind) (kindDef, int, bool) {
	i := slices.IndexFunc(kindTable, func(d kindDef) bool { return d.kind == k })
	if i < 0 {
		return kindDef{}, len(kindTable), false
	}
	return kindTable[i], i, true
}

// inverse returns the step that undoes an applied step.
func inverse(e JournalEntry) (Step, bool) {
	d, _, ok := kindOf(e.Step.Kind)
	if !ok || d.inverse == nil {
		return Step{}, false
	}
	return d.inverse(e)
}

// Param is a parameter of a policy file's action.
type Param struct {
	// Name is the parameter's name in files, e.g. "groups".
	Name     string
	Required bool
}

// Args are the parameters of one action of a policy file, by name (as
// [Param].Name): a string, a []string, an int or a json.RawMessage,
// depending on the parameter. Location is the time zone of the policy.
type Args struct {
	Values   map[string]any
	Location *time.Location
}

// String returns the string parameter name, or "".
func (a Args) String(name string) string { s, _ := a.Values[name].(string); return s }

// Strings returns the list parameter name, or nil.
func (a Args) Strings(name string) []string { s, _ := a.Values[name].([]string); return s }

// Int returns the number parameter name, or 0.
func (a Args) Int(name string) int { n, _ := a.Values[name].(int); return n }

// JSON returns the JSON parameter name, or nil.
func (a Args) JSON(name string) json.RawMessage { v, _ := a.Values[name].(json.RawMessage); return v }

// ActionDef describes one action of a policy file.
type ActionDef struct {
	// Name is the action's name in files, e.g. "removeGroups".
	Name string
	// Kind is the kind of step the action plans.
	Kind   StepKind
	Params []Param
	// DCOnly: the action exists on Data Center only.
	DCOnly bool
	// Doc says what the action does, in a sentence or two.
	Doc string
	// Build returns the action its arguments describe; they have been
	// checked against Params.
	Build func(a Args) (Action, error)
	// Label, when set, returns what a plan shows after the name:
	// "removeGroups(a, b)".
	Label func(a Args) string
}

// Undo says in words what [Undo] does with the action's steps.
func (d ActionDef) Undo() string {
	k, _, _ := kindOf(d.Kind)
	if k.inverse == nil {
		return "none"
	}
	return k.undo
}

// actionTable lists the actions of policy files in the order of the
// documentation.
var actionTable = []ActionDef{
	{Name: "deactivate", Kind: KindDeactivate, Doc: "Deactivates the user (Cloud: disables a managed account, else suspends its access).",
		Build: func(Args) (Action, error) { return Deactivate(), nil }},
	{Name: "reactivate", Kind: KindReactivate, Doc: "Reactivates the user.",
		Build: func(Args) (Action, error) { return Reactivate(), nil }},
	{Name: "delete", Kind: KindDelete, Doc: "Deletes the user (Cloud: from the site only; DC: deactivates a user Jira refuses to delete).",
		Build: func(Args) (Action, error) { return Delete(), nil }},
	{Name: "addGroups", Kind: KindAddGroup, Params: []Param{{"groups", true}}, Doc: "Adds the user to each group.",
		Build: func(a Args) (Action, error) { return AddToGroups(a.Strings("groups")...), nil },
		Label: func(a Args) string { return strings.Join(a.Strings("groups"), ", ") }},
	{Name: "removeGroups", Kind: KindRemoveGroup, Params: []Param{{"groups", true}}, Doc: "Removes the user from each group.",
		Build: func(a Args) (Action, error) { return RemoveFromGroups(a.Strings("groups")...), nil },
		Label: func(a Args) string { return strings.Join(a.Strings("groups"), ", ") }},
	{Name: "removeAllLicences", Kind: KindRevokeLicence, Doc: "Revokes every licence (application access) the user has.",
		Build: func(Args) (Action, error) { return RemoveAllLicences(), nil }},
	{Name: "revokeLicence", Kind: KindRevokeLicence, Params: []Param{{"licence", true}},
		Doc:   "Revokes one application's access; `licence` is an application key such as jira-software.",
		Build: func(a Args) (Action, error) { return RevokeLicence(a.String("licence")), nil },
		Label: func(a Args) string { return a.String("licence") }},
	{Name: "resetPassword", Kind: KindResetPassword, Params: []Param{{"password", false}}, DCOnly: true,
		Doc:   "Resets the password to a random one (`password: random`, the only source a file can name).",
		Build: func(a Args) (Action, error) { return ResetPassword(a.String("password")), nil }},
	{Name: "setProperty", Kind: KindSetProperty, Params: []Param{{"key", true}, {"value", true}},
		Doc:   "Sets a user property to a JSON value; strings may hold {{now}}, {{date}}, {{runId}}, {{planId}}, {{user}}, {{displayName}}, ….",
		Build: func(a Args) (Action, error) { return SetProperty(a.String("key"), a.JSON("value")), nil },
		Label: func(a Args) string { return a.String("key") }},
	{Name: "deleteProperty", Kind: KindDeleteProperty, Params: []Param{{"key", true}}, Doc: "Deletes a user property.",
		Build: func(a Args) (Action, error) { return DeleteProperty(a.String("key")), nil },
		Label: func(a Args) string { return a.String("key") }},
	{Name: "invalidateSessions", Kind: KindInvalidateSessions, DCOnly: true, Doc: "Logs the user out everywhere.",
		Build: func(Args) (Action, error) { return InvalidateSessions(), nil }},
	{Name: "createIssue", Kind: KindCreateIssue,
		Params: []Param{{"project", true}, {"issueType", true}, {"summary", true}, {"description", false}, {"labels", false}},
		Doc:    "Files one issue per user; summary and description take the same placeholders as setProperty.",
		Build: func(a Args) (Action, error) {
			return CreateIssuePerUser(IssueSpec{Project: a.String("project"), IssueType: a.String("issueType"),
				Summary: a.String("summary"), Description: a.String("description"), Labels: a.Strings("labels")}), nil
		},
		Label: func(a Args) string { return a.String("project") }},
	{Name: "moveDirectory", Kind: KindMoveDirectory, Params: []Param{{"to", true}}, DCOnly: true,
		Doc:   "Plans moving the user to the user directory `to`, carried out by `seatwarden migrate plan --from-plan`.",
		Build: func(a Args) (Action, error) { return MoveDirectory(a.String("to")), nil },
		Label: func(a Args) string { return a.String("to") }},
	{Name: "notify", Kind: KindNotify,
		Params: []Param{{"subject", true}, {"body", true}, {"cc", false}, {"deadlineDays", false}},
		Doc: "Emails the user a subject and body template ({{displayName}}, {{daysSinceLastLogin}}, {{deadline}}, {{siteUrl}}, …), " +
			"copied to `cc` (addresses or Jira groups); `deadlineDays` sets {{deadline}}, that many days after the plan. " +
			"Sent once, before the user's other steps; a user without a known email is reported and their other steps are not applied.",
		Build: func(a Args) (Action, error) {
			return Notify(NotifySpec{Subject: a.String("subject"), Body: a.String("body"), Cc: a.Strings("cc"),
				DeadlineDays: a.Int("deadlineDays"), Location: a.Location})
		},
		Label: func(a Args) string { return strings.Join(a.Strings("cc"), ", ") }},
}

// Actions returns the actions of policy files, in the order of the
// documentation (a copy: the table itself cannot be changed).
func Actions() []ActionDef { return slices.Clone(actionTable) }

// LookupAction returns the action of policy files named name.
func LookupAction(name string) (ActionDef, bool) {
	i := slices.IndexFunc(actionTable, func(d ActionDef) bool { return d.Name == name })
	if i < 0 {
		return ActionDef{}, false
	}
	return actionTable[i], true
}

// BuildAction checks args against the parameters of the action named
// name and builds it.
func BuildAction(name string, args Args) (Action, error) {
	d, ok := LookupAction(name)
	if !ok {
		return nil, fmt.Errorf("actions: unknown action %q", name)
	}
	for _, p := range d.Params {
		if _, set := args.Values[p.Name]; p.Required && !set {
			return nil, fmt.Errorf("actions: %s needs %s", name, p.Name)
		}
	}
	for k := range args.Values {
		if !slices.ContainsFunc(d.Params, func(p Param) bool { return p.Name == k }) {
			return nil, fmt.Errorf("actions: %s takes no parameter %s", name, k)
		}
	}
	return d.Build(args)
}
