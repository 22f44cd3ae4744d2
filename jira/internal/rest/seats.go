package rest

import (
	"context"
	"net/http"

	"github.com/seatwarden/seatwarden/jira"
)

// Seats returns each application role's seats as the site counts them:
// userCount and numberOfSeats (-1 when the role has unlimited seats),
// the same fields on both flavours.
//
// GET {api}/applicationrole
func (s *Roles[R]) Seats(ctx context.Context) ([]jira.Seats, error) {
	var roles []struct {
		Key               string `json:"key"`
		NumberOfSeats     int    `json:"numberOfSeats"`
		UserCount         int    `json:"userCount"`
		HasUnlimitedSeats bool   `json:"hasUnlimitedSeats"`
	}
	if _, err := (*API)(s).Do(ctx, http.MethodGet, s.Prefix+"/applicationrole", nil, nil, &roles); err != nil {
		return nil, err
	}
	out := make([]jira.Seats, 0, len(roles))
	for _, r := range roles {
		st := jira.Seats{Application: r.Key, Used: r.UserCount, Limit: r.NumberOfSeats}
		if r.HasUnlimitedSeats {
			st.Limit = -1
		}
		out = append(out, st)
	}
	return out, nil
}
