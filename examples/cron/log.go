package main

import (
	"context"
	"log/slog"
	"slices"
)

// runIDKey is the context key of the id of a policy's run.
type runIDKey struct{}

func withRunID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, runIDKey{}, id)
}

// handler gives every record of a policy's run the run's run_id: the
// records logged with the run's ctx (the daemon's, usermgmt's and
// actions') and the scheduler's records that name the policy ("job")
// while it runs. usermgmt and actions name their own plan and apply
// calls run_id: those become manager_run_id, so that run_id is one
// value for the whole run.
type handler struct {
	slog.Handler
	active func(policy string) (id string, ok bool) // nil: none
}

func newHandler(h slog.Handler) slog.Handler { return handler{Handler: h} }

// withActive returns h, also giving the scheduler's records of a running
// policy its run's id.
func withActive(h slog.Handler, active func(string) (string, bool)) slog.Handler {
	if hh, ok := h.(handler); ok {
		h = hh.Handler
	}
	return handler{Handler: h, active: active}
}

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	id, ok := ctx.Value(runIDKey{}).(string)
	if !ok && h.active != nil {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "job" {
				id, ok = h.active(a.Value.String())
				return false
			}
			return true
		})
	}
	if ok {
		r = r.Clone()
		r.AddAttrs(slog.String("run_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler {
	if slices.ContainsFunc(as, func(a slog.Attr) bool { return a.Key == "run_id" }) {
		as = slices.Clone(as)
		for i := range as {
			if as[i].Key == "run_id" {
				as[i].Key = "manager_run_id"
			}
		}
	}
	return handler{Handler: h.Handler.WithAttrs(as), active: h.active}
}

func (h handler) WithGroup(name string) slog.Handler {
	return handler{Handler: h.Handler.WithGroup(name), active: h.active}
}
