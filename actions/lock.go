package actions

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrLocked is returned when a journal or a directory is held by another
// writer (another run, another process).
var ErrLocked = errors.New("in use by another process")

// FileLock is an exclusive lock on a file, held until Unlock or the end
// of the process (a killed process releases it).
type FileLock struct {
	f *os.File
}

// LockFile takes an exclusive lock on the file at path, creating it,
// without waiting: when another process (or another open of the file in
// this process) holds it, the error matches [ErrLocked] and names the
// holder's process id when the holder wrote it. The lock file holds the
// process id of its holder. Use it for one writer per data directory.
func LockFile(path string) (*FileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("actions: lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		holder, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, ErrLocked) {
			if pid := strings.TrimSpace(string(holder)); pid != "" {
				return nil, fmt.Errorf("%s is %w (pid %s)", path, ErrLocked, pid)
			}
			return nil, fmt.Errorf("%s is %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("actions: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &FileLock{f: f}, nil
}

// Unlock releases the lock.
func (l *FileLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
