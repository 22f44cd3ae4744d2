// Package webhooks calls the webhooks plugin's REST API
// (/rest/webhooks/1.0/webhook), which Jira Data Center and Jira Cloud
// share; the public clients' WebhooksService wrap it.
package webhooks

import (
	"context"
	"net/http"
	"strconv"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

const path = "/rest/webhooks/1.0/webhook"

// Create registers w.
func Create(ctx context.Context, t *transport.Client, w *jira.Webhook) (*jira.Webhook, *jira.Response, error) {
	var out jira.Webhook
	resp, err := t.Do(ctx, http.MethodPost, path, nil, w, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// List returns the registered webhooks.
func List(ctx context.Context, t *transport.Client) ([]jira.Webhook, *jira.Response, error) {
	var out []jira.Webhook
	resp, err := t.Do(ctx, http.MethodGet, path, nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Get returns the webhook with the given id.
func Get(ctx context.Context, t *transport.Client, id int) (*jira.Webhook, *jira.Response, error) {
	var out jira.Webhook
	resp, err := t.Do(ctx, http.MethodGet, path+"/"+strconv.Itoa(id), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Delete removes the webhook with the given id.
func Delete(ctx context.Context, t *transport.Client, id int) (*jira.Response, error) {
	return t.Do(ctx, http.MethodDelete, path+"/"+strconv.Itoa(id), nil, nil, nil)
}
