package jira

import (
	"strconv"
	"time"
)

// Webhook is an admin webhook: the webhooks plugin's REST API
// (/rest/webhooks/1.0/webhook) on Cloud and on Data Center before 10, and
// Jira DC 10's /rest/jira-webhook/1.0/webhooks; the clients pick the one
// the site has. A workflow post function "Trigger a Webhook" posts an
// issue to one, which is how approvals reach Seatwarden.
type Webhook struct {
	Self    string            `json:"self,omitempty"`
	Name    string            `json:"name"`
	URL     string            `json:"url"`
	Events  []string          `json:"events"`
	Filters map[string]string `json:"filters,omitempty"`
	// ExcludeBody sends an empty body.
	ExcludeBody bool `json:"excludeBody"`
	Enabled     bool `json:"enabled,omitempty"`
	// Secret, when set on creation, makes Jira sign each delivery with
	// X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>. Jira DC 10+
	// and Cloud take one; Jira DC 9 does not (the DC client refuses it
	// there). Jira never sends it back.
	Secret Secret `json:"-"`
	// Updated is when the webhook was last changed (Jira 10's REST);
	// zero when not said.
	Updated time.Time `json:"-"`
}

// ID returns the webhook's id, the last element of Self; 0 when Self has
// none.
func (w *Webhook) ID() int {
	i := len(w.Self)
	for i > 0 && w.Self[i-1] >= '0' && w.Self[i-1] <= '9' {
		i--
	}
	id, _ := strconv.Atoi(w.Self[i:])
	return id
}
