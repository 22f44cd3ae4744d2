package criteria_test

import (
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
)

func ExampleCompile() {
	p, err := criteria.Compile(`active && daysSinceLastLogin > 90 && !inGroup("jira-administrators")`)
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	for _, u := range []jira.User{
		{Name: "stale", Active: true, LastLogin: jira.LoggedInAt(at.AddDate(0, -6, 0))},
		{Name: "recent", Active: true, LastLogin: jira.LoggedInAt(at.AddDate(0, 0, -3))},
		{Name: "unknown", Active: true}, // last login unknown: never selected
	} {
		ok, err := p.MatchAt(&u, at)
		fmt.Println(u.Name, ok, err)
	}
	// Output:
	// stale true <nil>
	// recent false <nil>
	// unknown false <nil>
}

func ExampleCompile_error() {
	_, err := criteria.Compile(`active && lastlogin < now`)
	fmt.Println(err)
	// Output:
	// criteria: unknown name lastlogin; did you mean lastLogin? (line 1, column 11)
	//   active && lastlogin < now
	//             ^
}

func ExampleProgram_Explain() {
	p := criteria.MustCompile(`active && (neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90) && !inGroup("jira-administrators") && emailDomain != "example.com"`)
	at := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	u := jira.User{
		Name: "bob", Active: true, Email: "bob@acme.com",
		Groups:    []string{"jira-software-users"},
		LastLogin: jira.LoggedInAt(at.AddDate(0, 0, -214)),
	}
	ex := p.Explain(&u, at)
	fmt.Println(ex.Matched)
	for _, c := range ex.Clauses {
		fmt.Println(c)
	}
	u.LastLogin = jira.LastLogin{} // unknown
	fmt.Println(p.Explain(&u, at).Clauses[1])
	// Output:
	// true
	// active: true ✓
	// neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90: neverLoggedIn = false → 214 > 90 ✓
	// inGroup("jira-administrators"): false ✓
	// emailDomain != "example.com": "acme.com" != "example.com" ✓
	// neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90: last login unknown ✗
}

func ExampleProgram_Needs() {
	p := criteria.MustCompile(`daysSinceLastLogin > 90 && !inAnyGroup("jira-administrators", "site-admins") && property("exempt", false) != true`)
	n := p.Needs()
	fmt.Println("groups:", n.Groups, "all groups:", n.AllGroups)
	fmt.Println("last login:", n.LastLogin, "licences:", n.Licences)
	fmt.Println("properties:", n.Properties)
	// Output:
	// groups: [jira-administrators site-admins] all groups: false
	// last login: true licences: false
	// properties: [exempt]
}

func ExampleProgram_Why() {
	p := criteria.MustCompile(`active && daysSinceLastLogin > 90`)
	at := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	u := jira.User{Name: "bob", Active: true, LastLogin: jira.LoggedInAt(at.AddDate(0, 0, -120))}
	fmt.Println(p.Why(&u, at))
	// Output: active: true ✓; daysSinceLastLogin > 90: 120 > 90 ✓
}
