package cloud

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
)

// ReadUsers reads users as they are now, the same as [Client.User] gives
// them, in bulk ([jira.BulkUserReader]):
//
//   - GET /rest/api/3/user/bulk, 200 accounts a request: the Jira account
//     (active, type, name, email);
//   - with the Admin API, POST …/directories/{id}/users/search with
//     accountIds and the productAccess and groups expands, 100 a request
//     per directory: last login and activity, directory, status, groups;
//   - GET /rest/api/3/applicationrole, once: the licences are the roles
//     whose groups the user is in.
//
// A user the search sends without groups or product access, and every
// user without the Admin API, is read with [Client.User] instead (8 at a
// time). The result is keyed by accountId; accounts that do not exist are
// absent.
//
// The directory user each search returned is kept for a few minutes, so
// that [Client.DeactivateUser] of the same account soon after — the write
// that follows a plan's re-check — needs no read of its own.
func (c *Client) ReadUsers(ctx context.Context, refs []jira.UserRef) (map[string]jira.User, error) {
	for _, r := range refs {
		if err := r.Check(jira.Cloud); err != nil {
			return nil, err
		}
	}
	out := make(map[string]jira.User, len(refs))
	for chunk := range slices.Chunk(refs, bulkMax) {
		us, _, err := c.Users.Bulk(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			out[u.AccountID] = u.Model()
		}
	}
	slow := map[string]bool{}
	if c.admin == nil {
		for id := range out {
			slow[id] = true
		}
	} else if err := c.bulkAdmin(ctx, out, slow); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(slow))
	for id := range slow {
		ids = append(ids, id)
	}
	var mu sync.Mutex
	err := rest.Each(ctx, len(ids), func(ctx context.Context, i int) error {
		u, err := c.User(ctx, jira.AccountID(ids[i]))
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(err, jira.ErrNotFound):
			delete(out, ids[i])
		case err != nil:
			return err
		default:
			out[ids[i]] = u
		}
		return nil
	})
	return out, err
}

// bulkAdmin adds the Admin API's data and the groups and licences to the
// users of out; the users it cannot complete go to slow.
func (c *Client) bulkAdmin(ctx context.Context, out map[string]jira.User, slow map[string]bool) error {
	dirs, err := c.directories(ctx)
	if err != nil {
		return err
	}
	roles, _, err := c.Roles.List(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(out))
	for id := range out {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	found := map[string]bool{}
	now := time.Now()
	for _, d := range dirs {
		for chunk := range slices.Chunk(ids, maxSearchLimit) {
			dus, _, err := c.Admin.Search(ctx, d.DirectoryID, &SearchRequest{AccountIDs: chunk,
				Expand: []string{"productAccess", "groups"}, Limit: maxSearchLimit})
			if err != nil {
				return err
			}
			for i := range dus {
				du := &dus[i]
				m, ok := out[du.AccountID]
				if !ok || found[du.AccountID] {
					continue
				}
				found[du.AccountID] = true
				c.remember(du, d, now)
				if du.ProductAccess == nil || du.Groups == nil {
					slow[du.AccountID] = true
					continue
				}
				fillDirUser(&m, du, d.Name)
				m.Groups = m.Groups[:0]
				for _, g := range du.Groups {
					m.Groups = append(m.Groups, g.Name)
				}
				slices.Sort(m.Groups)
				m.Licences = nil
				for _, r := range roles {
					if slices.ContainsFunc(r.groups(), func(g jira.Group) bool { return slices.Contains(m.Groups, g.Name) }) {
						m.Licences = append(m.Licences, r.Key)
					}
				}
				slices.Sort(m.Licences)
				out[du.AccountID] = m
			}
		}
	}
	for id := range out {
		if !found[id] {
			slow[id] = true // in no directory: as User reads it
		}
	}
	return nil
}

// recentFor is how long a directory user read in bulk stands in for the
// read [Client.DeactivateUser] would make.
const recentFor = 5 * time.Minute

type recentDirUser struct {
	du  DirectoryUser
	dir Directory
	at  time.Time
}

func (c *Client) remember(du *DirectoryUser, d Directory, at time.Time) {
	c.recentMu.Lock()
	defer c.recentMu.Unlock()
	if c.recent == nil {
		c.recent = map[string]recentDirUser{}
	}
	if len(c.recent) >= 1024 {
		// Users read but never deactivated would stay for the life of
		// a long-running client: drop the expired ones.
		for id, r := range c.recent {
			if at.Sub(r.at) > recentFor {
				delete(c.recent, id)
			}
		}
	}
	c.recent[du.AccountID] = recentDirUser{du: *du, dir: d, at: at}
}

// recentDirUser returns, once, the directory user a bulk read kept for
// ref, if it is recent enough.
func (c *Client) recentDirUser(ref jira.UserRef) (*DirectoryUser, Directory, bool) {
	c.recentMu.Lock()
	defer c.recentMu.Unlock()
	r, ok := c.recent[ref.Value()]
	delete(c.recent, ref.Value())
	if !ok || time.Since(r.at) > recentFor {
		return nil, Directory{}, false
	}
	return &r.du, r.dir, true
}

var _ jira.BulkUserReader = (*Client)(nil)
