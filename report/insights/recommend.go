package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Inactive is the policy the recommendations and the default simulation
// reason with: the active people who last logged in more than Days days
// ago, and those who never logged in and were created more than Days days
// ago. A user whose last login (or, never logged in, creation) is unknown
// is not selected: nothing is recommended on what the site does not say.
type Inactive struct{ Days int }

// MatchAt reports whether u is inactive as of now; it makes Inactive a
// [MatcherAt].
func (p Inactive) MatchAt(u *jira.User, now time.Time) (bool, error) {
	if !u.Active || !isPerson(u) || !u.LastLogin.Known {
		return false, nil
	}
	since := now.AddDate(0, 0, -p.Days)
	if u.LastLogin.Never() {
		return !u.Created.IsZero() && u.Created.Before(since), nil
	}
	return u.LastLogin.Time.Before(since), nil
}

// String names the policy as the recommendations say it.
func (p Inactive) String() string { return fmt.Sprintf("users inactive for %d+ days", p.Days) }

// Recommendation kinds: what a [Recommendation] is about.
const (
	RecommendOverLimit    = "over-limit"      // more seats used than the licence has
	RecommendTierDrop     = "tier-drop"       // deactivating inactive users drops a tier
	RecommendFreeSeats    = "free-seats"      // it frees seats, short of a lower tier
	RecommendNeverLogged  = "never-logged-in" // accounts never used
	RecommendUnknownLogin = "unknown-logins"  // the site does not say who logged in
	RecommendSimulation   = "simulation"      // what a weekly policy would have done
)

// Recommendation is one thing an admin can do, in words computed from the
// site's numbers, e.g. "Deactivating the 148 users inactive for 90+ days
// drops jira-software from the 1,000-user tier to the 500-user tier."
type Recommendation struct {
	Kind string
	// Application is the licence it is about ("" for the site).
	Application string
	// Users is how many users it is about.
	Users int
	Text  string
}

// recommend computes the recommendations, most pressing first: licences
// over their seats, tiers a deactivation drops, seats it frees, accounts
// never used, logins the site does not report, and the simulation.
func (in *Insights) recommend(users []jira.User, flavor jira.Flavor) []Recommendation {
	policy := Inactive{Days: in.RecentDays}
	inactive := map[string]int{} // application → inactive licensed people
	neverOld, neverInactive, unknown := 0, 0, 0
	for i := range users {
		u := &users[i]
		if !u.Active || !isPerson(u) {
			continue
		}
		if !u.LastLogin.Known {
			unknown++
			continue
		}
		ok, _ := policy.MatchAt(u, in.Now)
		if ok {
			for _, l := range u.Licences {
				inactive[l]++
			}
		}
		if u.LastLogin.Never() && !u.Created.IsZero() && u.Created.Before(in.Now.AddDate(0, 0, -30)) {
			neverOld++
			if ok {
				neverInactive++
			}
		}
	}
	var over, drops, frees []Recommendation
	for _, l := range in.Licences {
		n := min(inactive[l.Application], l.Used)
		if l.Used == 0 {
			continue
		}
		if l.Limit > 0 && l.Used > l.Limit {
			text := fmt.Sprintf("%s uses %s seats of its %s-seat licence.", l.Application, thousands(l.Used), thousands(l.Limit))
			if n > 0 {
				text += fmt.Sprintf(" Deactivating the %s %s brings it to %s.", thousands(n), policy, thousands(l.Used-n))
			}
			over = append(over, Recommendation{RecommendOverLimit, l.Application, n, text})
			continue
		}
		if n == 0 {
			continue
		}
		after := l.Used - n
		lower := in.Tiers.below(l.Tier)
		suffix := ""
		if in.Tiers.Indicative {
			suffix = " (Indicative tiers: check your quote.)"
		}
		if lower > 0 && after <= lower {
			drops = append(drops, Recommendation{RecommendTierDrop, l.Application, n,
				fmt.Sprintf("Deactivating the %s %s drops %s from the %s-user tier to the %s-user tier.%s",
					thousands(n), policy, l.Application, thousands(l.Tier), thousands(in.Tiers.For(after)), suffix)})
			continue
		}
		text := fmt.Sprintf("Deactivating the %s %s frees %s %s seats: %s to spare in the %s-user tier.",
			thousands(n), policy, thousands(n), l.Application, thousands(l.Tier-after), thousands(l.Tier))
		if lower > 0 {
			text += fmt.Sprintf(" The %s-user tier needs %s fewer users.", thousands(lower), thousands(after-lower))
		}
		frees = append(frees, Recommendation{RecommendFreeSeats, l.Application, n, text + suffix})
	}
	out := append(append(over, drops...), frees...)
	if neverOld > 0 {
		text := fmt.Sprintf("%s active users never logged in although created more than 30 days ago: deactivating them frees their seats.", thousands(neverOld))
		if neverInactive > 0 {
			text += fmt.Sprintf(" %s of them were created more than %d days ago and are among the %s.", thousands(neverInactive), in.RecentDays, policy)
		}
		out = append(out, Recommendation{RecommendNeverLogged, "", neverOld, text})
	}
	if unknown > 0 {
		how := "give the site a login source (logins: in the policy file) so that Jira Data Center's last logins are known"
		if flavor == jira.Cloud {
			how = "give the site its organisation (orgId, orgKey) so that the Admin API reports last activity"
		}
		out = append(out, Recommendation{RecommendUnknownLogin, "", unknown,
			fmt.Sprintf("The last login of %s active users is unknown, so they are counted in no recommendation: %s.", thousands(unknown), how)})
	}
	if s := in.Simulation; s != nil && s.Deactivated > 0 && len(s.Points) > 0 {
		last := s.Points[len(s.Points)-1]
		out = append(out, Recommendation{RecommendSimulation, "", s.Deactivated,
			fmt.Sprintf("Had %s run weekly for the past year, it would have deactivated %s users: %s active users today instead of %s.",
				s.Policy, thousands(s.Deactivated), thousands(last.WithPolicy), thousands(last.Actual))})
	}
	return out
}

// below returns the largest tier under tier, or 0 when there is none.
func (t TierTable) below(tier int) int {
	out := 0
	for _, x := range t.Tiers {
		if x < tier {
			out = x
		}
	}
	return out
}

// SiteSeats returns the licences' seats as site reports them, when it can
// ([jira.SeatReader]: both clients of this module can); nil when it
// cannot say. Pass them as [Options].Seats: the site's numbers win over
// seats counted from a snapshot.
func SiteSeats(ctx context.Context, site jira.Site) ([]Seats, error) {
	r, ok := site.(jira.SeatReader)
	if !ok {
		return nil, nil
	}
	return r.Seats(ctx)
}
