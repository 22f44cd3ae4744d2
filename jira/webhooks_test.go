package jira_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
)

// webhooks is the webhook service both clients have, with the same
// methods.
type webhooks interface {
	Create(ctx context.Context, w *jira.Webhook) (*jira.Webhook, *jira.Response, error)
	List(ctx context.Context) ([]jira.Webhook, *jira.Response, error)
	Get(ctx context.Context, id int) (*jira.Webhook, *jira.Response, error)
	Delete(ctx context.Context, id int) (*jira.Response, error)
}

// TestWebhooksCRUD creates, lists, reads and deletes a webhook through
// each client's Webhooks service.
func TestWebhooksCRUD(t *testing.T) {
	t.Parallel()
	org := benchOrg(10)
	for _, f := range flavours {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			var s webhooks
			switch c := newBenchSite(t, f, org).site.(type) {
			case *datacenter.Client:
				s = c.Webhooks
			case *cloud.Client:
				s = c.Webhooks
			}
			ctx := t.Context()
			w, _, err := s.Create(ctx, &jira.Webhook{Name: "approvals", URL: "https://seatwarden.example/webhooks/jira", Events: []string{"jira:issue_updated"}})
			require.NoError(t, err)
			list, _, err := s.List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, w.ID(), list[0].ID())
			one, _, err := s.Get(ctx, w.ID())
			require.NoError(t, err)
			assert.Equal(t, "approvals", one.Name)
			_, err = s.Delete(ctx, w.ID())
			require.NoError(t, err)
			list, _, err = s.List(ctx)
			require.NoError(t, err)
			assert.Empty(t, list)
		})
	}
}

// issues is the issue service both clients have, with the same methods.
type issues interface {
	Transitions(ctx context.Context, keyOrID string) ([]rest.Transition, *jira.Response, error)
	DoTransition(ctx context.Context, keyOrID, transitionID string) (*jira.Response, error)
}

// TestIssueFlow files an approval issue through jira.Site, moves it
// through the Approve transition with the client's Issues service and
// reads the status back, on both flavours.
func TestIssueFlow(t *testing.T) {
	t.Parallel()
	org := benchOrg(10)
	for _, f := range flavours {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			bs := newBenchSite(t, f, org)
			var s issues
			switch c := bs.site.(type) {
			case *datacenter.Client:
				s = c.Issues
			case *cloud.Client:
				s = c.Issues
			}
			site := bs.site.(jira.Site)
			ctx := t.Context()
			is, err := site.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "Approve plan"})
			require.NoError(t, err)
			trs, _, err := s.Transitions(ctx, is.Key)
			require.NoError(t, err)
			i := slices.IndexFunc(trs, func(tr rest.Transition) bool { return tr.To.Name == "Approved" })
			require.GreaterOrEqual(t, i, 0, "%+v", trs)
			_, err = s.DoTransition(ctx, is.Key, trs[i].ID)
			require.NoError(t, err)
			got, err := site.Issue(ctx, is.Key)
			require.NoError(t, err)
			assert.Equal(t, "Approved", got.Status)
			assert.Equal(t, "10002", got.StatusID)
			fake, _ := bs.fake.Issue(is.Key)
			assert.Equal(t, "Approved", fake.Status)
		})
	}
}
