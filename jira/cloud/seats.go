package cloud

import (
	"context"

	"github.com/seatwarden/seatwarden/jira"
)

var _ jira.SeatReader = (*Client)(nil)

// Seats returns each application role's seats as the site reports them:
// userCount and numberOfSeats (-1 when the role has unlimited seats). It
// makes *Client a [jira.SeatReader].
func (c *Client) Seats(ctx context.Context) ([]jira.Seats, error) {
	roles, _, err := c.Roles.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]jira.Seats, 0, len(roles))
	for _, r := range roles {
		s := jira.Seats{Application: r.Key, Used: r.UserCount, Limit: r.NumberOfSeats}
		if r.HasUnlimitedSeats {
			s.Limit = -1
		}
		out = append(out, s)
	}
	return out, nil
}
