package datacenter

import (
	"context"
	"net/http"
	"strconv"

	"github.com/seatwarden/seatwarden/jira"
)

// WebhooksService registers admin webhooks, e.g. for the approval flow:
// a workflow post function "Trigger a Webhook" then posts the issue to it.
type WebhooksService service

// Webhook is a registered webhook.
type Webhook struct {
	Self    string            `json:"self,omitempty"`
	Name    string            `json:"name"`
	URL     string            `json:"url"`
	Events  []string          `json:"events"`
	Filters map[string]string `json:"filters,omitempty"`
	// ExcludeBody sends an empty body.
	ExcludeBody bool `json:"excludeBody"`
	Enabled     bool `json:"enabled,omitempty"`
}

// ID returns the webhook's id, the last element of Self.
func (w *Webhook) ID() int {
	i := len(w.Self)
	for i > 0 && w.Self[i-1] >= '0' && w.Self[i-1] <= '9' {
		i--
	}
	id, _ := strconv.Atoi(w.Self[i:])
	return id
}

const webhookPath = "/rest/webhooks/1.0/webhook"

// Create registers a webhook.
//
// DC: POST /rest/webhooks/1.0/webhook
func (s *WebhooksService) Create(ctx context.Context, w *Webhook) (*Webhook, *jira.Response, error) {
	var out Webhook
	resp, err := s.c.do(ctx, http.MethodPost, webhookPath, nil, w, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// List returns the registered webhooks.
//
// DC: GET /rest/webhooks/1.0/webhook
func (s *WebhooksService) List(ctx context.Context) ([]Webhook, *jira.Response, error) {
	var out []Webhook
	resp, err := s.c.do(ctx, http.MethodGet, webhookPath, nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Delete removes a webhook.
//
// DC: DELETE /rest/webhooks/1.0/webhook/{id}
func (s *WebhooksService) Delete(ctx context.Context, id int) (*jira.Response, error) {
	return s.c.do(ctx, http.MethodDelete, webhookPath+"/"+strconv.Itoa(id), nil, nil, nil)
}

// Get returns one webhook.
//
// DC: GET /rest/webhooks/1.0/webhook/{id}
func (s *WebhooksService) Get(ctx context.Context, id int) (*Webhook, *jira.Response, error) {
	var out Webhook
	resp, err := s.c.do(ctx, http.MethodGet, webhookPath+"/"+strconv.Itoa(id), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
