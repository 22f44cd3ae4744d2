package cloud

import (
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
)

// RolesService reads application roles: the products (licences), their
// groups and seats. Its methods, the same as jira/datacenter's:
//
//   - List(ctx): GET /rest/api/3/applicationrole
//   - Get(ctx, key): GET /rest/api/3/applicationrole/{key}, e.g.
//     "jira-software"
type RolesService = rest.Roles[ApplicationRole]

// ApplicationRole is a product with its groups and seats.
type ApplicationRole struct {
	Key    string   `json:"key"`
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
	// GroupDetails are the groups that give access, with their ids.
	GroupDetails []GroupName `json:"groupDetails"`
	// DefaultGroupsDetails are the groups new users of the product join.
	DefaultGroupsDetails []GroupName `json:"defaultGroupsDetails"`
	DefaultGroups        []string    `json:"defaultGroups"`
	SelectedByDefault    bool        `json:"selectedByDefault"`
	Defined              bool        `json:"defined"`
	// NumberOfSeats is the licence's seats; -1 when unlimited.
	NumberOfSeats     int  `json:"numberOfSeats"`
	RemainingSeats    int  `json:"remainingSeats"`
	UserCount         int  `json:"userCount"`
	HasUnlimitedSeats bool `json:"hasUnlimitedSeats"`
	Platform          bool `json:"platform"`
}

// groups returns the role's groups, with ids when Jira sent them.
func (r *ApplicationRole) groups() []jira.Group {
	if len(r.GroupDetails) > 0 {
		out := make([]jira.Group, len(r.GroupDetails))
		for i, g := range r.GroupDetails {
			out[i] = jira.Group{Name: g.Name, ID: g.GroupID}
		}
		return out
	}
	out := make([]jira.Group, len(r.Groups))
	for i, g := range r.Groups {
		out[i] = jira.Group{Name: g}
	}
	return out
}

// defaultGroups returns the groups new users of the role join.
func (r *ApplicationRole) defaultGroups() []jira.Group {
	if len(r.DefaultGroupsDetails) > 0 {
		out := make([]jira.Group, len(r.DefaultGroupsDetails))
		for i, g := range r.DefaultGroupsDetails {
			out[i] = jira.Group{Name: g.Name, ID: g.GroupID}
		}
		return out
	}
	out := make([]jira.Group, len(r.DefaultGroups))
	for i, g := range r.DefaultGroups {
		out[i] = jira.Group{Name: g}
	}
	return out
}
