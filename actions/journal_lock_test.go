package actions_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
)

// TestJournalOneWriter: a journal open for one run cannot be opened by
// another until it is closed.
func TestJournalOneWriter(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "plan.journal")
	j, err := actions.OpenJournal(path)
	require.NoError(t, err)
	_, err = actions.OpenJournal(path)
	require.ErrorIs(t, err, actions.ErrLocked)
	assert.Contains(t, err.Error(), "another run of the plan is writing it")
	require.NoError(t, j.Close())
	j, err = actions.OpenJournal(path)
	require.NoError(t, err, "free once closed")
	require.NoError(t, j.Close())
}

// TestJournalTornLastLine: a last line cut short by a crash is dropped and
// the journal opens; the entries before it are kept.
func TestJournalTornLastLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "plan.journal")
	whole := `{"type":"run","time":"2026-03-01T00:00:00Z","run":"r","plan":"p"}` + "\n"
	require.NoError(t, os.WriteFile(path, []byte(whole+`{"type":"outc`), 0o600))
	j, err := actions.OpenJournal(path)
	require.NoError(t, err)
	assert.Len(t, j.Entries(), 1)
	require.NoError(t, j.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, whole, string(data), "the torn line is removed")
}

// TestLockFile: a directory's lock names its holder's process.
func TestLockFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seatwarden.lock")
	l, err := actions.LockFile(path)
	require.NoError(t, err)
	_, err = actions.LockFile(path)
	require.ErrorIs(t, err, actions.ErrLocked)
	assert.Contains(t, err.Error(), "(pid ")
	require.NoError(t, l.Unlock())
	l, err = actions.LockFile(path)
	require.NoError(t, err)
	require.NoError(t, l.Unlock())
}
