package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	reporthistory "github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// loginReloadPoll is how often runLogins looks for a reloaded file.
const loginReloadPoll = time.Second

// loginOnly reports whether a policy runs only on logins: an on-login
// trigger and no schedule. --once checks its logins rather than run it
// over every user its criterion matches.
func loginOnly(p *usermgmt.CompiledPolicy) bool {
	_, on := p.OnLoginEvery()
	return on && !p.Scheduled()
}

// hasLoginPolicy reports whether a policy of f has an on-login trigger.
func hasLoginPolicy(f *usermgmt.PolicySet) bool {
	for _, p := range f.Policies() {
		if _, on := p.OnLoginEvery(); on {
			return true
		}
	}
	return false
}

// loginTrigger returns the on-login trigger of f's policies, nil when
// none has one (or the history keeps no login checks: that is logged).
func (d *daemon) loginTrigger(ctx context.Context, f *usermgmt.PolicySet) *usermgmt.LoginTrigger {
	store, ok := d.cfg.Store.(reporthistory.LoginStore)
	cfg := usermgmt.LoginTriggerConfig{Store: store, Apply: d.cfg.Apply,
		Manager: usermgmt.Config{Policies: f, Clients: d.clients, Now: d.cfg.Now, Logger: d.log, Store: d.cfg.Store},
		Journal: func(policy, planID string) string {
			if !d.cfg.Apply || d.cfg.JournalDir == "" || os.MkdirAll(d.cfg.JournalDir, 0o755) != nil {
				return ""
			}
			return filepath.Join(d.cfg.JournalDir, policy+"-login-"+filepath.Base(planID)+".journal")
		}}
	if d.cfg.Mail != nil {
		cfg.Manager.SMTP, cfg.Manager.MailFrom = &d.cfg.Mail.SMTP, d.cfg.Mail.From
	}
	if !ok {
		cfg.Store = nil
	}
	t, err := usermgmt.NewLoginTrigger(cfg)
	switch {
	case err == nil && len(t.Policies()) == 0:
		return nil
	case err == nil:
		return t
	case !ok:
		for _, p := range f.Policies() {
			if _, on := p.OnLoginEvery(); on {
				d.log.LogAttrs(ctx, slog.LevelError, "on-login policy not run: the history keeps no login checks", slog.String("policy", p.Name))
			}
		}
	default:
		d.log.LogAttrs(ctx, slog.LevelError, "on-login policies not run", slog.String("error", err.Error()))
	}
	return nil
}

// runLogins runs the on-login checks of the current file until ctx is
// done, starting them again with the new file after a reload.
func (d *daemon) runLogins(ctx context.Context) {
	for ctx.Err() == nil {
		d.mu.Lock()
		f := d.file
		d.mu.Unlock()
		tctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		var t *usermgmt.LoginTrigger
		if f != nil {
			t = d.loginTrigger(ctx, f)
		}
		if t != nil {
			for _, name := range t.Policies() {
				d.log.LogAttrs(ctx, slog.LevelInfo, "policy checks logins", slog.String("policy", name))
			}
			go func() { defer close(done); t.Run(tctx) }()
		} else {
			close(done)
		}
		tick := time.NewTicker(loginReloadPoll)
		for changed := false; !changed && ctx.Err() == nil; {
			select {
			case <-ctx.Done():
			case <-tick.C:
				d.mu.Lock()
				changed = d.file != f
				d.mu.Unlock()
			}
		}
		tick.Stop()
		stop()
		<-done
	}
}

// checkLoginsOnce checks the logins of every on-login policy once (--once)
// and reports whether a check failed, and whether one was refused by its
// blast-radius limit.
func (d *daemon) checkLoginsOnce(ctx context.Context) (failed, refused bool) {
	d.mu.Lock()
	f := d.file
	d.mu.Unlock()
	if f == nil {
		return false, false
	}
	t := d.loginTrigger(ctx, f)
	if t == nil {
		return false, false
	}
	for _, name := range t.Policies() {
		res, err := t.Check(ctx, name)
		log := d.log.With(slog.String("policy", name), slog.String("trigger", "onLogin"), slog.Bool("dry_run", !d.cfg.Apply))
		switch {
		case usermgmt.Refused(err):
			log.LogAttrs(ctx, slog.LevelWarn, "login check refused", slog.String("error", err.Error()))
			refused = true
			continue
		case err != nil:
			log.LogAttrs(ctx, slog.LevelError, "login check failed", slog.String("error", err.Error()))
			failed = true
			continue
		}
		attrs := []slog.Attr{slog.Bool("first", res.First), slog.Int("logins", len(res.Logins)), slog.Int("retried", len(res.Retried))}
		if res.Plan != nil {
			attrs = append(attrs, slog.String("plan_id", res.Plan.ID), slog.Int("users", len(res.Plan.Users)))
		}
		log.LogAttrs(ctx, slog.LevelInfo, "login check", attrs...)
	}
	return failed, refused
}
