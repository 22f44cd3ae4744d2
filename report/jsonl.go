package report

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// SchemaVersion is the version of the JSON-lines run log's schema
// ("schema" in every record). Fields may be added within a version;
// renaming or removing one, or changing its meaning, is a new version.
const SchemaVersion = 1

// StepRecord is one line of the run log per step result ("type":"step").
// See the package documentation, "Run log".
type StepRecord struct {
	Schema   int              `json:"schema"`
	Type     string           `json:"type"` // "step"
	Time     time.Time        `json:"time"` // when the run finished
	RunID    string           `json:"runId"`
	PlanID   string           `json:"planId"`
	DryRun   bool             `json:"dryRun"`
	StepID   string           `json:"stepId"`
	User     actions.Identity `json:"user"`
	Policies []string         `json:"policies,omitempty"`
	Step     actions.StepKind `json:"step"`
	Target   string           `json:"target,omitempty"`
	Outcome  actions.Outcome  `json:"outcome"`
	Message  string           `json:"message,omitempty"`
	Error    string           `json:"error,omitempty"`
}

// RunRecord is the last line of a run in the run log ("type":"run").
type RunRecord struct {
	Schema        int                     `json:"schema"`
	Type          string                  `json:"type"` // "run"
	Time          time.Time               `json:"time"` // when the run finished
	RunID         string                  `json:"runId"`
	PlanID        string                  `json:"planId"`
	Policies      []string                `json:"policies"`
	Site          string                  `json:"site,omitempty"`
	Flavor        jira.Flavor             `json:"flavor,omitzero"`
	DryRun        bool                    `json:"dryRun"`
	Resumed       bool                    `json:"resumed,omitempty"`
	Started       time.Time               `json:"started"`
	Finished      time.Time               `json:"finished"`
	Steps         int                     `json:"steps"`
	Counts        map[actions.Outcome]int `json:"counts"`
	ApprovalIssue string                  `json:"approvalIssue,omitempty"`
	// LimitOverride is the blast-radius limit the run went over, with the
	// reason given (added in schema 1; absent when no limit was overridden).
	LimitOverride *actions.LimitOverride `json:"limitOverride,omitempty"`
}

// WriteJSONL writes the run log of r to w: one [StepRecord] per result,
// in the run's order, then one [RunRecord].
func WriteJSONL(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	policies := r.policiesOf()
	for _, res := range r.Results {
		rec := StepRecord{Schema: SchemaVersion, Type: "step", Time: r.Finished.UTC(), RunID: r.RunID,
			PlanID: r.PlanID, DryRun: r.DryRun, StepID: res.StepID, User: res.User,
			Policies: policies(res.User.ID()), Step: res.Step.Kind, Target: res.Step.Target(),
			Outcome: res.Outcome, Message: res.Message, Error: res.Error}
		if rec.Error == "" && res.Err != nil {
			rec.Error = res.Err.Error()
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	pol := r.Policies
	if pol == nil {
		pol = []string{}
	}
	counts := r.Counts
	if counts == nil {
		counts = map[actions.Outcome]int{}
	}
	if err := enc.Encode(RunRecord{Schema: SchemaVersion, Type: "run", Time: r.Finished.UTC(), RunID: r.RunID,
		PlanID: r.PlanID, Policies: pol, Site: r.Site, Flavor: r.Flavor, DryRun: r.DryRun, Resumed: r.Resumed,
		Started: r.Started.UTC(), Finished: r.Finished.UTC(), Steps: len(r.Results), Counts: counts,
		ApprovalIssue: r.ApprovalIssue, LimitOverride: r.LimitOverride}); err != nil {
		return err
	}
	return bw.Flush()
}

// JSONL is the JSON-lines run log sink: each report appends its records
// (see [WriteJSONL]) to a writer or to a file.
type JSONL struct {
	mu   sync.Mutex
	w    io.Writer
	path string
}

// NewJSONL returns a run-log sink writing to w. It is safe for concurrent
// use: the records of one run are never interleaved with another's.
func NewJSONL(w io.Writer) *JSONL { return &JSONL{w: w} }

// JSONLFile returns a run-log sink appending to the file at path, created
// with mode 0600 if missing; each Write opens, appends, syncs and closes.
func JSONLFile(path string) *JSONL { return &JSONL{path: path} }

// Name returns "jsonl" and the file's path.
func (s *JSONL) Name() string {
	if s.path != "" {
		return "jsonl " + s.path
	}
	return "jsonl"
}

// Write appends the run's records.
func (s *JSONL) Write(_ context.Context, r *Report) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path == "" {
		return WriteJSONL(s.w, r)
	}
	return appendFile(s.path, func(w io.Writer) error { return WriteJSONL(w, r) })
}

func appendFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// createFile writes a whole file: to a temporary file beside it, renamed
// over path when complete, so a reader never sees half a report.
func createFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
