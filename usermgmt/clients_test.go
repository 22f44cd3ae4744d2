package usermgmt_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// gated is a client whose snapshots wait for its gate to open, so that a
// test can start several at once; it counts them.
type gated struct {
	usermgmt.Client
	gate      chan struct{}
	snapshots atomic.Int32
	cancelled atomic.Int32
}

func (g *gated) Snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	g.snapshots.Add(1)
	return func(yield func(jira.User, error) bool) {
		select {
		case <-g.gate:
		case <-ctx.Done():
			g.cancelled.Add(1)
			yield(jira.User{}, ctx.Err())
			return
		}
		for u, err := range g.Client.Snapshot(ctx, opts) {
			if !yield(u, err) {
				return
			}
		}
	}
}

func TestClientsOneClientPerSite(t *testing.T) {
	t.Parallel()
	fake := jiratest.NewServer(t)
	var connects atomic.Int32
	cs := usermgmt.NewClients(func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		connects.Add(1)
		return usermgmt.Connect(ctx, s)
	})
	base := fakeSite(fake)
	base.Flavor = 0 // detected, once
	var wg sync.WaitGroup
	got := make([]usermgmt.Client, 20)
	for i := range got {
		wg.Go(func() {
			s := base
			s.Name = fmt.Sprintf("name-%d", i%3) // names do not make another site
			c, err := cs.Client(t.Context(), s)
			assert.NoError(t, err)
			got[i] = c
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, connects.Load())
	for _, c := range got {
		assert.Same(t, got[0], c)
	}
	assert.Equal(t, 1, fake.Count("GET /rest/api/2/serverInfo"), "one flavour detection for twenty callers")

	// Anything that reaches the wire differently is another client.
	other := base
	other.Token = "another-token"
	c, err := cs.Client(t.Context(), other)
	require.NoError(t, err)
	assert.NotSame(t, got[0], c)
	assert.EqualValues(t, 2, connects.Load())
}

func TestClientsFailedConnectIsNotRemembered(t *testing.T) {
	t.Parallel()
	fake := jiratest.NewServer(t)
	var calls atomic.Int32
	cs := usermgmt.NewClients(func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("site down")
		}
		return usermgmt.Connect(ctx, s)
	})
	_, err := cs.Client(t.Context(), fakeSite(fake))
	require.EqualError(t, err, "site down")
	c, err := cs.Client(t.Context(), fakeSite(fake))
	require.NoError(t, err)
	assert.NotNil(t, c)
}

func TestClientsUncomparableTransport(t *testing.T) {
	t.Parallel()
	cs := usermgmt.NewClients(nil)
	_, err := cs.Client(t.Context(), usermgmt.Site{URL: "https://jira.example.com", Token: "t", Transport: funcTransport(nil)})
	require.ErrorContains(t, err, "cannot be compared")
}

type funcTransport func()

func (funcTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("unused")
}

func TestClientsSharedSnapshot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := jiratest.New(jiratest.WithOrg(genOrg(300)))
		g := &gated{gate: make(chan struct{})}
		cs := usermgmt.NewClients(func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			c, err := usermgmt.Connect(ctx, s)
			g.Client = c
			return g, err
		})
		site := fakeSite(fake)
		opts := jira.SnapshotOptions{Licences: true, Groups: []string{"jira-software-users"}}
		snaps := make([]*usermgmt.Snapshot, 10)
		var wg sync.WaitGroup
		for i := range snaps {
			wg.Go(func() {
				s, err := cs.Snapshot(t.Context(), usermgmt.SnapshotRequest{Site: site, Options: opts})
				assert.NoError(t, err)
				snaps[i] = s
			})
		}
		synctest.Wait()
		close(g.gate)
		wg.Wait()
		assert.EqualValues(t, 1, g.snapshots.Load(), "ten callers, one fetch")
		shared := 0
		for _, s := range snaps {
			require.Equal(t, len(fake.Users()), len(s.Users))
			if s.Shared {
				shared++
			}
		}
		assert.Equal(t, 9, shared, "all but the caller who fetched")

		// A later caller that accepts an age reuses it, with options it
		// covers; one that does not, or wants more, fetches.
		time.Sleep(30 * time.Second)
		s, err := cs.Snapshot(t.Context(), usermgmt.SnapshotRequest{Site: site, MaxAge: time.Minute,
			Options: jira.SnapshotOptions{Licences: true}})
		require.NoError(t, err)
		assert.True(t, s.Shared)
		assert.Equal(t, 30*time.Second, s.Age(time.Now()))
		assert.EqualValues(t, 1, g.snapshots.Load())

		_, err = cs.Snapshot(t.Context(), usermgmt.SnapshotRequest{Site: site, Options: opts})
		require.NoError(t, err)
		assert.EqualValues(t, 2, g.snapshots.Load(), "no max age: fresh")

		_, err = cs.Snapshot(t.Context(), usermgmt.SnapshotRequest{Site: site, MaxAge: time.Hour,
			Options: jira.SnapshotOptions{Licences: true, LastLogin: true}})
		require.NoError(t, err)
		assert.EqualValues(t, 3, g.snapshots.Load(), "last login was not read: fetch")

		time.Sleep(2 * time.Minute)
		_, err = cs.Snapshot(t.Context(), usermgmt.SnapshotRequest{Site: site, MaxAge: time.Minute, Options: opts})
		require.NoError(t, err)
		assert.EqualValues(t, 4, g.snapshots.Load(), "too old: fetch")
	})
}

func TestClientsSnapshotStopsWhenEveryoneLeaves(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := jiratest.New(jiratest.WithOrg(genOrg(50)))
		g := &gated{gate: make(chan struct{})}
		cs := usermgmt.NewClients(func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			c, err := usermgmt.Connect(ctx, s)
			g.Client = c
			return g, err
		})
		site := fakeSite(fake)
		ctx1, cancel1 := context.WithCancel(t.Context())
		ctx2, cancel2 := context.WithCancel(t.Context())
		errs := make(chan error, 2)
		for _, ctx := range []context.Context{ctx1, ctx2} {
			go func() {
				_, err := cs.Snapshot(ctx, usermgmt.SnapshotRequest{Site: site})
				errs <- err
			}()
		}
		synctest.Wait()
		cancel1()
		require.ErrorIs(t, <-errs, context.Canceled)
		synctest.Wait()
		assert.Zero(t, g.cancelled.Load(), "one caller still waits: the fetch goes on")
		cancel2()
		require.ErrorIs(t, <-errs, context.Canceled)
		synctest.Wait()
		assert.EqualValues(t, 1, g.cancelled.Load(), "nobody waits: the fetch stops")
	})
}

// Concurrent plans of one policy through Managers that share Clients make
// one client and one snapshot.
func TestManagersShareClients(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := jiratest.New(jiratest.WithOrg(genOrg(200)))
		g := &gated{gate: make(chan struct{})}
		var connects atomic.Int32
		cs := usermgmt.NewClients(func(ctx context.Context, _ usermgmt.Site) (usermgmt.Client, error) {
			connects.Add(1)
			c, err := usermgmt.Connect(ctx, fakeSite(fake))
			g.Client = c
			return g, err
		})
		f := parse(t, fmt.Sprintf(inactivePolicy, 1000))
		plans := make([]int, 20)
		var wg sync.WaitGroup
		for i := range plans {
			wg.Go(func() {
				m, err := usermgmt.New(usermgmt.Config{Policies: f, Clients: cs, Now: func() time.Time { return mgrNow }})
				if !assert.NoError(t, err) {
					return
				}
				p, _, err := m.Plan(t.Context())
				if assert.NoError(t, err) {
					plans[i] = len(p.Users)
				}
			})
		}
		synctest.Wait()
		close(g.gate)
		wg.Wait()
		assert.EqualValues(t, 1, connects.Load())
		assert.EqualValues(t, 1, g.snapshots.Load())
		for _, n := range plans {
			assert.Equal(t, plans[0], n)
		}
		assert.NotZero(t, plans[0])
	})
}
