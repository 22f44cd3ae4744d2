package jiratest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Jira DC 10 moved the webhooks REST to /rest/jira-webhook/1.0/webhooks
// with a different body (JIRA-API.md, "Corrections"; jira.js
// src/server/api/webhooks.ts). The secret and excludeBody travel in
// configuration (SECRET, EXCLUDE_BODY); JQL filters of the old API are
// not read.

// jiraWebhookBody is the request body of the Jira 10 webhooks REST.
type jiraWebhookBody struct {
	Name                    string            `json:"name"`
	URL                     string            `json:"url"`
	Events                  []string          `json:"events"`
	Filters                 map[string]string `json:"filters"`
	ExcludeBody             *bool             `json:"excludeBody"`
	Configuration           map[string]string `json:"configuration"`
	SSLVerificationRequired *bool             `json:"sslVerificationRequired"`
	Active                  *bool             `json:"active"`
	ScopeType               string            `json:"scopeType"`
}

func (s *Server) registerJiraWebhooks() {
	const base = "/rest/jira-webhook/1.0/webhooks"
	s.handle("GET", base, authAdmin, []string{"event", "statistics", "start", "limit"}, func(c *call) {
		out := []map[string]any{}
		for _, id := range sortedKeys(c.st.hooks) {
			h := c.st.hooks[id]
			if ev := c.q("event"); ev != "" && !slices.Contains(h.events, ev) {
				continue
			}
			out = append(out, c.jiraWebhookJSON(h))
		}
		c.writeJSON(http.StatusOK, out)
	})
	s.handle("POST", base, authAdmin, nil, func(c *call) {
		h := &webhook{gen10: true, created: time.Now(), ssl: true}
		if !c.readJiraWebhook(h) {
			return
		}
		c.st.hookSeq++
		h.id = c.st.hookSeq
		c.st.hooks[h.id] = h
		c.saveJiraWebhookSecret(h)
		c.writeJSON(http.StatusOK, c.jiraWebhookJSON(h))
	})
	s.handle("GET", base+"/{id}", authAdmin, nil, func(c *call) {
		if h := c.hook(); h != nil {
			c.writeJSON(http.StatusOK, c.jiraWebhookJSON(h))
		}
	})
	s.handle("PUT", base+"/{id}", authAdmin, nil, func(c *call) {
		h := c.hook()
		if h == nil {
			return
		}
		updated := *h
		if !c.readJiraWebhook(&updated) {
			return
		}
		*h = updated
		c.saveJiraWebhookSecret(h)
		c.writeJSON(http.StatusOK, c.jiraWebhookJSON(h))
	})
	s.handle("DELETE", base+"/{id}", authAdmin, nil, func(c *call) {
		if h := c.hook(); h != nil {
			delete(c.st.hooks, h.id)
			delete(c.st.hookSecrets, h.id)
			c.noContent(http.StatusNoContent)
		}
	})
}

// secretKey is the configuration entry that holds a webhook's secret.
const secretKey = "SECRET"

// readJiraWebhook decodes a Jira 10 webhook body into h, checking it; it
// writes 400 and reports false on bad input.
func (c *call) readJiraWebhook(h *webhook) bool {
	var b jiraWebhookBody
	if !c.decode(&b) {
		return false
	}
	switch {
	case strings.TrimSpace(b.Name) == "":
		c.fieldError(http.StatusBadRequest, "name", "Name is required.")
		return false
	case !strings.HasPrefix(b.URL, "http://") && !strings.HasPrefix(b.URL, "https://"):
		c.fieldError(http.StatusBadRequest, "url", "Url must be an absolute http or https URL.")
		return false
	}
	h.name, h.url, h.events, h.updated = b.Name, b.URL, b.Events, time.Now()
	h.jql = "" // the old filters' JQL is not read by the Jira 10 REST
	if b.ExcludeBody != nil {
		h.excludeBdy = *b.ExcludeBody
	}
	if v, ok := b.Configuration["EXCLUDE_BODY"]; ok {
		h.excludeBdy = v == "true"
	}
	if b.SSLVerificationRequired != nil {
		h.ssl = *b.SSLVerificationRequired
	}
	c.pending = b.Configuration[secretKey]
	return true
}

// saveJiraWebhookSecret keeps the secret read with the body, if any, apart
// from the webhook so listings never show it.
func (c *call) saveJiraWebhookSecret(h *webhook) {
	if c.pending != "" {
		c.s.setHookSecret(h.id, c.pending)
		c.pending = ""
	}
}

func (c *call) jiraWebhookJSON(h *webhook) map[string]any {
	events := h.events
	if events == nil {
		events = []string{}
	}
	conf := map[string]string{"EXCLUDE_BODY": strconv.FormatBool(h.excludeBdy)}
	updated := h.updated
	if updated.IsZero() {
		updated = h.created
	}
	return map[string]any{
		"id": h.id, "name": h.name, "url": h.url, "events": events, "active": true,
		"createdDate": h.created.UnixMilli(), "updatedDate": updated.UnixMilli(),
		"scopeType": "GLOBAL", "configuration": conf, "sslVerificationRequired": h.ssl,
	}
}
