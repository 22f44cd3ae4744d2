package usermgmt

import "github.com/seatwarden/seatwarden/jira"

// Client is what usermgmt needs from a Jira site: the flavour-neutral
// [jira.Site] that *datacenter.Client and *cloud.Client both implement.
// [Connect] returns one; tests may pass their own.
type Client = jira.Site
