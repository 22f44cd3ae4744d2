package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Action plans what to do to one user. Plan looks at the user as the
// snapshot saw it and returns the steps needed to reach the action's
// intended state; a step already done is returned with [Step].NoOp set to
// the reason (an inactive user for [Deactivate]), so that reruns do
// nothing and the plan can say so. Plan must not write anything.
type Action interface {
	Name() string
	Plan(ctx context.Context, u *jira.User, env PlanEnv) ([]Step, error)
}

// Requirer is implemented by actions that need facts in the snapshot to
// plan correctly: the membership of the groups they add or remove, the
// licences they revoke. [Requirements] collects them, and [NewPlan]
// refuses a snapshot that lacks them.
type Requirer interface {
	Requires(f jira.Flavor) jira.SnapshotOptions
}

// PlanEnv is what an action knows besides the user.
type PlanEnv struct {
	Now    time.Time
	Flavor jira.Flavor
	// Policy is the name of the policy being planned.
	Policy string
	// Site is the base URL of the site acted on ([PlanOptions].Site).
	Site string
}

type action struct {
	name string
	plan func(ctx context.Context, u *jira.User, env PlanEnv) ([]Step, error)
	req  jira.SnapshotOptions
}

func (a *action) Name() string { return a.name }
func (a *action) Plan(ctx context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
	return a.plan(ctx, u, env)
}
func (a *action) Requires(jira.Flavor) jira.SnapshotOptions { return a.req }

func noop(s Step, why string) Step { s.NoOp = why; return s }

// Deactivate deactivates the user; an inactive user is a no-op. On Cloud
// the client disables a managed account or removes its product access.
func Deactivate() Action {
	return &action{name: "deactivate", plan: func(_ context.Context, u *jira.User, _ PlanEnv) ([]Step, error) {
		s := Step{Kind: KindDeactivate}
		if !u.Active {
			return []Step{noop(s, "already inactive")}, nil
		}
		return []Step{s}, nil
	}}
}

// Reactivate reactivates the user; an active user is a no-op.
func Reactivate() Action {
	return &action{name: "reactivate", plan: func(_ context.Context, u *jira.User, _ PlanEnv) ([]Step, error) {
		s := Step{Kind: KindReactivate}
		if u.Active {
			return []Step{noop(s, "already active")}, nil
		}
		return []Step{s}, nil
	}}
}

// Delete deletes the user. On DC, when Jira refuses (a project lead, a
// read-only directory), apply deactivates the user instead and reports
// "deactivated instead: <Jira's message>". On Cloud it removes the user
// from the site only: the Atlassian account stays in the organisation.
func Delete() Action {
	return &action{name: "delete", plan: func(_ context.Context, _ *jira.User, env PlanEnv) ([]Step, error) {
		return []Step{{Kind: KindDelete, FallbackToDeactivate: env.Flavor == jira.DataCenter}}, nil
	}}
}

func groupAction(name string, kind StepKind, groups []string, member bool) Action {
	groups = slices.Clone(groups)
	slices.Sort(groups)
	groups = slices.Compact(groups)
	return &action{
		name: name + "(" + strings.Join(groups, ",") + ")",
		req:  jira.SnapshotOptions{Groups: groups},
		plan: func(_ context.Context, u *jira.User, _ PlanEnv) ([]Step, error) {
			steps := make([]Step, 0, len(groups))
			for _, g := range groups {
				s := Step{Kind: kind, Group: g}
				if u.InGroup(g) == member {
					if member {
						s = noop(s, "already a member")
					} else {
						s = noop(s, "not a member")
					}
				}
				steps = append(steps, s)
			}
			return steps, nil
		},
	}
}

// AddToGroups adds the user to each group; membership already there is a
// no-op.
func AddToGroups(groups ...string) Action {
	return groupAction("add-to-groups", KindAddGroup, groups, true)
}

// RemoveFromGroups removes the user from each group; a group the user is
// not in is a no-op.
func RemoveFromGroups(groups ...string) Action {
	return groupAction("remove-from-groups", KindRemoveGroup, groups, false)
}

// RemoveAllLicences revokes every licence (application access) the user
// has: Jira removes the user from all the groups that give it. A user
// with no licence is a no-op.
func RemoveAllLicences() Action {
	return &action{name: "remove-all-licences", req: jira.SnapshotOptions{Licences: true},
		plan: func(_ context.Context, u *jira.User, _ PlanEnv) ([]Step, error) {
			if len(u.Licences) == 0 {
				return []Step{noop(Step{Kind: KindRevokeLicence}, "no licence")}, nil
			}
			steps := make([]Step, 0, len(u.Licences))
			for _, l := range u.Licences {
				steps = append(steps, Step{Kind: KindRevokeLicence, Licence: l})
			}
			return steps, nil
		}}
}

// RevokeLicence revokes the user's access to one application, e.g.
// "jira-software"; a user without it is a no-op.
func RevokeLicence(application string) Action {
	return licenceAction("revoke-licence", KindRevokeLicence, application, false)
}

// GrantLicence gives the user access to an application; a user who has it
// is a no-op.
func GrantLicence(application string) Action {
	return licenceAction("grant-licence", KindGrantLicence, application, true)
}

func licenceAction(name string, kind StepKind, app string, has bool) Action {
	return &action{name: name + "(" + app + ")", req: jira.SnapshotOptions{Licences: true},
		plan: func(_ context.Context, u *jira.User, _ PlanEnv) ([]Step, error) {
			s := Step{Kind: kind, Licence: app}
			if u.HasLicence(app) == has {
				if has {
					return []Step{noop(s, "already licensed")}, nil
				}
				return []Step{noop(s, "not licensed")}, nil
			}
			return []Step{s}, nil
		}}
}

// PasswordSource gives the new password of a user whose password is
// reset. It is called when the step is applied, and its result is never
// planned, journaled, logged or put in an error.
type PasswordSource func(ctx context.Context, u *jira.User) (jira.Secret, error)

// ResetPassword resets the user's password (DC only): to a random strong
// password by default, or to what [ApplyOptions].Passwords gives. The
// plan says only "reset-password". source names the password source for
// the plan ("random" when empty).
func ResetPassword(source string) Action {
	if source == "" {
		source = "random"
	}
	return &action{name: "reset-password", plan: func(_ context.Context, _ *jira.User, env PlanEnv) ([]Step, error) {
		if env.Flavor != jira.DataCenter {
			return nil, fmt.Errorf("actions: reset-password on %s: %w", env.Flavor, jira.ErrUnsupported)
		}
		return []Step{{Kind: KindResetPassword, Password: source}}, nil
	}}
}

// InvalidateSessions logs the user out everywhere (DC only).
func InvalidateSessions() Action {
	return &action{name: "invalidate-sessions", plan: func(_ context.Context, _ *jira.User, env PlanEnv) ([]Step, error) {
		if env.Flavor != jira.DataCenter {
			return nil, fmt.Errorf("actions: invalidate-sessions on %s: %w", env.Flavor, jira.ErrUnsupported)
		}
		return []Step{{Kind: KindInvalidateSessions}}, nil
	}}
}

// SetProperty sets a user property to value, marshalled to JSON (a
// json.RawMessage is taken as it is). String values may hold
// placeholders: {{user}}, {{name}}, {{email}}, {{displayName}} and
// {{policy}} are filled in when planning; {{now}}, {{date}}, {{runId}}
// and {{planId}} when applying, e.g. SetProperty("deactivatedOn",
// "{{now}}"). A property whose snapshot value already equals value is a
// no-op, and so is a property already present when value has
// apply-time placeholders: the first mark stays (properties are only
// known when the snapshot fetched them).
func SetProperty(key string, value any) Action {
	return &action{name: "set-property(" + key + ")", plan: func(_ context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
		raw, err := toJSON(value)
		if err != nil {
			return nil, fmt.Errorf("actions: property %q: %w", key, err)
		}
		if raw, err = fillJSON(raw, userVars(u, env.Policy)); err != nil {
			return nil, err
		}
		return []Step{propertyStep(u, key, raw)}, nil
	}}
}

// SetPropertyFunc sets a user property to the value fn computes from the
// user and the plan's time, when planning.
func SetPropertyFunc(key string, fn func(u *jira.User, now time.Time) (json.RawMessage, error)) Action {
	return &action{name: "set-property(" + key + ")", plan: func(_ context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
		raw, err := fn(u, env.Now)
		if err != nil {
			return nil, fmt.Errorf("actions: property %q of %s: %w", key, u.ID(), err)
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("actions: property %q of %s: value is not JSON", key, u.ID())
		}
		return []Step{propertyStep(u, key, raw)}, nil
	}}
}

func propertyStep(u *jira.User, key string, raw json.RawMessage) Step {
	s := Step{Kind: KindSetProperty, Property: key, Value: raw}
	prev, ok := u.Properties[key]
	if !ok {
		return s
	}
	s.Previous = prev
	if bytes.Contains(raw, []byte("{{")) {
		return noop(s, "already set")
	}
	if jsonEqual(prev, raw) {
		return noop(s, "already set to this value")
	}
	return s
}

func toJSON(v any) (json.RawMessage, error) {
	if r, ok := v.(json.RawMessage); ok {
		if !json.Valid(r) {
			return nil, fmt.Errorf("value is not JSON")
		}
		return r, nil
	}
	return json.Marshal(v)
}

func jsonEqual(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// DeleteProperty deletes a user property; a property the snapshot shows
// absent is a no-op only when the snapshot fetched properties (the user
// has some), else the delete is planned (it is harmless when absent).
func DeleteProperty(key string) Action {
	return &action{name: "delete-property(" + key + ")", plan: func(_ context.Context, u *jira.User, _ PlanEnv) ([]Step, error) {
		s := Step{Kind: KindDeleteProperty, Property: key}
		prev, ok := u.Properties[key]
		if !ok && u.Properties != nil {
			return []Step{noop(s, "not set")}, nil
		}
		s.Previous = prev
		return []Step{s}, nil
	}}
}

// CreateIssuePerUser files one issue for each user the policy selects,
// from a template (see [IssueSpec] for its placeholders).
func CreateIssuePerUser(template IssueSpec) Action {
	return &action{name: "create-issue", plan: func(_ context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
		vars := userVars(u, env.Policy)
		is := template
		is.Summary, is.Description = fill(is.Summary, vars), fill(is.Description, vars)
		is.Labels = slices.Clone(is.Labels)
		return []Step{{Kind: KindCreateIssue, Issue: &is}}, nil
	}}
}

// Sequence runs the actions one after the other and returns all their
// steps (the plan orders them canonically).
func Sequence(actions ...Action) Action {
	names := make([]string, len(actions))
	var req jira.SnapshotOptions
	for i, a := range actions {
		names[i] = a.Name()
		if r, ok := a.(Requirer); ok {
			req = mergeOptions(req, r.Requires(0))
		}
	}
	return &action{name: "sequence(" + strings.Join(names, ", ") + ")", req: req,
		plan: func(ctx context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
			var steps []Step
			for _, a := range actions {
				s, err := a.Plan(ctx, u, env)
				if err != nil {
					return nil, err
				}
				steps = append(steps, s...)
			}
			return steps, nil
		}}
}

// When runs a only for users m matches.
func When(m Matcher, a Action) Action {
	var req jira.SnapshotOptions
	if r, ok := a.(Requirer); ok {
		req = r.Requires(0)
	}
	return &action{name: "when(" + describe(m) + ", " + a.Name() + ")", req: req,
		plan: func(ctx context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
			ok, err := m.Match(ctx, u)
			if err != nil || !ok {
				return nil, err
			}
			return a.Plan(ctx, u, env)
		}}
}

// Named gives a an explicit name, shown in plans and reports.
func Named(name string, a Action) Action {
	var req jira.SnapshotOptions
	if r, ok := a.(Requirer); ok {
		req = r.Requires(0)
	}
	return &action{name: name, req: req, plan: a.Plan}
}

func describe(m any) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", m)
}

// mergeOptions returns the union of two snapshot requirements.
func mergeOptions(a, b jira.SnapshotOptions) jira.SnapshotOptions {
	a.Groups = append(slices.Clone(a.Groups), b.Groups...)
	slices.Sort(a.Groups)
	a.Groups = slices.Compact(a.Groups)
	a.OptionalGroups = append(slices.Clone(a.OptionalGroups), b.OptionalGroups...)
	slices.Sort(a.OptionalGroups)
	a.OptionalGroups = slices.Compact(a.OptionalGroups)
	a.Properties = append(slices.Clone(a.Properties), b.Properties...)
	slices.Sort(a.Properties)
	a.Properties = slices.Compact(a.Properties)
	a.AllGroups = a.AllGroups || b.AllGroups
	a.Licences = a.Licences || b.Licences
	a.LastLogin = a.LastLogin || b.LastLogin
	return a
}
