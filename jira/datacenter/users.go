package datacenter

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// User is a Jira DC user as the REST API sends it (UserBean).
type User struct {
	Profile
	Key     string `json:"key"`
	Name    string `json:"name"`
	Deleted bool   `json:"deleted,omitempty"`
	// LastLoginTime is sent by Jira DC 10 and later, and only for users
	// who have logged in.
	LastLoginTime    string              `json:"lastLoginTime,omitempty"`
	Groups           *ItemList[NamedRef] `json:"groups,omitempty"`
	ApplicationRoles *ItemList[RoleRef]  `json:"applicationRoles,omitempty"`
}

// Profile is what both flavours send alike about a user: Self,
// EmailAddress, DisplayName, Active, TimeZone, Locale.
type Profile = rest.Profile

// ItemList is Jira's legacy list wrapper inside a user or group.
type ItemList[T any] = rest.ItemList[T]

// NamedRef names a group.
type NamedRef struct {
	Name string `json:"name"`
	Self string `json:"self,omitempty"`
}

// RoleRef names an application role.
type RoleRef struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// LastLogin parses LastLoginTime. known says whether the server reports
// last logins at all (DC 10+); when it does, a missing LastLoginTime means
// the user never logged in.
func (u *User) LastLogin(known bool) (jira.LastLogin, error) {
	if !known {
		return jira.LastLogin{}, nil
	}
	if u.LastLoginTime == "" {
		return jira.NeverLoggedIn(), nil
	}
	t, err := parseTime(u.LastLoginTime)
	if err != nil {
		return jira.LastLogin{}, err
	}
	return jira.LoggedInAt(t), nil
}

// parseTime reads Jira DC's timestamps: 2023-08-30T16:37:01+1000, with or
// without milliseconds, or RFC 3339.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("datacenter: unreadable time " + strconv.Quote(s))
}

// Model converts u to the library's user model. lastLoginKnown says
// whether the server reports last logins (see [User.LastLogin]); an
// unreadable time is left unknown.
func (u *User) Model(lastLoginKnown bool) jira.User {
	m := jira.User{
		Key: u.Key, Name: u.Name, DisplayName: u.DisplayName, Email: u.EmailAddress,
		Active: u.Active, AccountType: jira.AccountAtlassian,
	}
	m.LastLogin, _ = u.LastLogin(lastLoginKnown)
	m.Groups = rest.Names(u.Groups, func(g NamedRef) string { return g.Name })
	m.Licences = rest.Names(u.ApplicationRoles, func(r RoleRef) string { return r.Key })
	return m
}

// UsersService reads and changes users.
type UsersService service

// GetOptions says what [UsersService.Get] expands: Groups
// (expand=groups), ApplicationRoles (expand=applicationRoles).
type GetOptions = rest.GetOptions

// Get returns one user by name or key.
//
// DC: GET /rest/api/2/user?username=|key=[&expand=groups,applicationRoles]
func (s *UsersService) Get(ctx context.Context, ref jira.UserRef, opts *GetOptions) (*User, *jira.Response, error) {
	q, err := refQuery(ref, "username", "key")
	if err != nil {
		return nil, nil, err
	}
	if e := opts.Expand(); e != "" {
		q.Set("expand", e)
	}
	return rest.Get[User](ctx, &s.c.wire, api+"/user", q)
}

// Myself returns the user the client authenticates as.
//
// DC: GET /rest/api/2/myself
func (s *UsersService) Myself(ctx context.Context) (*User, *jira.Response, error) {
	var u User
	resp, err := s.c.do(ctx, http.MethodGet, api+"/myself", url.Values{"expand": {"groups"}}, nil, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// SearchOptions filter and page [UsersService.Search].
type SearchOptions struct {
	// Query matches the start of the username, email or a word of the
	// display name; "." matches everyone. Required.
	Query string
	// StartAt is the offset of the first user.
	StartAt int
	// MaxResults is the page size; Jira caps it at 1000 (default 50).
	MaxResults int
	// ActiveOnly leaves out inactive users; InactiveOnly leaves out
	// active ones. By default both are listed.
	ActiveOnly, InactiveOnly bool
}

func (o *SearchOptions) query() (url.Values, error) {
	if o == nil || o.Query == "" {
		return nil, errors.New("datacenter: user search needs a query (\".\" matches everyone)")
	}
	q := url.Values{"username": {o.Query}}
	q.Set("includeInactive", strconv.FormatBool(!o.ActiveOnly))
	q.Set("includeActive", strconv.FormatBool(!o.InactiveOnly))
	return q, nil
}

// Search returns one page of users matching opts.
//
// DC: GET /rest/api/2/user/search (a bare array; at most 1000 a page)
func (s *UsersService) Search(ctx context.Context, opts *SearchOptions) ([]User, *jira.Response, error) {
	q, err := opts.query()
	if err != nil {
		return nil, nil, err
	}
	return rest.SearchPage[User](ctx, &s.c.wire, q, opts.StartAt, opts.MaxResults)
}

// ListPage is one page of [UsersService.List].
type ListPage struct {
	Users []User
	// NextCursor is passed to the next List call; empty on the last page.
	NextCursor string
}

// List returns one page of all users, inactive ones included, in a
// stable order that survives users being added between pages. cursor is
// empty for the first page.
//
// DC 10+: GET /rest/api/2/user/list (a StreamPageBean; at most 2000 a page)
func (s *UsersService) List(ctx context.Context, cursor string, maxResults int) (*ListPage, *jira.Response, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if maxResults > 0 {
		q.Set("maxResults", strconv.Itoa(maxResults))
	}
	var p transport.StreamPage[User]
	resp, err := s.c.do(ctx, http.MethodGet, api+"/user/list", q, nil, &p)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = p.Info()
	next := p.NextCursor
	if p.IsLast {
		next = ""
	}
	return &ListPage{Users: p.Values, NextCursor: next}, resp, nil
}

// CreateRequest is a user to create.
type CreateRequest struct {
	Name         string `json:"name"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	// Password is the initial password; empty lets Jira pick a random one.
	Password jira.Secret `json:"-"`
	// ApplicationKeys are the applications to grant (nil: the defaults,
	// an empty slice: none).
	ApplicationKeys []string `json:"applicationKeys,omitempty"`
}

// Create creates a user.
//
// DC: POST /rest/api/2/user
func (s *UsersService) Create(ctx context.Context, r *CreateRequest) (*User, *jira.Response, error) {
	body := map[string]any{"name": r.Name, "emailAddress": r.EmailAddress, "displayName": r.DisplayName}
	if r.Password != "" {
		body["password"] = r.Password.Reveal()
	}
	if r.ApplicationKeys != nil {
		body["applicationKeys"] = r.ApplicationKeys
	}
	var u User
	resp, err := s.c.do(ctx, http.MethodPost, api+"/user", nil, body, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// UpdateRequest changes a user; nil fields are left alone. Active false
// deactivates the user (DC 8.3+).
type UpdateRequest struct {
	Name         *string `json:"name,omitempty"`
	EmailAddress *string `json:"emailAddress,omitempty"`
	DisplayName  *string `json:"displayName,omitempty"`
	Active       *bool   `json:"active,omitempty"`
}

// Update changes a user.
//
// DC: PUT /rest/api/2/user?username=|key=
func (s *UsersService) Update(ctx context.Context, ref jira.UserRef, r *UpdateRequest) (*User, *jira.Response, error) {
	q, err := refQuery(ref, "username", "key")
	if err != nil {
		return nil, nil, err
	}
	var u User
	resp, err := s.c.do(ctx, http.MethodPut, api+"/user", q, r, &u)
	if err != nil {
		return nil, resp, err
	}
	return &u, resp, nil
}

// SetActive activates or deactivates a user.
//
// DC: PUT /rest/api/2/user {"active": …}
func (s *UsersService) SetActive(ctx context.Context, ref jira.UserRef, active bool) (*jira.Response, error) {
	_, resp, err := s.Update(ctx, ref, &UpdateRequest{Active: new(active)})
	return resp, err
}

// Delete deletes a user. Jira refuses project leads and users of
// read-only directories.
//
// DC: DELETE /rest/api/2/user?username=|key=
func (s *UsersService) Delete(ctx context.Context, ref jira.UserRef) (*jira.Response, error) {
	q, err := refQuery(ref, "username", "key")
	if err != nil {
		return nil, err
	}
	return s.c.do(ctx, http.MethodDelete, api+"/user", q, nil, nil)
}

// SetPassword sets a user's password. The password never appears in an
// error or a log.
//
// DC: PUT /rest/api/2/user/password
func (s *UsersService) SetPassword(ctx context.Context, ref jira.UserRef, password jira.Secret) (*jira.Response, error) {
	q, err := refQuery(ref, "username", "key")
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, errors.New("datacenter: empty password")
	}
	return s.c.do(ctx, http.MethodPut, api+"/user/password", q, map[string]string{"password": password.Reveal()}, nil)
}

// GrantApplication gives a user access to an application (a licence),
// e.g. "jira-software": Jira adds the user to the role's default groups.
//
// DC: POST /rest/api/2/user/application?username=&applicationKey=
func (s *UsersService) GrantApplication(ctx context.Context, username, applicationKey string) (*jira.Response, error) {
	q := url.Values{"username": {username}, "applicationKey": {applicationKey}}
	return s.c.do(ctx, http.MethodPost, api+"/user/application", q, nil, nil)
}

// RevokeApplication removes a user's access to an application: Jira
// removes the user from all of the role's groups.
//
// DC: DELETE /rest/api/2/user/application?username=&applicationKey=
func (s *UsersService) RevokeApplication(ctx context.Context, username, applicationKey string) (*jira.Response, error) {
	q := url.Values{"username": {username}, "applicationKey": {applicationKey}}
	return s.c.do(ctx, http.MethodDelete, api+"/user/application", q, nil, nil)
}

// InvalidateSessions logs a user out everywhere.
//
// DC: DELETE /rest/api/2/user/session/{username}
func (s *UsersService) InvalidateSessions(ctx context.Context, username string) (*jira.Response, error) {
	return s.c.do(ctx, http.MethodDelete, api+"/user/session/"+url.PathEscape(username), nil, nil, nil)
}
