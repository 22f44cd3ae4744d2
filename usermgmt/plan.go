package usermgmt

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
)

// This file turns validated policies into package actions' terms, the
// input of actions.NewPlan.

// ActionsPolicy returns the named policy as package actions plans it: its
// criterion as the matcher, its CSV selection read, its actions in order,
// its exemptions (dates read in the policy's time zone) and its limits.
// The file must have been validated.
func (f *File) ActionsPolicy(name string) (actions.Policy, error) {
	i := slices.IndexFunc(f.Policies, func(p Policy) bool { return p.Name == name })
	if i < 0 {
		return actions.Policy{}, fmt.Errorf("usermgmt: no policy %q", name)
	}
	p := &f.Policies[i]
	if p.where == nil && p.Users.Where != "" {
		return actions.Policy{}, fmt.Errorf("usermgmt: policy %q is not validated", name)
	}
	src, err := json.Marshal(p)
	if err != nil {
		return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: %w", name, err)
	}
	ap := actions.Policy{
		Name:   p.Name,
		Source: string(src),
		Limits: actions.Limits{MaxUsers: p.Limits.MaxUsers, MaxPercent: p.Limits.MaxPercent},
	}
	if p.where != nil {
		ap.Select = p.where
	}
	if p.Users.Selection != "" {
		base, rel := p.base, p.selection
		if rel == "" { // a policy built in Go and validated before
			base, rel = f.dir, p.Users.Selection
		}
		path, err := insidePath(base, rel, false)
		if err != nil {
			return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: users.selection: %w", name, err)
		}
		r, err := os.Open(path)
		if err != nil {
			return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: %w", name, err)
		}
		sel, err := actions.ReadSelection(r)
		_ = r.Close()
		if err != nil {
			return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: selection %s: %w", name, path, err)
		}
		ap.Selection = sel
	}
	if ap.Exemptions, err = p.Users.Exemptions.actions(p.Location()); err != nil {
		return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: %w", name, err)
	}
	steps := make([]actions.Action, len(p.Actions))
	for i, a := range p.Actions {
		steps[i] = a.action()
	}
	ap.Action = steps[0]
	if len(steps) > 1 {
		ap.Action = actions.Sequence(steps...)
	}
	return ap, nil
}

// CommonExemptions returns the file's top-level exemptions, which apply
// to every policy: actions.PlanOptions.Exemptions.
func (f *File) CommonExemptions() (actions.Exemptions, error) {
	return f.Exemptions.actions(time.UTC)
}

func (x *Exemptions) actions(loc *time.Location) (actions.Exemptions, error) {
	var out actions.Exemptions
	entries := func(list []Exempt) ([]actions.Entry, error) {
		var es []actions.Entry
		for _, e := range list {
			until, err := e.Until.Time(loc)
			if err != nil {
				return nil, err
			}
			es = append(es, actions.Entry{Value: e.Value, Until: until, Reason: e.Reason})
		}
		return es, nil
	}
	var err error
	if out.Users, err = entries(x.Users); err != nil {
		return out, err
	}
	if out.Groups, err = entries(x.Groups); err != nil {
		return out, err
	}
	for _, e := range x.Expressions {
		if e.prog == nil {
			return out, fmt.Errorf("usermgmt: exemption %q is not validated", e.Where)
		}
		until, err := e.Until.Time(loc)
		if err != nil {
			return out, err
		}
		name := e.Name
		if name == "" {
			name = e.Where
		}
		out.Rules = append(out.Rules, actions.Rule{Name: name, Matcher: e.prog, Until: until})
	}
	return out, nil
}

// action returns the action a validated spec describes.
func (a ActionSpec) action() actions.Action {
	switch a.Action {
	case Deactivate:
		return actions.Deactivate()
	case Reactivate:
		return actions.Reactivate()
	case Delete:
		return actions.Delete()
	case AddGroups:
		return actions.AddToGroups(a.Groups...)
	case RemoveGroups:
		return actions.RemoveFromGroups(a.Groups...)
	case RemoveAllLicences:
		return actions.RemoveAllLicences()
	case RevokeLicence:
		return actions.RevokeLicence(a.Licence)
	case ResetPassword:
		return actions.ResetPassword(a.Password)
	case SetProperty:
		return actions.SetProperty(a.Key, a.Value)
	case DeleteProperty:
		return actions.DeleteProperty(a.Key)
	case InvalidateSessions:
		return actions.InvalidateSessions()
	case MoveDirectory:
		return actions.MoveDirectory(a.To)
	case CreateIssue:
		return actions.CreateIssuePerUser(actions.IssueSpec{Project: a.Project, IssueType: a.IssueType,
			Summary: a.Summary, Description: a.Description, Labels: a.Labels})
	}
	panic("usermgmt: unvalidated action " + string(a.Action))
}

// SnapshotOptions returns what a snapshot of flavour fl must collect to
// plan the policies: what their criteria (and exemption criteria) read,
// merged with actions.Requirements.
func (f *File) SnapshotOptions(fl jira.Flavor, policies []actions.Policy, common actions.Exemptions) jira.SnapshotOptions {
	return f.snapshotOptions(fl, policies, common, true)
}

// snapshotOptions is SnapshotOptions, with the policies' criteria left
// out when they run on another site (actOn): the exemptions still run on
// the site acted on.
func (f *File) snapshotOptions(fl jira.Flavor, policies []actions.Policy, common actions.Exemptions, criteria bool) jira.SnapshotOptions {
	o := actions.Requirements(fl, policies, common)
	for i := range f.Policies {
		p := &f.Policies[i]
		if !slices.ContainsFunc(policies, func(ap actions.Policy) bool { return ap.Name == p.Name }) {
			continue
		}
		if p.where != nil && criteria {
			o = withNeeds(o, p.where.Needs())
		}
		for _, e := range p.Users.Exemptions.Expressions {
			if e.prog != nil {
				o = withNeeds(o, e.prog.Needs())
			}
		}
	}
	for _, e := range f.Exemptions.Expressions {
		if e.prog != nil {
			o = withNeeds(o, e.prog.Needs())
		}
	}
	return o
}

// withNeeds adds to o what a criterion reads.
func withNeeds(o jira.SnapshotOptions, n criteria.Needs) jira.SnapshotOptions {
	o.Groups = append(o.Groups, n.Groups...)
	slices.Sort(o.Groups)
	o.Groups = slices.Compact(o.Groups)
	o.AllGroups = o.AllGroups || n.AllGroups
	o.Licences = o.Licences || n.Licences
	o.LastLogin = o.LastLogin || n.LastLogin || n.Created || n.LastActive || n.LoginCount
	o.Properties = append(o.Properties, n.Properties...)
	slices.Sort(o.Properties)
	o.Properties = slices.Compact(o.Properties)
	return o
}
