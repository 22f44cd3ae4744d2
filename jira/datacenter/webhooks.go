package datacenter

import (
	"context"
	"errors"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/webhooks"
)

// WebhooksService registers admin webhooks, e.g. for the approval flow:
// a workflow post function "Trigger a Webhook" then posts the issue to it.
// Jira DC 10 moved the REST from the webhooks plugin's
// /rest/webhooks/1.0/webhook to /rest/jira-webhook/1.0/webhooks with a
// different body; the service tries the new one first and falls back on a
// 404, once per client. Deliveries are signed (X-Hub-Signature: sha256=…)
// when the webhook has a secret, which Jira 9 does not offer. Jira 10
// writes URL variables without the $: {issue.key}, not ${issue.key}.
type WebhooksService service

// api returns the generation of the webhooks REST the server has, learnt
// from a GET on Jira 10's the first time.
func (s *WebhooksService) api(ctx context.Context) (webhooks.API, error) {
	switch s.c.hookGen.Load() {
	case capYes:
		return webhooks.Jira10, nil
	case capNo:
		return webhooks.Plugin, nil
	}
	_, _, err := webhooks.Jira10.List(ctx, s.c.t)
	switch {
	case errors.Is(err, jira.ErrNotFound):
		s.c.hookGen.Store(capNo)
		return webhooks.Plugin, nil
	case err != nil:
		return webhooks.API{}, err
	}
	s.c.hookGen.Store(capYes)
	return webhooks.Jira10, nil
}

// Create registers a webhook. A secret on a server without Jira 10's REST
// (Jira 9) is an [*jira.UnsupportedError]: that REST signs nothing.
//
// DC 10+: POST /rest/jira-webhook/1.0/webhooks; before: POST /rest/webhooks/1.0/webhook
func (s *WebhooksService) Create(ctx context.Context, w *jira.Webhook) (*jira.Webhook, *jira.Response, error) {
	a, err := s.api(ctx)
	if err != nil {
		return nil, nil, err
	}
	if w.Secret != "" && a == webhooks.Plugin {
		info, err := s.c.ServerInfo(ctx)
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, &jira.UnsupportedError{Op: "a webhook secret (signed deliveries)", Version: info.Version,
			Hint: "the webhooks REST of Jira 9 signs nothing; put a token in the webhook's URL instead, or upgrade to Jira 10"}
	}
	return a.Create(ctx, s.c.t, w)
}

// List returns the registered webhooks.
//
// DC 10+: GET /rest/jira-webhook/1.0/webhooks; before: GET /rest/webhooks/1.0/webhook
func (s *WebhooksService) List(ctx context.Context) ([]jira.Webhook, *jira.Response, error) {
	a, err := s.api(ctx)
	if err != nil {
		return nil, nil, err
	}
	return a.List(ctx, s.c.t)
}

// Get returns one webhook.
//
// DC 10+: GET /rest/jira-webhook/1.0/webhooks/{id}; before: GET /rest/webhooks/1.0/webhook/{id}
func (s *WebhooksService) Get(ctx context.Context, id int) (*jira.Webhook, *jira.Response, error) {
	a, err := s.api(ctx)
	if err != nil {
		return nil, nil, err
	}
	return a.Get(ctx, s.c.t, id)
}

// Delete removes a webhook.
//
// DC 10+: DELETE /rest/jira-webhook/1.0/webhooks/{id}; before: DELETE /rest/webhooks/1.0/webhook/{id}
func (s *WebhooksService) Delete(ctx context.Context, id int) (*jira.Response, error) {
	a, err := s.api(ctx)
	if err != nil {
		return nil, err
	}
	return a.Delete(ctx, s.c.t, id)
}
