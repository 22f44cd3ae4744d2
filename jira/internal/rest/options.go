package rest

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// Options is the one options type behind both clients' With… functions:
// the transport's configuration, embedded, and X, the flavour's own
// settings (DC: the login source; Cloud: the Admin API).
type Options[X any] struct {
	transport.Config
	Flavor X
}

// Option sets one option; the clients' Option types have this underlying
// type.
type Option[X any] = func(*Options[X]) error

// Transport sets the RoundTripper that sends requests.
func Transport[X any](pkg string, rt http.RoundTripper) Option[X] {
	return func(o *Options[X]) error {
		if rt == nil {
			return errors.New(pkg + ": nil transport")
		}
		o.Base = rt
		return nil
	}
}

// Retry sets how often a request is retried and the bounds of the wait.
func Retry[X any](maxRetries int, waitMin, waitMax time.Duration) Option[X] {
	return func(o *Options[X]) error {
		o.RetryMax, o.RetryWaitMin, o.RetryWaitMax = maxRetries, waitMin, waitMax
		return nil
	}
}

// Timeout bounds each attempt.
func Timeout[X any](d time.Duration) Option[X] {
	return func(o *Options[X]) error { o.Timeout = d; return nil }
}

// Logger sends the transport's debug records to l.
func Logger[X any](l *slog.Logger) Option[X] {
	return func(o *Options[X]) error { o.Logger = l; return nil }
}

// UserAgent sets the User-Agent header.
func UserAgent[X any](ua string) Option[X] {
	return func(o *Options[X]) error { o.UserAgent = ua; return nil }
}

// Observer tells o about every attempt and snapshot.
func Observer[X any](pkg string, o jira.Observer) Option[X] {
	return func(opts *Options[X]) error {
		if o == nil {
			return errors.New(pkg + ": nil observer")
		}
		opts.Config.Observer = o
		return nil
	}
}
