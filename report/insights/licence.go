package insights

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// TierTable is the user tiers a licence is sold in: a licence of tier
// N covers up to N users of the application, and the next user needs the
// next tier. The built-in tables ([CloudTiers], [DataCenterTiers]) are
// indicative: Atlassian's price lists change and contracts differ. Build
// your own with [NewTierTable] or [ParseTierTable] and pass it to the
// insights ([Options].Tiers) when you know your tiers.
type TierTable struct {
	Name  string
	Tiers []int // ascending
	// Indicative marks a table that is not the user's own: the licence
	// sentences then say the tiers are indicative.
	Indicative bool
}

// CloudTiers returns the user tiers of Jira Cloud annual subscriptions
// (Standard and Premium). Source: Atlassian's Jira pricing page, annual
// billing (https://www.atlassian.com/software/jira/pricing, user-tier
// selector), as quoted in the Corrections of the project's JIRA-API.md
// (checked 2026-12-01): tiers 1–10, 11–15, 16–25, 26–50, 51–100, 101–200,
// 201–300; there are no 20, 30–45, 75 or 250 tiers. Above 300 the tiers
// are the earlier table's (400, 500, 600, 800, 1,000, 1,200, 1,500, 2,000,
// 2,500, 3,000, 4,000, 5,000, 7,500, 10,000, then 15,000 to 50,000 in
// steps of 5,000), not re-checked against the page. Monthly subscriptions
// are billed per user, without tiers. Indicative: check your quote.
func CloudTiers() TierTable { return cloudTiers.clone() }

var cloudTiers = TierTable{Name: "Jira Cloud annual (indicative)", Indicative: true, Tiers: []int{
	10, 15, 25, 50, 100, 200, 300, 400, 500, 600, 800,
	1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000,
	15000, 20000, 25000, 30000, 35000, 40000, 45000, 50000}}

// DataCenterTiers returns the user tiers of Jira Data Center subscriptions.
// Source: Atlassian's Jira pricing page, Data Center
// (https://www.atlassian.com/software/jira/pricing), as quoted in the
// Corrections of the project's JIRA-API.md (checked 2026-12-01): the first
// tier covers up to 500 users (there are no 50, 100 or 250 tiers). The
// tiers above it are the earlier table's (1,000, 2,000, steps of 1,000 to
// 10,000, then of 5,000 to 50,000; above that Atlassian quotes), not
// re-checked. Indicative: check your quote.
func DataCenterTiers() TierTable { return dataCenterTiers.clone() }

var dataCenterTiers = TierTable{Name: "Jira Data Center (indicative)", Indicative: true, Tiers: []int{
	500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
	15000, 20000, 25000, 30000, 35000, 40000, 45000, 50000}}

// NewTierTable returns a table of the given tiers, e.g. the ones in your
// contract. The tiers must be positive and strictly ascending; the error
// names the first one that is not.
func NewTierTable(name string, tiers []int) (TierTable, error) {
	if len(tiers) == 0 {
		return TierTable{}, fmt.Errorf("insights: tier table %q has no tiers", name)
	}
	for i, t := range tiers {
		if t <= 0 {
			return TierTable{}, fmt.Errorf("insights: tier table %q: tier %d (%d) is not a positive number of users", name, i+1, t)
		}
		if i > 0 && t <= tiers[i-1] {
			return TierTable{}, fmt.Errorf("insights: tier table %q: tier %d (%d) is not above tier %d (%d)", name, i+1, t, i, tiers[i-1])
		}
	}
	return TierTable{Name: name, Tiers: slices.Clone(tiers)}, nil
}

// ParseTierTable reads a table written as comma-separated user counts,
// e.g. "500, 1000, 2000" (thousands may be written 1_000), as a policy file
// or a flag would give it. An error says which item is wrong.
func ParseTierTable(name, list string) (TierTable, error) {
	var tiers []int
	for i, item := range strings.Split(list, ",") {
		item = strings.ReplaceAll(strings.TrimSpace(item), "_", "")
		n, err := strconv.Atoi(item)
		if err != nil {
			return TierTable{}, fmt.Errorf("insights: tier table %q: item %d (%q) is not a number of users", name, i+1, item)
		}
		tiers = append(tiers, n)
	}
	return NewTierTable(name, tiers)
}

// TiersFor returns the built-in (indicative) tier table of a flavour.
func TiersFor(f jira.Flavor) TierTable {
	if f == jira.DataCenter {
		return DataCenterTiers()
	}
	return CloudTiers()
}

// clone returns a copy of t that shares nothing with it.
func (t TierTable) clone() TierTable {
	t.Tiers = slices.Clone(t.Tiers)
	return t
}

// For returns the smallest tier that covers users, or 0 when users is
// above the table's last tier.
func (t TierTable) For(users int) int {
	i, _ := slices.BinarySearch(t.Tiers, users)
	if i == len(t.Tiers) {
		return 0
	}
	return t.Tiers[i]
}

// Seats are the seats of one application (licence) of a site: those
// in use and the licence's limit, as the application role reports them
// (userCount and numberOfSeats; [SiteSeats] reads them).
type Seats = jira.Seats

// LicenceUse is one application's seats against its tier, and what a plan
// would change.
type LicenceUse struct {
	Application string
	Used        int
	Limit       int // as in Seats
	// Tier is the licence tier in use: the limit when known, else the
	// table's tier for Used.
	Tier int
	// Headroom is Tier less Used: the users that can be added before the
	// next tier (negative when over).
	Headroom int
	// Freed are the seats the plan frees: the users it deactivates,
	// deletes or revokes this licence from who use a seat now. Revoked
	// is how many of them keep their account and lose only the licence.
	Freed     int
	Revoked   int
	UsedAfter int
	// TierAfter is the table's tier for UsedAfter; below Tier, the plan
	// lets the licence drop a tier.
	TierAfter int
	// Indicative is set when a tier comes from an indicative table
	// (Limit unknown, or a drop to a lower tier): the sentence says so.
	Indicative bool
}

// Drops reports whether the plan lets the licence drop to a lower tier.
func (l LicenceUse) Drops() bool { return l.Freed > 0 && l.TierAfter > 0 && l.TierAfter < l.Tier }

// Sentence says what the plan does to the licence, e.g. "Deactivating
// these 212 users drops jira-software from the 1,000-user tier to the
// 800-user tier."
func (l LicenceUse) Sentence() string {
	s := l.sentence()
	if l.Indicative {
		s += " (Indicative tiers: check your quote.)"
	}
	return s
}

func (l LicenceUse) sentence() string {
	if l.Freed == 0 {
		return fmt.Sprintf("%s: %s of %s seats used, %s to spare.", l.Application, thousands(l.Used),
			thousands(l.Tier), thousands(l.Headroom))
	}
	verb := "Deactivating"
	switch l.Revoked {
	case 0:
	case l.Freed:
		verb = "Revoking " + l.Application + " from"
	default:
		verb = "Deactivating or unlicensing"
	}
	if l.Drops() {
		return fmt.Sprintf("%s these %s users drops %s from the %s-user tier to the %s-user tier.",
			verb, thousands(l.Freed), l.Application, thousands(l.Tier), thousands(l.TierAfter))
	}
	return fmt.Sprintf("%s these %s users leaves %s in the %s-user tier, with %s seats to spare.",
		verb, thousands(l.Freed), l.Application, thousands(l.Tier), thousands(l.Tier-l.UsedAfter))
}

// LicenceUses computes each application's use against the tiers: from
// seats when given, else counted from the active users' licences; freed
// seats come from plan (nil for none) and users (the snapshot it was made
// from).
func LicenceUses(seats []Seats, users []jira.User, plan *actions.Plan, tiers TierTable) []LicenceUse {
	if seats == nil {
		count := map[string]int{}
		for i := range users {
			if users[i].Active && isPerson(&users[i]) {
				for _, l := range users[i].Licences {
					count[l]++
				}
			}
		}
		for app, n := range count {
			seats = append(seats, Seats{Application: app, Used: n})
		}
	}
	freed := FreedSeats(plan, users)
	out := make([]LicenceUse, 0, len(seats))
	for _, s := range seats {
		l := LicenceUse{Application: s.Application, Used: s.Used, Limit: s.Limit, Tier: s.Limit}
		if l.Tier <= 0 {
			l.Tier = tiers.For(s.Used)
		}
		l.Headroom = l.Tier - l.Used
		f := freed[s.Application]
		l.Freed, l.Revoked = min(f.Users, s.Used), min(f.Revoked, s.Used)
		l.UsedAfter = l.Used - l.Freed
		l.TierAfter = tiers.For(l.UsedAfter)
		if l.TierAfter > l.Tier && l.Tier > 0 {
			l.TierAfter = l.Tier
		}
		l.Indicative = tiers.Indicative && (s.Limit <= 0 || l.Drops())
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b LicenceUse) int { return b.Used - a.Used })
	return out
}

// Freed counts the users who free a seat of one application.
type Freed struct {
	Users   int // every user who frees a seat
	Revoked int // of them, those who only lose the licence
}

// FreedSeats counts, per application, the active licensed users of users
// whom plan deactivates or deletes (every licence they have) or revokes
// a licence from.
func FreedSeats(plan *actions.Plan, users []jira.User) map[string]Freed {
	out := map[string]Freed{}
	if plan == nil {
		return out
	}
	byID := make(map[string]*jira.User, len(users))
	for i := range users {
		byID[users[i].ID()] = &users[i]
	}
	for _, up := range plan.Users {
		u := byID[up.User.ID()]
		if u == nil || !u.Active {
			continue
		}
		apps := map[string]bool{} // application -> revoked only
		gone := false
		for _, st := range up.Steps {
			switch st.Kind {
			case actions.KindDeactivate, actions.KindDelete:
				gone = true
				for _, l := range u.Licences {
					apps[l] = false
				}
			case actions.KindRevokeLicence:
				if u.HasLicence(st.Licence) {
					if _, ok := apps[st.Licence]; !ok {
						apps[st.Licence] = true
					}
				}
			}
		}
		for a, revoked := range apps {
			f := out[a]
			f.Users++
			if revoked && !gone {
				f.Revoked++
			}
			out[a] = f
		}
	}
	return out
}

// thousands formats n with commas: 1,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
