package datacenter

import "github.com/seatwarden/seatwarden/jira/internal/rest"

// IssuesService creates issues and moves them through their workflow: the
// approval requests and reports Seatwarden files. Text (descriptions,
// comments) is sent as it is: wiki markup on DC. Its methods, the same as
// jira/cloud's:
//
//   - Create(ctx, r): POST /rest/api/2/issue; the assignee is named by
//     name or key
//   - Get(ctx, keyOrID): GET /rest/api/2/issue/{issueIdOrKey}?fields=summary,status
//   - Transitions(ctx, keyOrID): GET …/transitions
//   - DoTransition(ctx, keyOrID, transitionID): POST …/transitions
//   - AddComment(ctx, keyOrID, body): POST …/comment
type IssuesService = rest.Issues[string]

// Issue is an issue with the fields Seatwarden reads; Model converts it to
// the flavour-neutral [jira.Issue].
type Issue = rest.Issue

// Transition is a workflow transition available on an issue.
type Transition = rest.Transition

// Comment is a comment on an issue; its body is text (wiki markup).
type Comment = rest.Comment[string]

func plainText(s string) string { return s }
