package cloud

import (
	"fmt"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// TestRecentDirUsersExpire: users read in bulk and never deactivated do
// not pile up in a long-running client; a recent one is still served once.
func TestRecentDirUsersExpire(t *testing.T) {
	t.Parallel()
	c := &Client{}
	old := time.Now().Add(-time.Hour)
	for i := range 2000 {
		c.remember(&DirectoryUser{AccountID: fmt.Sprint("old-", i)}, Directory{}, old)
	}
	c.remember(&DirectoryUser{AccountID: "fresh"}, Directory{}, time.Now())
	if n := len(c.recent); n > 1024 {
		t.Fatalf("%d users kept; want the expired ones dropped", n)
	}
	if _, _, ok := c.recentDirUser(jira.AccountID("fresh")); !ok {
		t.Fatal("a recent user is not served")
	}
	if _, _, ok := c.recentDirUser(jira.AccountID("fresh")); ok {
		t.Fatal("a recent user is served twice")
	}
}
