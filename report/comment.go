package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Commenter adds a comment to a Jira issue: *datacenter.Client and
// *cloud.Client are Commenters (DC POST /rest/api/2/issue/{key}/comment;
// Cloud /rest/api/3/…, the body turned into the Atlassian Document Format).
type Commenter interface {
	AddComment(ctx context.Context, issueKey, body string) error
}

// ErrNoIssue is the error of a Comment sink given a report without an
// approval issue.
var ErrNoIssue = errors.New("report: the run has no approval issue to comment on")

// Comment is the Jira comment sink: it comments the run's summary on the
// run's approval issue ([Report.ApprovalIssue]).
type Comment struct {
	c Commenter
	// MaxLines bounds the steps listed (default 50): failures first.
	MaxLines int
}

// NewComment returns a comment sink adding comments through c.
func NewComment(c Commenter) *Comment { return &Comment{c: c} }

// Name returns "comment".
func (s *Comment) Name() string { return "comment" }

// Write comments on the approval issue; without one it returns ErrNoIssue.
func (s *Comment) Write(ctx context.Context, r *Report) error {
	if r.ApprovalIssue == "" {
		return ErrNoIssue
	}
	if err := s.c.AddComment(ctx, r.ApprovalIssue, CommentBody(r, s.MaxLines)); err != nil {
		return fmt.Errorf("comment on %s: %w", r.ApprovalIssue, err)
	}
	return nil
}

// CommentBody is the plain text of a run's comment: the title, the run's
// id, times and counts, then at most max steps that did not simply apply
// (failures, stale and refused steps first; 0 means 50).
func CommentBody(r *Report, max int) string {
	if max <= 0 {
		max = 50
	}
	var b strings.Builder
	b.WriteString("Seatwarden: " + r.Title() + "\n\n")
	fmt.Fprintf(&b, "Run %s of plan %s", r.RunID, r.PlanID)
	if r.Site != "" {
		fmt.Fprintf(&b, " on %s", r.Site)
	}
	fmt.Fprintf(&b, ", %s to %s.\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Finished.UTC().Format("15:04 MST"))
	if o := r.LimitOverride; o != nil {
		fmt.Fprintf(&b, "Limits overridden: %s. Reason given: %s\n", o.Limit, o.Reason)
	}
	lines := r.failures()
	n := 0
	for _, res := range lines {
		if n == max {
			fmt.Fprintf(&b, "… and %d more\n", len(lines)-n)
			break
		}
		if n == 0 {
			b.WriteString("\nNeeds attention:\n")
		}
		line := fmt.Sprintf("- %s %s: %s", res.User, res.Step, res.Outcome)
		if res.Message != "" {
			line += " (" + res.Message + ")"
		}
		if res.Error != "" {
			line += ": " + res.Error
		}
		b.WriteString(line + "\n")
		n++
	}
	return b.String()
}
