package cloud

import (
	"context"
	"net/http"
	"net/url"
	"strings"

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

// ADF is a node of the Atlassian Document Format, the rich text of REST
// v3 fields such as description.
type ADF struct {
	Type    string `json:"type"`
	Version int    `json:"version,omitempty"`
	Text    string `json:"text,omitempty"`
	Content []ADF  `json:"content,omitempty"`
}

// PlainADF turns plain text into an ADF document with one paragraph per
// line; an empty line is an empty paragraph.
func PlainADF(text string) ADF {
	doc := ADF{Type: "doc", Version: 1, Content: []ADF{}}
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		p := ADF{Type: "paragraph"}
		if line != "" {
			p.Content = []ADF{{Type: "text", Text: line}}
		}
		doc.Content = append(doc.Content, p)
	}
	return doc
}

// Create files an issue. The description is sent in the Atlassian
// Document Format, a paragraph per line ([PlainADF]).
//
// Cloud: POST /rest/api/3/issue
func (s *IssuesService) Create(ctx context.Context, r jira.IssueRequest) (*Issue, *jira.Response, error) {
	fields := map[string]any{
		"project":   map[string]string{"key": r.Project},
		"issuetype": map[string]string{"name": r.IssueType},
		"summary":   r.Summary,
	}
	if r.Description != "" {
		fields["description"] = PlainADF(r.Description)
	}
	if len(r.Labels) > 0 {
		fields["labels"] = r.Labels
	}
	if !r.Assignee.IsZero() {
		if err := r.Assignee.Check(jira.Cloud); err != nil {
			return nil, nil, err
		}
		fields["assignee"] = map[string]string{"accountId": r.Assignee.Value()}
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
// Cloud: GET /rest/api/3/issue/{issueIdOrKey}?fields=summary,status
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
// Cloud: GET /rest/api/3/issue/{issueIdOrKey}/transitions
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
// Cloud: POST /rest/api/3/issue/{issueIdOrKey}/transitions
func (s *IssuesService) DoTransition(ctx context.Context, keyOrID, transitionID string) (*jira.Response, error) {
	body := map[string]any{"transition": map[string]string{"id": transitionID}}
	return s.c.do(ctx, http.MethodPost, api+"/issue/"+url.PathEscape(keyOrID)+"/transitions", nil, body, nil)
}

// Comment is a comment on an issue.
type Comment struct {
	ID      string `json:"id"`
	Self    string `json:"self,omitempty"`
	Body    ADF    `json:"body"`
	Created string `json:"created,omitempty"`
}

// AddComment comments on an issue; body is plain text, sent in the
// Atlassian Document Format a paragraph per line ([PlainADF]).
//
// Cloud: POST /rest/api/3/issue/{issueIdOrKey}/comment
func (s *IssuesService) AddComment(ctx context.Context, keyOrID, body string) (*Comment, *jira.Response, error) {
	var out Comment
	resp, err := s.c.do(ctx, http.MethodPost, api+"/issue/"+url.PathEscape(keyOrID)+"/comment", nil, map[string]any{"body": PlainADF(body)}, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
