package datacenter

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
)

// GroupsService reads and changes groups and their members.
type GroupsService service

// Group is a group as Jira DC sends it (GroupBean).
type Group struct {
	Name  string          `json:"name"`
	Self  string          `json:"self,omitempty"`
	Users *ItemList[User] `json:"users,omitempty"`
}

// MembersOptions page [GroupsService.Members]: IncludeInactive lists
// inactive members too (Jira leaves them out by default); MaxResults is
// the page size, which Jira caps at 50.
type MembersOptions = rest.MembersOptions

// Members returns one page of a group's members (members of nested groups
// included).
//
// DC: GET /rest/api/2/group/member (a PageBean; at most 50 a page)
func (s *GroupsService) Members(ctx context.Context, group jira.Group, opts *MembersOptions) ([]User, *jira.Response, error) {
	return rest.Members[User](ctx, &s.c.wire, dcGroupQuery, group, opts)
}

// AllMembers walks every page of a group's members, 50 a request. An
// error ends the iteration; the iterator can be ranged over again.
//
// DC: GET /rest/api/2/group/member
func (s *GroupsService) AllMembers(ctx context.Context, group jira.Group, opts *MembersOptions) iter.Seq2[User, error] {
	return rest.AllMembers[User](ctx, &s.c.wire, dcGroupQuery, group, opts)
}

// AddUser adds a user, named by username, to a group. Jira answers 400
// when the user is a member already.
//
// DC: POST /rest/api/2/group/user?groupname= {"name": username}
func (s *GroupsService) AddUser(ctx context.Context, group jira.Group, ref jira.UserRef) (*jira.Response, error) {
	g, name, err := membership(group, ref)
	if err != nil {
		return nil, err
	}
	return s.c.do(ctx, http.MethodPost, api+"/group/user", url.Values{"groupname": {g}}, map[string]string{"name": name}, nil)
}

// RemoveUser removes a user, named by username, from a group. Jira
// answers 400 when the user is not a member.
//
// DC: DELETE /rest/api/2/group/user?groupname=&username=
func (s *GroupsService) RemoveUser(ctx context.Context, group jira.Group, ref jira.UserRef) (*jira.Response, error) {
	g, name, err := membership(group, ref)
	if err != nil {
		return nil, err
	}
	return s.c.do(ctx, http.MethodDelete, api+"/group/user", url.Values{"groupname": {g}, "username": {name}}, nil, nil)
}

// Create creates a group.
//
// DC: POST /rest/api/2/group
func (s *GroupsService) Create(ctx context.Context, name string) (*Group, *jira.Response, error) {
	if name == "" {
		return nil, nil, errors.New("datacenter: empty group name")
	}
	var g Group
	resp, err := s.c.do(ctx, http.MethodPost, api+"/group", nil, map[string]string{"name": name}, &g)
	if err != nil {
		return nil, resp, err
	}
	return &g, resp, nil
}

// Delete deletes a group; swap, when not zero, receives its permissions
// and comment visibility.
//
// DC: DELETE /rest/api/2/group?groupname=[&swapGroup=]
func (s *GroupsService) Delete(ctx context.Context, group, swap jira.Group) (*jira.Response, error) {
	name, err := groupName(group)
	if err != nil {
		return nil, err
	}
	q := url.Values{"groupname": {name}}
	if swap != (jira.Group{}) {
		sw, err := groupName(swap)
		if err != nil {
			return nil, err
		}
		q.Set("swapGroup", sw)
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
	return rest.Picker[FoundGroups](ctx, &s.c.wire, query, maxResults, exclude)
}

// groupName names a DC group: by name only (DC groups have no id).
func groupName(g jira.Group) (string, error) {
	if g.Name == "" {
		return "", errors.New("datacenter: a group needs a name (DC groups have no id)")
	}
	return g.Name, nil
}

func dcGroupQuery(g jira.Group) (url.Values, error) {
	name, err := groupName(g)
	if err != nil {
		return nil, err
	}
	return url.Values{"groupname": {name}}, nil
}

// usernameOf returns the login name a group call takes: DC's group REST
// names members by username only, so a [jira.UserKey] is refused (read
// the name with [UsersService.Get] first, as [Client.AddToGroup] does).
func usernameOf(ref jira.UserRef) (string, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return "", err
	}
	if ref.Kind() != jira.RefUsername {
		return "", errors.New("datacenter: group calls name users by username; read the name of key " + ref.Value() + " first")
	}
	return ref.Value(), nil
}

// membership names the group and the user of a membership call.
func membership(group jira.Group, ref jira.UserRef) (g, username string, err error) {
	if g, err = groupName(group); err != nil {
		return "", "", err
	}
	username, err = usernameOf(ref)
	return g, username, err
}
