package jiratest_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func ExampleNew() {
	// A fake DC site with two users, reached in memory (tests use
	// jiratest.NewServer(t, …), which listens on a loopback port).
	s := jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: []jiratest.UserSpec{
		{Name: "alice", Email: "alice@example.com", Licences: []string{"jira-software"}},
		{Name: "bob", Email: "bob@example.com", Inactive: true},
	}}))
	req, _ := http.NewRequest("GET", jiratest.InMemoryURL+"/rest/api/2/user/search?username=.&includeInactive=true", nil)
	req.SetBasicAuth("admin", "admin")
	resp, err := s.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status, s.Count("GET /rest/api/2/user/search"))
	alice, _ := s.User("alice")
	fmt.Println(alice.Name, alice.Active, alice.Licences)
	// Output:
	// 200 OK 1
	// alice true [jira-software]
}

func ExampleGenerateOrg() {
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 2000, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	dc := jiratest.New(jiratest.WithOrg(org))
	cloud := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(org))
	// The same organisation on both flavours: the same people, by email.
	u := org.Users[100]
	onDC, _ := dc.User(u.Email)
	onCloud, _ := cloud.User(u.Email)
	fmt.Println(onDC.Email == onCloud.Email, onDC.Key != "", onCloud.AccountID != "")
	fmt.Println(len(dc.Users()) == len(cloud.Users()))
	// Output:
	// true true true
	// true
}

func ExampleServer_Script() {
	s := jiratest.New()
	// The next two requests to serverInfo fail: a rate limit with an HTML
	// page, then a dropped connection; the third goes through.
	s.Script("GET /rest/api/2/serverInfo",
		jiratest.Fault{Status: 429, HTML: true, RetryAfter: 2 * time.Second},
		jiratest.Fault{Reset: true})
	for range 3 {
		resp, err := s.Client().Get(jiratest.InMemoryURL + "/rest/api/2/serverInfo")
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), len(body) > 0)
	}
	// Output:
	// 429 2 text/html; charset=utf-8 true
	// error: Get "http://jira.invalid/rest/api/2/serverInfo": jiratest: connection reset by peer
	// 200  application/json;charset=UTF-8 true
}

func ExampleServer_Transition() {
	s := jiratest.New()
	req, _ := http.NewRequest("POST", jiratest.InMemoryURL+"/rest/api/2/issue", stringsReader(
		`{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"Approve plan 7"}}`))
	req.SetBasicAuth("admin", "admin")
	resp, err := s.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	// A person approves the issue in Jira; registered webhooks would fire.
	if err := s.Transition("OPS-1", "Approve"); err != nil {
		log.Fatal(err)
	}
	is, _ := s.Issue("OPS-1")
	fmt.Println(resp.StatusCode, is.Key, is.Status)
	// Output: 201 OPS-1 Approved
}
