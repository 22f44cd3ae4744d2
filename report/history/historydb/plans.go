package historydb

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/postgres"
	"github.com/seatwarden/seatwarden/schedule/pglock"
)

// PlanLockPrefix is put before a plan's id to name the advisory lock a
// replica holds while it applies the plan (PostgreSQL only).
const PlanLockPrefix = "seatwarden/plan/"

// ApprovalLockPrefix is put before a plan's digest to name the advisory
// lock a replica holds while it records the plan and files its approval
// issue (PostgreSQL only; see History.LockApproval).
const ApprovalLockPrefix = "seatwarden/approval/"

// lockedPlans is the PostgreSQL store whose plans are locked while they
// are applied, so that a replica resetting the plans a crash left
// applying (usermgmt.Approvals.Recover, at start) never resets one that
// another, live replica is applying:
//
//   - a move to applying (a claim) first takes the plan's advisory lock,
//     and keeps it until the plan leaves applying; a plan whose lock
//     another session holds is not claimed (UpdatePlan reports false);
//   - a move out of applying by a caller who does not hold the lock (the
//     reset of an interrupted plan) happens only if it can take the lock:
//     the session that held it — the replica that claimed the plan — is
//     gone. Otherwise the plan is left as it is and UpdatePlan reports
//     false.
//
// The lock is a session lock: it is released when its holder's connection
// ends (a killed process), as the schedule's locks are. The move itself
// stays the store's compare-and-set, so a plan is still claimed once.
//
// Within one process a move out of applying is taken for the end of the
// process's own apply when it holds the plan's lock: Recover must run at
// start, before the process applies anything (as its documentation says).
type lockedPlans struct {
	*postgres.Store
	locks *pglock.Locker
	// approvals serialises usermgmt.Approvals.Record of one plan across
	// replicas.
	approvals *pglock.Locker

	mu   sync.Mutex
	held map[string]func() // plan id → release, while this process applies it
}

func newLockedPlans(s *postgres.Store) *lockedPlans {
	return &lockedPlans{Store: s, locks: &pglock.Locker{DB: s.DB(), Prefix: PlanLockPrefix},
		approvals: &pglock.Locker{DB: s.DB(), Prefix: ApprovalLockPrefix}, held: map[string]func(){}}
}

// LockApproval waits for the advisory lock named ApprovalLockPrefix +
// key: a session lock, released by release or when the holder's
// connection ends.
func (s *lockedPlans) LockApproval(ctx context.Context, key string) (release func(), err error) {
	return s.approvals.Lock(ctx, key)
}

// UpdatePlan is the store's compare-and-set, with the plan's lock taken
// by a claim and checked by a reset (see lockedPlans).
func (s *lockedPlans) UpdatePlan(ctx context.Context, id string, from []history.PlanStatus, to history.PlanStatus, runID, errMsg string, now time.Time) (bool, error) {
	leaving := slices.Contains(from, history.PlanApplying) && to != history.PlanApplying
	switch {
	case to == history.PlanApplying:
		release, ok, err := s.locks.TryLock(ctx, id)
		if err != nil || !ok {
			return false, err
		}
		moved, err := s.Store.UpdatePlan(ctx, id, from, to, runID, errMsg, now)
		if err != nil || !moved {
			release()
			return moved, err
		}
		s.mu.Lock()
		s.held[id] = release
		s.mu.Unlock()
		return true, nil
	case leaving:
		s.mu.Lock()
		release, ours := s.held[id]
		delete(s.held, id)
		s.mu.Unlock()
		if !ours {
			var ok bool
			var err error
			if release, ok, err = s.locks.TryLock(ctx, id); err != nil || !ok {
				// Its applier is alive (or the database is unreachable).
				return false, err
			}
		}
		defer release()
		return s.Store.UpdatePlan(ctx, id, from, to, runID, errMsg, now)
	}
	return s.Store.UpdatePlan(ctx, id, from, to, runID, errMsg, now)
}

// Close releases the plans' locks this process holds, then closes the
// store.
func (s *lockedPlans) Close() error {
	s.mu.Lock()
	held := s.held
	s.held = map[string]func(){}
	s.mu.Unlock()
	for _, release := range held {
		release()
	}
	return s.Store.Close()
}
