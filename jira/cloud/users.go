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

// User is a Jira Cloud user as REST v3 sends it (User, or UserDetails in
// group listings).
type User struct {
	Profile
	AccountID        string                    `json:"accountId"`
	AccountType      string                    `json:"accountType"`
	Groups           *ItemList[GroupName]      `json:"groups,omitempty"`
	ApplicationRoles *ItemList[ApplicationRef] `json:"applicationRoles,omitempty"`
}

// Profile is what both flavours send alike about a user: Self,
// EmailAddress (empty when the user's profile hides it), DisplayName,
// Active, TimeZone, Locale.
type Profile = rest.Profile

// ItemList is Jira's legacy list wrapper inside a user or group.
type ItemList[T any] = rest.ItemList[T]

// GroupName names a group: its name and immutable id.
type GroupName struct {
	Name    string `json:"name"`
	GroupID string `json:"groupId"`
	Self    string `json:"self,omitempty"`
}

// ApplicationRef names an application role.
type ApplicationRef struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// Model converts u to the library's user model. Last login is unknown:
// Jira Cloud's REST API does not say (see the package doc).
func (u *User) Model() jira.User {
	m := jira.User{
		AccountID: u.AccountID, DisplayName: u.DisplayName, Email: u.EmailAddress,
		Active: u.Active, AccountType: jira.AccountType(u.AccountType),
	}
	if m.AccountType == "" {
		m.AccountType = jira.AccountUnknown
	}
	m.Groups = rest.Names(u.Groups, func(g GroupName) string { return g.Name })
	m.Licences = rest.Names(u.ApplicationRoles, func(r ApplicationRef) string { return r.Key })
	return m
}

// UsersService reads and changes users of the site.
type UsersService service

// GetOptions says what [UsersService.Get] expands: Groups
// (expand=groups), ApplicationRoles (expand=applicationRoles).
type GetOptions = rest.GetOptions

// Get returns one user by accountId.
//
// Cloud: GET /rest/api/3/user?accountId=[&expand=groups,applicationRoles]
func (s *UsersService) Get(ctx context.Context, ref jira.UserRef, opts *GetOptions) (*User, *jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, nil, err
	}
	if e := opts.Expand(); e != "" {
		q.Set("expand", e)
	}
	return rest.Get[User](ctx, &s.c.wire, api+"/user", q)
}

// Myself returns the user the client authenticates as, with its groups and
// application roles.
//
// Cloud: GET /rest/api/3/myself?expand=groups,applicationRoles
func (s *UsersService) Myself(ctx context.Context) (*User, *jira.Response, error) {
	var u User
	q := url.Values{"expand": {"groups,applicationRoles"}}
	resp, err := s.c.do(ctx, http.MethodGet, api+"/myself", q, nil, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// usersPage is the page size of users/search: Jira's maximum.
const usersPage = 1000

// List returns one page of every user of the site: active and inactive
// ones, app and customer accounts. maxResults is capped at 1000 by Jira
// (zero: Jira's default, 50).
//
// Cloud: GET /rest/api/3/users/search (a bare array; at most 1000 a page)
func (s *UsersService) List(ctx context.Context, startAt, maxResults int) ([]User, *jira.Response, error) {
	q := url.Values{"startAt": {strconv.Itoa(startAt)}}
	if maxResults > 0 {
		q.Set("maxResults", strconv.Itoa(maxResults))
	}
	var users []User
	resp, err := s.c.do(ctx, http.MethodGet, api+"/users/search", q, nil, &users)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = jira.PageInfo{StartAt: startAt, MaxResults: len(users), IsLast: len(users) == 0}
	return users, resp, nil
}

// All walks every user of the site, 1000 a request, until Jira sends an
// empty page (a short page does not prove the end: Jira leaves out users
// the caller may not see). An error ends the iteration; the iterator can be
// ranged over again, each range starting from the first page.
//
// Cloud: GET /rest/api/3/users/search
func (s *UsersService) All(ctx context.Context) iter.Seq2[User, error] {
	return transport.Offset[User](ctx, s.c.t, api+"/users/search", nil, transport.PageOptions{PageSize: usersPage})
}

// SearchOptions filter [UsersService.Search]; one of Query, AccountID and
// Property is required.
type SearchOptions struct {
	// Query matches the start of a word of the display name, or of the
	// email when the profile shows it.
	Query string
	// AccountID matches one account exactly; not with Query.
	AccountID string
	// Property matches a user property: "key.path=value".
	Property string
	// StartAt is the offset of the first user; MaxResults the page size
	// (Jira's default 50, at most 1000).
	StartAt, MaxResults int
}

func (o *SearchOptions) query() (url.Values, error) {
	if o == nil || o.Query == "" && o.AccountID == "" && o.Property == "" {
		return nil, errors.New("cloud: user search needs a query, an accountId or a property")
	}
	q := url.Values{}
	for k, v := range map[string]string{"query": o.Query, "accountId": o.AccountID, "property": o.Property} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q, nil
}

// Search returns one page of the active users matching opts. Jira
// considers only the first 1000 matches.
//
// Cloud: GET /rest/api/3/user/search (a bare array)
func (s *UsersService) Search(ctx context.Context, opts *SearchOptions) ([]User, *jira.Response, error) {
	q, err := opts.query()
	if err != nil {
		return nil, nil, err
	}
	return rest.SearchPage[User](ctx, &s.c.wire, q, opts.StartAt, opts.MaxResults)
}

// SearchAll walks every page of a user search, 1000 users a request (Jira
// stops at the 1000th match). An error ends the iteration; the iterator
// can be ranged over again.
//
// Cloud: GET /rest/api/3/user/search
func (s *UsersService) SearchAll(ctx context.Context, opts *SearchOptions) iter.Seq2[User, error] {
	q, err := opts.query()
	if err != nil {
		return func(yield func(User, error) bool) { yield(User{}, err) }
	}
	return transport.Offset[User](ctx, s.c.t, api+"/user/search", q, transport.PageOptions{PageSize: usersPage, MaxPages: 2})
}

// bulkMax is the most accounts GET user/bulk takes in one request.
const bulkMax = 200

// Bulk returns the users with the given accountIds (unknown ones are left
// out), at most 200 a request.
//
// Cloud: GET /rest/api/3/user/bulk (a PageBean)
func (s *UsersService) Bulk(ctx context.Context, refs []jira.UserRef) ([]User, *jira.Response, error) {
	if len(refs) == 0 || len(refs) > bulkMax {
		return nil, nil, errors.New("cloud: user/bulk takes 1 to 200 accountIds")
	}
	q := url.Values{"maxResults": {strconv.Itoa(len(refs))}}
	for _, r := range refs {
		if err := r.Check(jira.Cloud); err != nil {
			return nil, nil, err
		}
		q.Add("accountId", r.Value())
	}
	var p transport.PageBean[User]
	resp, err := s.c.do(ctx, http.MethodGet, api+"/user/bulk", q, nil, &p)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = p.Info()
	return p.Values, resp, nil
}

// Groups returns the groups a user is directly in.
//
// Cloud: GET /rest/api/3/user/groups (a bare array)
func (s *UsersService) Groups(ctx context.Context, ref jira.UserRef) ([]GroupName, *jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, nil, err
	}
	var out []GroupName
	resp, err := s.c.do(ctx, http.MethodGet, api+"/user/groups", q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// CreateRequest is a user to invite to the site.
type CreateRequest struct {
	EmailAddress string
	DisplayName  string
	// Products are the products to give access to, e.g. "jira-software";
	// nil or empty gives none.
	Products []string
}

// Create invites an Atlassian account to the site with access to the
// products asked for. Jira answers 201 for an existing account with Jira
// access (granting the products) and 400 for one without.
//
// Cloud: POST /rest/api/3/user
func (s *UsersService) Create(ctx context.Context, r *CreateRequest) (*User, *jira.Response, error) {
	products := r.Products
	if products == nil {
		products = []string{} // required: [] means no product access
	}
	body := map[string]any{"emailAddress": r.EmailAddress, "products": products}
	if r.DisplayName != "" {
		body["displayName"] = r.DisplayName
	}
	var u User
	resp, err := s.c.do(ctx, http.MethodPost, api+"/user", nil, body, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// Delete removes a user from the Jira site: out of every group, gone from
// Jira's REST API. It does not delete or deactivate the Atlassian account,
// which stays in the organisation (see [AdminService.Remove]).
//
// Cloud: DELETE /rest/api/3/user?accountId=
func (s *UsersService) Delete(ctx context.Context, ref jira.UserRef) (*jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.do(ctx, http.MethodDelete, api+"/user", q, nil, nil)
	return resp, needSiteAdmin("removing a user from the site", err)
}
