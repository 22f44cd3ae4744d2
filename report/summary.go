package report

import (
	"maps"
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// Bucket is a last-login bucket: the active users who last logged in
// between MinDays and MaxDays days ago (inclusive; MaxDays 0 means no
// upper bound).
type Bucket struct {
	Key     string
	Label   string
	MinDays int
	MaxDays int
}

// buckets are the last-login buckets snapshot summaries count, in order.
var buckets = []Bucket{
	{"d0_30", "0–30 d", 0, 30},
	{"d31_90", "31–90 d", 31, 90},
	{"d91_180", "91–180 d", 91, 180},
	{"d181_365", "181–365 d", 181, 365},
	{"d366_730", "1–2 yr", 366, 730},
	{"d731", "> 2 yr", 731, 0},
}

// Buckets returns the last-login buckets snapshot summaries count, in
// order (a new slice each call). Their edges (30, 90, 180, 365 days) are
// the thresholds the insights' levels can read back from history.
func Buckets() []Bucket { return slices.Clone(buckets) }

// bucketOf returns the index in buckets of a login days ago.
func bucketOf(days int) int {
	for i, b := range buckets {
		if days >= b.MinDays && (b.MaxDays == 0 || days <= b.MaxDays) {
			return i
		}
	}
	return len(buckets) - 1
}

// SnapshotSummary is what the history keeps of one snapshot: the counts
// of one day on one site. Only users of account type atlassian (people)
// are counted: app accounts and portal customers are neither users nor
// seats.
type SnapshotSummary struct {
	Site string
	// Day is the snapshot's day (00:00 UTC); a site has one summary per
	// day, the last one taken that day.
	Day time.Time
	// Taken is when the snapshot was taken.
	Taken    time.Time
	Total    int // people, active or not
	Active   int
	Inactive int
	// NeverLoggedIn and LoginUnknown count active users who never logged
	// in, and whose last login the site does not say.
	NeverLoggedIn int
	LoginUnknown  int
	// LastLogin counts the active users who logged in, by [Bucket] key.
	LastLogin map[string]int
	// Licensed counts the active users with each application, by key.
	Licensed map[string]int
}

// Recent returns the active users who logged in at most days days ago,
// from the buckets; days should be a bucket edge (30, 90, 180, 365, 730).
func (s *SnapshotSummary) Recent(days int) int {
	n := 0
	for _, b := range buckets {
		if b.MaxDays != 0 && b.MaxDays <= days {
			n += s.LastLogin[b.Key]
		}
	}
	return n
}

// Summarize counts a snapshot of users taken at now on site.
func Summarize(site string, users []jira.User, now time.Time) SnapshotSummary {
	s := SnapshotSummary{Site: site, Day: day(now), Taken: now.UTC(), LastLogin: map[string]int{}, Licensed: map[string]int{}}
	for _, b := range buckets {
		s.LastLogin[b.Key] = 0
	}
	for i := range users {
		u := &users[i]
		if !isPerson(u) {
			continue
		}
		s.Total++
		if !u.Active {
			s.Inactive++
			continue
		}
		s.Active++
		for _, l := range u.Licences {
			s.Licensed[l]++
		}
		switch {
		case !u.LastLogin.Known:
			s.LoginUnknown++
		case u.LastLogin.Never():
			s.NeverLoggedIn++
		default:
			s.LastLogin[buckets[bucketOf(daysBetween(u.LastLogin.Time, now))].Key]++
		}
	}
	return s
}

// Applications returns the keys of the applications a summary counts,
// sorted.
func (s *SnapshotSummary) Applications() []string {
	return slices.Sorted(maps.Keys(s.Licensed))
}

func isPerson(u *jira.User) bool {
	return u.AccountType == "" || u.AccountType == jira.AccountAtlassian
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// RunSummary is a run as the history (package report/history) lists it
// and the insights show it: the report without its step results.
type RunSummary struct {
	RunID         string
	PlanID        string
	Policies      []string
	Site          string
	Flavor        jira.Flavor
	DryRun        bool
	Started       time.Time
	Finished      time.Time
	Steps         int
	Counts        map[actions.Outcome]int
	ApprovalIssue string
	// LimitOverride is the blast-radius limits the run went over and the
	// reason given (Report.LimitOverride); nil when it stayed within them.
	LimitOverride *actions.LimitOverride
}

// RunSummary returns the run of r as the history keeps it: without its
// step results.
func (r *Report) RunSummary() RunSummary {
	return RunSummary{RunID: r.RunID, PlanID: r.PlanID, Policies: r.Policies, Site: r.Site, Flavor: r.Flavor,
		DryRun: r.DryRun, Started: r.Started, Finished: r.Finished, Steps: len(r.Results), Counts: r.Counts,
		ApprovalIssue: r.ApprovalIssue, LimitOverride: r.LimitOverride}
}
