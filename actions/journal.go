package actions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// EntryType says what a journal entry records.
type EntryType string

// The journal's entry types.
const (
	// EntryRun opens a run (or the resumption of one) of a plan.
	EntryRun EntryType = "run"
	// EntryVerified records that a user's fingerprint was checked against
	// the site, so a resumed run does not check it again (the run's own
	// steps change what the fingerprint covers).
	EntryVerified EntryType = "verified"
	// EntryStarted is written, and synced, before a step's write.
	EntryStarted EntryType = "started"
	// EntryOutcome is written after the step, with its outcome.
	EntryOutcome EntryType = "outcome"
)

// JournalEntry is one line of a journal.
type JournalEntry struct {
	Type   EntryType   `json:"type"`
	Time   time.Time   `json:"time"`
	Run    string      `json:"run"`
	Plan   string      `json:"plan"`
	Flavor jira.Flavor `json:"flavor,omitzero"`
	// Site is the site's base URL, in a run entry: undo acts on it only.
	Site string `json:"site,omitempty"`
	// Step identifies the step: "<user id>#<index in the user's steps>",
	// or "#run-issue" for the issue of the run.
	StepID string    `json:"stepId,omitempty"`
	User   *Identity `json:"user,omitempty"`
	Step   *Step     `json:"step,omitempty"`
	// Value is the value a set-property step writes, placeholders filled.
	Value json.RawMessage `json:"value,omitempty"`
	// Previous is the property's value before a set-property or
	// delete-property step, when known.
	Previous json.RawMessage `json:"previous,omitempty"`
	Outcome  Outcome         `json:"outcome,omitempty"`
	// Fallback is "deactivate" when a delete deactivated instead.
	Fallback StepKind `json:"fallback,omitempty"`
	Message  string   `json:"message,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// Journal is an append-only file of JSON lines, one entry per line, each
// synced to disk before the next write, that makes a run resumable: see
// the package documentation, "Journal and resume". It is safe for
// concurrent use.
type Journal struct {
	mu      sync.Mutex
	w       io.Writer
	f       *os.File
	entries []JournalEntry
}

// OpenJournal opens the journal at path, creating it if needed, takes an
// exclusive lock on it (held until Close; a second run of the same plan,
// in this process or another, gets an error matching [ErrLocked] rather
// than writing every step again), and reads the entries already in it. A
// last line cut short by a crash is removed.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("actions: journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("actions: journal %s is %w: another run of the plan is writing it; wait for it to end, then run again to resume", path, ErrLocked)
		}
		return nil, fmt.Errorf("actions: journal %s: %w", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("actions: journal %s: %w", path, err)
	}
	if n := len(data); n > 0 && data[n-1] != '\n' {
		keep := bytes.LastIndexByte(data, '\n') + 1
		if err := f.Truncate(int64(keep)); err != nil {
			f.Close()
			return nil, fmt.Errorf("actions: journal %s: %w", path, err)
		}
		data = data[:keep]
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, fmt.Errorf("actions: journal %s: %w", path, err)
	}
	entries, err := ReadJournal(bytes.NewReader(data))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Journal{w: f, f: f, entries: entries}, nil
}

// NewJournal uses rw as a journal: it reads the entries already in it,
// then appends. If rw has a Sync() error method it is called after each
// entry. Use it for journals kept elsewhere than in a file, and in tests.
func NewJournal(rw io.ReadWriter) (*Journal, error) {
	data, err := io.ReadAll(rw)
	if err != nil {
		return nil, fmt.Errorf("actions: journal: %w", err)
	}
	entries, err := ReadJournal(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if n := len(data); n > 0 && data[n-1] != '\n' {
		if _, err := rw.Write([]byte("\n")); err != nil { // end the cut line
			return nil, fmt.Errorf("actions: journal: %w", err)
		}
	}
	return &Journal{w: rw, entries: entries}, nil
}

// ReadJournal reads the entries of a journal. Lines that are not JSON —
// a line cut short by a crash — are skipped: an entry counts only once it
// was written whole.
func ReadJournal(r io.Reader) ([]JournalEntry, error) {
	var out []JournalEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e JournalEntry
		if json.Unmarshal(line, &e) != nil || e.Type == "" {
			continue
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("actions: reading journal: %w", err)
	}
	return out, nil
}

// Entries returns the journal's entries: those read when it was opened
// and those written since.
func (j *Journal) Entries() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.entries)
}

// append writes one entry and syncs it.
func (j *Journal) append(e JournalEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("actions: journal entry: %w", err)
	}
	b = append(b, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("actions: writing journal: %w", err)
	}
	var serr error
	if j.f != nil {
		serr = j.f.Sync()
	} else if s, ok := j.w.(interface{ Sync() error }); ok {
		serr = s.Sync()
	}
	if serr != nil {
		return fmt.Errorf("actions: syncing journal: %w", serr)
	}
	j.entries = append(j.entries, e)
	return nil
}

// Close closes the journal's file, if it has one, releasing its lock.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	return j.f.Close()
}

// journalState is what a journal says about a plan's steps.
type journalState struct {
	final   map[string]JournalEntry // outcome entries that end a step
	failed  map[string]JournalEntry // last outcome was failed or skipped
	started map[string]JournalEntry // started with no outcome after it
	// attempted are the steps with a started entry, outcome or not.
	attempted map[string]bool
	verified  map[string]bool // user ID → fingerprint checked
}

func readState(entries []JournalEntry, planID string) (*journalState, error) {
	st := &journalState{final: map[string]JournalEntry{}, failed: map[string]JournalEntry{},
		started: map[string]JournalEntry{}, verified: map[string]bool{}, attempted: map[string]bool{}}
	for _, e := range entries {
		if e.Plan != planID {
			return nil, fmt.Errorf("actions: the journal is for plan %s, not %s", e.Plan, planID)
		}
		switch e.Type {
		case EntryVerified:
			if e.User != nil {
				st.verified[e.User.ID()] = true
			}
		case EntryStarted:
			st.started[e.StepID] = e
			st.attempted[e.StepID] = true
		case EntryOutcome:
			if s, ok := st.started[e.StepID]; ok {
				if e.Value == nil {
					e.Value = s.Value
				}
				if e.Previous == nil {
					e.Previous = s.Previous
				}
				delete(st.started, e.StepID)
			}
			if e.Outcome.final() {
				st.final[e.StepID] = e
				delete(st.failed, e.StepID)
			} else {
				st.failed[e.StepID] = e
			}
		}
	}
	return st, nil
}

var errJournalMismatch = errors.New("actions: the journal does not match the plan")

// Done reports whether the journal records an outcome for every step of
// plan that is not to be repeated (applied, no-op, exempt, stale,
// refused): a run of plan would write nothing. An undo whose journal is
// done is already undone.
func (j *Journal) Done(plan *Plan) bool {
	st, err := readState(j.Entries(), plan.ID)
	if err != nil || len(st.final) == 0 {
		return false
	}
	for _, u := range plan.Users {
		for i := range u.Steps {
			if _, ok := st.final[stepID(u.User, i)]; !ok {
				return false
			}
		}
	}
	return true
}
