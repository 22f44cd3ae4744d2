package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/seatwarden/seatwarden/jira"
)

// Fill is what a client gives [Fill.Snapshot] to add the per-user parts
// of a snapshot (all groups, properties) without one request after the
// other per user.
type Fill struct {
	// Pkg names the client package in errors, e.g. "cloud".
	Pkg string
	// Property reads one user property; an error matching
	// [jira.ErrNotFound] means it is not set.
	Property func(ctx context.Context, u *jira.User, key string) (json.RawMessage, error)
	// UserGroups reads every group of one user: one request.
	UserGroups func(ctx context.Context, u *jira.User) ([]string, error)
	// ListGroups lists every group of the site; requests is what it cost.
	// When it fails, each user's groups are read instead.
	ListGroups func(ctx context.Context) (groups []jira.Group, requests int, err error)
	// Members walks a group's members, inactive ones included, 50 a
	// request, yielding each member's [jira.User.ID].
	Members func(ctx context.Context, g jira.Group) iter.Seq2[string, error]
}

// chunk is how many users a snapshot reads properties for at once.
const chunk = 256

// Snapshot wraps a client's own snapshot (inner, which must not be asked
// for AllGroups or Properties) and adds them:
//
//   - Properties: read for a chunk of users at a time, [Workers] requests
//     at once through the client's limiter, then yielded in order.
//   - AllGroups: the users are collected first; then the client lists
//     the site's groups and walks their members (Σ⌈members/50⌉ requests)
//     when that costs fewer requests than reading each user's groups (one
//     request per user). Every group costs at least one request, so with
//     at least as many groups as users it reads each user; a walk that
//     reaches as many requests as there are users stops and reads each
//     user instead.
func (f *Fill) Snapshot(ctx context.Context, opts jira.SnapshotOptions, inner func(jira.SnapshotOptions) iter.Seq2[jira.User, error]) iter.Seq2[jira.User, error] {
	in := opts
	in.AllGroups, in.Properties = false, nil
	if !opts.AllGroups && len(opts.Properties) == 0 {
		return inner(in)
	}
	return func(yield func(jira.User, error) bool) {
		var buf []jira.User
		flush := func(groups map[string][]string) bool {
			if err := f.fill(ctx, buf, opts, groups); err != nil {
				yield(jira.User{}, err)
				return false
			}
			for _, u := range buf {
				if !yield(u, nil) {
					return false
				}
			}
			buf = buf[:0]
			return true
		}
		for u, err := range inner(in) {
			if err != nil {
				yield(jira.User{}, err)
				return
			}
			buf = append(buf, u)
			if !opts.AllGroups && len(buf) == chunk && !flush(nil) {
				return
			}
		}
		var groups map[string][]string
		if opts.AllGroups {
			var err error
			if groups, err = f.walk(ctx, len(buf)); err != nil {
				yield(jira.User{}, err)
				return
			}
		}
		flush(groups)
	}
}

// walk reads every group's members: user ID → group names. It returns
// nil (read each user instead) when that is cheaper than the walk.
func (f *Fill) walk(ctx context.Context, users int) (map[string][]string, error) {
	if users == 0 {
		return nil, nil
	}
	groups, spent, err := f.ListGroups(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: listing the groups: %w", f.Pkg, err)
		}
		// The site would not list its groups (e.g. too many for DC's
		// picker): read each user's groups instead.
		return nil, nil
	}
	if spent+len(groups) >= users {
		return nil, nil
	}
	memberOf := map[string][]string{}
	for _, g := range groups {
		n := 0
		for id, err := range f.Members(ctx, g) {
			if err != nil {
				return nil, fmt.Errorf("%s: members of group %q: %w", f.Pkg, g.Name, err)
			}
			if n%MembersPage == 0 {
				if spent++; spent >= users {
					return nil, nil
				}
			}
			n++
			memberOf[id] = append(memberOf[id], g.Name)
		}
		if n == 0 {
			spent++
		}
	}
	return memberOf, nil
}

// fill adds all groups (from memberOf, or one request per user when it is
// nil) and properties to users, Workers users at a time.
func (f *Fill) fill(ctx context.Context, users []jira.User, opts jira.SnapshotOptions, memberOf map[string][]string) error {
	return Each(ctx, len(users), func(ctx context.Context, i int) error {
		u := &users[i]
		if opts.AllGroups {
			if memberOf != nil {
				u.Groups = append([]string(nil), memberOf[u.ID()]...)
			} else {
				gs, err := f.UserGroups(ctx, u)
				if err != nil {
					return fmt.Errorf("%s: groups of %s: %w", f.Pkg, u.ID(), err)
				}
				u.Groups = gs
			}
			slices.Sort(u.Groups)
			u.Groups = slices.Compact(u.Groups)
		}
		for _, key := range opts.Properties {
			v, err := f.Property(ctx, u, key)
			if errors.Is(err, jira.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: property %q of %s: %w", f.Pkg, key, u.ID(), err)
			}
			if u.Properties == nil {
				u.Properties = map[string]json.RawMessage{}
			}
			u.Properties[key] = v
		}
		return nil
	})
}
