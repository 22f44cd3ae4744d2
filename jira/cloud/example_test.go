package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// exampleOrg is a small organisation for the examples.
func exampleOrg() *jiratest.Org {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	return &jiratest.Org{
		ClaimedDomains: []string{"example.com"},
		Users: []jiratest.UserSpec{
			{DisplayName: "Ada Lovelace", Email: "ada@example.com", Licences: []string{"jira-software"}, LastLogin: day(2)},
			{DisplayName: "Grace Hopper", Email: "grace@example.com", Licences: []string{"jira-software"}, Groups: []string{"contractors"}},
			{DisplayName: "Alan Turing", Email: "alan@partner.org", Licences: []string{"jira-software"}, Groups: []string{"contractors"}, LastLogin: day(14), Inactive: true},
		},
	}
}

func ExampleNew() {
	// A fake Jira Cloud site; a real one would be
	// cloud.New("https://example.atlassian.net", …) without WithTransport.
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud))
	c, err := cloud.New(jiratest.InMemoryURL,
		cloud.APITokenAuth("admin@example.com", "demo-token"),
		cloud.WithAdmin("demo-org", "demo-org-key"),
		cloud.WithAdminURL(jiratest.InMemoryURL), // the fake serves the Admin API too
		cloud.WithTransport(s.Transport()),
	)
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Myself(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.DisplayName, me.Email, me.Groups)
	// Output: Administrator admin@example.com [jira-admins jira-software-users site-admins]
}

func ExampleUsersService_All() {
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(exampleOrg()))
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth("admin@example.com", "demo-token"), cloud.WithTransport(s.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	// Every user of the site, 1000 a request; breaking out of the loop
	// stops the requests.
	for u, err := range c.Users.All(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s active=%t\n", u.DisplayName, u.Active)
	}
	// Output:
	// Administrator active=true
	// Ada Lovelace active=true
	// Grace Hopper active=true
	// Alan Turing active=false
}

func ExampleClient_Snapshot() {
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(exampleOrg()))
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth("admin@example.com", "demo-token"),
		cloud.WithAdmin("demo-org", "demo-org-key"), cloud.WithAdminURL(jiratest.InMemoryURL),
		cloud.WithTransport(s.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	// Membership of one group and last login (from the Admin API) for
	// every user: a handful of requests, not one per user.
	opts := jira.SnapshotOptions{Groups: []string{"contractors"}, LastLogin: true}
	for u, err := range c.Snapshot(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		if u.DisplayName == "Administrator" {
			continue // logged in just now
		}
		fmt.Printf("%-12s active=%-5t groups=%v last login %s\n", u.DisplayName, u.Active, u.Groups, u.LastLogin)
	}
	// Output:
	// Ada Lovelace active=true  groups=[] last login 2026-03-02T09:00:00Z
	// Grace Hopper active=true  groups=[contractors] last login never
	// Alan Turing  active=false groups=[contractors] last login 2026-03-14T09:00:00Z
}

// Deactivating users and seeing which way each went: a managed account is
// disabled (an unmanaged one would be suspended in its directory); one
// already inactive is left as it is; one scheduled for deletion is
// reported and left alone.
func ExampleClient_DeactivateUser() {
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(exampleOrg()))
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth("admin@example.com", "demo-token"),
		cloud.WithAdmin("demo-org", "demo-org-key"), cloud.WithAdminURL(jiratest.InMemoryURL),
		cloud.WithTransport(s.Transport()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	grace, _ := s.User("grace@example.com")
	s.MarkForDeletion(grace.AccountID)
	for _, email := range []string{"ada@example.com", "alan@partner.org", "grace@example.com"} {
		u, _ := s.User(email)
		d, err := c.DeactivateUser(ctx, jira.AccountID(u.AccountID))
		switch {
		case errors.Is(err, cloud.ErrNotActionable):
			fmt.Printf("%-17s left alone: status %s\n", email, d.Status)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Printf("%-17s %s (%s)\n", email, d.Path, d.Reason)
		}
	}
	// Output:
	// ada@example.com   disabled ()
	// alan@partner.org  already ()
	// grace@example.com left alone: status for_deletion
}

// Handling a rate limit that outlasted the client's retries: the error is
// a *jira.RateLimitError that says how long Jira asked to wait.
func Example_rateLimitError() {
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud))
	// The next request gets a 429 asking to wait 30 seconds.
	s.Script("GET /rest/api/3/myself", jiratest.Fault{Status: 429, RetryAfter: 30 * time.Second})
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth("admin@example.com", "demo-token"),
		cloud.WithTransport(s.Transport()),
		cloud.WithRetry(-1, 0, 0)) // no retries, so that the 429 surfaces
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Myself(context.Background())
	if rl, ok := errors.AsType[*jira.RateLimitError](err); ok {
		fmt.Println("rate limited; retry after", rl.RetryAfter)
	}
	fmt.Println(errors.Is(err, jira.ErrRateLimited))
	// Output:
	// rate limited; retry after 30s
	// true
}
