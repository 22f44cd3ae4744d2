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

// actionsPolicy is PolicySet.ActionsPolicy.
func (f *compiledSet) actionsPolicy(name string) (actions.Policy, error) {
	p := f.policy(name)
	if p == nil {
		return actions.Policy{}, fmt.Errorf("usermgmt: no policy %q", name)
	}
	src, err := json.Marshal(&p.Policy)
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
		path, err := insidePath(p.base, p.selection, false)
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
	if ap.Exemptions, err = p.Users.Exemptions.actions(p.Location(), p.exempt); err != nil {
		return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: %w", name, err)
	}
	steps := make([]actions.Action, len(p.Actions))
	for i, a := range p.Actions {
		if steps[i], err = a.action(p.Location()); err != nil {
			return actions.Policy{}, fmt.Errorf("usermgmt: policy %q: actions[%d]: %w", name, i, err)
		}
	}
	ap.Action = steps[0]
	if len(steps) > 1 {
		ap.Action = actions.Sequence(steps...)
	}
	return ap, nil
}

// commonExemptions is PolicySet.CommonExemptions.
func (f *compiledSet) commonExemptions() (actions.Exemptions, error) {
	return f.Exemptions.actions(time.UTC, f.exempt)
}

// actions returns the exemptions x, whose expressions compiled are progs,
// in package actions' terms.
func (x *Exemptions) actions(loc *time.Location, progs []*criteria.Program) (actions.Exemptions, error) {
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
	for i, e := range x.Expressions {
		if i >= len(progs) || progs[i] == nil {
			return out, fmt.Errorf("usermgmt: exemption %q is not compiled", e.Where)
		}
		until, err := e.Until.Time(loc)
		if err != nil {
			return out, err
		}
		name := e.Name
		if name == "" {
			name = e.Where
		}
		out.Rules = append(out.Rules, actions.Rule{Name: name, Matcher: progs[i], Until: until})
	}
	return out, nil
}

// snapshotOptions is SnapshotOptions, with the policies' criteria left
// out when they run on another site (actOn): the exemptions still run on
// the site acted on.
func (f *compiledSet) snapshotOptions(fl jira.Flavor, policies []actions.Policy, common actions.Exemptions, criteria bool) jira.SnapshotOptions {
	o := actions.Requirements(fl, policies, common)
	for i := range f.policies {
		p := &f.policies[i]
		if !slices.ContainsFunc(policies, func(ap actions.Policy) bool { return ap.Name == p.Name }) {
			continue
		}
		if p.where != nil && criteria {
			o = withNeeds(o, p.where.Needs())
		}
		for _, e := range p.exempt {
			if e != nil {
				o = withNeeds(o, e.Needs())
			}
		}
	}
	for _, e := range f.exempt {
		if e != nil {
			o = withNeeds(o, e.Needs())
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
