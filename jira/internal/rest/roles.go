package rest

import (
	"context"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// Roles reads application roles (licences, products), decoded as R: the
// flavour's ApplicationRole.
type Roles[R any] API

// List returns every application role.
//
// GET {api}/applicationrole
func (s *Roles[R]) List(ctx context.Context) ([]R, *jira.Response, error) {
	var roles []R
	resp, err := (*API)(s).Do(ctx, http.MethodGet, s.Prefix+"/applicationrole", nil, nil, &roles)
	if err != nil {
		return nil, resp, err
	}
	return roles, resp, nil
}

// Get returns one application role by key, e.g. "jira-software".
//
// GET {api}/applicationrole/{key}
func (s *Roles[R]) Get(ctx context.Context, key string) (*R, *jira.Response, error) {
	var r R
	resp, err := (*API)(s).Do(ctx, http.MethodGet, s.Prefix+"/applicationrole/"+url.PathEscape(key), nil, nil, &r)
	if err != nil {
		return nil, resp, err
	}
	return &r, resp, nil
}
