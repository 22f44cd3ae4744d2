package actions

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/seatwarden/seatwarden/jira"
)

// UndoOptions configure [Undo].
type UndoOptions struct {
	// ID is the undo plan's id; default one derived from the journal's
	// plan, the same every time, so that an interrupted undo applied with
	// its own journal resumes.
	ID string
	// Now as in [PlanOptions]; default time.Now().
	Now time.Time
	// Site is the site the undo is to act on. The journal's run entry
	// names the site the run changed: a different Site is an error. For
	// a journal that names none, Site is the plan's site.
	Site string
}

// UndoID returns the id of the plan that undoes the runs of plan planID:
// a name-based UUID, the same every time.
func UndoID(planID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("seatwarden:undo:"+planID)).String()
}

// Undo turns a journal into the plan that reverses what it applied:
// reactivate the deactivated (also those deactivated instead of
// deleted), deactivate the reactivated, re-add removed groups, remove
// added ones, re-grant revoked licences, revoke granted ones, restore a
// property's previous value or delete a property that was not there. A
// delete, a password reset, invalidated sessions and filed issues cannot
// be undone: the plan lists them in NotUndoable. The undo plan has no
// fingerprints, so applying it checks nothing for staleness; it is a plan
// like any other, to be read before it is applied.
//
// A revoked licence is re-granted through the application's default
// group, which may differ from the groups Jira removed the user from.
func Undo(entries []JournalEntry, opts UndoOptions) (*Plan, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	var flavor jira.Flavor
	planID, site := "", ""
	for _, e := range entries {
		if e.Type == EntryRun {
			flavor, planID, site = e.Flavor, e.Plan, e.Site
			break
		}
	}
	if planID == "" {
		return nil, fmt.Errorf("actions: the journal has no run entry")
	}
	switch {
	case site == "":
		site = opts.Site
	case opts.Site != "" && !sameSite(site, opts.Site):
		return nil, fmt.Errorf("actions: the journal is of a run on %s, not %s: undo acts only on the site the run changed", site, opts.Site)
	}
	if opts.ID == "" {
		opts.ID = UndoID(planID)
	}
	name := "undo " + planID
	plan := &Plan{ID: opts.ID, Created: opts.Now.UTC(), Flavor: flavor, Site: site,
		Policies: []PolicyRef{{Name: name, Hash: "journal:" + planID}},
		Counts:   map[StepKind]int{}, Exempt: []Exempted{}, Conflicts: []Conflict{}, Problems: []SelectionProblem{},
		Users: []UserPlan{}, NotUndoable: []string{}}
	byUser := map[string]int{}
	// Outcomes in reverse order, so the last change to a thing is undone
	// first and each thing is undone once.
	seen := map[string]bool{}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Plan != planID {
			return nil, fmt.Errorf("actions: the journal mixes plans %s and %s", planID, e.Plan)
		}
		if e.Type != EntryOutcome || e.Outcome != Applied || e.Step == nil || seen[e.StepID] {
			continue
		}
		seen[e.StepID] = true
		inv, ok := inverse(e)
		if e.User == nil {
			plan.NotUndoable = append(plan.NotUndoable, e.Step.String()+" (the run's issue)")
			continue
		}
		if !ok {
			plan.NotUndoable = append(plan.NotUndoable, e.User.ID()+": "+e.Step.String())
			continue
		}
		if inv.Kind == KindAddGroup && adminGroup(flavor, inv.Group) {
			// No run removes an administrator (administrators are
			// protected): a journal that says so was edited. Undo never
			// makes anyone an administrator.
			plan.NotUndoable = append(plan.NotUndoable, e.User.ID()+": "+e.Step.String()+" (undo never adds to an administrators group)")
			continue
		}
		k, ok := byUser[e.User.ID()]
		if !ok {
			k = len(plan.Users)
			byUser[e.User.ID()] = k
			plan.Users = append(plan.Users, UserPlan{User: *e.User, Policies: []string{name},
				Why: []Reason{{Policy: name, Explanation: "undo of run " + e.Run}}})
		}
		up := &plan.Users[k]
		if !slices.ContainsFunc(up.Steps, inv.same) {
			up.Steps = append(up.Steps, inv)
		}
	}
	slices.Sort(plan.NotUndoable)
	slices.SortFunc(plan.Users, func(a, b UserPlan) int { return strings.Compare(a.User.ID(), b.User.ID()) })
	for i := range plan.Users {
		slices.SortFunc(plan.Users[i].Steps, compareSteps)
		for _, s := range plan.Users[i].Steps {
			plan.Counts[s.Kind]++
		}
	}
	plan.Limits = []LimitCheck{{Users: len(plan.Users)}, {Policy: name, Users: len(plan.Users)}}
	return plan, nil
}
