package usermgmt

import (
	"slices"
	"strings"

	"github.com/seatwarden/seatwarden/actions"
)

// actionDef is everything about one action of a policy file: its name in
// files, the parameters it takes (required ones marked '!'), whether only
// Data Center has it, the package actions constructor it builds, and its
// label in plans. ActionKinds, validation, ActionSpec.String and the
// plan's actions are all derived from actionTable: adding an action is a
// row here (plus its constructor in package actions, and tests).
type actionDef struct {
	kind   ActionKind
	params []string
	dcOnly bool
	build  func(a ActionSpec) actions.Action
	// label is the parameter shown in ActionSpec.String ("" for none).
	label func(a ActionSpec) string
}

// actionTable lists the actions in the order of the documentation.
var actionTable = []actionDef{
	{kind: Deactivate, build: func(ActionSpec) actions.Action { return actions.Deactivate() }},
	{kind: Reactivate, build: func(ActionSpec) actions.Action { return actions.Reactivate() }},
	{kind: Delete, build: func(ActionSpec) actions.Action { return actions.Delete() }},
	{kind: AddGroups, params: []string{"groups!"}, build: func(a ActionSpec) actions.Action { return actions.AddToGroups(a.Groups...) },
		label: func(a ActionSpec) string { return strings.Join(a.Groups, ", ") }},
	{kind: RemoveGroups, params: []string{"groups!"}, build: func(a ActionSpec) actions.Action { return actions.RemoveFromGroups(a.Groups...) },
		label: func(a ActionSpec) string { return strings.Join(a.Groups, ", ") }},
	{kind: RemoveAllLicences, build: func(ActionSpec) actions.Action { return actions.RemoveAllLicences() }},
	{kind: RevokeLicence, params: []string{"licence!"}, build: func(a ActionSpec) actions.Action { return actions.RevokeLicence(a.Licence) },
		label: func(a ActionSpec) string { return a.Licence }},
	{kind: ResetPassword, params: []string{"password"}, dcOnly: true,
		build: func(a ActionSpec) actions.Action { return actions.ResetPassword(a.Password) }},
	{kind: SetProperty, params: []string{"key!", "value!"}, build: func(a ActionSpec) actions.Action { return actions.SetProperty(a.Key, a.Value) },
		label: func(a ActionSpec) string { return a.Key }},
	{kind: DeleteProperty, params: []string{"key!"}, build: func(a ActionSpec) actions.Action { return actions.DeleteProperty(a.Key) },
		label: func(a ActionSpec) string { return a.Key }},
	{kind: InvalidateSessions, dcOnly: true, build: func(ActionSpec) actions.Action { return actions.InvalidateSessions() }},
	{kind: CreateIssue, params: []string{"project!", "issueType!", "summary!", "description", "labels"},
		build: func(a ActionSpec) actions.Action {
			return actions.CreateIssuePerUser(actions.IssueSpec{Project: a.Project, IssueType: a.IssueType,
				Summary: a.Summary, Description: a.Description, Labels: a.Labels})
		},
		label: func(a ActionSpec) string { return a.Project }},
	{kind: MoveDirectory, params: []string{"to!"}, dcOnly: true, build: func(a ActionSpec) actions.Action { return actions.MoveDirectory(a.To) },
		label: func(a ActionSpec) string { return a.To }},
}

// actionOf returns the definition of kind.
func actionOf(kind ActionKind) (actionDef, bool) {
	i := slices.IndexFunc(actionTable, func(d actionDef) bool { return d.kind == kind })
	if i < 0 {
		return actionDef{}, false
	}
	return actionTable[i], true
}
