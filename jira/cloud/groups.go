package cloud

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// GroupsService reads and changes groups and their members. Groups are
// named by [jira.Group]: by ID when it is set (Cloud's immutable groupId),
// else by Name.
type GroupsService service

// Group is a group as Jira Cloud sends it.
type Group struct {
	Name    string          `json:"name"`
	GroupID string          `json:"groupId"`
	Self    string          `json:"self,omitempty"`
	Users   *ItemList[User] `json:"users,omitempty"`
}

// ListOptions filter and page [GroupsService.List].
type ListOptions struct {
	GroupIDs   []string
	GroupNames []string
	// AccessType is "site-admin", "admin" or "user".
	AccessType string
	// ApplicationKey selects an application's groups, e.g. "jira-software".
	ApplicationKey string
	StartAt        int
	// MaxResults is the page size; Jira caps it at 50.
	MaxResults int
}

func (o *ListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	for _, id := range o.GroupIDs {
		q.Add("groupId", id)
	}
	for _, n := range o.GroupNames {
		q.Add("groupName", n)
	}
	if o.AccessType != "" {
		q.Set("accessType", o.AccessType)
	}
	if o.ApplicationKey != "" {
		q.Set("applicationKey", o.ApplicationKey)
	}
	return q
}

// List returns one page of groups.
//
// Cloud: GET /rest/api/3/group/bulk (a PageBean; at most 50 a page)
func (s *GroupsService) List(ctx context.Context, opts *ListOptions) ([]jira.Group, *jira.Response, error) {
	q := opts.query()
	if opts != nil {
		q.Set("startAt", strconv.Itoa(opts.StartAt))
		if opts.MaxResults > 0 {
			q.Set("maxResults", strconv.Itoa(opts.MaxResults))
		}
	}
	var p transport.PageBean[GroupName]
	resp, err := s.c.do(ctx, http.MethodGet, api+"/group/bulk", q, nil, &p)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = p.Info()
	out := make([]jira.Group, len(p.Values))
	for i, g := range p.Values {
		out[i] = jira.Group{Name: g.Name, ID: g.GroupID}
	}
	return out, resp, nil
}

// All walks every group matching opts (StartAt and MaxResults are
// ignored), 50 a request. An error ends the iteration; the iterator can be
// ranged over again.
//
// Cloud: GET /rest/api/3/group/bulk
func (s *GroupsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[jira.Group, error] {
	return func(yield func(jira.Group, error) bool) {
		for g, err := range transport.PageBeans[GroupName](ctx, s.c.t, api+"/group/bulk", opts.query(), transport.PageOptions{PageSize: 50}) {
			if !yield(jira.Group{Name: g.Name, ID: g.GroupID}, err) || err != nil {
				return
			}
		}
	}
}

// MembersOptions page [GroupsService.Members]: IncludeInactive lists
// inactive members too (Jira leaves them out by default); MaxResults is
// the page size, which Jira caps at 50.
type MembersOptions = rest.MembersOptions

// Members returns one page of a group's members (members of nested groups
// included).
//
// Cloud: GET /rest/api/3/group/member (a PageBean; at most 50 a page)
func (s *GroupsService) Members(ctx context.Context, group jira.Group, opts *MembersOptions) ([]User, *jira.Response, error) {
	return rest.Members[User](ctx, &s.c.wire, cloudGroupQuery, group, opts)
}

// AllMembers walks every page of a group's members, 50 a request. An
// error ends the iteration; the iterator can be ranged over again.
//
// Cloud: GET /rest/api/3/group/member
func (s *GroupsService) AllMembers(ctx context.Context, group jira.Group, opts *MembersOptions) iter.Seq2[User, error] {
	return rest.AllMembers[User](ctx, &s.c.wire, cloudGroupQuery, group, opts)
}

// AddUser adds a user to a group. Jira answers 400 when the user is a
// member already.
//
// Cloud: POST /rest/api/3/group/user?groupId=|groupname= {"accountId": …}
func (s *GroupsService) AddUser(ctx context.Context, group jira.Group, ref jira.UserRef) (*jira.Response, error) {
	if err := ref.Check(jira.Cloud); err != nil {
		return nil, err
	}
	q, err := groupQuery(group, "groupId", "groupname")
	if err != nil {
		return nil, err
	}
	resp, err := s.c.do(ctx, http.MethodPost, api+"/group/user", q, map[string]string{"accountId": ref.Value()}, nil)
	return resp, needSiteAdmin("adding a user to a group", err)
}

// RemoveUser removes a user from a group. Jira answers 400 when the user
// is not a member.
//
// Cloud: DELETE /rest/api/3/group/user?groupId=|groupname=&accountId=
func (s *GroupsService) RemoveUser(ctx context.Context, group jira.Group, ref jira.UserRef) (*jira.Response, error) {
	if err := ref.Check(jira.Cloud); err != nil {
		return nil, err
	}
	q, err := groupQuery(group, "groupId", "groupname")
	if err != nil {
		return nil, err
	}
	q.Set("accountId", ref.Value())
	resp, err := s.c.do(ctx, http.MethodDelete, api+"/group/user", q, nil, nil)
	return resp, needSiteAdmin("removing a user from a group", err)
}

// Create creates a group.
//
// Cloud: POST /rest/api/3/group
func (s *GroupsService) Create(ctx context.Context, name string) (*Group, *jira.Response, error) {
	if name == "" {
		return nil, nil, errors.New("cloud: empty group name")
	}
	var g Group
	resp, err := s.c.do(ctx, http.MethodPost, api+"/group", nil, map[string]string{"name": name}, &g)
	err = needSiteAdmin("creating a group", err)
	if err != nil {
		return nil, resp, err
	}
	return &g, resp, nil
}

// Delete deletes a group; swap, when not zero, receives its permissions
// and comment visibility.
//
// Cloud: DELETE /rest/api/3/group?groupId=|groupname=[&swapGroupId=|swapGroup=]
func (s *GroupsService) Delete(ctx context.Context, group, swap jira.Group) (*jira.Response, error) {
	q, err := groupQuery(group, "groupId", "groupname")
	if err != nil {
		return nil, err
	}
	if swap != (jira.Group{}) {
		sq, err := groupQuery(swap, "swapGroupId", "swapGroup")
		if err != nil {
			return nil, err
		}
		for k, v := range sq {
			q[k] = v
		}
	}
	resp, err := s.c.do(ctx, http.MethodDelete, api+"/group", q, nil, nil)
	return resp, needSiteAdmin("deleting a group", err)
}

// FoundGroups is the answer of [GroupsService.Picker].
type FoundGroups struct {
	Header string `json:"header"`
	Total  int    `json:"total"`
	Groups []struct {
		Name    string `json:"name"`
		GroupID string `json:"groupId"`
		HTML    string `json:"html"`
	} `json:"groups"`
}

// Picker finds groups whose name contains query (case-sensitively, as
// Jira does by default). Jira caps the answer at its autocomplete limit,
// so Total may exceed len(Groups).
//
// Cloud: GET /rest/api/3/groups/picker
func (s *GroupsService) Picker(ctx context.Context, query string, maxResults int, exclude ...string) (*FoundGroups, *jira.Response, error) {
	return rest.Picker[FoundGroups](ctx, &s.c.wire, query, maxResults, exclude)
}

func cloudGroupQuery(g jira.Group) (url.Values, error) { return groupQuery(g, "groupId", "groupname") }
