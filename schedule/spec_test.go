package schedule_test

import (
	"errors"
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin wherever the tests run

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/schedule"
)

func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

func mustParse(t testing.TB, expr string, loc *time.Location) schedule.Spec {
	t.Helper()
	s, err := schedule.Parse(expr, loc)
	require.NoError(t, err)
	return s
}

// nexts returns the n activations of s after from, formatted in from's zone.
func nexts(s schedule.Spec, from time.Time, n int) []string {
	var out []string
	for range n {
		from = s.Next(from)
		out = append(out, from.Format("2006-01-02 15:04 MST"))
	}
	return out
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, field, value, msg string
	}{
		{"61 * * * *", "minute", "61", "above maximum (59)"},
		{"0 24 * * *", "hour", "24", "above maximum (23)"},
		{"0 0 0 * *", "day-of-month", "0", "below minimum (1)"},
		{"0 0 1 13 *", "month", "13", "above maximum (12)"},
		{"0 0 * * 8", "day-of-week", "8", "above maximum (6)"},
		{"0 0 * * FUNDAY", "day-of-week", "FUNDAY", "failed to parse int"},
		{"*/0 * * * *", "minute", "*/0", "step of range should be a positive number"},
		{"0 5-1 * * *", "hour", "5-1", "beyond end of range"},
		{"* * * *", "", "", "want 5 fields"},
		{"0 * * * * *", "", "", "want 5 fields"},
		{"", "", "", "empty expression"},
		{"@fortnightly", "", "", "unknown descriptor"},
		{"@every", "", "", "@every needs a duration"},
		{"@every soon", "", "", "@every needs a duration"},
		{"@every 500ms", "", "", "at least 1s"},
		{"@every -1h", "", "", "at least 1s"},
		{"@every 1.5s", "", "", "whole number of seconds"},
		{"@every 0s", "", "", "at least 1s"},
		{"@every 1500ms", "", "", "whole number of seconds"},
		{"CRON_TZ=Mars/Olympus 0 9 * * *", "", "", `unknown time zone "Mars/Olympus"`},
		{"TZ=UTC", "", "", "must be followed by the schedule"},
		{"0 0 30 2 *", "", "", "never fires"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			_, err := schedule.Parse(tt.expr, time.UTC)
			var pe *schedule.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.expr, pe.Expr)
			assert.Equal(t, tt.field, pe.Field)
			assert.Equal(t, tt.value, pe.Value)
			assert.Contains(t, err.Error(), tt.msg)
			if tt.field != "" {
				assert.Contains(t, err.Error(), fmt.Sprintf("%s field %q", tt.field, tt.value))
			}
		})
	}
}

func TestParseNext(t *testing.T) {
	t.Parallel()
	b := berlin(t)
	from := time.Date(2026, time.June, 5, 12, 0, 0, 0, b) // a Friday
	tests := []struct {
		expr string
		loc  *time.Location
		want []string
	}{
		{"0 9 * * MON-FRI", b, []string{"2026-06-08 09:00 CEST", "2026-06-09 09:00 CEST", "2026-06-10 09:00 CEST"}},
		{"@daily", b, []string{"2026-06-06 00:00 CEST", "2026-06-07 00:00 CEST", "2026-06-08 00:00 CEST"}},
		{"@weekly", b, []string{"2026-06-07 00:00 CEST", "2026-06-14 00:00 CEST", "2026-06-21 00:00 CEST"}},
		{"@monthly", b, []string{"2026-07-01 00:00 CEST", "2026-08-01 00:00 CEST", "2026-09-01 00:00 CEST"}},
		{"@hourly", b, []string{"2026-06-05 13:00 CEST", "2026-06-05 14:00 CEST", "2026-06-05 15:00 CEST"}},
		// @every is on a UTC grid from a fixed instant: 12:00 CEST is 10:00 UTC,
		// the next multiple of 90 minutes is 10:30 UTC.
		{"@every 1h30m", b, []string{"2026-06-05 12:30 CEST", "2026-06-05 14:00 CEST", "2026-06-05 15:30 CEST"}},
		{"@every 7m", b, []string{"2026-06-05 12:03 CEST", "2026-06-05 12:10 CEST", "2026-06-05 12:17 CEST"}},
		// Read in UTC: 09:00 UTC is 11:00 in Berlin in summer.
		{"0 9 * * *", time.UTC, []string{"2026-06-06 11:00 CEST", "2026-06-07 11:00 CEST", "2026-06-08 11:00 CEST"}},
		// The expression's own zone wins over loc.
		{"CRON_TZ=America/New_York 0 9 * * *", b, []string{"2026-06-05 15:00 CEST", "2026-06-06 15:00 CEST", "2026-06-07 15:00 CEST"}},
		// No zone: the zone of the time given.
		{"0 9 * * *", nil, []string{"2026-06-06 09:00 CEST", "2026-06-07 09:00 CEST", "2026-06-08 09:00 CEST"}},
		// Day of month or day of week, when both are restricted (cron's rule).
		{"0 0 13 * FRI", b, []string{"2026-06-12 00:00 CEST", "2026-06-13 00:00 CEST", "2026-06-19 00:00 CEST"}},
		{"0 0 29 2 *", b, []string{"2028-02-29 00:00 CET", "2032-02-29 00:00 CET", "2036-02-29 00:00 CET"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tt.expr, tt.loc)
			assert.Equal(t, tt.want, nexts(s, from, 3))
			assert.Equal(t, tt.expr, fmt.Sprint(s))
		})
	}
}

// TestParseDST pins robfig/cron's daylight saving semantics in
// Europe/Berlin: on 2026-03-29 clocks go from 02:00 CET to 03:00 CEST, on
// 2026-10-25 from 03:00 CEST back to 02:00 CET.
func TestParseDST(t *testing.T) {
	t.Parallel()
	b := berlin(t)
	spring := time.Date(2026, time.March, 28, 12, 0, 0, 0, b)
	autumn := time.Date(2026, time.October, 24, 12, 0, 0, 0, b)
	tests := []struct {
		name, expr string
		from       time.Time
		want       []string
	}{
		{"spring: a time in the skipped hour does not happen that day", "30 2 * * *", spring,
			[]string{"2026-03-30 02:30 CEST", "2026-03-31 02:30 CEST"}},
		{"spring: hourly jobs lose the skipped hour", "0 1-4 * * *", spring,
			[]string{"2026-03-29 01:00 CET", "2026-03-29 03:00 CEST", "2026-03-29 04:00 CEST"}},
		{"spring: midnight is unaffected", "@daily", spring,
			[]string{"2026-03-29 00:00 CET", "2026-03-30 00:00 CEST"}},
		{"autumn: a time in the repeated hour happens twice", "30 2 * * *", autumn,
			[]string{"2026-10-25 02:30 CEST", "2026-10-25 02:30 CET", "2026-10-26 02:30 CET"}},
		{"autumn: hourly jobs run in both hours", "0 1-3 * * *", autumn,
			[]string{"2026-10-25 01:00 CEST", "2026-10-25 02:00 CEST", "2026-10-25 02:00 CET", "2026-10-25 03:00 CET"}},
		{"autumn: outside the hour, once", "0 9 * * *", autumn,
			[]string{"2026-10-25 09:00 CET", "2026-10-26 09:00 CET"}},
		{"@every counts real time across the change", "@every 1h", time.Date(2026, time.October, 25, 1, 30, 0, 0, b),
			[]string{"2026-10-25 02:00 CEST", "2026-10-25 02:00 CET", "2026-10-25 03:00 CET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, nexts(mustParse(t, tt.expr, b), tt.from, len(tt.want)))
		})
	}
}

func TestParseErrorUnwrap(t *testing.T) {
	t.Parallel()
	_, err := schedule.Parse("CRON_TZ=Nowhere/Atall * * * * *", nil)
	var pe *schedule.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Error(t, errors.Unwrap(err))
}
