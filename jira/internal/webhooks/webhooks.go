// Package webhooks calls Jira's admin webhooks REST in both its
// generations: the webhooks plugin's /rest/webhooks/1.0/webhook (Jira
// Cloud, and Jira Data Center before 10) and Jira DC 10's
// /rest/jira-webhook/1.0/webhooks, which takes a different body (the
// secret and excludeBody in configuration) and answers with an id. The
// public clients' WebhooksService wrap it.
package webhooks

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// API is one generation of the webhooks REST.
type API struct {
	path  string
	gen10 bool
}

// The two generations.
var (
	// Plugin is the webhooks plugin's REST: Cloud, and DC before 10.
	Plugin = API{path: "/rest/webhooks/1.0/webhook"}
	// Jira10 is Jira DC 10's REST (JRASERVER-78733; jira.js
	// src/server/api/webhooks.ts).
	Jira10 = API{path: "/rest/jira-webhook/1.0/webhooks", gen10: true}
)

// Path returns the API's collection path.
func (a API) Path() string { return a.path }

// pluginBody is a webhook as the plugin's REST takes it; Cloud reads a
// secret beside the other fields.
type pluginBody struct {
	*jira.Webhook
	Secret string `json:"secret,omitempty"`
}

// jira10Body is a webhook as Jira 10's REST takes and returns it.
type jira10Body struct {
	ID            int               `json:"id,omitempty"`
	Name          string            `json:"name"`
	URL           string            `json:"url"`
	Events        []string          `json:"events"`
	Active        *bool             `json:"active,omitempty"`
	ExcludeBody   bool              `json:"excludeBody"`
	Configuration map[string]string `json:"configuration,omitempty"`
	CreatedDate   int64             `json:"createdDate,omitempty"`
	UpdatedDate   int64             `json:"updatedDate,omitempty"`
}

func (a API) toJira10(w *jira.Webhook) jira10Body {
	b := jira10Body{Name: w.Name, URL: w.URL, Events: w.Events, ExcludeBody: w.ExcludeBody,
		Configuration: map[string]string{"EXCLUDE_BODY": strconv.FormatBool(w.ExcludeBody)}}
	if w.Secret != "" {
		b.Configuration["SECRET"] = w.Secret.Reveal()
	}
	return b
}

func (a API) fromJira10(b *jira10Body) jira.Webhook {
	w := jira.Webhook{Self: a.path + "/" + strconv.Itoa(b.ID), Name: b.Name, URL: b.URL, Events: b.Events,
		ExcludeBody: b.ExcludeBody || b.Configuration["EXCLUDE_BODY"] == "true", Enabled: b.Active == nil || *b.Active}
	if b.UpdatedDate > 0 {
		w.Updated = time.UnixMilli(b.UpdatedDate)
	}
	return w
}

// Create registers w. With Jira 10's REST its secret goes in
// configuration.SECRET; with the plugin's, in secret (Cloud).
func (a API) Create(ctx context.Context, t *transport.Client, w *jira.Webhook) (*jira.Webhook, *jira.Response, error) {
	if a.gen10 {
		var out jira10Body
		resp, err := t.Do(ctx, http.MethodPost, a.path, nil, a.toJira10(w), &out)
		if err != nil {
			return nil, resp, err
		}
		m := a.fromJira10(&out)
		return &m, resp, nil
	}
	var out jira.Webhook
	resp, err := t.Do(ctx, http.MethodPost, a.path, nil, pluginBody{w, w.Secret.Reveal()}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// List returns the registered webhooks.
func (a API) List(ctx context.Context, t *transport.Client) ([]jira.Webhook, *jira.Response, error) {
	if a.gen10 {
		var out []jira10Body
		resp, err := t.Do(ctx, http.MethodGet, a.path, nil, nil, &out)
		if err != nil {
			return nil, resp, err
		}
		list := make([]jira.Webhook, len(out))
		for i := range out {
			list[i] = a.fromJira10(&out[i])
		}
		return list, resp, nil
	}
	var out []jira.Webhook
	resp, err := t.Do(ctx, http.MethodGet, a.path, nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Get returns the webhook with the given id.
func (a API) Get(ctx context.Context, t *transport.Client, id int) (*jira.Webhook, *jira.Response, error) {
	if a.gen10 {
		var out jira10Body
		resp, err := t.Do(ctx, http.MethodGet, a.path+"/"+strconv.Itoa(id), nil, nil, &out)
		if err != nil {
			return nil, resp, err
		}
		m := a.fromJira10(&out)
		return &m, resp, nil
	}
	var out jira.Webhook
	resp, err := t.Do(ctx, http.MethodGet, a.path+"/"+strconv.Itoa(id), nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// Delete removes the webhook with the given id.
func (a API) Delete(ctx context.Context, t *transport.Client, id int) (*jira.Response, error) {
	return t.Do(ctx, http.MethodDelete, a.path+"/"+strconv.Itoa(id), nil, nil, nil)
}

// Create registers w through the plugin's REST.
func Create(ctx context.Context, t *transport.Client, w *jira.Webhook) (*jira.Webhook, *jira.Response, error) {
	return Plugin.Create(ctx, t, w)
}

// List returns the webhooks registered through the plugin's REST.
func List(ctx context.Context, t *transport.Client) ([]jira.Webhook, *jira.Response, error) {
	return Plugin.List(ctx, t)
}

// Get returns a webhook of the plugin's REST.
func Get(ctx context.Context, t *transport.Client, id int) (*jira.Webhook, *jira.Response, error) {
	return Plugin.Get(ctx, t, id)
}

// Delete removes a webhook of the plugin's REST.
func Delete(ctx context.Context, t *transport.Client, id int) (*jira.Response, error) {
	return Plugin.Delete(ctx, t, id)
}
