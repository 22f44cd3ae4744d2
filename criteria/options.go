package criteria

import (
	"errors"
	"time"
)

// Default limits on the size of a criterion.
const (
	// DefaultMaxBytes is the default limit on the length of a criterion's
	// source, in bytes.
	DefaultMaxBytes = 16 << 10
	// DefaultMaxNodes is the default limit on the number of nodes of a
	// criterion's syntax tree.
	DefaultMaxNodes = 1000
)

// Option configures [Compile].
type Option func(*options)

type options struct {
	now      func() time.Time
	loc      *time.Location
	maxBytes int
	maxNodes int
	err      error
}

func defaultOptions() options {
	return options{now: time.Now, loc: time.UTC, maxBytes: DefaultMaxBytes, maxNodes: DefaultMaxNodes}
}

// WithNow sets the clock that [Program.Match] reads the instant of
// evaluation from; the default is time.Now. [Program.MatchAt] and
// [Program.Explain] take the instant as an argument instead.
func WithNow(now func() time.Time) Option {
	return func(o *options) {
		if now == nil {
			o.err = errors.New("criteria: WithNow: nil clock")
			return
		}
		o.now = now
	}
}

// WithLocation sets the time zone in which calendar days are counted
// (daysSince…) and date strings such as "2026-01-31" are read; times are
// shown in it too. The default is UTC.
func WithLocation(loc *time.Location) Option {
	return func(o *options) {
		if loc == nil {
			o.err = errors.New("criteria: WithLocation: nil location")
			return
		}
		o.loc = loc
	}
}

// WithMaxBytes limits the length of the source; the default is
// [DefaultMaxBytes].
func WithMaxBytes(n int) Option {
	return func(o *options) {
		if n <= 0 {
			o.err = errors.New("criteria: WithMaxBytes: limit must be positive")
			return
		}
		o.maxBytes = n
	}
}

// WithMaxNodes limits the number of nodes of the syntax tree; the default
// is [DefaultMaxNodes].
func WithMaxNodes(n int) Option {
	return func(o *options) {
		if n <= 0 {
			o.err = errors.New("criteria: WithMaxNodes: limit must be positive")
			return
		}
		o.maxNodes = n
	}
}
