package datacenter

import (
	"context"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/webhooks"
)

// WebhooksService registers admin webhooks, e.g. for the approval flow:
// a workflow post function "Trigger a Webhook" then posts the issue to it.
// The webhooks plugin's API is the same on both flavours; see [jira.Webhook].
type WebhooksService service

// Create registers a webhook.
//
// DC: POST /rest/webhooks/1.0/webhook
func (s *WebhooksService) Create(ctx context.Context, w *jira.Webhook) (*jira.Webhook, *jira.Response, error) {
	return webhooks.Create(ctx, s.c.t, w)
}

// List returns the registered webhooks.
//
// DC: GET /rest/webhooks/1.0/webhook
func (s *WebhooksService) List(ctx context.Context) ([]jira.Webhook, *jira.Response, error) {
	return webhooks.List(ctx, s.c.t)
}

// Get returns one webhook.
//
// DC: GET /rest/webhooks/1.0/webhook/{id}
func (s *WebhooksService) Get(ctx context.Context, id int) (*jira.Webhook, *jira.Response, error) {
	return webhooks.Get(ctx, s.c.t, id)
}

// Delete removes a webhook.
//
// DC: DELETE /rest/webhooks/1.0/webhook/{id}
func (s *WebhooksService) Delete(ctx context.Context, id int) (*jira.Response, error) {
	return webhooks.Delete(ctx, s.c.t, id)
}
