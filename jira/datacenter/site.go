package datacenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"

	"github.com/seatwarden/seatwarden/jira"
)

// This file is the flavour-neutral user-management surface: the methods
// the rest of Seatwarden calls without knowing which flavour it talks to.
// jira/cloud has the same methods.

// Myself returns the user the client authenticates as, with its groups.
//
// DC: GET /rest/api/2/myself
func (c *Client) Myself(ctx context.Context) (jira.User, error) {
	u, _, err := c.Users.Myself(ctx)
	if err != nil {
		return jira.User{}, err
	}
	known, err := c.lastLoginKnown(ctx)
	if err != nil {
		return jira.User{}, err
	}
	return u.Model(known), nil
}

// lastLoginKnown reports whether the server sends lastLoginTime (DC 10+).
func (c *Client) lastLoginKnown(ctx context.Context) (bool, error) {
	info, err := c.ServerInfo(ctx)
	if err != nil {
		return false, err
	}
	return info.AtLeast(10, 0), nil
}

// User reads one user as it is now, with all its groups, licences and
// last login: one request (plus the server version, once).
//
// DC: GET /rest/api/2/user?expand=groups,applicationRoles
func (c *Client) User(ctx context.Context, ref jira.UserRef) (jira.User, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return jira.User{}, err // before the server version is read
	}
	known, err := c.lastLoginKnown(ctx)
	if err != nil {
		return jira.User{}, err
	}
	u, _, err := c.Users.Get(ctx, ref, &GetOptions{Groups: true, ApplicationRoles: true})
	if err != nil {
		return jira.User{}, err
	}
	return u.Model(known), nil
}

// GroupMembers walks the members of a group, inactive ones included.
//
// DC: GET /rest/api/2/group/member?includeInactiveUsers=true (50 a page)
func (c *Client) GroupMembers(ctx context.Context, group string) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		known, err := c.lastLoginKnown(ctx)
		if err != nil {
			yield(jira.User{}, err)
			return
		}
		for u, err := range c.Groups.AllMembers(ctx, group, &MembersOptions{IncludeInactive: true}) {
			if err != nil {
				yield(jira.User{}, err)
				return
			}
			if !yield(u.Model(known), nil) {
				return
			}
		}
	}
}

// username returns the login name group and application calls need: the
// reference itself, or, for a key, the name read from Jira.
func (c *Client) username(ctx context.Context, ref jira.UserRef) (string, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return "", err
	}
	if ref.Kind() == jira.RefUsername {
		return ref.Value(), nil
	}
	u, _, err := c.Users.Get(ctx, ref, nil)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// isMember reads whether the user is in the group now.
func (c *Client) isMember(ctx context.Context, username, group string) (bool, error) {
	u, _, err := c.Users.Get(ctx, jira.Username(username), &GetOptions{Groups: true})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(u.Groups.Items, func(g NamedRef) bool { return g.Name == group }), nil
}

func isBadRequest(err error) bool {
	e, ok := errors.AsType[*jira.APIError](err)
	return ok && e.StatusCode == http.StatusBadRequest
}

// AddToGroup adds a user to a group. It is idempotent: Jira refuses to add
// a member twice (400), and then AddToGroup checks the membership and
// returns nil.
//
// DC: POST /rest/api/2/group/user
func (c *Client) AddToGroup(ctx context.Context, ref jira.UserRef, group string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Groups.AddUser(ctx, group, name)
	if isBadRequest(err) {
		if member, merr := c.isMember(ctx, name, group); merr == nil && member {
			return nil
		}
	}
	return err
}

// RemoveFromGroup removes a user from a group. It is idempotent: when Jira
// refuses because the user is not a member (400), it checks and returns nil.
//
// DC: DELETE /rest/api/2/group/user
func (c *Client) RemoveFromGroup(ctx context.Context, ref jira.UserRef, group string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Groups.RemoveUser(ctx, group, name)
	if isBadRequest(err) {
		if member, merr := c.isMember(ctx, name, group); merr == nil && !member {
			return nil
		}
	}
	return err
}

// Deactivate sets the user's active flag to false (Jira DC 8.3+). It fails
// for users of read-only directories.
//
// DC: PUT /rest/api/2/user {"active": false}
func (c *Client) Deactivate(ctx context.Context, ref jira.UserRef) error {
	_, err := c.Users.SetActive(ctx, ref, false)
	return err
}

// Reactivate sets the user's active flag to true.
//
// DC: PUT /rest/api/2/user {"active": true}
func (c *Client) Reactivate(ctx context.Context, ref jira.UserRef) error {
	_, err := c.Users.SetActive(ctx, ref, true)
	return err
}

// Delete deletes the user. Jira refuses (400) for project leads and users
// of read-only directories; callers may deactivate instead.
//
// DC: DELETE /rest/api/2/user
func (c *Client) Delete(ctx context.Context, ref jira.UserRef) error {
	_, err := c.Users.Delete(ctx, ref)
	return err
}

// ResetPassword sets the user's password to password, which never appears
// in an error or a log.
//
// DC: PUT /rest/api/2/user/password
func (c *Client) ResetPassword(ctx context.Context, ref jira.UserRef, password jira.Secret) error {
	_, err := c.Users.SetPassword(ctx, ref, password)
	return err
}

// InvalidateSessions logs the user out everywhere.
//
// DC: DELETE /rest/api/2/user/session/{username}
func (c *Client) InvalidateSessions(ctx context.Context, ref jira.UserRef) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Users.InvalidateSessions(ctx, name)
	return err
}

// SetProperty writes a user property.
//
// DC: PUT /rest/api/2/user/properties/{propertyKey}
func (c *Client) SetProperty(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) error {
	_, err := c.Properties.Set(ctx, ref, key, value)
	return err
}

// DeleteProperty removes a user property; a property that is not there is
// not an error.
//
// DC: DELETE /rest/api/2/user/properties/{propertyKey}
func (c *Client) DeleteProperty(ctx context.Context, ref jira.UserRef, key string) error {
	_, err := c.Properties.Delete(ctx, ref, key)
	if errors.Is(err, jira.ErrNotFound) {
		if _, _, gerr := c.Users.Get(ctx, ref, nil); gerr == nil {
			return nil // the user exists; the property does not
		}
	}
	return err
}

// GrantLicence gives the user access to an application, e.g.
// "jira-software".
//
// DC: POST /rest/api/2/user/application
func (c *Client) GrantLicence(ctx context.Context, ref jira.UserRef, application string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Users.GrantApplication(ctx, name, application)
	return err
}

// RevokeLicence removes the user's access to an application: Jira takes
// the user out of all the application's groups.
//
// DC: DELETE /rest/api/2/user/application
func (c *Client) RevokeLicence(ctx context.Context, ref jira.UserRef, application string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Users.RevokeApplication(ctx, name, application)
	return err
}

// CreateIssue files an issue.
//
// DC: POST /rest/api/2/issue
func (c *Client) CreateIssue(ctx context.Context, r jira.IssueRequest) (jira.Issue, error) {
	is, _, err := c.Issues.Create(ctx, r)
	if err != nil {
		return jira.Issue{}, err
	}
	return is.Model(), nil
}

// Issue reads an issue's status.
//
// DC: GET /rest/api/2/issue/{issueIdOrKey}
func (c *Client) Issue(ctx context.Context, keyOrID string) (jira.Issue, error) {
	is, _, err := c.Issues.Get(ctx, keyOrID)
	if err != nil {
		return jira.Issue{}, err
	}
	return is.Model(), nil
}

// Snapshot walks every user (inactive ones too, unless opts.ActiveOnly)
// with the extra data opts asks for, in the fewest requests the API
// allows:
//
//   - the server version, once (it says whether lastLoginTime is sent);
//   - the users, 2000 a request through /user/list (1000 through
//     /user/search on servers before 10) — last login comes with them;
//   - the members of each group asked for (Groups and OptionalGroups), and of each licence group when
//     opts.Licences is set (50 a request), instead of each user's groups;
//   - the application roles, once, when opts.Licences is set;
//   - one request per user for opts.AllGroups (DC cannot list all groups
//     otherwise), and one per user and property for opts.Properties.
//
// Memberships are collected before the users are streamed; each user is
// yielded once and not kept. A group that does not exist is an error
// matching [jira.ErrNotFound]. An error ends the iteration.
func (c *Client) Snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		known, err := c.lastLoginKnown(ctx)
		if err != nil {
			yield(jira.User{}, err)
			return
		}
		var roles []ApplicationRole
		if opts.Licences {
			if roles, _, err = c.Roles.List(ctx); err != nil {
				yield(jira.User{}, err)
				return
			}
		}
		wanted := make(map[string]bool, len(opts.Groups)+len(opts.OptionalGroups))
		for _, g := range slices.Concat(opts.Groups, opts.OptionalGroups) {
			wanted[g] = true
		}
		optional := func(g string) bool {
			return slices.Contains(opts.OptionalGroups, g) && !slices.Contains(opts.Groups, g)
		}
		fetch := slices.Concat(opts.Groups, opts.OptionalGroups)
		for _, r := range roles {
			fetch = append(fetch, r.Groups...)
		}
		slices.Sort(fetch)
		fetch = slices.Compact(fetch)
		memberOf := map[string][]string{} // user key → groups fetched
		for _, g := range fetch {
			for u, err := range c.Groups.AllMembers(ctx, g, &MembersOptions{IncludeInactive: true}) {
				if errors.Is(err, jira.ErrNotFound) && optional(g) {
					break // an optional group this site does not have
				}
				if err != nil {
					yield(jira.User{}, fmt.Errorf("datacenter: members of group %q: %w", g, err))
					return
				}
				memberOf[u.Key] = append(memberOf[u.Key], g)
			}
		}
		for u, err := range c.Users.All(ctx) {
			if err != nil {
				yield(jira.User{}, err)
				return
			}
			if opts.ActiveOnly && !u.Active {
				continue
			}
			m := u.Model(known)
			in := memberOf[u.Key]
			for _, g := range in {
				if wanted[g] {
					m.Groups = append(m.Groups, g)
				}
			}
			for _, r := range roles {
				if slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(in, g) }) {
					m.Licences = append(m.Licences, r.Key)
				}
			}
			if err := c.fill(ctx, &u, &m, opts); err != nil {
				yield(jira.User{}, err)
				return
			}
			slices.Sort(m.Groups)
			slices.Sort(m.Licences)
			if !yield(m, nil) {
				return
			}
		}
	}
}

// fill adds the per-user data a snapshot asked for: all groups and
// properties.
func (c *Client) fill(ctx context.Context, u *User, m *jira.User, opts jira.SnapshotOptions) error {
	ref := jira.UserKey(u.Key)
	if opts.AllGroups {
		full, _, err := c.Users.Get(ctx, ref, &GetOptions{Groups: true})
		if err != nil {
			return fmt.Errorf("datacenter: groups of %s: %w", u.Name, err)
		}
		m.Groups = m.Groups[:0]
		for _, g := range full.Groups.Items {
			m.Groups = append(m.Groups, g.Name)
		}
	}
	for _, key := range opts.Properties {
		v, _, err := c.Properties.Get(ctx, ref, key)
		if errors.Is(err, jira.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("datacenter: property %q of %s: %w", key, u.Name, err)
		}
		if m.Properties == nil {
			m.Properties = map[string]json.RawMessage{}
		}
		m.Properties[key] = v
	}
	return nil
}

// AddComment comments on an issue, e.g. a run's report on its approval
// issue.
//
// DC: POST /rest/api/2/issue/{issueIdOrKey}/comment
func (c *Client) AddComment(ctx context.Context, keyOrID, body string) error {
	_, _, err := c.Issues.AddComment(ctx, keyOrID, body)
	return err
}
