package actions

import (
	"slices"
)

// The conflict rules, applied to the steps every policy planned for one
// user — the steps already done (no-ops) included, since they state an
// intent too. They are documented in doc.go ("Conflicts").
const (
	RuleAddRemoveGroup   = "adds and removes the same group"
	RuleGrantRevoke      = "grants and revokes the same licence"
	RuleActivate         = "reactivates and deactivates or deletes"
	RuleProperty         = "sets a property to different values, or sets and deletes it"
	RuleDelete           = "deletes and does something else"
	RuleDeactivateGrant  = "deactivates and grants a licence"
	ResolutionRefused    = "refused: no step for this user"
	ResolutionDeleteOnly = "delete alone"
	ResolutionNoGrant    = "grant-licence dropped"
)

type tagged struct {
	s        Step
	policies []string
}

func (t *tagged) label() string {
	l := t.s.String() + " ("
	for i, p := range t.policies {
		if i > 0 {
			l += ", "
		}
		l += p
	}
	return l + ")"
}

// merge merges the contributions of the policies that selected one user:
// duplicates are merged, conflicts resolved. It returns the steps to
// apply (canonical order), the no-ops, the conflicts, and the policies
// that have a step left.
func merge(cs []contribution) (steps, noops []Step, conflicts []Conflict, active []string) {
	var all []*tagged
	for _, c := range cs {
		for _, s := range c.steps {
			i := slices.IndexFunc(all, func(t *tagged) bool { return t.s.same(s) })
			if i < 0 {
				all = append(all, &tagged{s: s, policies: []string{c.policy}})
				continue
			}
			t := all[i]
			if !slices.Contains(t.policies, c.policy) {
				t.policies = append(t.policies, c.policy)
			}
			if s.NoOp == "" {
				t.s.NoOp = ""
			}
		}
	}
	conflict := func(rule, resolution string, ts ...*tagged) {
		c := Conflict{Rule: rule, Resolution: resolution}
		for _, t := range ts {
			c.Steps = append(c.Steps, t.label())
			for _, p := range t.policies {
				if !slices.Contains(c.Policies, p) {
					c.Policies = append(c.Policies, p)
				}
			}
		}
		slices.Sort(c.Policies)
		conflicts = append(conflicts, c)
	}
	// Refusals.
	for i, a := range all {
		for _, b := range all[i+1:] {
			if rule := clash(a.s, b.s); rule != "" {
				conflict(rule, ResolutionRefused, a, b)
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, nil, conflicts, nil
	}
	// Delete alone.
	if i := slices.IndexFunc(all, func(t *tagged) bool { return t.s.Kind == KindDelete }); i >= 0 {
		del := all[i]
		var others []*tagged
		for _, t := range all {
			if t != del && t.s.NoOp == "" {
				others = append(others, t)
			}
		}
		if len(others) > 0 {
			conflict(RuleDelete, ResolutionDeleteOnly, append([]*tagged{del}, others...)...)
		}
		kept := []*tagged{del}
		for _, t := range all {
			if t.s.NoOp != "" {
				kept = append(kept, t)
			}
		}
		all = kept
	}
	// Deactivate drops grants.
	if slices.ContainsFunc(all, func(t *tagged) bool { return t.s.Kind == KindDeactivate }) {
		deact := all[slices.IndexFunc(all, func(t *tagged) bool { return t.s.Kind == KindDeactivate })]
		kept := all[:0:0]
		for _, t := range all {
			if t.s.Kind == KindGrantLicence && t.s.NoOp == "" {
				conflict(RuleDeactivateGrant, ResolutionNoGrant, deact, t)
				continue
			}
			kept = append(kept, t)
		}
		all = kept
	}
	for _, t := range all {
		if t.s.NoOp != "" {
			noops = append(noops, t.s)
			continue
		}
		steps = append(steps, t.s)
		for _, p := range t.policies {
			if !slices.Contains(active, p) {
				active = append(active, p)
			}
		}
	}
	slices.SortFunc(steps, compareSteps)
	slices.SortFunc(noops, compareSteps)
	return steps, noops, conflicts, active
}

// clash returns the rule two steps break, or "".
func clash(a, b Step) string {
	if a.Kind.Order() > b.Kind.Order() {
		a, b = b, a
	}
	switch {
	case a.Kind == KindRemoveGroup && b.Kind == KindAddGroup && a.Group == b.Group:
		return RuleAddRemoveGroup
	case a.Kind == KindRevokeLicence && b.Kind == KindGrantLicence && (a.Licence == b.Licence || a.Licence == ""):
		return RuleGrantRevoke
	case a.Kind == KindReactivate && (b.Kind == KindDeactivate || b.Kind == KindDelete):
		return RuleActivate
	case a.Kind == KindSetProperty && b.Kind == KindSetProperty && a.Property == b.Property && !jsonEqual(a.Value, b.Value):
		return RuleProperty
	case a.Kind == KindSetProperty && b.Kind == KindDeleteProperty && a.Property == b.Property:
		return RuleProperty
	}
	return ""
}
