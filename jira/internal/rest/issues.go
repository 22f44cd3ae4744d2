package rest

import (
	"context"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// Issues creates issues and moves them through their workflow: the
// approval requests and reports Seatwarden files. B is how the flavour
// sends rich text: a string on DC (wiki markup), an ADF document on Cloud.
type Issues[B any] struct {
	API *API
	// Text turns plain text into the flavour's rich text.
	Text func(string) B
}

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

// Transition is a workflow transition available on an issue.
type Transition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	To   struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"to"`
}

// Comment is a comment on an issue; B is the flavour's rich text.
type Comment[B any] struct {
	ID      string `json:"id"`
	Self    string `json:"self,omitempty"`
	Body    B      `json:"body"`
	Created string `json:"created,omitempty"`
}

// Create files an issue; the description is sent as the flavour's rich
// text, and the assignee named as the flavour names users.
//
// POST {api}/issue
func (s *Issues[B]) Create(ctx context.Context, r jira.IssueRequest) (*Issue, *jira.Response, error) {
	fields := map[string]any{
		"project":   map[string]string{"key": r.Project},
		"issuetype": map[string]string{"name": r.IssueType},
		"summary":   r.Summary,
	}
	if r.Description != "" {
		fields["description"] = s.Text(r.Description)
	}
	if len(r.Labels) > 0 {
		fields["labels"] = r.Labels
	}
	if !r.Assignee.IsZero() {
		who, err := s.API.UserBody(r.Assignee)
		if err != nil {
			return nil, nil, err
		}
		fields["assignee"] = who
	}
	var is Issue
	resp, err := s.API.Do(ctx, http.MethodPost, s.API.Prefix+"/issue", nil, map[string]any{"fields": fields}, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

func (s *Issues[B]) path(keyOrID string) string {
	return s.API.Prefix + "/issue/" + url.PathEscape(keyOrID)
}

// Get returns an issue's summary and status.
//
// GET {api}/issue/{issueIdOrKey}?fields=summary,status
func (s *Issues[B]) Get(ctx context.Context, keyOrID string) (*Issue, *jira.Response, error) {
	var is Issue
	resp, err := s.API.Do(ctx, http.MethodGet, s.path(keyOrID), url.Values{"fields": {"summary,status"}}, nil, &is)
	if err != nil {
		return nil, resp, err
	}
	return &is, resp, nil
}

// Transitions lists the transitions available on an issue now.
//
// GET {api}/issue/{issueIdOrKey}/transitions
func (s *Issues[B]) Transitions(ctx context.Context, keyOrID string) ([]Transition, *jira.Response, error) {
	var out struct {
		Transitions []Transition `json:"transitions"`
	}
	resp, err := s.API.Do(ctx, http.MethodGet, s.path(keyOrID)+"/transitions", nil, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Transitions, resp, nil
}

// DoTransition moves an issue through the transition with the given id.
//
// POST {api}/issue/{issueIdOrKey}/transitions
func (s *Issues[B]) DoTransition(ctx context.Context, keyOrID, transitionID string) (*jira.Response, error) {
	body := map[string]any{"transition": map[string]string{"id": transitionID}}
	return s.API.Do(ctx, http.MethodPost, s.path(keyOrID)+"/transitions", nil, body, nil)
}

// AddComment comments on an issue; body is plain text, sent as the
// flavour's rich text.
//
// POST {api}/issue/{issueIdOrKey}/comment
func (s *Issues[B]) AddComment(ctx context.Context, keyOrID, body string) (*Comment[B], *jira.Response, error) {
	var out Comment[B]
	resp, err := s.API.Do(ctx, http.MethodPost, s.path(keyOrID)+"/comment", nil, map[string]any{"body": s.Text(body)}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// CreateIssue files an issue and returns it as the model has it: the
// body of both clients' [jira.Site] CreateIssue.
func CreateIssue[B any](ctx context.Context, s *Issues[B], r jira.IssueRequest) (jira.Issue, error) {
	is, _, err := s.Create(ctx, r)
	if err != nil {
		return jira.Issue{}, err
	}
	return is.Model(), nil
}

// ReadIssue reads an issue's status as the model has it: the body of both
// clients' [jira.Site] Issue.
func ReadIssue[B any](ctx context.Context, s *Issues[B], keyOrID string) (jira.Issue, error) {
	is, _, err := s.Get(ctx, keyOrID)
	if err != nil {
		return jira.Issue{}, err
	}
	return is.Model(), nil
}
