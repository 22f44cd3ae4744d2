package jira_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/jira"
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
