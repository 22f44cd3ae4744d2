package jira

import "strconv"

// Webhook is an admin webhook: the webhooks plugin's REST API
// (/rest/webhooks/1.0/webhook), the same on Data Center and Cloud. A
// workflow post function "Trigger a Webhook" posts an issue to one, which
// is how approvals reach Seatwarden.
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
