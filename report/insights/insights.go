package insights

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
)

// MatcherAt selects users as of an instant; *criteria.Program is one (its
// MatchAt). The simulation evaluates a policy's criterion at past instants
// through it.
type MatcherAt interface {
	MatchAt(u *jira.User, now time.Time) (bool, error)
}

// Level is the user level of one week: the active people who logged in
// recently, not for a while, never, and those whose last login is unknown.
type Level struct {
	// Week is the end of the week (the instant the level is counted at).
	Week      time.Time
	Recent    int
	NotRecent int
	Never     int
	Unknown   int
	// FromHistory is true when the level comes from a stored snapshot
	// summary, false when it was reconstructed from the users' creation
	// and last-login dates.
	FromHistory bool
}

// Active returns the active people of the week.
func (l Level) Active() int { return l.Recent + l.NotRecent + l.Never + l.Unknown }

// SimPoint is one week of a simulation.
type SimPoint struct {
	Week time.Time
	// Actual is the active people as reconstructed; WithPolicy as they
	// would have been with the policy running every week.
	Actual     int
	WithPolicy int
}

// Simulation is the user level of the past year had a policy been running
// weekly since its start.
type Simulation struct {
	Policy string
	Points []SimPoint
	// Deactivated is how many people the policy would have deactivated.
	Deactivated int
	// Errors counts evaluations that failed (fail closed: no match).
	Errors int
}

// RecencyBar is one bar of the login-recency histogram.
type RecencyBar struct {
	Label string
	Users int
}

// Insights are the numbers and charts of a site's users: levels over time,
// licences against tiers, login recency and a simulation. Build them with
// [New]; the HTML report and the email show them (it is a
// report.Insights).
type Insights struct {
	Site       string
	Flavor     jira.Flavor
	Now        time.Time
	RecentDays int
	Summary    report.SnapshotSummary
	// Recommendations say what an admin can do, most pressing first.
	Recommendations []Recommendation
	// SeatsFromSite is true when the licences' seats are the site's own
	// numbers ([Options].Seats), false when counted from the users.
	SeatsFromSite bool
	Levels        []Level
	Recency       []RecencyBar
	Licences      []LicenceUse
	Tiers         TierTable
	Simulation    *Simulation
	// Runs are the site's recent runs, from the history.
	Runs []report.RunSummary
	// Charts are the rendered charts, in the order the report shows them.
	Charts []Chart
}

// Options say what [New] builds the insights from.
type Options struct {
	Site   string
	Flavor jira.Flavor
	// Now is the instant of the snapshot (required).
	Now time.Time
	// Users is the snapshot: with last logins and licences for the
	// numbers to mean anything.
	Users []jira.User
	// History is the stored summaries of the site (the Snapshots of a
	// report/history Store); the
	// weeks before the first one are reconstructed from Users.
	History []report.SnapshotSummary
	// Since is where the levels chart starts (default two years before
	// Now).
	Since time.Time
	// RecentDays is what "recently" means (default 90). With history it
	// should be a bucket edge: 30, 90, 180, 365 or 730.
	RecentDays int
	// Seats are the applications' seats as the site reports them
	// ([SiteSeats]); default counted from Users, which cannot know the
	// licence's size.
	Seats []Seats
	// Tiers is the tier table (default by Flavor: CloudTiers, or
	// DataCenterTiers).
	Tiers *TierTable
	// Plan, when set, is shown as the seats it frees.
	Plan *actions.Plan
	// Simulate is the policy to simulate over the past year, named
	// SimulateName; default [Inactive] of RecentDays, unless NoSimulation.
	Simulate     MatcherAt
	SimulateName string
	NoSimulation bool
	// Runs are recent runs to list (Store.Runs).
	Runs []report.RunSummary
	// PNG renders each chart as PNG too, for email (slower).
	PNG bool
}

// New computes the insights and renders their charts as SVG (and PNG
// when asked).
func New(ctx context.Context, o Options) (*Insights, error) {
	if o.Now.IsZero() {
		return nil, fmt.Errorf("insights: Options.Now is required")
	}
	if o.RecentDays <= 0 {
		o.RecentDays = 90
	}
	if o.Since.IsZero() {
		o.Since = o.Now.AddDate(-2, 0, 0)
	}
	tiers := TiersFor(o.Flavor)
	if o.Tiers != nil {
		tiers = *o.Tiers
	}
	if o.Simulate == nil && !o.NoSimulation {
		p := Inactive{Days: o.RecentDays}
		o.Simulate, o.SimulateName = p, "a policy deactivating "+p.String()
	}
	in := &Insights{Site: o.Site, Flavor: o.Flavor, Now: o.Now, RecentDays: o.RecentDays, Tiers: tiers,
		Summary: report.Summarize(o.Site, o.Users, o.Now), Runs: o.Runs, SeatsFromSite: len(o.Seats) > 0}
	in.Levels = Levels(o.Users, o.History, o.Since, o.Now, o.RecentDays)
	in.Recency = Recency(in.Summary)
	in.Licences = LicenceUses(o.Seats, o.Users, o.Plan, tiers)
	if o.Simulate != nil {
		sim, err := Simulate(ctx, o.Users, o.Simulate, o.Now)
		if err != nil {
			return nil, err
		}
		sim.Policy = o.SimulateName
		in.Simulation = sim
	}
	in.Recommendations = in.recommend(o.Users, o.Flavor)
	charts, err := in.render(o.PNG)
	if err != nil {
		return nil, err
	}
	in.Charts = charts
	return in, nil
}

// weeks returns the ends of the weeks from since to now, now last.
func weeks(since, now time.Time) []time.Time {
	var out []time.Time
	for t := now; !t.Before(since); t = t.AddDate(0, 0, -7) {
		out = append(out, t)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// Levels returns the user level of each week from since to now: from the
// history where a snapshot of that week is stored (the week's last one),
// else reconstructed from the users (see [LevelAt]).
func Levels(users []jira.User, history []report.SnapshotSummary, since, now time.Time, recentDays int) []Level {
	var out []Level
	for _, t := range weeks(since, now) {
		if s := lastInWeek(history, t); s != nil {
			never, unknown := s.NeverLoggedIn, s.LoginUnknown
			recent := s.Recent(recentDays)
			out = append(out, Level{Week: t, Recent: recent, NotRecent: s.Active - recent - never - unknown,
				Never: never, Unknown: unknown, FromHistory: true})
			continue
		}
		out = append(out, LevelAt(users, t, recentDays))
	}
	return out
}

func lastInWeek(history []report.SnapshotSummary, t time.Time) *report.SnapshotSummary {
	var best *report.SnapshotSummary
	for i := range history {
		d := history[i].Day
		if d.After(t.AddDate(0, 0, -7)) && !d.After(t) && (best == nil || d.After(best.Day)) {
			best = &history[i]
		}
	}
	return best
}

// LevelAt reconstructs the user level at instant t from today's users,
// their creation dates and last logins — all the past a snapshot keeps:
//
//   - a user created after t did not exist yet;
//   - a user whose last login is after t is counted as a recent user
//     at t: only the last login is known, and someone who logs in later
//     is taken to have been using Jira then (so the further back, the
//     more this is an upper bound of recent users);
//   - a user who is inactive today is counted only up to the last login
//     (when the deactivation happened is not known); one who never logged
//     in, not at all;
//   - app accounts and portal customers are not counted.
func LevelAt(users []jira.User, t time.Time, recentDays int) Level {
	l := Level{Week: t}
	for i := range users {
		u := &users[i]
		if !isPerson(u) || !u.Created.IsZero() && u.Created.After(t) {
			continue
		}
		switch {
		case !u.LastLogin.Known:
			if u.Active {
				l.Unknown++
			}
		case u.LastLogin.Never():
			if u.Active {
				l.Never++
			}
		case !u.LastLogin.Time.Before(t):
			l.Recent++
		case !u.Active:
			// deactivated some time after its last login, before t or not
		case daysBetween(u.LastLogin.Time, t) <= recentDays:
			l.Recent++
		default:
			l.NotRecent++
		}
	}
	return l
}

// asOf returns the user as it would have looked at t for a policy: active,
// a later last login (or last activity) moved back to t.
func asOf(u *jira.User, t time.Time) jira.User {
	v := *u
	v.Active = true
	if v.LastLogin.Known && !v.LastLogin.Never() && v.LastLogin.Time.After(t) {
		v.LastLogin = jira.LoggedInAt(t)
	}
	if len(u.LastActive) > 0 {
		v.LastActive = maps.Clone(u.LastActive)
		for k, at := range v.LastActive {
			if at.After(t) {
				v.LastActive[k] = t
			}
		}
	}
	return v
}

// exists reports whether the reconstruction counts u as an active user at t.
func exists(u *jira.User, t time.Time) bool {
	if !isPerson(u) || !u.Created.IsZero() && u.Created.After(t) {
		return false
	}
	if u.Active {
		return true
	}
	return u.LastLogin.Known && !u.LastLogin.Never() && !u.LastLogin.Time.Before(t)
}

// Simulate replays the past year (52 weeks up to now) with policy run
// once a week from its start: a user the policy selects at a weekly run,
// as the user looked then (see [LevelAt] for what is known of the past),
// is deactivated from that week on. Each week gives the active people as
// reconstructed and as they would have been. The matcher's errors fail
// closed (no match) and are counted.
func Simulate(ctx context.Context, users []jira.User, policy MatcherAt, now time.Time) (*Simulation, error) {
	ws := weeks(now.AddDate(0, 0, -7*52), now)
	sim := &Simulation{Points: make([]SimPoint, len(ws))}
	for i, t := range ws {
		sim.Points[i].Week = t
	}
	for i := range users {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		u := &users[i]
		gone := false
		for k, t := range ws {
			if !exists(u, t) {
				continue
			}
			sim.Points[k].Actual++
			if !gone {
				v := asOf(u, t)
				ok, err := policy.MatchAt(&v, t)
				if err != nil {
					sim.Errors++
				}
				if ok && err == nil {
					gone = true
					sim.Deactivated++
				}
			}
			if !gone {
				sim.Points[k].WithPolicy++
			}
		}
	}
	return sim, nil
}

// Recency returns the login-recency histogram of a summary: never, each
// bucket, unknown (left out when zero).
func Recency(s report.SnapshotSummary) []RecencyBar {
	out := []RecencyBar{{"never", s.NeverLoggedIn}}
	for _, b := range report.Buckets() {
		out = append(out, RecencyBar{b.Label, s.LastLogin[b.Key]})
	}
	if s.LoginUnknown > 0 {
		out = append(out, RecencyBar{"unknown", s.LoginUnknown})
	}
	return out
}

// isPerson reports whether u counts as a user and a seat: app accounts
// and portal customers do not (as in report.Summarize).
func isPerson(u *jira.User) bool {
	return u.AccountType == "" || u.AccountType == jira.AccountAtlassian
}

// daysBetween counts whole days from a to b (0 when b is before a).
func daysBetween(a, b time.Time) int {
	if b.Before(a) {
		return 0
	}
	return int(b.Sub(a) / (24 * time.Hour))
}
