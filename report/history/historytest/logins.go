package historytest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/report/history"
)

// TestLoginStore checks a history.LoginStore that open returns new and
// empty: a policy never checked has the zero state; a check records its
// time (microseconds kept), the users' last logins (never logged in as the
// zero time) and the pending users; a later check updates only the users it
// names, and drops those it forgets; a check from a state that is no longer the stored one (a stale
// prev, or a second first check) changes nothing and returns
// history.ErrLoginConflict, also when two callers race; DoneLogins clears
// pending marks; policies and sites do not see each other's state.
func TestLoginStore(t *testing.T, open func(t *testing.T) history.LoginStore) {
	t.Helper()
	ctx := t.Context()
	s := open(t)
	const policy = "licence-back-on-login"

	st, err := s.Logins(ctx, policy, site)
	must(t, err)
	same(t, "a policy never checked", st.Checked.IsZero() && len(st.Last) == 0 && len(st.Pending) == 0, true)

	c1 := t0.Add(123456 * time.Microsecond)
	a1 := t0.Add(-time.Hour)
	must(t, s.SaveLogins(ctx, policy, site, time.Time{}, history.LoginUpdate{Checked: c1,
		Last: map[string]time.Time{"alice": a1, "bob": {}}}))
	st, err = s.Logins(ctx, policy, site)
	must(t, err)
	same(t, "checked after the first check", st.Checked.UTC(), c1)
	same(t, "last logins after the first check", st.Last, map[string]time.Time{"alice": a1, "bob": {}})
	same(t, "pending after the first check", len(st.Pending), 0)

	err = s.SaveLogins(ctx, policy, site, time.Time{}, history.LoginUpdate{Checked: c1.Add(time.Minute),
		Last: map[string]time.Time{"alice": t0}})
	same(t, "a second first check is a conflict", errors.Is(err, history.ErrLoginConflict), true)

	c2 := c1.Add(15 * time.Minute)
	a2, b2, c := t0.Add(5*time.Minute), t0.Add(6*time.Minute), t0.Add(7*time.Minute+999*time.Microsecond)
	must(t, s.SaveLogins(ctx, policy, site, st.Checked, history.LoginUpdate{Checked: c2,
		Last: map[string]time.Time{"alice": a2, "bob": b2, "carol": c}, Pending: []string{"carol", "alice"}}))
	err = s.SaveLogins(ctx, policy, site, c1, history.LoginUpdate{Checked: c2.Add(time.Minute),
		Last: map[string]time.Time{"alice": c2}, Pending: []string{"bob"}})
	same(t, "a check from a stale state is a conflict", errors.Is(err, history.ErrLoginConflict), true)
	st, err = s.Logins(ctx, policy, site)
	must(t, err)
	same(t, "checked after the second check", st.Checked.UTC(), c2)
	same(t, "last logins after the second check", utc(st.Last), map[string]time.Time{"alice": a2, "bob": b2, "carol": c})
	same(t, "pending after the second check, sorted", st.Pending, []string{"alice", "carol"})

	must(t, s.DoneLogins(ctx, policy, site, []string{"alice"}))
	st, err = s.Logins(ctx, policy, site)
	must(t, err)
	same(t, "pending after alice was acted on", st.Pending, []string{"carol"})

	c3 := c2.Add(15 * time.Minute)
	must(t, s.SaveLogins(ctx, policy, site, c2, history.LoginUpdate{Checked: c3, Forget: []string{"bob"}}))
	st, err = s.Logins(ctx, policy, site)
	must(t, err)
	same(t, "last logins after bob left the site", utc(st.Last), map[string]time.Time{"alice": a2, "carol": c})
	c2 = c3

	// Another policy and another site have their own state.
	for _, other := range [][2]string{{"other-policy", site}, {policy, "https://other.example.com"}} {
		st, err := s.Logins(ctx, other[0], other[1])
		must(t, err)
		same(t, "state of "+other[0]+" on "+other[1], st.Checked.IsZero() && len(st.Last) == 0, true)
	}

	// Two callers record a check from the same state: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.SaveLogins(ctx, policy, site, c2, history.LoginUpdate{Checked: c2.Add(time.Duration(i+1) * time.Minute),
				Last: map[string]time.Time{"dave": t0}, Pending: []string{"dave"}})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, history.ErrLoginConflict):
			t.Errorf("racing check: %v", err)
		}
	}
	same(t, "racing checks that were recorded", won, 1)
}

func utc(m map[string]time.Time) map[string]time.Time {
	out := make(map[string]time.Time, len(m))
	for k, v := range m {
		out[k] = v.UTC()
	}
	return out
}
