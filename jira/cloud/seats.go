package cloud

import (
	"context"

	"github.com/seatwarden/seatwarden/jira"
)

var _ jira.SeatReader = (*Client)(nil)

// Seats returns each application role's seats as the site reports them
// (Roles.Seats); it makes *Client a [jira.SeatReader].
func (c *Client) Seats(ctx context.Context) ([]jira.Seats, error) { return c.Roles.Seats(ctx) }
