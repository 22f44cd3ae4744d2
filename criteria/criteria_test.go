package criteria_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
)

var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return now.AddDate(0, 0, -d) }

// base is a fully known user that the table cases modify.
func base() jira.User {
	return jira.User{
		Key: "JIRAUSER10100", Name: "alice", AccountID: "", DisplayName: "Alice Liddell",
		Email: "Alice@Example.COM", Active: true, AccountType: jira.AccountAtlassian,
		Directory:  "Jira Internal Directory",
		Groups:     []string{"developers", "jira-software-users"},
		Licences:   []string{"jira-servicedesk", "jira-software"},
		Created:    daysAgo(400),
		LastLogin:  jira.LoggedInAt(daysAgo(214)),
		LoginCount: new(42),
		LastActive: map[string]time.Time{"jira-software": daysAgo(10), "confluence": daysAgo(3)},
		Properties: map[string]json.RawMessage{"dept": json.RawMessage(`"eng"`), "level": json.RawMessage(`3`), "bad": json.RawMessage(`{`)},
	}
}

func with(f func(*jira.User)) jira.User {
	u := base()
	f(&u)
	return u
}

var (
	unknownLogin = with(func(u *jira.User) { u.LastLogin = jira.LastLogin{} })
	neverLogin   = with(func(u *jira.User) { u.LastLogin = jira.NeverLoggedIn() })
	noEmail      = with(func(u *jira.User) { u.Email = "" })
	noCreated    = with(func(u *jira.User) { u.Created = time.Time{} })
	noActivity   = with(func(u *jira.User) { u.LastActive = nil })
	noCount      = with(func(u *jira.User) { u.LoginCount = nil })
	cloudUser    = with(func(u *jira.User) {
		u.Key, u.Name, u.AccountID, u.AccountType = "", "", "5b10ac8d82e05b22cc7d4ef5", jira.AccountApp
	})
)

func TestMatchTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		u    jira.User
		want bool
	}{
		// identity and plain variables
		{`active`, base(), true},
		{`active`, with(func(u *jira.User) { u.Active = false }), false},
		{`name == "alice" && key == "JIRAUSER10100" && accountId == ""`, base(), true},
		{`accountId == "5b10ac8d82e05b22cc7d4ef5" && name == ""`, cloudUser, true},
		{`displayName startsWith "Alice"`, base(), true},
		{`accountType == "atlassian"`, base(), true},
		{`accountType in ["app", "customer"]`, cloudUser, true},
		{`directory == "Jira Internal Directory"`, base(), true},
		// email
		{`email == "Alice@Example.COM"`, base(), true},
		{`emailDomain == "example.com"`, base(), true},
		{`emailKnown`, base(), true},
		{`emailKnown`, noEmail, false},
		{`emailDomain != "example.com"`, noEmail, false},    // unknown email never selects
		{`!(emailDomain == "example.com")`, noEmail, false}, // nor negated
		{`email == ""`, noEmail, true},                      // testing for unknown is allowed
		{`email != ""`, noEmail, false},
		{`domainOf("Bob@ACME.org") == "acme.org"`, base(), true},
		{`domainOf("nobody") == ""`, base(), true},
		// groups and licences
		{`inGroup("developers")`, base(), true},
		{`inGroup("jira-administrators")`, base(), false},
		{`inGroup("developers")`, with(func(u *jira.User) { u.Groups = []string{"zeta", "developers"} }), true}, // unsorted input
		{`inAnyGroup("qa", "developers")`, base(), true},
		{`inAnyGroup("qa", "support")`, base(), false},
		{`inAllGroups("developers", "jira-software-users")`, base(), true},
		{`inAllGroups("developers", "qa")`, base(), false},
		{`"developers" in groups && len(groups) == 2`, base(), true},
		{`hasLicence("jira-software")`, base(), true},
		{`hasLicence("jira-core")`, base(), false},
		{`"jira-servicedesk" in licences`, base(), true},
		// created
		{`daysSinceCreated == 400`, base(), true},
		{`createdKnown && created < now`, base(), true},
		{`daysSinceCreated > 30`, noCreated, false},
		{`daysSinceCreated <= 30`, noCreated, false},
		{`!createdKnown`, noCreated, true},
		// last login
		{`daysSinceLastLogin == 214`, base(), true},
		{`daysSinceLastLogin > 90`, unknownLogin, false},
		{`daysSinceLastLogin <= 90`, unknownLogin, false},
		{`!(daysSinceLastLogin > 90)`, unknownLogin, false},
		{`not (daysSinceLastLogin > 90 || active)`, unknownLogin, false},
		{`daysSinceLastLogin > 90 || active`, unknownLogin, true},
		{`daysSinceLastLogin > 90`, neverLogin, false},
		{`neverLoggedIn`, neverLogin, true},
		{`neverLoggedIn`, unknownLogin, false},
		{`!neverLoggedIn`, unknownLogin, false}, // unknown is not "has logged in" either
		{`!neverLoggedIn`, base(), true},
		{`lastLoginKnown`, unknownLogin, false},
		{`!lastLoginKnown`, unknownLogin, true},
		{`lastLoginKnown && neverLoggedIn`, neverLogin, true},
		{`lastLogin < now`, base(), true},
		{`lastLogin < now`, unknownLogin, false},
		{`let d = daysSinceLastLogin; d > 90`, unknownLogin, false},
		{`let d = daysSinceLastLogin; d > 90`, base(), true},
		{`neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90`, base(), true},
		{`neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90`, neverLogin, true},
		{`neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90`, unknownLogin, false},
		{`!neverLoggedIn ? daysSinceLastLogin > 90 : daysSinceCreated > 30`, unknownLogin, false},
		{`loginCount > 40`, base(), true},
		{`loginCount < 40`, noCount, false},
		{`loginCountKnown`, noCount, false},
		// last active
		{`daysSinceLastActive == 3`, base(), true},
		{`lastActiveKnown`, base(), true},
		{`daysSinceLastActive > 90`, noActivity, false},
		{`daysSinceLastActive < 90`, noActivity, false},
		{`"jira-software" in lastActive && daysSince(lastActive["jira-software"]) == 10`, base(), true},
		{`"jira-software" in lastActive && daysSince(lastActive["jira-software"]) == 10`, noActivity, false},
		{`daysSince(lastActive["jira-core"]) > 90`, base(), false}, // no activity in a product is unknown, not long ago
		{`!(daysSince(lastActive["jira-core"]) > 90)`, base(), false},
		{`lastActive["jira-core"] < now`, base(), false},
		{`lastActive.confluence < now`, base(), true},
		{`before(lastActive["jira-core"], "2026-01-01")`, base(), false},
		{`daysSince(lastActive[name]) > 1`, base(), false},
		// functions over time
		{`daysSince(created) == 400`, base(), true},
		{`before(lastLogin, "2025-09-01")`, base(), true}, // 214 days before 2026-03-15 is 2025-08-13
		{`after(lastLogin, "2025-08-12")`, base(), true},
		{`after(lastLogin, "2025-08-13")`, base(), false}, // the whole day counts
		{`before(lastLogin, "2025-08-13")`, base(), false},
		{`after(lastLogin, "2025-08-13T11:00:00Z")`, base(), true},
		{`before(created, lastLogin)`, base(), true},
		{`after(now, created)`, base(), true},
		{`before(lastLogin, "2030-01-01")`, unknownLogin, false},
		// properties
		{`property("dept", "") == "eng"`, base(), true},
		{`property("level", 0) >= 3`, base(), true},
		{`property("missing", "none") == "none"`, base(), true},
		{`properties["dept"] == "eng"`, base(), true},
		{`"level" in properties`, base(), true},
		// matches, builtins
		{`email matches "(?i)^alice@"`, base(), true},
		{`name matches property("dept", "x")`, base(), false},
		{`displayName matches name`, with(func(u *jira.User) { u.DisplayName = "alice" }), true},
		{`lower(email) endsWith "@example.com"`, base(), true},
		{`any(groups, # startsWith "jira-")`, base(), true},
		{`now.Year() == 2026`, base(), true},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			t.Parallel()
			p, err := criteria.Compile(tc.src)
			require.NoError(t, err)
			got, err := p.MatchAt(&tc.u, now)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			// Explain agrees with Match.
			assert.Equal(t, got, p.Explain(&tc.u, now).Matched)
		})
	}
}

func TestRuntimeErrorsFailClosed(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`daysSince(date("0001-01-01T00:00:00Z")) > 90`,
		`before(date("0001-01-01T00:00:00Z"), "2026-01-01")`,
		`property("bad", false) == true`,
		`name matches property("pattern", "(")`,
		`groups[10] == "x"`,
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			p, err := criteria.Compile(src)
			require.NoError(t, err)
			ok, err := p.MatchAt(new(base()), now)
			assert.False(t, ok)
			assert.Error(t, err)
		})
	}
	p := criteria.MustCompile(`daysSince(date("0001-01-01T00:00:00Z")) > 1`)
	_, err := p.MatchAt(new(base()), now)
	assert.ErrorIs(t, err, criteria.ErrUnknownTime)
}

func TestTimeZones(t *testing.T) {
	t.Parallel()
	tokyo := time.FixedZone("JST", 9*3600)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	// Logged in at 2026-03-14 20:00 UTC, evaluated at 2026-03-15 02:00 UTC:
	// in UTC that is one calendar day ago; in Tokyo both instants fall on
	// 2026-03-15 (05:00 and 11:00), so zero days; in New York, 16:00 on
	// 03-14 and 22:00 on 03-14, zero days too.
	u := with(func(u *jira.User) { u.LastLogin = jira.LoggedInAt(time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)) })
	at := time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		loc  *time.Location
		days int
	}{{time.UTC, 1}, {tokyo, 0}, {ny, 0}}
	for _, tc := range tests {
		for _, d := range []int{tc.days, tc.days + 1} {
			p := criteria.MustCompile(`daysSinceLastLogin == `+itoa(d), criteria.WithLocation(tc.loc))
			got, err := p.MatchAt(&u, at)
			require.NoError(t, err)
			assert.Equal(t, d == tc.days, got, "%s: %d days", tc.loc, d)
		}
	}
	// Date strings are read in the location: the day 2026-03-15 starts at
	// 2026-03-14 15:00 UTC in Tokyo.
	lateUTC := with(func(u *jira.User) { u.LastLogin = jira.LoggedInAt(time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC)) })
	for loc, want := range map[*time.Location]bool{time.UTC: true, tokyo: false} {
		p := criteria.MustCompile(`before(lastLogin, "2026-03-15")`, criteria.WithLocation(loc))
		got, err := p.MatchAt(&lateUTC, at)
		require.NoError(t, err)
		assert.Equal(t, want, got, loc.String())
	}
	// date() from expr uses the location too, and now is shown in it.
	p := criteria.MustCompile(`lastLogin < date("2026-03-15") && now.Hour() == 11`, criteria.WithLocation(tokyo))
	got, err := p.MatchAt(&lateUTC, at)
	require.NoError(t, err)
	assert.False(t, got)
	p = criteria.MustCompile(`now.Hour() == 11`, criteria.WithLocation(tokyo))
	got, err = p.MatchAt(&lateUTC, at)
	require.NoError(t, err)
	assert.True(t, got)
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestMatchUsesClockAndContext(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := criteria.MustCompile(`now.Year() == 2026 && daysSinceLastLogin == 10`, criteria.WithNow(func() time.Time { return clock }))
	u := with(func(u *jira.User) { u.LastLogin = jira.LoggedInAt(clock.AddDate(0, 0, -10)) })
	ok, err := p.Match(t.Context(), &u)
	require.NoError(t, err)
	assert.True(t, ok)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ok, err = p.Match(ctx, &u)
	assert.False(t, ok)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNilUserFailsClosed(t *testing.T) {
	t.Parallel()
	for _, src := range []string{`!active`, `!active && len(groups) == 0`} { // fast path and VM
		p := criteria.MustCompile(src)
		ok, err := p.MatchAt(nil, now)
		assert.False(t, ok)
		assert.Error(t, err)
		ok, err = p.Match(t.Context(), nil)
		assert.False(t, ok)
		assert.Error(t, err)
		ex := p.Explain(nil, now)
		assert.False(t, ex.Matched)
		assert.Error(t, ex.Err)
		ok, err = p.Eval(criteria.NewEnv(nil, now, nil))
		require.NoError(t, err)
		assert.True(t, ok)
	}
}

// Matcher is the interface the actions package declares.
type Matcher interface {
	Match(ctx context.Context, u *jira.User) (bool, error)
}

var _ Matcher = (*criteria.Program)(nil)

func TestNeeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want criteria.Needs
	}{
		{`active`, criteria.Needs{}},
		{`!inGroup("b") && inAnyGroup("a", "b") && inAllGroups("c")`, criteria.Needs{Groups: []string{"a", "b", "c"}}},
		{`inGroup(name)`, criteria.Needs{AllGroups: true}},
		{`"x" in groups`, criteria.Needs{AllGroups: true}},
		{`hasLicence("jira-software")`, criteria.Needs{Licences: true}},
		{`daysSinceLastLogin > 90 && loginCount > 1`, criteria.Needs{LastLogin: true, LoginCount: true}},
		{`daysSinceCreated > 1 && daysSinceLastActive > 2`, criteria.Needs{Created: true, LastActive: true}},
		{`property("b", 1) == 1 && property("a", 1) == 1`, criteria.Needs{Properties: []string{"a", "b"}}},
		{`property(name, 1) == 1`, criteria.Needs{AllProperties: true}},
		{`len(properties) > 0`, criteria.Needs{AllProperties: true}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, criteria.MustCompile(tc.src).Needs())
		})
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	p := criteria.MustCompile(exampleCriterion)
	u := with(func(u *jira.User) { u.Email = "alice@acme.com" })
	ex := p.Explain(&u, now)
	assert.True(t, ex.Matched)
	assert.Equal(t, `active: true ✓; neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90: neverLoggedIn = false → 214 > 90 ✓; `+
		`inGroup("jira-administrators"): false ✓; emailDomain != "example.com": "acme.com" != "example.com" ✓`, ex.String())

	ex = p.Explain(new(with(func(u *jira.User) { u.LastLogin = jira.LastLogin{}; u.Email = "" })), now)
	assert.False(t, ex.Matched)
	require.Len(t, ex.Clauses, 4)
	assert.Equal(t, "neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90: last login unknown ✗", ex.Clauses[1].String())
	assert.True(t, ex.Clauses[1].Unknown)
	assert.Equal(t, `emailDomain != "example.com": email unknown ✗`, ex.Clauses[3].String())

	ex = criteria.MustCompile(`daysSinceLastLogin > 90 && !inGroup("x")`).Explain(&neverLogin, now)
	assert.Equal(t, `daysSinceLastLogin > 90: never logged in ✗; inGroup("x"): false ✓`, ex.String())

	ex = criteria.MustCompile(`active && daysSince(date("0001-01-01T00:00:00Z")) > 1`).Explain(new(base()), now)
	assert.False(t, ex.Matched)
	require.Error(t, ex.Err)
	require.Error(t, ex.Clauses[1].Err)
	assert.True(t, ex.Clauses[0].Held)
}

func TestCompileKeepsSourceAndLimits(t *testing.T) {
	t.Parallel()
	p := criteria.MustCompile(exampleCriterion)
	assert.Equal(t, exampleCriterion, p.String())

	_, err := criteria.Compile(`active && active && active`, criteria.WithMaxNodes(3))
	assert.Error(t, err)
	_, err = criteria.Compile(`active`, criteria.WithMaxBytes(3))
	var ce *criteria.CompileError
	require.ErrorAs(t, err, &ce)
	_, err = criteria.Compile(`active`, criteria.WithLocation(nil))
	assert.Error(t, err)
	_, err = criteria.Compile(`active`, criteria.WithNow(nil))
	assert.Error(t, err)
}

func TestConcurrentMatch(t *testing.T) {
	t.Parallel()
	p := criteria.MustCompile(exampleCriterion + ` && name matches property("dept", "e")`)
	users := genUsers(200, 3)
	want := make([]bool, len(users))
	for i := range users {
		want[i], _ = p.MatchAt(&users[i], now)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range users {
				got, _ := p.MatchAt(&users[i], now)
				if got != want[i] {
					t.Errorf("user %d: got %v, want %v", i, got, want[i])
				}
				_ = p.Explain(&users[i], now)
			}
		})
	}
	wg.Wait()
}

func TestCompileErrorType(t *testing.T) {
	t.Parallel()
	_, err := criteria.Compile("active &&\n  lastlogin > 3")
	ce, ok := errors.AsType[*criteria.CompileError](err)
	require.True(t, ok)
	assert.Equal(t, 2, ce.Line)
	assert.Equal(t, 3, ce.Column)
	assert.Equal(t, "unknown name lastlogin; did you mean lastLogin?", ce.Msg)
	assert.Equal(t, "    lastlogin > 3\n    ^", ce.Snippet)
}
