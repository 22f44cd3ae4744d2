package main

import (
	"log/slog"
	"net/http"

	"github.com/seatwarden/seatwarden/report/insights"
)

// GET /api/v1/insights?site=NAME: the insights of the site's users, now,
// in the JSON shape the CLI's 'insights --output json' prints (both
// through insights.WriteJSON).
func (s *server) insightsJSON(w http.ResponseWriter, r *http.Request) {
	in, _, _, ok := s.buildInsights(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := insights.WriteJSON(w, in); err != nil {
		s.cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "insights: JSON not written", slog.String("error", err.Error()))
	}
}
