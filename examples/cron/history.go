package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report/history/historydb"
)

// historyHelp is the --history flag's text.
const historyHelp = "the history: a SQLite `URL` or file path (created if missing), or postgres://… shared by replicas " +
	"(default $" + historydb.EnvURL + ", else seatwarden-history.db; a temporary directory with --demo)"

// historyError is a history that cannot be used; usage is true when its
// URL is wrong (exit 2) rather than the store unreachable (exit 1).
type historyError struct {
	msg   string
	usage bool
}

func (e *historyError) Error() string { return e.msg }

// openStore opens the history that --history, else SEATWARDEN_HISTORY_URL,
// else the default file names. A SQLite file is for one daemon: its lock
// file (FILE.lock) is taken, and a second daemon is refused. PostgreSQL is
// for replicas: no file is locked, and the history's locker (advisory
// locks on the same database) keeps two daemons from running one policy at
// once. closeFn closes the history (its error is logged) and unlocks.
func (a *app) openStore(ctx context.Context, f flags, log *slog.Logger) (h *historydb.History, closeFn func() error, err error) {
	raw, source := f.history, "--history"
	if raw == "" {
		if v, ok := a.lookupEnv(historydb.EnvURL); ok && v != "" {
			raw, source = v, historydb.EnvURL
		}
	}
	if raw == "" {
		raw, source = "seatwarden-history.db", "the default history"
	}
	kind, target, err := historydb.Parse(raw)
	if err != nil {
		return nil, nil, &historyError{msg: source + ": " + err.Error(), usage: true}
	}
	unlock := func() {}
	if kind == "sqlite" {
		if dir := filepath.Dir(target); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, nil, &historyError{msg: "history: " + err.Error()}
			}
		}
		// One daemon per SQLite history: a second would run the same
		// policies again.
		lock, err := actions.LockFile(target + ".lock")
		if err != nil {
			return nil, nil, &historyError{msg: fmt.Sprintf("history in use: another daemon uses it (%v)", err)}
		}
		unlock = func() { _ = lock.Unlock() }
	}
	h, err = historydb.Open(ctx, raw)
	if err != nil {
		unlock()
		return nil, nil, &historyError{msg: fmt.Sprintf("history not opened (%s): %v", source, err)}
	}
	log.LogAttrs(ctx, slog.LevelInfo, "history opened", slog.String("history", h.Name), slog.Bool("shared", h.Shared))
	return h, func() error {
		defer unlock()
		if err := h.Close(); err != nil {
			log.LogAttrs(context.WithoutCancel(ctx), slog.LevelError, "history not closed", slog.String("error", err.Error()))
			return err
		}
		return nil
	}, nil
}

// historyExit returns the exit code of an error of openStore.
func historyExit(err error) int {
	if he, ok := errors.AsType[*historyError](err); ok && he.usage {
		return exitUsage
	}
	return exitFailed
}
