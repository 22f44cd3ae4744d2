package datacenter

import "github.com/seatwarden/seatwarden/jira/internal/rest"

// RolesService reads application roles: the licences and their seats.
// Its methods, the same as jira/cloud's:
//
//   - List(ctx): GET /rest/api/2/applicationrole
//   - Get(ctx, key): GET /rest/api/2/applicationrole/{key}, e.g.
//     "jira-software"
type RolesService = rest.Roles[ApplicationRole]

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
