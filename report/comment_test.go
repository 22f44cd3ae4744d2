package report_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
)

// TestCommentOnTheFake comments a run on its approval issue through the
// real clients, which satisfy Commenter, on both flavours of the fake.
func TestCommentOnTheFake(t *testing.T) {
	t.Parallel()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 20})
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			fake := jiratest.NewServer(t, jiratest.WithFlavor(f), jiratest.WithOrg(org))
			var c interface {
				report.Commenter
				CreateIssue(context.Context, jira.IssueRequest) (jira.Issue, error)
			}
			var err error
			if f == jira.DataCenter {
				c, err = datacenter.New(fake.URL, datacenter.BasicAuth(jiratest.DefaultDCUser, jira.Secret(jiratest.DefaultDCPassword)))
			} else {
				c, err = cloud.New(fake.URL, cloud.APITokenAuth(jiratest.DefaultCloudEmail, jira.Secret(jiratest.DefaultCloudToken)))
			}
			require.NoError(t, err)
			is, err := c.CreateIssue(ctx, jira.IssueRequest{Project: org.Projects[0].Key, IssueType: "Task", Summary: "Approve plan plan-1"})
			require.NoError(t, err)
			r, _ := fixture()
			r.ApprovalIssue = is.Key
			require.NoError(t, report.NewFanout(nil, report.NewComment(c)).Write(ctx, r))
			got, ok := fake.Issue(is.Key)
			require.True(t, ok)
			require.Len(t, got.Comments, 1)
			assert.Contains(t, string(got.Comments[0]), "Run of contractors, inactive-90-days: 2 applied, 1 stale, 1 failed")
			assert.Contains(t, string(got.Comments[0]), "read-only directory")
		})
	}
}
