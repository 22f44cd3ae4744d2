package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec says when a job runs: Next returns the first activation strictly
// after t, or the zero time if there is none. The schedules of
// github.com/robfig/cron/v3 satisfy it, and so does what [Parse] returns.
type Spec interface {
	Next(t time.Time) time.Time
}

// fieldNames are the five fields of a crontab line, in order.
const fieldNames = "minute hour day-of-month month day-of-week"

// ParseError is a cron expression that [Parse] refuses.
type ParseError struct {
	// Expr is the expression as given.
	Expr string
	// Field names the wrong field ("minute", "hour", "day-of-month",
	// "month" or "day-of-week") and Value is its text; both are empty when
	// the error concerns the whole expression (the number of fields, a
	// descriptor, the time zone).
	Field, Value string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error (robfig/cron's or time's), if any.
	Err error
}

// Error returns "schedule: " followed by the expression, the field and what
// is wrong.
func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("schedule: %q: %s", e.Expr, e.Msg)
	}
	return fmt.Sprintf("schedule: %q: %s field %q: %s", e.Expr, e.Field, e.Value, e.Msg)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// every is @every's schedule: the multiples of d from Go's zero time, the
// same instants in every process (robfig's cron.Every counts from each
// process's start, so two replicas would each run an hourly job).
type every time.Duration

// Next returns the first multiple of the interval strictly after t.
func (d every) Next(t time.Time) time.Time {
	return t.Truncate(time.Duration(d)).Add(time.Duration(d)).In(t.Location())
}

// cronSpec is a parsed expression; it prints as the expression.
type cronSpec struct {
	expr  string
	sched cron.Schedule
}

func (s cronSpec) Next(t time.Time) time.Time { return s.sched.Next(t) }
func (s cronSpec) String() string             { return s.expr }

// Parse parses a cron expression with robfig/cron/v3's standard parser:
// five fields (minute, hour, day of month, month, day of week; names such
// as MON and JAN, ranges, lists and steps allowed) or a descriptor —
// @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly, or
// @every followed by a duration of whole seconds, at least 1s ("@every
// 1h30m").
//
// Five-field expressions and descriptors other than @every are read in
// loc, unless the expression starts with "CRON_TZ=Zone " (or "TZ=Zone "),
// which wins. A nil loc means the zone of the time given to Next — for a
// [Runner], its [WithLocation] zone. @every ignores zones: it fires at the
// multiples of the interval counted from a fixed instant (Go's zero time,
// a UTC midnight), so "@every 1h" fires at each whole hour UTC, "@every 90m"
// at 00:00, 01:30, 03:00… UTC, and "@every 7m" on a grid that does not
// depend on when a process started. Every replica of a daemon therefore
// computes the same due times, and one schedule lock per due time runs
// each of them once.
//
// Daylight saving time follows robfig/cron: on the night clocks go
// forward, a time in the skipped hour (02:30 in Europe/Berlin on the last
// Sunday of March) does not happen, so "30 2 * * *" does not fire that
// day; on the night clocks go back, a time in the repeated hour happens
// twice and fires twice. Jobs that must run exactly once a day should be
// scheduled outside 02:00–03:00 local time, or in UTC.
//
// The error is a *[ParseError] naming the wrong field. Expressions that
// can never fire ("0 0 30 2 *") are refused too.
func Parse(expr string, loc *time.Location) (Spec, error) {
	fail := func(msg string, err error) (Spec, error) {
		return nil, &ParseError{Expr: expr, Msg: msg, Err: err}
	}
	rest := strings.TrimSpace(expr)
	if rest == "" {
		return fail("empty expression", nil)
	}
	if strings.HasPrefix(rest, "TZ=") || strings.HasPrefix(rest, "CRON_TZ=") {
		zone, after, ok := strings.Cut(rest[strings.Index(rest, "=")+1:], " ")
		if !ok || strings.TrimSpace(after) == "" {
			return fail("a time zone prefix must be followed by the schedule", nil)
		}
		z, err := time.LoadLocation(zone)
		if err != nil {
			return fail(fmt.Sprintf("unknown time zone %q", zone), err)
		}
		loc, rest = z, strings.TrimSpace(after)
	}
	if loc == nil {
		loc = time.Local
	}

	var sched cron.Schedule
	if strings.HasPrefix(rest, "@") {
		if d, ok := strings.CutPrefix(rest, "@every"); ok {
			dur, err := time.ParseDuration(strings.TrimSpace(d))
			switch {
			case err != nil:
				return fail("@every needs a duration such as 1h or 90m", err)
			case dur < time.Second || dur%time.Second != 0:
				return fail(fmt.Sprintf("@every %s: the interval must be a whole number of seconds, at least 1s", dur), nil)
			}
			return cronSpec{expr: expr, sched: every(dur)}, nil
		}
		s, err := cron.ParseStandard(rest)
		if err != nil {
			return fail("unknown descriptor; want @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>", err)
		}
		sched = s
	} else {
		fields := strings.Fields(rest)
		if len(fields) != 5 {
			return fail(fmt.Sprintf("want 5 fields (minute hour day-of-month month day-of-week), got %d", len(fields)), nil)
		}
		s, err := cron.ParseStandard(strings.Join(fields, " "))
		if err != nil {
			return nil, fieldError(expr, fields, err)
		}
		sched = s
	}
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok {
		return fail(fmt.Sprintf("unexpected schedule type %T", sched), nil)
	}
	// robfig's convention: time.Local means "the zone of the time given to
	// Next".
	spec.Location = loc
	// robfig's Next searches five years ahead, which covers leap days: a
	// zero answer from a fixed instant means the expression never fires.
	if spec.Next(time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return fail("never fires (no such date)", nil)
	}
	return cronSpec{expr: expr, sched: spec}, nil
}

// fieldError finds the field robfig/cron refused by parsing each field
// alone, the others being "*".
func fieldError(expr string, fields []string, err error) error {
	names := strings.Fields(fieldNames)
	for i, f := range fields {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f
		if _, ferr := cron.ParseStandard(strings.Join(probe, " ")); ferr != nil {
			return &ParseError{Expr: expr, Field: names[i], Value: f, Msg: ferr.Error(), Err: ferr}
		}
	}
	return &ParseError{Expr: expr, Msg: err.Error(), Err: err}
}
