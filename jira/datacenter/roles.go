package datacenter

import (
	"context"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// RolesService reads application roles: the licences and their seats.
type RolesService service

// ApplicationRole is an application (a licence) with its groups and seats.
type ApplicationRole struct {
	Key               string   `json:"key"`
	Name              string   `json:"name"`
	Groups            []string `json:"groups"`
	DefaultGroups     []string `json:"defaultGroups"`
	SelectedByDefault bool     `json:"selectedByDefault"`
	Defined           bool     `json:"defined"`
	// NumberOfSeats is the licence's seats; -1 when unlimited.
	NumberOfSeats     int  `json:"numberOfSeats"`
	RemainingSeats    int  `json:"remainingSeats"`
	UserCount         int  `json:"userCount"`
	HasUnlimitedSeats bool `json:"hasUnlimitedSeats"`
	Platform          bool `json:"platform"`
}

// List returns every application role.
//
// DC: GET /rest/api/2/applicationrole
func (s *RolesService) List(ctx context.Context) ([]ApplicationRole, *jira.Response, error) {
	var roles []ApplicationRole
	resp, err := s.c.do(ctx, http.MethodGet, api+"/applicationrole", nil, nil, &roles)
	if err != nil {
		return nil, resp, err
	}
	return roles, resp, nil
}

// Get returns one application role by key, e.g. "jira-software".
//
// DC: GET /rest/api/2/applicationrole/{key}
func (s *RolesService) Get(ctx context.Context, key string) (*ApplicationRole, *jira.Response, error) {
	var r ApplicationRole
	resp, err := s.c.do(ctx, http.MethodGet, api+"/applicationrole/"+url.PathEscape(key), nil, nil, &r)
	if err != nil {
		return nil, resp, err
	}
	return &r, resp, nil
}
