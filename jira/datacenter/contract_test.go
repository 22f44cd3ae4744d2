package datacenter_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// TestContractEveryVersion runs every flavour-neutral method of the DC
// client against the fake at each release: each works, or returns
// jira.ErrUnsupported / jira.ErrIncomplete with a message that names the
// version and what to do.
func TestContractEveryVersion(t *testing.T) {
	t.Parallel()
	// unsupported lists, per method, the releases that do not offer it.
	unsupported := map[string][]string{
		"InvalidateSessions": {"9.12"},
		"Webhooks secret":    {"9.12"},
		"Snapshot complete":  {"10.0"}, // ErrIncomplete: no REST call lists every user
	}
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			c, s := versionClient(t, v, versionOrg(12))
			ctx := t.Context()
			check := func(method string, err error) {
				t.Helper()
				if !slices.Contains(unsupported[method], v) {
					assert.NoError(t, err, method)
					return
				}
				if assert.Error(t, err, method) {
					assert.True(t, errors.Is(err, jira.ErrUnsupported) || errors.Is(err, jira.ErrIncomplete), "%s: %v", method, err)
					assert.Contains(t, err.Error(), v, "%s names the version", method)
					assert.Regexp(t, `; .{20,}`, err.Error(), "%s says what to do", method)
				}
			}
			user := jira.Username("user0002")

			n := 0
			var err error
			for _, e := range c.Snapshot(ctx, jira.SnapshotOptions{LastLogin: true, Licences: true, Groups: []string{"jira-software-users"}}) {
				if err = e; e != nil {
					break
				}
				n++
			}
			check("Snapshot complete", err)
			n = 0
			for _, e := range c.Snapshot(ctx, jira.SnapshotOptions{AllowPartial: true}) {
				require.NoError(t, e)
				n++
			}
			assert.Positive(t, n, "Snapshot with AllowPartial")

			_, err = c.Myself(ctx)
			check("Myself", err)
			u, err := c.User(ctx, user)
			check("User", err)
			assert.Equal(t, "user0002", u.Name)
			members := 0
			for m, e := range c.GroupMembers(ctx, "jira-software-users") {
				require.NoError(t, e)
				assert.False(t, m.LastLogin.Known, "group/member has no last login")
				members++
			}
			assert.Positive(t, members)

			check("AddToGroup", c.AddToGroup(ctx, user, "jira-administrators"))
			check("AddToGroup again", c.AddToGroup(ctx, user, "jira-administrators"))
			check("RemoveFromGroup", c.RemoveFromGroup(ctx, user, "jira-administrators"))
			check("RemoveFromGroup again", c.RemoveFromGroup(ctx, user, "jira-administrators"))
			check("Deactivate", c.Deactivate(ctx, user))
			check("Reactivate", c.Reactivate(ctx, user))
			check("ResetPassword", c.ResetPassword(ctx, user, "n3w-passw0rd"))
			check("InvalidateSessions", c.InvalidateSessions(ctx, user))
			check("SetProperty", c.SetProperty(ctx, user, "seatwarden", json.RawMessage(`{"warned":true}`)))
			check("DeleteProperty", c.DeleteProperty(ctx, user, "seatwarden"))
			check("DeleteProperty again", c.DeleteProperty(ctx, user, "seatwarden"))
			check("RevokeLicence", c.RevokeLicence(ctx, user, "jira-software"))
			check("GrantLicence", c.GrantLicence(ctx, user, "jira-software"))
			is, err := c.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "Approve plan"})
			check("CreateIssue", err)
			_, err = c.Issue(ctx, is.Key)
			check("Issue", err)
			check("AddComment", c.AddComment(ctx, is.Key, "applied"))

			_, _, err = c.Webhooks.Create(ctx, &jira.Webhook{Name: "signed", URL: "https://seatwarden.example/hook",
				Events: []string{"jira:issue_updated"}, Secret: "s3cret"})
			check("Webhooks secret", err)
			w, _, err := c.Webhooks.Create(ctx, &jira.Webhook{Name: "plain", URL: "https://seatwarden.example/hook?token=t",
				Events: []string{"jira:issue_updated"}})
			check("Webhooks.Create", err)
			_, _, err = c.Webhooks.List(ctx)
			check("Webhooks.List", err)
			_, _, err = c.Webhooks.Get(ctx, w.ID())
			check("Webhooks.Get", err)
			_, err = c.Webhooks.Delete(ctx, w.ID())
			check("Webhooks.Delete", err)

			check("Delete", c.Delete(ctx, jira.Username("user0003")))
			_, ok := s.User("user0003")
			assert.False(t, ok, "deleted")
			_, err = c.User(ctx, jira.Username("user0003"))
			assert.ErrorIs(t, err, jira.ErrNotFound)
		})
	}
}
