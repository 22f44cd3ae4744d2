package jira

import "context"

// Seats are the seats of one application (a licence) as the site counts
// them: its application role's userCount and numberOfSeats.
type Seats struct {
	// Application is the role's key, e.g. "jira-software".
	Application string
	// Used is the users the site counts against the licence.
	Used int
	// Limit is the licence's seats; -1 when unlimited, 0 when unknown.
	Limit int
}

// SeatReader is an optional method of a [Site]: the licences' seats as
// the site reports them, which win over seats counted from a snapshot
// (the site knows its licence; a snapshot only sees users). Both
// *cloud.Client and *datacenter.Client have it (GET applicationrole).
type SeatReader interface {
	Seats(ctx context.Context) ([]Seats, error)
}
