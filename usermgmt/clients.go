package usermgmt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Clients keeps one [Client] per site for a whole program: one connection
// pool, one rate limiter and one flavour detection per site, however many
// operations and [Manager] values use it at once. Concurrent operations
// then queue on the site's limiter instead of each bringing its own, and a
// 429 slows down everyone who shares it. It also shares snapshots: callers
// that need the same snapshot at the same time wait for one fetch.
//
// Create one with [NewClients] and pass it to every [Config] of the
// program (Config.Clients); a Manager without one keeps a Clients of its
// own. Two [Site] values are the same site when they agree on everything
// that reaches the wire: URL, flavour, credentials, Admin API settings,
// login source, rate ceiling, transport and user agent. The Site's Name
// does not count: two names for one site share one client.
//
// A Clients is safe for concurrent use. Its zero value is not usable.
type Clients struct {
	connect func(context.Context, Site) (Client, error)

	mu      sync.Mutex
	clients map[string]*clientEntry
	snaps   map[string]*snapshotCall
}

type clientEntry struct {
	ready chan struct{} // closed when c or err is set
	c     Client
	err   error
}

// NewClients returns an empty set of shared clients that creates each
// client with connect on first use (nil: [Connect]). A failed connection
// is not remembered: the next caller tries again.
func NewClients(connect func(context.Context, Site) (Client, error)) *Clients {
	if connect == nil {
		connect = Connect
	}
	return &Clients{connect: connect, clients: map[string]*clientEntry{}, snaps: map[string]*snapshotCall{}}
}

// Client returns the site's client, connecting on first use. Callers
// that ask while the first connection is under way wait for it.
func (cs *Clients) Client(ctx context.Context, s Site) (Client, error) {
	key, err := siteKey(s)
	if err != nil {
		return nil, err
	}
	for {
		cs.mu.Lock()
		e, ok := cs.clients[key]
		if !ok {
			e = &clientEntry{ready: make(chan struct{})}
			cs.clients[key] = e
			cs.mu.Unlock()
			e.c, e.err = cs.connect(ctx, s)
			if e.err != nil {
				cs.mu.Lock()
				delete(cs.clients, key) // the next caller tries again
				cs.mu.Unlock()
			}
			close(e.ready)
			return e.c, e.err
		}
		cs.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.c, nil
		}
		// The connection that we waited for failed; it may have failed
		// for its caller's reasons (a cancelled context): try ourselves.
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// siteKey is what makes two Sites the same site. Secrets enter it only
// hashed.
func siteKey(s Site) (string, error) {
	var b strings.Builder
	field := func(name, v string) { fmt.Fprintf(&b, "%s=%q;", name, v) }
	field("url", strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s.URL)), "/"))
	field("flavor", s.Flavor.String())
	field("user", s.User)
	field("token", digest(s.Token.Reveal()))
	field("adminUrl", s.AdminURL)
	field("orgId", s.OrgID)
	field("orgKey", digest(s.OrgKey.Reveal()))
	field("logins", s.Logins)
	field("rate", fmt.Sprint(s.RateLimit, "/", s.Burst))
	field("ua", s.UserAgent)
	// value keys a field by identity: its type and pointer, and its
	// contents when it is not a pointer.
	value := func(name string, v any) error {
		t := reflect.TypeOf(v)
		if !t.Comparable() {
			return fmt.Errorf("usermgmt: clients: site %s: %s %v cannot be compared; use a pointer", siteLabel(s), name, t)
		}
		field(name, fmt.Sprintf("%v/%p", t, v))
		if t.Kind() != reflect.Pointer {
			field(name+"Value", fmt.Sprintf("%#v", v))
		}
		return nil
	}
	if s.Transport != nil {
		if err := value("transport", s.Transport); err != nil {
			return "", err
		}
	}
	if s.Logger != nil {
		field("logger", fmt.Sprintf("%p", s.Logger))
	}
	if s.Observer != nil {
		if err := value("observer", s.Observer); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func digest(secret string) string {
	if secret == "" {
		return ""
	}
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:8])
}

// Snapshot is a snapshot of a site's users shared by the callers that
// asked for it: treat Users as read-only.
type Snapshot struct {
	// Users are the site's users with what Options asked for.
	Users []jira.User
	// Options are the options the snapshot was taken with (a superset of
	// the caller's when it reused an older one).
	Options jira.SnapshotOptions
	// Result is what the site's client said of the snapshot: how it
	// listed the users and whether some could not be seen.
	Result jira.SnapshotResult
	// Taken is when the fetch started.
	Taken time.Time
	// Shared says that the caller did not fetch it: it joined a fetch
	// under way or reused a snapshot younger than its maximum age.
	Shared bool
}

// Age is how old the snapshot is at now.
func (s *Snapshot) Age(now time.Time) time.Duration { return now.Sub(s.Taken) }

type snapshotCall struct {
	opts    jira.SnapshotOptions
	done    chan struct{}
	snap    *Snapshot
	err     error
	waiters int
	cancel  context.CancelFunc
}

// SnapshotRequest says which snapshot a caller needs.
type SnapshotRequest struct {
	Site    Site
	Options jira.SnapshotOptions
	// MaxAge, when positive, accepts a snapshot taken at most this long
	// ago whose options cover Options. Zero takes only a fresh snapshot,
	// though it still joins a fetch with the same options that is under
	// way when it asks.
	MaxAge time.Duration
	// Progress, when set, is called with the number of users read so
	// far, by the caller whose fetch it is.
	Progress func(users int)
}

// Snapshot returns the site's users as req asks: from a fetch of the same
// snapshot under way, from a recent enough earlier one (req.MaxAge), or
// by fetching it. A fetch shared by several callers goes on while any of
// them waits for it; it stops when every one of them has given up.
func (cs *Clients) Snapshot(ctx context.Context, req SnapshotRequest) (*Snapshot, error) {
	c, err := cs.Client(ctx, req.Site)
	if err != nil {
		return nil, err
	}
	key, err := siteKey(req.Site)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	cs.mu.Lock()
	var call *snapshotCall
	for k, sc := range cs.snaps {
		if !strings.HasPrefix(k, key+"|") {
			continue
		}
		select {
		case <-sc.done:
			if sc.err != nil {
				delete(cs.snaps, k)
				continue
			}
			if req.MaxAge > 0 && sc.snap.Age(now) <= req.MaxAge && covers(sc.opts, req.Options) &&
				(!sc.snap.Result.Partial || req.Options.AllowPartial) {
				cs.mu.Unlock()
				shared := *sc.snap
				shared.Shared = true
				return &shared, nil
			}
			if sc.snap.Age(now) > maxSnapshotRetention {
				delete(cs.snaps, k)
			}
		default:
			if call == nil && optionsKey(sc.opts) == optionsKey(req.Options) {
				call = sc
			}
		}
	}
	leader := call == nil
	if leader {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		opts := req.Options
		opts.Result = nil // the fetch's own; callers read Snapshot.Result
		call = &snapshotCall{opts: opts, done: make(chan struct{}), cancel: cancel}
		cs.snaps[key+"|"+optionsKey(req.Options)+"|"+fmt.Sprint(now.UnixNano())] = call
		go cs.fetch(fctx, c, call, now, req.Progress)
	}
	call.waiters++
	cs.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		cs.mu.Lock()
		call.waiters--
		if call.waiters == 0 {
			call.cancel()
		}
		cs.mu.Unlock()
		return nil, ctx.Err()
	}
	cs.mu.Lock()
	call.waiters--
	cs.mu.Unlock()
	if call.err != nil {
		return nil, call.err
	}
	snap := *call.snap
	snap.Shared = !leader
	return &snap, nil
}

// maxSnapshotRetention bounds how long a finished snapshot stays in
// memory for later callers that accept its age.
const maxSnapshotRetention = 10 * time.Minute

func (cs *Clients) fetch(ctx context.Context, c Client, call *snapshotCall, started time.Time, progress func(int)) {
	defer close(call.done)
	defer call.cancel()
	var users []jira.User
	opts := call.opts
	var res jira.SnapshotResult
	opts.Result = &res
	for u, err := range c.Snapshot(ctx, opts) {
		if err != nil {
			call.err = err
			return
		}
		users = append(users, u)
		if progress != nil && len(users)%100 == 0 {
			progress(len(users))
		}
	}
	if progress != nil {
		progress(len(users))
	}
	call.snap = &Snapshot{Users: users, Options: call.opts, Result: res, Taken: started}
}

// optionsKey is a canonical form of o: equal keys, equal options.
func optionsKey(o jira.SnapshotOptions) string {
	sorted := func(s []string) []string {
		s = slices.Clone(s)
		slices.Sort(s)
		return slices.Compact(s)
	}
	return fmt.Sprintf("%q|%q|%t|%t|%t|%q|%t|%t", sorted(o.Groups), sorted(o.OptionalGroups), o.AllGroups,
		o.Licences, o.LastLogin, sorted(o.Properties), o.ActiveOnly, o.AllowPartial)
}

// covers says whether a snapshot taken with have holds everything one
// taken with want would.
func covers(have, want jira.SnapshotOptions) bool {
	subset := func(sub []string, sets ...[]string) bool {
		for _, x := range sub {
			found := false
			for _, s := range sets {
				if slices.Contains(s, x) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	switch {
	case have.ActiveOnly != want.ActiveOnly,
		want.AllGroups && !have.AllGroups,
		want.Licences && !have.Licences,
		want.LastLogin && !have.LastLogin,
		!subset(want.Properties, have.Properties),
		// A group asked for strictly must have been read strictly: a
		// missing one is an error, not an empty group.
		!subset(want.Groups, have.Groups):
		return false
	}
	return have.AllGroups || subset(want.OptionalGroups, have.Groups, have.OptionalGroups)
}
