package transport

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"

	"github.com/seatwarden/seatwarden/jira"
)

// DefaultMaxPages is the page cap of a walk whose [PageOptions.MaxPages] is
// zero.
const DefaultMaxPages = 10_000

// PageOptions sets the page size and the hard page cap of a walk.
type PageOptions struct {
	// PageSize is sent as maxResults (limit for the Admin API); zero sends
	// nothing and lets the server choose.
	PageSize int
	// MaxPages ends the walk with [jira.ErrPageLimit] when more pages
	// follow; zero means [DefaultMaxPages].
	MaxPages int
}

// Walk yields the items of successive pages. fetch gets the state of a page
// (first, then what the previous call returned as next) and returns the
// page's items, the next page's state, and whether there is a next page.
// The walk stops at the first error, which it yields with the zero T, when
// the consumer stops, or when more than maxPages pages would be fetched
// ([jira.ErrPageLimit]; zero maxPages means [DefaultMaxPages]). Pages are
// fetched lazily, one at a time; each range over the result starts again
// from first.
func Walk[T, S any](ctx context.Context, maxPages int, first S,
	fetch func(ctx context.Context, state S) (items []T, next S, more bool, err error),
) iter.Seq2[T, error] {
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	return func(yield func(T, error) bool) {
		var zero T
		state := first
		for page := 0; ; page++ {
			if page == maxPages {
				yield(zero, fmt.Errorf("jira: more than %d pages: %w", maxPages, jira.ErrPageLimit))
				return
			}
			items, next, more, err := fetch(ctx, state)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more {
				return
			}
			state = next
		}
	}
}

// cloneQuery copies q, so that a walk never changes the caller's values.
func cloneQuery(q url.Values) url.Values {
	c := make(url.Values, len(q)+2)
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// Offset walks a list served as a bare JSON array with startAt and
// maxResults (DC and Cloud user search). The array carries no total and a
// server may shorten pages (Cloud filters users it may not show), so the
// walk advances by the items received and ends at the first empty page.
func Offset[T any](ctx context.Context, c *Client, path string, query url.Values, opts PageOptions) iter.Seq2[T, error] {
	return Walk(ctx, opts.MaxPages, 0, func(ctx context.Context, startAt int) ([]T, int, bool, error) {
		q := cloneQuery(query)
		q.Set("startAt", strconv.Itoa(startAt))
		if opts.PageSize > 0 {
			q.Set("maxResults", strconv.Itoa(opts.PageSize))
		}
		var page []T
		if _, err := c.Do(ctx, "GET", path, q, nil, &page); err != nil {
			return nil, 0, false, err
		}
		return page, startAt + len(page), len(page) > 0, nil
	})
}

// PageBean is Jira's offset page: group members, bulk users and more.
type PageBean[T any] struct {
	Self       string `json:"self,omitempty"`
	NextPage   string `json:"nextPage,omitempty"`
	MaxResults int    `json:"maxResults"`
	StartAt    int    `json:"startAt"`
	Total      *int   `json:"total,omitempty"`
	IsLast     bool   `json:"isLast"`
	Values     []T    `json:"values"`
}

// Info describes the page.
func (p *PageBean[T]) Info() jira.PageInfo {
	info := jira.PageInfo{StartAt: p.StartAt, MaxResults: p.MaxResults, IsLast: p.IsLast}
	if p.Total != nil {
		info.Total, info.TotalKnown = *p.Total, true
	}
	return info
}

// more reports whether another page follows: not when the server says it
// is the last, sent no items, or the total is reached.
func (p *PageBean[T]) more() bool {
	if p.IsLast || len(p.Values) == 0 {
		return false
	}
	return p.Total == nil || p.StartAt+len(p.Values) < *p.Total
}

// PageBeans walks a list served as PageBeans. It advances startAt by the
// items received, since the server may return fewer than maxResults.
func PageBeans[T any](ctx context.Context, c *Client, path string, query url.Values, opts PageOptions) iter.Seq2[T, error] {
	return Walk(ctx, opts.MaxPages, 0, func(ctx context.Context, startAt int) ([]T, int, bool, error) {
		q := cloneQuery(query)
		q.Set("startAt", strconv.Itoa(startAt))
		if opts.PageSize > 0 {
			q.Set("maxResults", strconv.Itoa(opts.PageSize))
		}
		var page PageBean[T]
		if _, err := c.Do(ctx, "GET", path, q, nil, &page); err != nil {
			return nil, 0, false, err
		}
		return page.Values, page.StartAt + len(page.Values), page.more(), nil
	})
}

// StreamPage is DC's cursor page (StreamPageBean, GET /rest/api/2/user/list).
type StreamPage[T any] struct {
	Self       string `json:"self,omitempty"`
	NextPage   string `json:"nextPage,omitempty"`
	NextCursor string `json:"nextCursor,omitempty"`
	MaxResults int    `json:"maxResults"`
	IsLast     bool   `json:"isLast"`
	Values     []T    `json:"values"`
}

// Info describes the page.
func (p *StreamPage[T]) Info() jira.PageInfo {
	return jira.PageInfo{MaxResults: p.MaxResults, IsLast: p.IsLast, Next: p.NextCursor}
}

// StreamPages walks a list served as StreamPageBeans, passing nextCursor
// back as the cursor parameter until isLast or no cursor.
func StreamPages[T any](ctx context.Context, c *Client, path string, query url.Values, opts PageOptions) iter.Seq2[T, error] {
	return cursorWalk(ctx, opts, func(ctx context.Context, cursor string) ([]T, string, bool, error) {
		q := cloneQuery(query)
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if opts.PageSize > 0 {
			q.Set("maxResults", strconv.Itoa(opts.PageSize))
		}
		var page StreamPage[T]
		if _, err := c.Do(ctx, "GET", path, q, nil, &page); err != nil {
			return nil, "", false, err
		}
		return page.Values, page.NextCursor, !page.IsLast && page.NextCursor != "", nil
	})
}

// AdminPage is the Admin API's page: data and a links.next cursor.
type AdminPage[T any] struct {
	Data  []T `json:"data"`
	Links struct {
		Self string `json:"self,omitempty"`
		Prev string `json:"prev,omitempty"`
		Next string `json:"next,omitempty"`
	} `json:"links"`
}

// Info describes the page.
func (p *AdminPage[T]) Info() jira.PageInfo {
	return jira.PageInfo{IsLast: p.Links.Next == "", Next: p.Links.Next}
}

// AdminPages walks an Admin API list, passing links.next back as the
// cursor parameter (and PageSize as limit) until there is no next link.
func AdminPages[T any](ctx context.Context, c *Client, path string, query url.Values, opts PageOptions) iter.Seq2[T, error] {
	return cursorWalk(ctx, opts, func(ctx context.Context, cursor string) ([]T, string, bool, error) {
		q := cloneQuery(query)
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if opts.PageSize > 0 {
			q.Set("limit", strconv.Itoa(opts.PageSize))
		}
		var page AdminPage[T]
		if _, err := c.Do(ctx, "GET", path, q, nil, &page); err != nil {
			return nil, "", false, err
		}
		return page.Data, page.Links.Next, page.Links.Next != "", nil
	})
}

// cursorWalk is [Walk] over string cursors that fails, rather than loops,
// when the server hands back the cursor it was just given.
func cursorWalk[T any](ctx context.Context, opts PageOptions,
	fetch func(ctx context.Context, cursor string) ([]T, string, bool, error),
) iter.Seq2[T, error] {
	return Walk(ctx, opts.MaxPages, "", func(ctx context.Context, cursor string) ([]T, string, bool, error) {
		items, next, more, err := fetch(ctx, cursor)
		if err == nil && more && next == cursor {
			err = fmt.Errorf("jira: server repeated page cursor: %w", jira.ErrPageLimit)
		}
		return items, next, more, err
	})
}
