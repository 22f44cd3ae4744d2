package datacenter

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// How the client lists every user depends on what the server offers, not
// on its version number (JIRA-API.md, "Corrections"):
//
//   - GET /user/list (Jira 10.3 LTS and 11.0+), 2000 a page, tried first;
//   - on a 404 there, user/search with the match-all query, 1000 a page,
//     on Jira 9 and earlier;
//   - on Jira 10.0 to 10.2 no REST call lists every user (user/search
//     serves only the first 100 results): a snapshot lists the members of
//     the application roles' groups and of the groups it names, plus the
//     users of the login source, and without a login source it is partial
//     and says so.

// Capability states, learned from the server's answers.
const (
	capUnknown int32 = iota
	capYes
	capNo
)

const (
	listOp       = "GET /rest/api/2/user/list"
	searchOp     = "GET /rest/api/2/user/search"
	listPageSize = 2000
	// searchPageSize is user/search's page cap before Jira 10.
	searchPageSize = 1000
	// searchTotalCap is user/search's cap on Jira 10 and later: the first
	// 100 results in all.
	searchTotalCap = 100
	// maxUserPages bounds a walk over the users (20 million users).
	maxUserPages = 10_000
)

// errNoUserList says the server has neither /user/list nor a user/search
// that pages past 100 (Jira 10.0 to 10.2).
var errNoUserList = errors.New("datacenter: no REST call lists every user")

// lastLoginIn reports whether the records of one response tell last
// logins: the response carries lastLoginTime for some user, or an earlier
// response of this server did. Then a record without it is a user who never
// logged in; otherwise last login is unknown. (Jira sends lastLoginTime only
// for users who logged in, from 10.0, and never in group/member.)
func (c *Client) lastLoginIn(page []User) bool {
	for i := range page {
		if page[i].LastLoginTime != "" {
			c.lastLoginSeen.Store(true)
			return true
		}
	}
	return c.lastLoginSeen.Load()
}

// probeUserList learns, once, whether the server has GET /user/list.
func (c *Client) probeUserList(ctx context.Context) error {
	if c.userList.Load() != capUnknown {
		return nil
	}
	_, _, err := c.Users.List(ctx, "", 1)
	switch {
	case errors.Is(err, jira.ErrNotFound):
		c.userList.Store(capNo)
	case err != nil:
		return err
	default:
		c.userList.Store(capYes)
	}
	return nil
}

// userPages walks every user a page at a time and returns how it listed
// them; see the comment at the top of this file. fn sees each page; its
// error ends the walk. On Jira 10.0 to 10.2 it returns errNoUserList
// before calling fn.
func (c *Client) userPages(ctx context.Context, info *ServerInfo, fn func([]User) error) (string, error) {
	if c.userList.Load() != capNo {
		cursor := ""
		for page := 0; ; page++ {
			if page == maxUserPages {
				return listOp, fmt.Errorf("datacenter: %s: more than %d pages: %w", listOp, maxUserPages, jira.ErrPageLimit)
			}
			p, _, err := c.Users.List(ctx, cursor, listPageSize)
			if page == 0 && errors.Is(err, jira.ErrNotFound) {
				c.userList.Store(capNo)
				break
			}
			if err != nil {
				return listOp, err
			}
			c.userList.Store(capYes)
			if err := fn(p.Users); err != nil {
				return listOp, err
			}
			if p.NextCursor == "" {
				return listOp, nil
			}
			cursor = p.NextCursor
		}
	}
	if info.AtLeast(10, 0) {
		return "", errNoUserList
	}
	return searchOp, c.Users.searchPages(ctx, SearchOptions{Query: "."}, fn)
}

// searchPages walks user/search a page at a time (Jira 9 and earlier:
// 1000 a page), reading the server's page size back from the first page.
// fn sees each page; its error ends the walk.
func (s *UsersService) searchPages(ctx context.Context, o SearchOptions, fn func([]User) error) error {
	first := 0
	for page := 0; ; page++ {
		if page == maxUserPages {
			return fmt.Errorf("datacenter: %s: more than %d pages: %w", searchOp, maxUserPages, jira.ErrPageLimit)
		}
		o.MaxResults = searchPageSize
		users, _, err := s.Search(ctx, &o)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			return nil
		}
		if err := fn(users); err != nil {
			return err
		}
		if page == 0 {
			first = len(users)
		}
		if len(users) < first {
			return nil
		}
		o.StartAt += len(users)
	}
}

// incomplete is the error of a snapshot or walk that cannot see every user
// of a Jira 10.0–10.2 site.
func incomplete(info *ServerInfo) *jira.IncompleteError {
	return &jira.IncompleteError{
		Version: info.Version,
		Seen:    "the members of the application roles' groups and of the groups it names",
		Unseen:  "users in none of those groups (GET /user/list arrived in 10.3 and user/search serves only the first 100 results)",
		Hint: "upgrade to 10.3 LTS or later, give the client a login source (WithLoginSource: the database export or SQLLoginSource " +
			"lists every user), or set SnapshotOptions.AllowPartial to accept a partial snapshot",
	}
}

// All walks every user, inactive ones included: through /user/list where
// the server has it (10.3+, 11), else through user/search with the
// match-all query (Jira 9 and earlier, 1000 a page). On Jira 10.0 to 10.2,
// where no REST call lists every user, it yields an [*jira.IncompleteError];
// [Client.Snapshot] knows other ways. An error ends the iteration; the
// iterator can be ranged over again.
func (s *UsersService) All(ctx context.Context) iter.Seq2[User, error] {
	return func(yield func(User, error) bool) {
		info, err := s.c.ServerInfo(ctx)
		if err != nil {
			yield(User{}, err)
			return
		}
		stop := errors.New("stop")
		_, err = s.c.userPages(ctx, info, func(page []User) error {
			for _, u := range page {
				if !yield(u, nil) {
					return stop
				}
			}
			return nil
		})
		switch {
		case errors.Is(err, errNoUserList):
			yield(User{}, incomplete(info))
		case err != nil && err != stop:
			yield(User{}, err)
		}
	}
}

// SearchAll walks every page of a user search: 1000 users a request on
// Jira 9 and earlier. On Jira 10 and later user/search serves only the
// first 100 results, so SearchAll asks for those in one request, and when
// all 100 come back it yields a [*jira.TruncatedError] after them rather
// than pass a truncated list for the whole. The iterator can be ranged
// over again; each range starts from the first page. An error ends the
// iteration.
func (s *UsersService) SearchAll(ctx context.Context, opts *SearchOptions) iter.Seq2[User, error] {
	return func(yield func(User, error) bool) {
		if _, err := opts.query(); err != nil {
			yield(User{}, err)
			return
		}
		info, err := s.c.ServerInfo(ctx)
		if err != nil {
			yield(User{}, err)
			return
		}
		o := *opts
		if info.AtLeast(10, 0) {
			o.StartAt, o.MaxResults = 0, searchTotalCap
			users, _, err := s.Search(ctx, &o)
			if err != nil {
				yield(User{}, err)
				return
			}
			for _, u := range users {
				if !yield(u, nil) {
					return
				}
			}
			if len(users) >= searchTotalCap {
				yield(User{}, &jira.TruncatedError{Op: searchOp, Limit: searchTotalCap, Version: info.Version,
					Hint: "Jira 10 serves only the first 100 results of a search: narrow the query, or list users with Users.All or Client.Snapshot"})
			}
			return
		}
		stop := errors.New("stop")
		err = s.searchPages(ctx, o, func(users []User) error {
			for _, u := range users {
				if !yield(u, nil) {
					return stop
				}
			}
			return nil
		})
		if err != nil && err != stop {
			yield(User{}, err)
		}
	}
}

// unsupported turns a 404 from a route that a release lacks into an
// [*jira.UnsupportedError] naming the version and what to do. Other errors
// pass unchanged.
func (c *Client) unsupported(ctx context.Context, err error, op, since, hint string) error {
	if !errors.Is(err, jira.ErrNotFound) {
		return err
	}
	info, ierr := c.ServerInfo(ctx)
	if ierr != nil || !strings.Contains(since, ".") {
		return err
	}
	var major, minor int
	if _, serr := fmt.Sscanf(since, "%d.%d", &major, &minor); serr != nil {
		return err
	}
	if info.AtLeast(major, minor) {
		return err // the route exists there: the 404 is about the user
	}
	return &jira.UnsupportedError{Op: op, Version: info.Version, Hint: "it arrived in Jira " + since + "; " + hint}
}
