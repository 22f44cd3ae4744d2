package datacenter

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// GroupsService reads and changes groups and their members.
type GroupsService service

// Group is a group as Jira DC sends it (GroupBean).
type Group struct {
	Name  string          `json:"name"`
	Self  string          `json:"self,omitempty"`
	Users *ItemList[User] `json:"users,omitempty"`
}

// MembersOptions page [GroupsService.Members].
type MembersOptions struct {
	// IncludeInactive lists inactive members too (Jira leaves them out by
	// default).
	IncludeInactive bool
	StartAt         int
	// MaxResults is the page size; Jira caps it at 50.
	MaxResults int
}

func membersQuery(group string, o *MembersOptions) url.Values {
	q := url.Values{"groupname": {group}}
	if o != nil {
		q.Set("includeInactiveUsers", strconv.FormatBool(o.IncludeInactive))
	}
	return q
}

// Members returns one page of a group's members (members of nested groups
// included).
//
// DC: GET /rest/api/2/group/member (a PageBean; at most 50 a page)
func (s *GroupsService) Members(ctx context.Context, group string, opts *MembersOptions) ([]User, *jira.Response, error) {
	q := membersQuery(group, opts)
	if opts != nil {
		q.Set("startAt", strconv.Itoa(opts.StartAt))
		if opts.MaxResults > 0 {
			q.Set("maxResults", strconv.Itoa(opts.MaxResults))
		}
	}
	var p transport.PageBean[User]
	resp, err := s.c.do(ctx, http.MethodGet, api+"/group/member", q, nil, &p)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = p.Info()
	return p.Values, resp, nil
}

// AllMembers walks every page of a group's members, 50 a request. An
// error ends the iteration; the iterator can be ranged over again.
func (s *GroupsService) AllMembers(ctx context.Context, group string, opts *MembersOptions) iter.Seq2[User, error] {
	return transport.PageBeans[User](ctx, s.c.t, api+"/group/member", membersQuery(group, opts), transport.PageOptions{PageSize: 50})
}

// AddUser adds a user to a group. Jira answers 400 when the user is a
// member already.
//
// DC: POST /rest/api/2/group/user?groupname= {"name": username}
func (s *GroupsService) AddUser(ctx context.Context, group, username string) (*jira.Response, error) {
	return s.c.do(ctx, http.MethodPost, api+"/group/user", url.Values{"groupname": {group}}, map[string]string{"name": username}, nil)
}

// RemoveUser removes a user from a group.
//
// DC: DELETE /rest/api/2/group/user?groupname=&username=
func (s *GroupsService) RemoveUser(ctx context.Context, group, username string) (*jira.Response, error) {
	return s.c.do(ctx, http.MethodDelete, api+"/group/user", url.Values{"groupname": {group}, "username": {username}}, nil, nil)
}

// Create creates a group.
//
// DC: POST /rest/api/2/group
func (s *GroupsService) Create(ctx context.Context, name string) (*Group, *jira.Response, error) {
	var g Group
	resp, err := s.c.do(ctx, http.MethodPost, api+"/group", nil, map[string]string{"name": name}, &g)
	if err != nil {
		return nil, resp, err
	}
	return &g, resp, nil
}

// Delete deletes a group; swapGroup, when not empty, receives its
// permissions and comment visibility.
//
// DC: DELETE /rest/api/2/group?groupname=[&swapGroup=]
func (s *GroupsService) Delete(ctx context.Context, name, swapGroup string) (*jira.Response, error) {
	q := url.Values{"groupname": {name}}
	if swapGroup != "" {
		q.Set("swapGroup", swapGroup)
	}
	return s.c.do(ctx, http.MethodDelete, api+"/group", q, nil, nil)
}

// FoundGroups is the answer of [GroupsService.Picker].
type FoundGroups struct {
	Header string `json:"header"`
	Total  int    `json:"total"`
	Groups []struct {
		Name string `json:"name"`
		HTML string `json:"html"`
	} `json:"groups"`
}

// Picker finds groups whose name contains query. Jira caps the answer at
// its autocomplete limit (jira.ajax.autocomplete.limit, 20 by default), so
// Total may exceed len(Groups).
//
// DC: GET /rest/api/2/groups/picker
func (s *GroupsService) Picker(ctx context.Context, query string, maxResults int, exclude ...string) (*FoundGroups, *jira.Response, error) {
	q := url.Values{"query": {query}}
	if maxResults > 0 {
		q.Set("maxResults", strconv.Itoa(maxResults))
	}
	for _, e := range exclude {
		q.Add("exclude", e)
	}
	var f FoundGroups
	resp, err := s.c.do(ctx, http.MethodGet, api+"/groups/picker", q, nil, &f)
	if err != nil {
		return nil, resp, err
	}
	return &f, resp, nil
}
