package criteria

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr"
)

// maxCached bounds each per-program cache of parsed dates and compiled
// regular expressions built from non-literal arguments.
const maxCached = 1024

// funcs holds the pure functions of one program and their caches. Literal
// arguments are parsed at compile time and stored here; the caches are safe
// for concurrent use.
type funcs struct {
	loc      *time.Location
	regexps  cache[*regexp.Regexp]
	dates    cache[dateArg]
	instants cache[time.Time]
}

// parseInstant reads the one-argument form of date().
func (f *funcs) parseInstant(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, time.DateTime, time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, f.loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("criteria: invalid date %q: want 2006-01-02, 2006-01-02 15:04:05 or RFC 3339", s)
}

// cache is a bounded, concurrency-safe memo table: once full, new values are
// computed but not stored.
type cache[V any] struct {
	m sync.Map
	n atomic.Int64
}

func (c *cache[V]) get(key string, make func(string) (V, error)) (V, error) {
	if v, ok := c.m.Load(key); ok {
		return v.(V), nil
	}
	v, err := make(key)
	if err != nil {
		return v, err
	}
	if c.n.Load() < maxCached {
		if _, loaded := c.m.LoadOrStore(key, v); !loaded {
			c.n.Add(1)
		}
	}
	return v, nil
}

// dateArg is a parsed date argument of before/after: a whole calendar day
// [start, end) for "2006-01-02", or an instant (start == end) for RFC 3339.
type dateArg struct{ start, end time.Time }

func (f *funcs) parseDate(s string) (dateArg, error) {
	if d, err := time.ParseInLocation(time.DateOnly, s, f.loc); err == nil {
		return dateArg{start: d, end: d.AddDate(0, 0, 1)}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return dateArg{start: t, end: t}, nil
	}
	return dateArg{}, fmt.Errorf("criteria: invalid date %q: want 2006-01-02 or RFC 3339", s)
}

func (f *funcs) compileRegexp(s string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("criteria: invalid regular expression %q: %w", s, err)
	}
	return re, nil
}

// timeArgs reads the (time, time or date string) arguments of before and
// after.
func (f *funcs) timeArgs(name string, params []any) (time.Time, dateArg, error) {
	t, ok := params[0].(time.Time)
	if !ok || t.IsZero() {
		return time.Time{}, dateArg{}, fmt.Errorf("%s: %w", name, ErrUnknownTime)
	}
	switch x := params[1].(type) {
	case time.Time:
		if x.IsZero() {
			return time.Time{}, dateArg{}, fmt.Errorf("%s: %w", name, ErrUnknownTime)
		}
		return t, dateArg{start: x, end: x}, nil
	case string:
		d, err := f.dates.get(x, f.parseDate)
		return t, d, err
	default:
		return time.Time{}, dateArg{}, fmt.Errorf("criteria: %s: want a time or a date string, got %T", name, params[1])
	}
}

func (f *funcs) options() []expr.Option {
	timeTypes := []any{new(func(time.Time, time.Time) bool), new(func(time.Time, string) bool)}
	return []expr.Option{
		expr.Function("before", func(params ...any) (any, error) {
			t, d, err := f.timeArgs("before", params)
			if err != nil {
				return false, err
			}
			return t.Before(d.start), nil
		}, timeTypes...),
		expr.Function("after", func(params ...any) (any, error) {
			t, d, err := f.timeArgs("after", params)
			if err != nil {
				return false, err
			}
			if d.end.Equal(d.start) {
				return t.After(d.end), nil
			}
			return !t.Before(d.end), nil
		}, timeTypes...),
		// date replaces expr's builtin, which loses its time zone when
		// the environment is a struct (expr v1.17.8): strings are read in
		// the program's location unless they carry an offset.
		expr.Function("date", func(params ...any) (any, error) {
			s, _ := params[0].(string)
			switch len(params) {
			case 1:
				d, err := f.instants.get(s, f.parseInstant)
				return d, err
			case 2:
				layout, _ := params[1].(string)
				return time.ParseInLocation(layout, s, f.loc)
			default:
				layout, _ := params[1].(string)
				name, _ := params[2].(string)
				loc, err := time.LoadLocation(name)
				if err != nil {
					return nil, err
				}
				return time.ParseInLocation(layout, s, loc)
			}
		}, new(func(string) time.Time), new(func(string, string) time.Time), new(func(string, string, string) time.Time)),
		expr.Function("domainOf", func(params ...any) (any, error) {
			s, _ := params[0].(string)
			return domainOf(s), nil
		}, new(func(string) string)),
		// matches is reachable only through the rewrite of the matches
		// operator with a non-literal pattern: the parser reads "matches"
		// as an operator, never as a call.
		expr.Function("matches", func(params ...any) (any, error) {
			s, ok1 := params[0].(string)
			p, ok2 := params[1].(string)
			if !ok1 || !ok2 {
				return false, errors.New("criteria: matches: want strings")
			}
			re, err := f.regexps.get(p, f.compileRegexp)
			if err != nil {
				return false, err
			}
			return re.MatchString(s), nil
		}, new(func(string, string) bool)),
	}
}
