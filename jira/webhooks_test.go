package jira_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
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
