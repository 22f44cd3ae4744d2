package datacenter

import (
	"context"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// IssuesService creates issues and moves them through their workflow: the
// approval requests and reports Seatwarden files.
type IssuesService service

// Issue is an issue with the fields Seatwarden reads.
type Issue struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Self   string `json:"self,omitempty"`
	Fields struct {
		Summary string `json:"summary"`
		Status  *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"status"`
	} `json:"fields"`
}

// Model converts the issue to the flavour-neutral [jira.Issue].
func (i *Issue) Model() jira.Issue {
	out := jira.Issue{ID: i.ID, Key: i.Key, Summary: i.Fields.Summary}
	if i.Fields.Status != nil {
		out.Status, out.StatusID = i.Fields.Status.Name, i.Fields.Status.ID
	}
	return out
}

// Create files an issue. The description is sent as plain text (wiki
// markup on DC).
//
// DC: POST /rest/api/2/issue
func (s *IssuesService) Create(ctx context.Context, r jira.IssueRequest) (*Issue, *jira.Response, error) {
	fields := map[string]any{
		"project":   map[string]string{"key": r.Project},
		"issuetype": map[string]string{"name": r.IssueType},
		"summary":   r.Summary,
	}
	if r.Description != "" {
		fields["description"] = r.Description
	}
	if len(r.Labels) > 0 {
		fields["labels"] = r.Labels
	}
	if !r.Assignee.IsZero() {
		if err := r.Assignee.Check(jira.DataCenter); err != nil {
			return nil, nil, err
		}
		k := "name"
		if r.Assignee.Kind() == jira.RefUserKey {
			k = "key"
		}
		fields["assignee"] = map[string]string{k: r.Assignee.Value()}
	}
	var is Issue
	resp, err := s.c.do(ctx, http.MethodPost, api+"/issue", nil, map[string]any{"fields": fields}, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

// Get returns an issue's summary and status.
//
// DC: GET /rest/api/2/issue/{issueIdOrKey}?fields=summary,status
func (s *IssuesService) Get(ctx context.Context, keyOrID string) (*Issue, *jira.Response, error) {
	var is Issue
	resp, err := s.c.do(ctx, http.MethodGet, api+"/issue/"+url.PathEscape(keyOrID), url.Values{"fields": {"summary,status"}}, nil, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

// Transition is a workflow transition available on an issue.
type Transition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	To   struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"to"`
}

// Transitions lists the transitions available on an issue now.
//
// DC: GET /rest/api/2/issue/{issueIdOrKey}/transitions
func (s *IssuesService) Transitions(ctx context.Context, keyOrID string) ([]Transition, *jira.Response, error) {
	var out struct {
		Transitions []Transition `json:"transitions"`
	}
	resp, err := s.c.do(ctx, http.MethodGet, api+"/issue/"+url.PathEscape(keyOrID)+"/transitions", nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Transitions, resp, nil
}

// DoTransition moves an issue through the transition with the given id.
//
// DC: POST /rest/api/2/issue/{issueIdOrKey}/transitions
func (s *IssuesService) DoTransition(ctx context.Context, keyOrID, transitionID string) (*jira.Response, error) {
	body := map[string]any{"transition": map[string]string{"id": transitionID}}
	return s.c.do(ctx, http.MethodPost, api+"/issue/"+url.PathEscape(keyOrID)+"/transitions", nil, body, nil)
}

// Comment is a comment on an issue.
type Comment struct {
	ID      string `json:"id"`
	Self    string `json:"self,omitempty"`
	Body    string `json:"body"`
	Created string `json:"created,omitempty"`
}

// AddComment comments on an issue; body is plain text (wiki markup on DC).
//
// DC: POST /rest/api/2/issue/{issueIdOrKey}/comment
func (s *IssuesService) AddComment(ctx context.Context, keyOrID, body string) (*Comment, *jira.Response, error) {
	var out Comment
	resp, err := s.c.do(ctx, http.MethodPost, api+"/issue/"+url.PathEscape(keyOrID)+"/comment", nil, map[string]string{"body": body}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
