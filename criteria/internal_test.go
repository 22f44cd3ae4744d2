package criteria

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}

// TestEnvGolden keeps the list of variables and functions under review, and
// checks that Reference and Env agree on names and types.
func TestEnvGolden(t *testing.T) {
	t.Parallel()
	fields := map[string]string{}
	et := reflect.TypeFor[Env]()
	for i := range et.NumField() {
		f := et.Field(i)
		if tag := f.Tag.Get("expr"); tag != "" {
			typ := strings.ReplaceAll(f.Type.String(), "interface {}", "any")
			fields[tag] = typ
		}
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, s := range Reference() {
		fmt.Fprintf(&b, "%s\t%s\t%s\n\t%s\n", s.Kind, s.Name, s.Type, s.Doc)
		seen[s.Name] = true
		if typ, ok := fields[s.Name]; ok && s.Kind == "variable" {
			assert.Equal(t, typ, s.Type, s.Name)
		}
	}
	for name := range fields {
		assert.True(t, seen[name], "Env field %s is not in Reference", name)
	}
	golden(t, "env.golden", b.String())
}

func TestCompileErrorsGolden(t *testing.T) {
	t.Parallel()
	srcs := []string{
		``,
		`lastlogin > 90`,
		`active && inGrop("x")`,
		`daysSinceLastLogn > 90`,
		`Active`,
		`active &&`,
		"active &&\n\tdaysSinceLastLogin >> 90",
		`daysSinceLastLogin`,
		`property("x", false)`,
		`inGroup(1)`,
		`inGroup("a", "b")`,
		`daysSinceLastLogin > "90"`,
		`now() > lastLogin`,
		`matches(email, "x")`,
		`email matches "("`,
		`before(lastLogin, "2026-13-01")`,
		`date("yesterday") < now`,
		`$env.active`,
		`let active = 1; active > 0`,
		`"é" == name && frobnicate(name)`,
	}
	var b strings.Builder
	for _, src := range srcs {
		_, err := Compile(src)
		require.Error(t, err, src)
		fmt.Fprintf(&b, "== %q\n%s\n\n", src, err)
	}
	golden(t, "compile_errors.golden", b.String())
}

// TestFastPathAgreesWithVM runs criteria inside and outside the fast path
// on generated users and checks that both evaluations agree.
func TestFastPathAgreesWithVM(t *testing.T) {
	t.Parallel()
	srcs := []string{
		`active && (neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90) && !inGroup("jira-administrators") && emailDomain != "example.com"`,
		`!(daysSinceLastLogin <= 90 || emailDomain == "example.com") && accountType in ["atlassian", "app"]`,
		`daysSinceCreated - daysSinceLastLogin > 10 || -loginCount < -3 && hasLicence("jira-software")`,
		`lastLogin < now && created <= lastLogin && name != "" && !(email endsWith ".org")`,
		`inAnyGroup("a", "developers") == !inAllGroups("b", name)`,
		// the specialised shapes, in both orders and negated
		`emailDomain == "example.com" || "acme.com" == emailDomain`,
		`!(emailDomain != "example.org") && !("" != emailDomain)`,
		`emailDomain == "" || emailDomain == "example.com" || emailDomain == "key.com"`,
		`emailDomain == "examplK.com" || emailDomain == "Example.ORG"`,
		`30 < daysSinceCreated && !(daysSinceLastLogin <= 90) || daysSinceLastActive >= -2`,
		`loginCount == 3 || loginCount != -1 && 9223372036854775807 > loginCount`,
		`daysSinceLastLogin == 0 || daysSinceLastLogin == 1 && !(daysSinceCreated > 0)`,
		`!(daysSinceLastLogin == 0 || daysSinceCreated != 40) || -9223372036854775807 - 1 >= daysSinceCreated`,
		`!inGroup("developers") || inGroup("z09") && !hasLicence("jira-software")`,
		`inAllGroups("developers", "jira-administrators") || !inAnyGroup("a", "z01")`,
		`hasLicence(name) || inGroup(email) || !inAnyGroup(key, "x") || inAllGroups(directory)`,
		`neverLoggedIn && !neverLoggedIn || !(active || lastLoginKnown || createdKnown)`,
		`!(active && !emailKnown && loginCountKnown) && (lastActiveKnown ? daysSinceLastActive < 5 : !createdKnown)`,
		`!(neverLoggedIn ? !createdKnown : lastActiveKnown) || (false || !true) == active`,
		`created < lastLogin || now >= created && lastLogin != now`,
		`!active || !emailKnown || neverLoggedIn`,
		`!active || !emailKnown || loginCountKnown`,
		`(!active ? loginCountKnown : daysSinceCreated > 3) && (!emailKnown ? !createdKnown : emailKnown)`,
		`!active ? emailKnown : lastLoginKnown`,
		`!lastLoginKnown || inGroup("developers") || !createdKnown`,
		`!(lastLoginKnown && !active && daysSinceCreated > 1)`,
	}
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, src := range srcs {
		for _, loc := range sampleZones {
			p, err := Compile(src, WithLocation(loc))
			require.NoError(t, err)
			require.NotNil(t, p.fast, src)
			for _, at := range []time.Time{now, now.Add(-13 * time.Hour), time.Date(1970, 1, 1, 2, 0, 0, 0, time.UTC), time.Now()} {
				for i, u := range sampleUsers(at) {
					fast, err := p.MatchAt(&u, at)
					require.NoError(t, err)
					slow, err := matchVM(p, u, at)
					require.NoError(t, err)
					assert.Equal(t, slow, fast, "%s in %s at %s: user %d", src, loc, at, i)
				}
			}
		}
	}
}

// sampleZones are the locations the fast path is checked in: UTC, zones
// either side of it, one with a half-hour offset and one with daylight
// saving time.
var sampleZones = func() []*time.Location {
	zones := []*time.Location{time.UTC, time.FixedZone("X", -5*3600), time.FixedZone("Y", 13*3600+45*60), time.FixedZone("Z", 5*3600+30*60)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zones = append(zones, ny)
	}
	return zones
}()

func matchVM(p *Program, u jira.User, now time.Time) (bool, error) {
	s := &state{env: newEnv(p.opts.loc)}
	s.env.fill(&u, now, vocabulary().all)
	return p.run(s)
}

func sampleUsers(now time.Time) []jira.User {
	var users []jira.User
	logins := []jira.LastLogin{{}, jira.NeverLoggedIn(), jira.LoggedInAt(now.Add(-91 * 24 * time.Hour)), jira.LoggedInAt(now.Add(-3 * time.Hour))}
	emails := []string{"", "a@example.com", "b@Example.ORG", "c@acme.com"}
	for i, ll := range logins {
		for j, em := range emails {
			u := jira.User{
				Name: fmt.Sprint("u", i, j), Active: (i+j)%3 != 0, Email: em, LastLogin: ll,
				AccountType: jira.AccountAtlassian, Groups: []string{"developers", "jira-administrators"}[:j%3],
			}
			if j%2 == 0 {
				u.Created = now.Add(-time.Duration(i*40+j) * 24 * time.Hour)
				u.LoginCount = new(i + j)
				u.Licences = []string{"jira-software"}
			}
			users = append(users, u)
		}
	}
	// Odd users: unsorted and long group lists, odd emails, a last login
	// time marked unknown, times before 1970 and with a monotonic reading,
	// product activity.
	many := make([]string, 20)
	for i := range many {
		many[i] = fmt.Sprintf("z%02d", i)
	}
	users = append(users,
		jira.User{Active: true, Email: "X@EXAMPLE.COM", Groups: []string{"jira-administrators", "developers"}, Licences: []string{"b", "a"}},
		jira.User{Active: true, Email: "k@exampl\u212a.com", Groups: many, LastLogin: jira.LastLogin{Time: now.Add(-100 * 24 * time.Hour)}},
		jira.User{Active: true, Email: "no-at-sign", Created: time.Date(1960, 1, 1, 23, 30, 0, 0, time.UTC), LastLogin: jira.LoggedInAt(time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC))},
		jira.User{Email: "trailing@", LastLogin: jira.LoggedInAt(now.Add(-30 * time.Minute)), Created: now.Add(-12 * time.Hour), LoginCount: new(-1)},
		jira.User{Email: "a@b@Acme.Com", LastActive: map[string]time.Time{"jira-software": now.Add(-4 * 24 * time.Hour), "confluence": {}}, LoginCount: new(3)},
		jira.User{Email: "\xff@\xffexample.com", LastActive: map[string]time.Time{"x": {}}, Name: "developers", Key: "jira-software", Directory: "z05"},
		jira.User{Email: "u@\u212aEY.com", Groups: []string{"jira-administrators", "developers", "z01"}},
		jira.User{Active: true, Email: "m@example.org", LastLogin: jira.LoggedInAt(time.Now().Add(-time.Hour)), Created: time.Now().AddDate(0, 0, -40)},
	)
	return users
}
