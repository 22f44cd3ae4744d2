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
	}
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, src := range srcs {
		p, err := Compile(src, WithLocation(time.FixedZone("X", -5*3600)))
		require.NoError(t, err)
		require.NotNil(t, p.fast, src)
		for i, u := range sampleUsers(now) {
			fast, err := p.MatchAt(&u, now)
			require.NoError(t, err)
			slow, err := matchVM(p, u, now)
			require.NoError(t, err)
			assert.Equal(t, slow, fast, "%s: user %d", src, i)
		}
	}
}

func matchVM(p *Program, u jira.User, now time.Time) (bool, error) {
	s := &state{env: newEnv(p.opts.loc)}
	s.env.fill(&u, now, needAll)
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
	return users
}
