package main

import (
	"log/slog"

	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// loginLoop runs, until stop, the checks of the policies with
// when.onLogin: each checks its site's last logins on its interval and
// applies itself to the users who logged in since (usermgmt.LoginTrigger).
// The checks are kept in the server's history store.
func (s *server) loginLoop() {
	store, ok := any(s.cfg.store).(history.LoginStore)
	if !ok {
		s.cfg.log.Error("on-login policies not run: the history keeps no login checks")
		return
	}
	t, err := usermgmt.NewLoginTrigger(usermgmt.LoginTriggerConfig{Manager: s.cfg.managerConfig(s.clients, s.cfg.site),
		Store: store, Apply: true, Journal: func(_, planID string) string { return s.journal(planID) }})
	if err != nil {
		s.cfg.log.Error("on-login policies not run", slog.String("error", err.Error()))
		return
	}
	for _, name := range t.Policies() {
		s.cfg.log.Info("policy checks logins", slog.String("policy", name))
	}
	if len(t.Policies()) > 0 {
		s.background(t.Run)
	}
}
