package jiratest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// event is a webhook event to deliver once the state is unlocked.
type event struct {
	name    string // e.g. "jira:issue_updated", "user_created"
	project string // for JQL filters of issue events
	vars    map[string]string
	payload map[string]any
}

// Delivery is one webhook delivery the fake attempted.
type Delivery struct {
	WebhookID int
	Event     string
	URL       string
	Status    int   // 0 when the request failed
	Err       error // why the request failed, if it did
	Time      time.Time
}

// Deliveries returns the webhook deliveries made so far, in the order they
// finished.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// WaitWebhooks waits until every webhook delivery started so far has
// finished.
func (s *Server) WaitWebhooks() { s.hooks.Wait() }

type webhookBody struct {
	Name        string            `json:"name"`
	URL         string            `json:"url"`
	Events      []string          `json:"events"`
	Filters     map[string]string `json:"filters"`
	ExcludeBody bool              `json:"excludeBody"`
	Enabled     *bool             `json:"enabled"`
	// Secret, when set, makes the fake sign deliveries with
	// X-Hub-Signature: sha256=<HMAC of the body>, as Cloud admin webhooks
	// with a secret are signed.
	Secret string `json:"secret"`
}

func (s *Server) registerWebhooks() {
	if s.cfg.flavor == jira.DataCenter && s.caps().newWebhooks {
		s.registerJiraWebhooks()
	}
	if s.cfg.flavor == jira.DataCenter && !s.caps().oldWebhooks {
		return // Jira 10+: /rest/webhooks/1.0 answers 404
	}
	const base = "/rest/webhooks/1.0/webhook"
	s.handle("GET", base, authAdmin, nil, func(c *call) {
		out := []map[string]any{}
		for _, id := range sortedKeys(c.st.hooks) {
			out = append(out, c.webhookJSON(c.st.hooks[id]))
		}
		c.writeJSON(http.StatusOK, out)
	})
	s.handle("POST", base, authAdmin, nil, func(c *call) {
		var b webhookBody
		if !c.decode(&b) {
			return
		}
		if b.Name == "" {
			c.fieldError(http.StatusBadRequest, "name", "Name is required.")
			return
		}
		if !strings.HasPrefix(b.URL, "http://") && !strings.HasPrefix(b.URL, "https://") {
			c.fieldError(http.StatusBadRequest, "url", "Url must be an absolute http or https URL.")
			return
		}
		c.st.hookSeq++
		h := &webhook{id: c.st.hookSeq, name: b.Name, url: b.URL, events: b.Events,
			jql: b.Filters["issue-related-events-section"], excludeBdy: b.ExcludeBody, created: time.Now()}
		c.st.hooks[h.id] = h
		if b.Secret != "" && c.s.cfg.flavor == jira.Cloud { // Jira DC 9 has no webhook secret
			c.s.setHookSecret(h.id, b.Secret)
		}
		c.writeJSON(http.StatusCreated, c.webhookJSON(h))
	})
	s.handle("GET", base+"/{id}", authAdmin, nil, func(c *call) {
		if h := c.hook(); h != nil {
			c.writeJSON(http.StatusOK, c.webhookJSON(h))
		}
	})
	s.handle("DELETE", base+"/{id}", authAdmin, nil, func(c *call) {
		if h := c.hook(); h != nil {
			delete(c.st.hooks, h.id)
			c.noContent(http.StatusNoContent)
		}
	})
}

func (c *call) hook() *webhook {
	id, err := strconv.Atoi(c.r.PathValue("id"))
	h := c.st.hooks[id]
	if err != nil || h == nil {
		c.errorf(http.StatusNotFound, "Webhook with id %s not found.", c.r.PathValue("id"))
		return nil
	}
	return h
}

func (c *call) webhookJSON(h *webhook) map[string]any {
	events := h.events
	if events == nil {
		events = []string{}
	}
	return map[string]any{
		"self": c.base() + "/rest/webhooks/1.0/webhook/" + strconv.Itoa(h.id),
		"name": h.name, "url": h.url, "events": events,
		"filters":     map[string]string{"issue-related-events-section": h.jql},
		"excludeBody": h.excludeBdy, "enabled": true,
		"lastUpdated": h.created.UnixMilli(), "lastUpdatedUser": c.ident(c.caller),
	}
}

// hookSecrets lives outside state so the listing never shows it.
func (s *Server) setHookSecret(id int, secret string) {
	if s.st.hookSecrets == nil {
		s.st.hookSecrets = map[int]string{}
	}
	s.st.hookSecrets[id] = secret
}

// fire delivers an event to every webhook registered for it. It runs with
// the state unlocked; deliveries are asynchronous, as on Jira DC 10+.
func (s *Server) fire(e event) {
	s.mu.Lock()
	type target struct {
		id          int
		url, secret string
		exclude     bool
	}
	var targets []target
	for _, id := range sortedKeys(s.st.hooks) {
		h := s.st.hooks[id]
		if !slices.Contains(h.events, e.name) || !jqlMatches(h.jql, e.project) {
			continue
		}
		url := h.url
		for k, v := range e.vars {
			url = strings.ReplaceAll(url, "${"+k+"}", v)
			if h.gen10 { // Jira 10 dropped the $: {issue.key}
				url = strings.ReplaceAll(url, "{"+k+"}", v)
			}
		}
		targets = append(targets, target{h.id, url, s.st.hookSecrets[h.id], h.excludeBdy})
	}
	s.mu.Unlock()
	if len(targets) == 0 {
		return
	}
	body, err := json.Marshal(e.payload)
	if err != nil {
		panic("jiratest: webhook payload: " + err.Error())
	}
	for _, t := range targets {
		s.hooks.Add(1)
		go func() {
			defer s.hooks.Done()
			b := body
			if t.exclude {
				b = nil
			}
			d := Delivery{WebhookID: t.id, Event: e.name, URL: t.url}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(b))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("User-Agent", "Atlassian Webhook HTTP Client")
				if t.secret != "" {
					m := hmac.New(sha256.New, []byte(t.secret))
					m.Write(b)
					req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
				}
				var resp *http.Response
				if resp, err = s.cfg.webhookClient.Do(req); err == nil {
					d.Status = resp.StatusCode
					resp.Body.Close()
				}
			}
			d.Err = err
			d.Time = time.Now()
			s.mu.Lock()
			s.deliveries = append(s.deliveries, d)
			s.mu.Unlock()
		}()
	}
}

// jqlMatches applies a webhook's JQL filter. The fake understands
// "project = KEY" (and "project in (A, B)"); any other filter matches all.
func jqlMatches(jql, project string) bool {
	q := strings.TrimSpace(jql)
	if q == "" || project == "" {
		return true
	}
	lower := strings.ToLower(q)
	if rest, ok := strings.CutPrefix(lower, "project"); ok {
		rest = strings.TrimSpace(rest)
		if v, ok := strings.CutPrefix(rest, "="); ok {
			return strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"'`), project)
		}
		if v, ok := strings.CutPrefix(rest, "in"); ok {
			v = strings.Trim(strings.TrimSpace(v), "()")
			for _, p := range strings.Split(v, ",") {
				if strings.EqualFold(strings.Trim(strings.TrimSpace(p), `"'`), project) {
					return true
				}
			}
			return false
		}
	}
	return true
}
