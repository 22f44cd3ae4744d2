package actions

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrPlanMismatch matches the errors of [Verify] that refuse a plan as a
// whole: its policies, their hashes, its flavour or its site are not
// those of the plan made now.
var ErrPlanMismatch = errors.New("actions: the plan does not match its policies")

// Verify checks a proposed plan — a plan file, a stored plan: anything a
// person could have edited — against fresh, the plan the same policies
// give now (planned with [NewPlan] from a new snapshot of the site), and
// returns the plan to apply and the results of the steps it refuses.
//
// The plan as a whole is refused (an error matching [ErrPlanMismatch])
// when its flavour, its site or its policies (names and hashes) differ
// from fresh's; a proposed plan without a site or without policies is
// refused. Each user's steps are then taken only if every step not yet
// done (according to the journal j, which may be nil) is one fresh plans
// for that user now, as a step or as a no-op: same kind, same group,
// licence, property, value and issue. A user fresh does not have — no
// longer selected, exempt, protected — or with any step fresh would not
// plan has all its pending steps [Refused] with the reason, and nothing
// of that user is applied. One exception: a step the journal shows
// started by an interrupted run, its outcome lost, is kept even if
// fresh does not plan it (its own write may be what deselects the user,
// as a mark does), to be checked only: [Apply] reports it applied ("found
// applied after an interruption") if its effect is there, and otherwise
// refuses it with the reason, writing nothing.
//
// The returned plan keeps the proposed plan's id (so that its journal
// resumes) and the order of its steps, and takes everything else from
// fresh: the users' identities, the steps themselves
// (values, previous values, issues), the run issue, and the blast-radius
// limits (the policies' limits, counted over the users it keeps and the
// active users of the new snapshot). Check them with [Plan.CheckLimits].
func Verify(proposed, fresh *Plan, j *Journal) (*Plan, []Result, error) {
	switch {
	case proposed.Flavor != fresh.Flavor:
		return nil, nil, fmt.Errorf("%w: the plan is for a %v site, the policies' site is %v", ErrPlanMismatch, proposed.Flavor, fresh.Flavor)
	case proposed.Site == "":
		return nil, nil, fmt.Errorf("%w: the plan names no site", ErrPlanMismatch)
	case !sameSite(proposed.Site, fresh.Site):
		return nil, nil, fmt.Errorf("%w: the plan is for site %s, the policies act on %s", ErrPlanMismatch, proposed.Site, fresh.Site)
	case len(proposed.Policies) == 0:
		return nil, nil, fmt.Errorf("%w: the plan names no policy", ErrPlanMismatch)
	}
	if err := samePolicies(proposed.Policies, fresh.Policies); err != nil {
		return nil, nil, err
	}
	done, verified, inDoubt := map[string]bool{}, map[string]bool{}, map[string]bool{}
	if j != nil {
		st, err := readState(j.Entries(), proposed.ID)
		if err != nil {
			return nil, nil, err
		}
		for id := range st.final {
			done[id] = true
		}
		for id := range st.started {
			inDoubt[id] = true
		}
		verified = st.verified
	}
	now := map[string]*UserPlan{}
	for i := range fresh.Users {
		now[fresh.Users[i].User.ID()] = &fresh.Users[i]
	}
	exempt := map[string]string{}
	for _, x := range fresh.Exempt {
		if _, ok := exempt[x.User.ID()]; !ok {
			exempt[x.User.ID()] = x.Reason
		}
	}
	out := &Plan{ID: proposed.ID, Created: proposed.Created, Flavor: fresh.Flavor, Site: fresh.Site,
		Policies: fresh.Policies, Finger: fresh.Finger, Exempt: fresh.Exempt, Conflicts: []Conflict{},
		Problems: fresh.Problems, Counts: map[StepKind]int{}, TotalUsers: fresh.TotalUsers,
		ActiveUsers: fresh.ActiveUsers, RunIssue: fresh.RunIssue, Users: []UserPlan{}}
	var refused []Result
	times := map[string]int{}
	for _, up := range proposed.Users {
		times[up.User.ID()]++
	}
	for _, up := range proposed.Users {
		id := up.User.ID()
		end := func(o Outcome, why string) {
			for i, s := range up.Steps {
				if !done[stepID(up.User, i)] {
					refused = append(refused, Result{StepID: stepID(up.User, i), User: up.User, Step: s, Outcome: o,
						Message: why})
				}
			}
		}
		reject := func(why string) { end(Refused, "not applied: "+why) }
		switch {
		case len(up.Steps) == 0:
			continue
		case id == "":
			reject("the plan entry names no user")
			continue
		case times[id] > 1:
			reject("the plan lists the user twice")
			continue
		}
		cur := now[id]
		steps := make([]Step, len(up.Steps))
		why := ""
		for i, s := range up.Steps {
			if cur != nil {
				if k := slices.IndexFunc(cur.Steps, s.equal); k >= 0 {
					steps[i] = cur.Steps[k]
					continue
				}
				if k := slices.IndexFunc(cur.NoOps, s.equal); k >= 0 {
					steps[i] = cur.NoOps[k]
					steps[i].NoOp = ""
					continue
				}
			}
			if done[stepID(up.User, i)] {
				steps[i] = s // done before; not written again
				continue
			}
			var not string
			switch {
			case cur == nil && exempt[id] != "":
				not = "exempt now (" + exempt[id] + ")"
			case cur == nil:
				not = "the policies do not select this user now"
			default:
				not = "the policies would not plan " + s.String() + " for this user now"
			}
			if inDoubt[stepID(up.User, i)] {
				// Started by an interrupted run, outcome lost: its own
				// write may be what deselects the user (a mark). Apply
				// checks its effect and writes nothing.
				steps[i] = s
				steps[i].unconfirmed = "not applied: " + not
				continue
			}
			why = not
			break
		}
		if why != "" {
			reject(why)
			continue
		}
		if up.Fingerprint == "" {
			reject("the plan entry has no fingerprint, so the user cannot be checked")
			continue
		}
		if cur != nil && !verified[id] && up.Fingerprint != cur.Fingerprint {
			end(Stale, "changed since the plan (fingerprint differs)")
			continue
		}
		if cur == nil {
			// Every step was done, or started, by an earlier run of this
			// plan.
			out.Users = append(out.Users, UserPlan{User: up.User, Policies: up.Policies, Steps: steps, Fingerprint: up.Fingerprint})
			continue
		}
		out.Users = append(out.Users, UserPlan{User: cur.User, Policies: cur.Policies, Steps: steps, Why: cur.Why,
			Fingerprint: cur.Fingerprint})
	}
	for _, u := range out.Users {
		for _, s := range u.Steps {
			out.Counts[s.Kind]++
		}
	}
	for _, l := range fresh.Limits {
		n := 0
		for _, u := range out.Users {
			if l.Policy == "" || slices.Contains(u.Policies, l.Policy) {
				n++
			}
		}
		out.Limits = append(out.Limits, LimitCheck{Policy: l.Policy, Limits: l.Limits, Users: n})
	}
	return out, refused, nil
}

// equal reports whether s and o are the same change, values compared as
// JSON.
func (s Step) equal(o Step) bool {
	return s.Kind == o.Kind && s.Group == o.Group && s.Licence == o.Licence && s.Property == o.Property &&
		jsonEqual(s.Value, o.Value) && (s.Value == nil) == (o.Value == nil) &&
		s.FallbackToDeactivate == o.FallbackToDeactivate && s.Password == o.Password &&
		issueKey(s.Issue) == issueKey(o.Issue) && sameMail(s.Mail, o.Mail)
}

// sameMail compares the mails of notify steps by their templates and
// recipients, not their text: the text sent is the one the policy renders
// at apply (dates and day counts move with the clock).
func sameMail(a, b *Mail) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Template == b.Template && slices.Equal(a.To, b.To) && slices.Equal(a.Cc, b.Cc)
}

func sameSite(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

func samePolicies(proposed, fresh []PolicyRef) error {
	byName := map[string]string{}
	for _, p := range fresh {
		byName[p.Name] = p.Hash
	}
	names := map[string]bool{}
	for _, p := range proposed {
		h, ok := byName[p.Name]
		switch {
		case !ok:
			return fmt.Errorf("%w: policy %q is not one of the policies the plan is checked against", ErrPlanMismatch, p.Name)
		case h != p.Hash:
			return fmt.Errorf("%w: policy %q changed since the plan was made (hash %s, now %s); plan again", ErrPlanMismatch, p.Name, p.Hash, h)
		case names[p.Name]:
			return fmt.Errorf("%w: the plan names policy %q twice", ErrPlanMismatch, p.Name)
		}
		names[p.Name] = true
	}
	if len(names) != len(byName) {
		return fmt.Errorf("%w: the plan names %d policies, checked against %d", ErrPlanMismatch, len(names), len(byName))
	}
	return nil
}

// Sign returns the HMAC-SHA256 of data under key, hex-encoded: the
// signature of a plan file ([CheckSignature]). A service that signs the
// plans it makes can refuse any plan it did not make.
func Sign(key, data []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is returned by [CheckSignature] for a missing or wrong
// signature.
var ErrBadSignature = errors.New("actions: the plan's signature does not match")

// CheckSignature reports, in constant time, whether sig is data's
// signature under key ([Sign]).
func CheckSignature(key, data []byte, sig string) error {
	if sig == "" {
		return fmt.Errorf("%w: the plan is not signed", ErrBadSignature)
	}
	if !hmac.Equal([]byte(Sign(key, data)), []byte(sig)) {
		return ErrBadSignature
	}
	return nil
}
