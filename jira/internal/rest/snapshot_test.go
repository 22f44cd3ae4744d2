package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// fakeSite is a site of users u0…u(n-1) in groups g0…g(groups-1), user i
// in group i%groups, counting the requests a Fill makes.
type fakeSite struct {
	users, groups   int
	perUser, member atomic.Int32
}

func (f *fakeSite) fill() *Fill {
	return &Fill{Pkg: "test",
		Property: func(_ context.Context, u *jira.User, key string) (json.RawMessage, error) {
			if u.Key == "u1" {
				return nil, jira.ErrNotFound
			}
			return json.RawMessage(`"` + u.Key + "." + key + `"`), nil
		},
		UserGroups: func(_ context.Context, u *jira.User) ([]string, error) {
			f.perUser.Add(1)
			var i int
			fmt.Sscanf(u.Key, "u%d", &i)
			return []string{fmt.Sprintf("g%d", i%f.groups)}, nil
		},
		ListGroups: func(context.Context) ([]jira.Group, int, error) {
			out := make([]jira.Group, f.groups)
			for i := range out {
				out[i] = jira.Group{Name: fmt.Sprintf("g%d", i)}
			}
			return out, 1, nil
		},
		Members: func(_ context.Context, g jira.Group) iter.Seq2[string, error] {
			return func(yield func(string, error) bool) {
				var gi int
				fmt.Sscanf(g.Name, "g%d", &gi)
				for i := gi; i < f.users; i += f.groups {
					if i%MembersPage == 0 {
						f.member.Add(1)
					}
					if !yield(fmt.Sprintf("u%d", i), nil) {
						return
					}
				}
			}
		},
	}
}

func (f *fakeSite) inner(jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		for i := range f.users {
			if !yield(jira.User{Key: fmt.Sprintf("u%d", i)}, nil) {
				return
			}
		}
	}
}

func collect(t *testing.T, seq iter.Seq2[jira.User, error]) []jira.User {
	t.Helper()
	var out []jira.User
	for u, err := range seq {
		require.NoError(t, err)
		out = append(out, u)
	}
	return out
}

// TestFillChoosesTheCheaperWay: with few groups the members are walked;
// with as many groups as users each user is read; either way every user
// gets the same groups, in the order the inner snapshot gave them.
func TestFillChoosesTheCheaperWay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		users, groups int
		walk          bool
	}{{1000, 4, true}, {30, 30, false}, {30, 40, false}} {
		t.Run(fmt.Sprintf("%d users %d groups", c.users, c.groups), func(t *testing.T) {
			t.Parallel()
			f := &fakeSite{users: c.users, groups: c.groups}
			got := collect(t, f.fill().Snapshot(t.Context(), jira.SnapshotOptions{AllGroups: true}, f.inner))
			require.Len(t, got, c.users)
			for i, u := range got {
				assert.Equal(t, fmt.Sprintf("u%d", i), u.Key)
				assert.Equal(t, []string{fmt.Sprintf("g%d", i%c.groups)}, u.Groups, u.Key)
			}
			if c.walk {
				assert.Zero(t, f.perUser.Load())
				assert.Less(t, int(f.member.Load()), c.users/10)
			} else {
				assert.EqualValues(t, c.users, f.perUser.Load())
			}
		})
	}
}

// TestFillWalkOverBudget: a walk that reaches as many requests as there
// are users stops and reads each user instead.
func TestFillWalkOverBudget(t *testing.T) {
	t.Parallel()
	f := &fakeSite{users: 120, groups: 4}
	fill := f.fill()
	// Each group has 2,000 members (40 pages): 4 groups cost 160
	// requests, more than reading the 120 users.
	fill.Members = func(ctx context.Context, g jira.Group) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for i := range 2000 {
				if !yield(fmt.Sprintf("x%s-%d", g.Name, i), nil) {
					return
				}
			}
		}
	}
	got := collect(t, fill.Snapshot(t.Context(), jira.SnapshotOptions{AllGroups: true}, f.inner))
	require.Len(t, got, 120)
	assert.EqualValues(t, 120, f.perUser.Load(), "fell back to one read per user")
	assert.Equal(t, []string{"g1"}, got[1].Groups)
}

// TestFillProperties: properties are read for every user (8 at a time),
// a missing one is left out, and the users keep their order.
func TestFillProperties(t *testing.T) {
	t.Parallel()
	f := &fakeSite{users: 600, groups: 3}
	got := collect(t, f.fill().Snapshot(t.Context(), jira.SnapshotOptions{Properties: []string{"a", "b"}}, f.inner))
	require.Len(t, got, 600)
	for i, u := range got {
		require.Equal(t, fmt.Sprintf("u%d", i), u.Key)
		if i == 1 {
			assert.Nil(t, u.Properties)
			continue
		}
		assert.JSONEq(t, `"`+u.Key+`.b"`, string(u.Properties["b"]))
	}
}

// TestEach runs every index once, at most Workers at a time, and returns
// the error of the lowest failing index.
func TestEach(t *testing.T) {
	t.Parallel()
	var running, peak, calls atomic.Int32
	err := Each(t.Context(), 100, func(_ context.Context, i int) error {
		calls.Add(1)
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.EqualValues(t, 100, calls.Load())
	assert.LessOrEqual(t, peak.Load(), int32(Workers))

	boom := errors.New("boom")
	err = Each(t.Context(), 50, func(_ context.Context, i int) error {
		if i == 7 {
			return fmt.Errorf("at %d: %w", i, boom)
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "at 7")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = Each(ctx, 50, func(ctx context.Context, i int) error { return ctx.Err() })
	require.ErrorIs(t, err, context.Canceled)
}

// TestFillListGroupsFails: a site that will not list its groups (DC with
// more groups than a picker URL can exclude) has each user read instead.
func TestFillListGroupsFails(t *testing.T) {
	t.Parallel()
	f := &fakeSite{users: 200, groups: 4}
	fill := f.fill()
	fill.ListGroups = func(context.Context) ([]jira.Group, int, error) {
		return nil, 3, errors.New("too many groups")
	}
	got := collect(t, fill.Snapshot(t.Context(), jira.SnapshotOptions{AllGroups: true}, f.inner))
	require.Len(t, got, 200)
	assert.EqualValues(t, 200, f.perUser.Load())
	assert.Equal(t, []string{"g3"}, got[7].Groups)
}
