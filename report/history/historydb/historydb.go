package historydb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/postgres"
	"github.com/seatwarden/seatwarden/schedule"
	"github.com/seatwarden/seatwarden/schedule/pglock"
)

// EnvURL is the environment variable the programs read the history's URL
// from when no --history flag is given.
const EnvURL = "SEATWARDEN_HISTORY_URL"

// Store is what both implementations are: the history of runs and
// snapshots, the plans with their approvals and the webhook events, the
// scheduler's last runs, the on-login trigger's checks, one run's summary
// (or history.ErrNoRun), and the schema version (a health check).
type Store interface {
	history.Store
	history.PlanStore
	history.LoginStore
	schedule.LastRuns
	Run(ctx context.Context, runID string) (report.RunSummary, error)
	Version(ctx context.Context) (int, error)
}

var (
	_ Store = (*history.SQLite)(nil)
	_ Store = (*postgres.Store)(nil)
)

// History is an open history and the locker that goes with it. Close
// closes both.
type History struct {
	Store
	// Locker keeps replicas from running a scheduled job at once.
	Locker schedule.Locker
	// Shared is true when several processes may use the history at once
	// (PostgreSQL). A shared history locks each plan while it is applied
	// (an advisory lock named PlanLockPrefix + the plan's id): a plan
	// claimed by a live replica is neither claimed nor reset
	// (usermgmt.Approvals.Recover) by another.
	Shared bool
	// Name is the URL without its password, for logs.
	Name string
}

// Open opens (creating or migrating) the history that url names; see the
// package documentation for the forms. Errors never carry a password.
func Open(ctx context.Context, url string) (*History, error) {
	kind, target, err := Parse(url)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "postgres":
		s, err := postgres.Open(ctx, target)
		if err != nil {
			return nil, err
		}
		return &History{Store: newLockedPlans(s), Locker: pglock.New(s.DB()), Shared: true, Name: redact(target)}, nil
	default:
		s, err := history.OpenSQLite(ctx, target)
		if err != nil {
			return nil, err
		}
		return &History{Store: s, Locker: schedule.NewMemoryLocker(), Name: "sqlite:" + target}, nil
	}
}

// LockApproval makes History a usermgmt.ApprovalLocker: on PostgreSQL it
// waits for the advisory lock named ApprovalLockPrefix + key, so that
// replicas recording one plan at once file one approval issue (the lock is
// released by release, or when the holder's connection ends). On SQLite,
// which one process uses, it returns at once.
func (h *History) LockApproval(ctx context.Context, key string) (release func(), err error) {
	if l, ok := h.Store.(*lockedPlans); ok {
		return l.LockApproval(ctx, key)
	}
	return func() {}, nil
}

// Parse says which store url names — "sqlite" with the file's path, or
// "postgres" with the URL to connect to — without opening it.
func Parse(raw string) (kind, target string, err error) {
	s := strings.TrimSpace(raw)
	scheme, rest, hasScheme := strings.Cut(s, ":")
	switch {
	case s == "":
		return "", "", errors.New("history: no URL (want sqlite:///path, a file path, or postgres://…)")
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		if _, err := url.Parse(s); err != nil {
			return "", "", fmt.Errorf("history: bad PostgreSQL URL: %v", strings.ReplaceAll(err.Error(), s, redact(s)))
		}
		return "postgres", s, nil
	case hasScheme && scheme == "sqlite":
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return "", "", errors.New("history: sqlite URL without a path (want sqlite:///absolute/path or sqlite:relative/path)")
		}
		return "sqlite", path, nil
	case hasScheme && strings.HasPrefix(rest, "//"):
		return "", "", fmt.Errorf("history: unknown URL scheme %q (want sqlite:///path, a file path, or postgres://…)", scheme)
	default:
		return "sqlite", s, nil
	}
}

// redact returns a URL without its password and query.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	u.RawQuery = ""
	return u.Redacted()
}
