package jira_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func ExampleUserRef_Check() {
	ref := jira.AccountID("712020:5b10a284-4c20-1657-00ed-e21g00000000")
	fmt.Println(ref, ref.Flavor())
	err := ref.Check(jira.DataCenter)
	fmt.Println(errors.Is(err, jira.ErrWrongFlavor))
	fmt.Println(jira.Username("fred").Check(jira.DataCenter))
	// Output:
	// accountId:712020:5b10a284-4c20-1657-00ed-e21g00000000 cloud
	// true
	// <nil>
}

func ExampleLastLogin() {
	for _, l := range []jira.LastLogin{
		jira.LoggedInAt(time.Date(2026, 8, 30, 16, 37, 1, 0, time.UTC)),
		jira.NeverLoggedIn(),
		{}, // the site does not say: unknown, which is not "never"
	} {
		fmt.Println(l, l.Known, l.Never())
	}
	// Output:
	// 2026-08-30T16:37:01Z true false
	// never true true
	// unknown false false
}

func ExampleSecret() {
	token := jira.Secret("s3cr3t-api-token")
	fmt.Println(token, fmt.Sprintf("%v %q %#v", token, token, token))
	// Output: [REDACTED] [REDACTED] [REDACTED] [REDACTED]
}

// ExampleSite writes one function against the flavour-neutral interface
// and runs it on a Data Center and a Cloud client.
func ExampleSite() {
	inactive := func(ctx context.Context, site jira.Site) int {
		n := 0
		for u, err := range site.Snapshot(ctx, jira.SnapshotOptions{}) {
			if err != nil {
				panic(err)
			}
			if !u.Active {
				n++
			}
		}
		return n
	}
	ctx := context.Background()
	org := &jiratest.Org{Users: []jiratest.UserSpec{
		{Name: "ada", Email: "ada@example.com"},
		{Name: "grace", Email: "grace@example.com", Inactive: true},
	}}
	dcFake := jiratest.New(jiratest.WithOrg(org))
	dc, _ := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken),
		datacenter.WithTransport(dcFake.Transport()))
	cloudFake := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(org))
	cl, _ := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(jiratest.DefaultCloudEmail, jiratest.DefaultCloudToken),
		cloud.WithTransport(cloudFake.Transport()))
	for _, site := range []jira.Site{dc, cl} {
		fmt.Println(site.Flavor(), inactive(ctx, site))
	}
	// Output:
	// dc 1
	// cloud 1
}
