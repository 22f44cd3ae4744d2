package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report/history/historydb"
)

// historyHelp is the --history flag's text.
const historyHelp = "the history of plans and runs: a SQLite `URL` or file path, or postgres://… shared by replicas " +
	"(default $" + historyEnv + ", else DIR/history.db in --data-dir)"

const historyEnv = historydb.EnvURL

// openHistory opens the history that --history, else
// SEATWARDEN_HISTORY_URL, else dataDir/history.db names.
//
// With SQLite the server is alone: it locks its data directory (and the
// history file, when it lies elsewhere), and a second server on either is
// refused. With PostgreSQL, replicas share the history and nothing is
// locked on disk: a plan is claimed once by the store's transaction, and
// the plan a replica applies holds an advisory lock, so that another
// replica starting meanwhile does not reset it (see historydb). closeFn
// closes the history and releases the locks.
func (p program) openHistory(ctx context.Context, f flags, dataDir string) (h *historydb.History, closeFn func(), err error) {
	raw, source := f.history, "--history"
	if raw == "" {
		if raw = p.getenv(historyEnv); raw != "" {
			source = historyEnv
		}
	}
	if raw == "" {
		raw, source = filepath.Join(dataDir, "history.db"), "--data-dir"
	}
	kind, target, err := historydb.Parse(raw)
	if err != nil {
		return nil, nil, usageError(source + ": " + err.Error())
	}
	var locks []*actions.FileLock
	unlock := func() {
		for _, l := range locks {
			_ = l.Unlock()
		}
	}
	if kind == "sqlite" {
		// One server per data directory and per history file: a second
		// one would reset the plans the first is applying and apply them
		// again.
		paths := map[string]string{"data directory " + dataDir: filepath.Join(dataDir, "seatwarden.lock")}
		if filepath.Dir(mustAbs(target)) != mustAbs(dataDir) {
			paths["history "+target] = target + ".lock"
		}
		for what, path := range paths {
			l, err := actions.LockFile(path)
			if err != nil {
				unlock()
				return nil, nil, fmt.Errorf("%s: another server uses it: %w", what, err)
			}
			locks = append(locks, l)
		}
	}
	if h, err = historydb.Open(ctx, raw); err != nil {
		unlock()
		return nil, nil, fmt.Errorf("history not opened (%s): %w", source, err)
	}
	return h, func() { h.Close(); unlock() }, nil
}

func mustAbs(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	return abs
}
