package datacenter_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// exampleFake is a fake Jira DC with three users, reached in memory.
func exampleFake() *jiratest.Server {
	login := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	return jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: []jiratest.UserSpec{
		{Name: "alice", DisplayName: "Alice Archer", Email: "alice@example.com", LastLogin: login, Licences: []string{"jira-software"}},
		{Name: "bob", DisplayName: "Bob Baker", Email: "bob@example.com", Licences: []string{"jira-software"}},
		{Name: "carol", DisplayName: "Carol Chen", Email: "carol@example.com", Inactive: true, Groups: []string{"contractors"}},
	}}))
}

func ExampleNew() {
	fake := exampleFake()
	// Against a real site: datacenter.New("https://jira.example.com",
	// datacenter.TokenAuth(jira.Secret(os.Getenv("JIRA_TOKEN")))).
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth("demo-token"),
		datacenter.WithTransport(fake.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Myself(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Name, me.Groups)
	// Output: admin [jira-administrators jira-software-users jira-system-administrators]
}

func ExampleUsersService_All() {
	fake := exampleFake()
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(fake.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	for u, err := range c.Users.All(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		if u.Name == "admin" {
			continue // logged in just now
		}
		fmt.Printf("%s active=%v last login %q\n", u.Name, u.Active, u.LastLoginTime)
	}
	// Output:
	// alice active=true last login "2026-09-01T08:00:00+0000"
	// bob active=true last login ""
	// carol active=false last login ""
}

func ExampleClient_Snapshot() {
	fake := exampleFake()
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(fake.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	opts := jira.SnapshotOptions{Groups: []string{"contractors"}, Licences: true, LastLogin: true}
	for u, err := range c.Snapshot(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		if u.Name == "admin" {
			continue // logged in just now
		}
		fmt.Printf("%-5s last login %-20s groups %v licences %v\n", u.Name, u.LastLogin, u.Groups, u.Licences)
	}
	// Output:
	// alice last login 2026-09-01T08:00:00Z groups [] licences [jira-software]
	// bob   last login never                groups [] licences [jira-software]
	// carol last login never                groups [contractors] licences []
}

// A rate limit that outlasts the retries surfaces as a *jira.RateLimitError
// that says how long to wait.
func Example_rateLimitError() {
	fake := exampleFake()
	fake.Script("GET /rest/api/2/user", jiratest.Fault{Status: 429, RetryAfter: 30 * time.Second})
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(fake.Transport()), datacenter.WithRetry(-1, 0, 0))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.User(context.Background(), jira.Username("alice"))
	if rl, ok := errors.AsType[*jira.RateLimitError](err); ok {
		fmt.Println("rate limited; retry after", rl.RetryAfter)
	}
	fmt.Println(errors.Is(err, jira.ErrRateLimited))
	// Output:
	// rate limited; retry after 30s
	// true
}

// On Jira DC 10.0 to 10.2 no REST call lists every user: a snapshot
// refuses to pass a partial org for the whole, unless told it may, and
// then says who it could not see. (carol is in no licence group.)
func ExampleClient_Snapshot_jira10() {
	login := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	fake := jiratest.New(jiratest.WithDCVersion("10.0"), jiratest.WithOrg(&jiratest.Org{Users: []jiratest.UserSpec{
		{Name: "alice", DisplayName: "Alice Archer", Email: "alice@example.com", LastLogin: login, Licences: []string{"jira-software"}},
		{Name: "carol", DisplayName: "Carol Chen", Email: "carol@example.com"},
	}}))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth("demo-token"),
		datacenter.WithTransport(fake.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, err := range c.Snapshot(ctx, jira.SnapshotOptions{}) {
		fmt.Println(errors.Is(err, jira.ErrIncomplete))
		break
	}
	var res jira.SnapshotResult
	for u, err := range c.Snapshot(ctx, jira.SnapshotOptions{AllowPartial: true, Result: &res}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Name, u.LastLogin) // group/member carries no last login
	}
	fmt.Println("partial:", res.Partial)

	// With a login source (the database or its export), it sees everyone.
	c, err = datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth("demo-token"),
		datacenter.WithTransport(fake.Transport()), datacenter.WithLoginSource(datacenter.LoginTable{
			"alice": {LastLogin: jira.LoggedInAt(login)}, "carol": {LastLogin: jira.NeverLoggedIn()},
		}))
	if err != nil {
		log.Fatal(err)
	}
	for u, err := range c.Snapshot(ctx, jira.SnapshotOptions{Result: &res}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Name, u.LastLogin)
	}
	fmt.Println("partial:", res.Partial)
	// Output:
	// true
	// admin unknown
	// alice unknown
	// partial: true
	// admin unknown
	// alice 2026-09-01T08:00:00Z
	// carol never
	// partial: false
}
