package criteria_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
)

const exampleCriterion = `active && (neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90) && !inGroup("jira-administrators") && emailDomain != "example.com"`

var benchNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// genUsers returns n users with a realistic spread: inactive ones, unknown
// and never logins, admins, staff and external domains.
func genUsers(n int, seed uint64) []jira.User {
	r := rand.New(rand.NewPCG(seed, seed))
	groupPool := []string{"confluence-users", "developers", "jira-administrators", "jira-software-users", "qa", "support"}
	domains := []string{"example.com", "acme.com", "Contractor.io", ""}
	users := make([]jira.User, n)
	for i := range users {
		u := jira.User{
			Key:         fmt.Sprintf("JIRAUSER%d", 10000+i),
			Name:        fmt.Sprintf("user%d", i),
			DisplayName: fmt.Sprintf("User %d", i),
			Active:      r.IntN(10) != 0,
			AccountType: jira.AccountAtlassian,
			Created:     benchNow.Add(-time.Duration(r.IntN(2000*24)) * time.Hour),
		}
		if d := domains[r.IntN(len(domains))]; d != "" {
			u.Email = fmt.Sprintf("user%d@%s", i, d)
		}
		switch r.IntN(10) {
		case 0:
			u.LastLogin = jira.LastLogin{} // unknown
		case 1:
			u.LastLogin = jira.NeverLoggedIn()
		default:
			u.LastLogin = jira.LoggedInAt(benchNow.Add(-time.Duration(r.IntN(400*24)) * time.Hour))
		}
		for _, g := range groupPool {
			if r.IntN(3) == 0 {
				u.Groups = append(u.Groups, g) // groupPool is sorted
			}
		}
		users[i] = u
	}
	return users
}

// nativeMatch is exampleCriterion written by hand in Go, with the same
// semantics for unknown values and calendar days in UTC.
func nativeMatch(u *jira.User, now time.Time) bool {
	if !u.Active {
		return false
	}
	today := dayUTC(now)
	if u.LastLogin.Never() {
		if u.Created.IsZero() || today-dayUTC(u.Created) <= 30 {
			return false
		}
	} else {
		if !u.LastLogin.Known || today-dayUTC(u.LastLogin.Time) <= 90 {
			return false
		}
	}
	if u.InGroup("jira-administrators") {
		return false
	}
	i := strings.LastIndexByte(u.Email, '@')
	return u.Email != "" && !strings.EqualFold(u.Email[i+1:], "example.com")
}

func dayUTC(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func BenchmarkMatch(b *testing.B) {
	p := criteria.MustCompile(exampleCriterion)
	users := genUsers(1024, 1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := p.MatchAt(&users[i&1023], benchNow); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkMatchNative(b *testing.B) {
	users := genUsers(1024, 1)
	b.ReportAllocs()
	i := 0
	n := 0
	for b.Loop() {
		if nativeMatch(&users[i&1023], benchNow) {
			n++
		}
		i++
	}
	_ = n
}

// BenchmarkFilter1M filters 1,000,000 users on one goroutine and reports
// users/s; one iteration is the whole million.
func BenchmarkFilter1M(b *testing.B) {
	p := criteria.MustCompile(exampleCriterion)
	base := genUsers(1<<14, 2)
	b.ReportAllocs()
	for b.Loop() {
		matched := 0
		for i := range 1_000_000 {
			ok, err := p.MatchAt(&base[i&(1<<14-1)], benchNow)
			if err != nil {
				b.Fatal(err)
			}
			if ok {
				matched++
			}
		}
		if matched == 0 {
			b.Fatal("no user matched")
		}
	}
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkMatchVM is the example criterion plus a builtin call, which
// takes it off the fast path and onto expr's VM.
func BenchmarkMatchVM(b *testing.B) {
	p := criteria.MustCompile(exampleCriterion + ` && len(groups) < 100`)
	users := genUsers(1024, 1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := p.MatchAt(&users[i&1023], benchNow); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
