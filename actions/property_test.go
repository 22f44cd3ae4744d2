package actions_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

var propGroups = []string{"staff", "vip", "contractors", "jira-administrators", "jira-system-administrators", "team-admins"}

// selector is a matcher the property test can also evaluate itself.
type selector int

func (s selector) Match(_ context.Context, u *jira.User) (bool, error) {
	switch s {
	case 0:
		return true, nil
	case 1:
		return u.InGroup("staff"), nil
	case 2:
		return u.Active, nil
	default:
		return strings.HasSuffix(u.Name, "1") || strings.HasSuffix(u.Name, "3"), nil
	}
}

func timed(t *rapid.T, label string) time.Time {
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 1:
		return now.Add(time.Hour)
	case 2:
		return now.Add(-time.Hour) // expired
	}
	return time.Time{}
}

func drawExemptions(t *rapid.T, label string, specs []jiratest.UserSpec) actions.Exemptions {
	var x actions.Exemptions
	for i := range rapid.IntRange(0, 3).Draw(t, label+"-users") {
		sp := rapid.SampledFrom(specs).Draw(t, fmt.Sprintf("%s-user-%d", label, i))
		v := sp.Name
		switch rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("%s-how-%d", label, i)) {
		case 1:
			v = strings.ToUpper(v)
		case 2:
			v = strings.ToUpper(sp.Email)
		}
		x.Users = append(x.Users, actions.Entry{Value: v, Until: timed(t, fmt.Sprintf("%s-until-%d", label, i))})
	}
	for i := range rapid.IntRange(0, 2).Draw(t, label+"-groups") {
		g := rapid.SampledFrom([]string{"vip", "contractors", "staff"}).Draw(t, fmt.Sprintf("%s-group-%d", label, i))
		x.Groups = append(x.Groups, actions.Entry{Value: g, Until: timed(t, fmt.Sprintf("%s-guntil-%d", label, i))})
	}
	if rapid.Bool().Draw(t, label+"-rule") {
		x.Rules = append(x.Rules, actions.Rule{Name: "odd", Matcher: selector(3), Until: timed(t, label+"-runtil")})
	}
	return x
}

// exemptFrom is the test's own reading of the exemption rules.
func exemptFrom(x actions.Exemptions, u *jira.User) bool {
	live := func(until time.Time) bool { return until.IsZero() || now.Before(until) }
	for _, e := range x.Users {
		if live(e.Until) && (strings.EqualFold(e.Value, u.Name) || strings.EqualFold(e.Value, u.Email)) {
			return true
		}
	}
	for _, e := range x.Groups {
		if live(e.Until) && u.InGroup(e.Value) {
			return true
		}
	}
	for _, r := range x.Rules {
		if ok, _ := r.Matcher.Match(context.Background(), u); ok && live(r.Until) {
			return true
		}
	}
	return false
}

// TestPropertyNoExemptUserWritten plans and applies random policies with
// random exemptions over random organisations, and checks in the fake's
// request log that no user who is exempt (or protected) from every
// policy that selects it is ever written to.
func TestPropertyNoExemptUserWritten(t *testing.T) {
	t.Parallel()
	actionsFor := []func() actions.Action{
		actions.Deactivate,
		func() actions.Action { return actions.RemoveFromGroups("staff") },
		func() actions.Action { return actions.SetProperty("mark", "{{now}}") },
		func() actions.Action { return actions.RevokeLicence("jira-software") },
		actions.Delete,
		func() actions.Action { return actions.GrantLicence("jira-core") },
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 25).Draw(t, "users")
		specs := make([]jiratest.UserSpec, n)
		for i := range specs {
			name := fmt.Sprintf("u%02d", i)
			specs[i] = jiratest.UserSpec{Name: name, Email: name + "@example.com", DisplayName: name,
				Inactive: rapid.Bool().Draw(t, "inactive"), Licences: []string{"jira-software"}}
			for _, g := range propGroups {
				if rapid.IntRange(0, 3).Draw(t, "in-"+g) == 0 {
					specs[i].Groups = append(specs[i].Groups, g)
				}
			}
		}
		s, c := dcSite(t, &jiratest.Org{Users: specs, Groups: propGroups})
		var policies []actions.Policy
		for i := range rapid.IntRange(1, 3).Draw(t, "policies") {
			policies = append(policies, actions.Policy{
				Name:       fmt.Sprintf("p%d", i),
				Select:     selector(rapid.IntRange(0, 3).Draw(t, "selector")),
				Action:     actionsFor[rapid.IntRange(0, len(actionsFor)-1).Draw(t, "action")](),
				Exemptions: drawExemptions(t, fmt.Sprintf("p%d", i), specs),
			})
		}
		global := drawExemptions(t, "global", specs)
		plan := planOn(t, c, policies, actions.PlanOptions{Exemptions: global})
		snapshot := map[string]jira.User{}
		for _, u := range s.Users() {
			snapshot[u.Name] = u
		}
		s.ResetStats()
		if _, err := actions.Apply(context.Background(), c, plan, actions.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		written := writes(s)
		for name, u := range snapshot {
			// team-admins is protected only when the snapshot shows it,
			// and these snapshots do not ask for it.
			protected := name == "admin" || slices.ContainsFunc(u.Groups, func(g string) bool {
				return slices.Contains(actions.ProtectedGroups(jira.DataCenter), g)
			})
			mayWrite := false
			for _, p := range policies {
				if ok, _ := p.Select.Match(context.Background(), &u); ok && !protected &&
					!exemptFrom(p.Exemptions, &u) && !exemptFrom(global, &u) {
					mayWrite = true
				}
			}
			if w := written[name]; !mayWrite && len(w) > 0 {
				t.Fatalf("exempt user %s was written to: %v", name, w)
			}
			if w := written[u.Key]; !mayWrite && len(w) > 0 {
				t.Fatalf("exempt user %s (%s) was written to: %v", name, u.Key, w)
			}
		}
		if w := written["?"]; len(w) > 0 {
			t.Fatalf("writes that name no user: %v", w)
		}
	})
}
