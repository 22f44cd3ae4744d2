package cloud

import (
	"strings"

	"github.com/seatwarden/seatwarden/jira/internal/rest"
)

// IssuesService creates issues and moves them through their workflow: the
// approval requests and reports Seatwarden files. Text (descriptions,
// comments) is sent in the Atlassian Document Format, a paragraph per
// line ([PlainADF]). Its methods, the same as jira/datacenter's:
//
//   - Create(ctx, r): POST /rest/api/3/issue; the assignee is named by
//     accountId
//   - Get(ctx, keyOrID): GET /rest/api/3/issue/{issueIdOrKey}?fields=summary,status
//   - Transitions(ctx, keyOrID): GET …/transitions
//   - DoTransition(ctx, keyOrID, transitionID): POST …/transitions
//   - AddComment(ctx, keyOrID, body): POST …/comment
type IssuesService = rest.Issues[ADF]

// Issue is an issue with the fields Seatwarden reads; Model converts it to
// the flavour-neutral [jira.Issue].
type Issue = rest.Issue

// Transition is a workflow transition available on an issue.
type Transition = rest.Transition

// Comment is a comment on an issue; its body is an ADF document.
type Comment = rest.Comment[ADF]

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
