package rest

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// MembersOptions page a group's members.
type MembersOptions struct {
	// IncludeInactive lists inactive members too (Jira leaves them out by
	// default).
	IncludeInactive bool
	StartAt         int
	// MaxResults is the page size; Jira caps it at 50.
	MaxResults int
}

// MembersPage is the most members Jira sends in a page.
const MembersPage = 50

func membersQuery(groupQuery func(jira.Group) (url.Values, error), g jira.Group, o *MembersOptions) (url.Values, error) {
	q, err := groupQuery(g)
	if err != nil {
		return nil, err
	}
	if o != nil {
		q.Set("includeInactiveUsers", strconv.FormatBool(o.IncludeInactive))
	}
	return q, nil
}

// Members returns one page of a group's members, decoded as U; groupQuery
// names the group as the flavour does.
//
// GET {api}/group/member (a PageBean; at most 50 a page)
func Members[U any](ctx context.Context, a *API, groupQuery func(jira.Group) (url.Values, error), group jira.Group, opts *MembersOptions) ([]U, *jira.Response, error) {
	q, err := membersQuery(groupQuery, group, opts)
	if err != nil {
		return nil, nil, err
	}
	if opts != nil {
		q.Set("startAt", strconv.Itoa(opts.StartAt))
		if opts.MaxResults > 0 {
			q.Set("maxResults", strconv.Itoa(opts.MaxResults))
		}
	}
	var p transport.PageBean[U]
	resp, err := a.Do(ctx, http.MethodGet, a.Prefix+"/group/member", q, nil, &p)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = p.Info()
	return p.Values, resp, nil
}

// AllMembers walks every page of a group's members, 50 a request. An
// error ends the iteration; the iterator can be ranged over again.
//
// GET {api}/group/member
func AllMembers[U any](ctx context.Context, a *API, groupQuery func(jira.Group) (url.Values, error), group jira.Group, opts *MembersOptions) iter.Seq2[U, error] {
	q, err := membersQuery(groupQuery, group, opts)
	if err != nil {
		return func(yield func(U, error) bool) {
			var zero U
			yield(zero, err)
		}
	}
	return transport.PageBeans[U](ctx, a.T, a.Prefix+"/group/member", q, transport.PageOptions{PageSize: MembersPage})
}

// Picker finds groups whose name contains query, decoded as F (the
// flavour's FoundGroups); Jira caps the answer at its autocomplete limit.
//
// GET {api}/groups/picker
func Picker[F any](ctx context.Context, a *API, query string, maxResults int, exclude []string) (*F, *jira.Response, error) {
	q := url.Values{"query": {query}}
	if maxResults > 0 {
		q.Set("maxResults", strconv.Itoa(maxResults))
	}
	for _, e := range exclude {
		q.Add("exclude", e)
	}
	var f F
	resp, err := a.Do(ctx, http.MethodGet, a.Prefix+"/groups/picker", q, nil, &f)
	if err != nil {
		return nil, resp, err
	}
	return &f, resp, nil
}
