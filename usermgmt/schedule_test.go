package usermgmt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/usermgmt"
)

// TestScheduleOneParser checks that policy files read when.schedule with
// schedule.Parse, the runner's parser: intervals that are zero, negative
// or not whole seconds are refused with the field path and the line —
// robfig's ParseStandard took "@every 0s" (firing every second) and
// truncated "@every 1500ms".
func TestScheduleOneParser(t *testing.T) {
	t.Parallel()
	const src = `version: 1
policies:
  - {name: zero, when: {schedule: "@every 0s"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: negative, when: {schedule: "@every -5m"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: sub-second, when: {schedule: "@every 1500ms"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: half-second, when: {schedule: "@every 500ms"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: no-duration, when: {schedule: "@every often"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: never, when: {schedule: "0 0 30 2 *"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: descriptor, when: {schedule: "@fortnightly"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: field, when: {schedule: "0 3 * * 8"}, users: {where: active}, actions: [{action: deactivate}]}
`
	_, err := usermgmt.Parse([]byte(src), usermgmt.YAML, usermgmt.WithName("when.yaml"))
	le, ok := errors.AsType[*usermgmt.LoadError](err)
	require.True(t, ok, "%v", err)
	want := []struct {
		line int
		path string
		msg  string
	}{
		{3, "policies[0].when.schedule", "bad cron schedule: @every 0s: the interval must be a whole number of seconds, at least 1s"},
		{4, "policies[1].when.schedule", "bad cron schedule: @every -5m0s: the interval must be a whole number of seconds, at least 1s"},
		{5, "policies[2].when.schedule", "bad cron schedule: @every 1.5s: the interval must be a whole number of seconds, at least 1s"},
		{6, "policies[3].when.schedule", "bad cron schedule: @every 500ms: the interval must be a whole number of seconds, at least 1s"},
		{7, "policies[4].when.schedule", "bad cron schedule: @every needs a duration such as 1h or 90m"},
		{8, "policies[5].when.schedule", "bad cron schedule: never fires (no such date)"},
		{9, "policies[6].when.schedule", "bad cron schedule: unknown descriptor; want @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>"},
		{10, "policies[7].when.schedule", `bad cron schedule: day-of-week field "8": end of range (8) above maximum (6): 8`},
	}
	require.Len(t, le.Problems, len(want), "%v", err)
	for i, w := range want {
		p := le.Problems[i]
		assert.Equal(t, w.line, p.Line, w.path)
		assert.Equal(t, w.path, p.Path)
		assert.Equal(t, w.msg, p.Msg, w.path)
	}
}

// TestScheduleAccepted checks what the parser gives the policies it
// accepts: a whole-second interval fires exactly that often, and a cron
// line runs in the policy's time zone.
func TestScheduleAccepted(t *testing.T) {
	t.Parallel()
	const src = `version: 1
policies:
  - {name: every, when: {schedule: "@every 90s"}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: berlin, when: {schedule: "30 4 * * MON", timeZone: Europe/Berlin}, users: {where: active}, actions: [{action: deactivate}]}
  - {name: on-demand, users: {where: active}, actions: [{action: deactivate}]}
`
	f, err := usermgmt.Parse([]byte(src), usermgmt.YAML)
	require.NoError(t, err)
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday
	every, berlin, onDemand := &f.Policies()[0], &f.Policies()[1], &f.Policies()[2]
	assert.True(t, every.Scheduled())
	assert.Equal(t, at.Add(90*time.Second), every.Next(at).UTC())
	berlinZone, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 9, 4, 30, 0, 0, berlinZone).UTC(), berlin.Next(at).UTC(), "Monday 04:30 in Berlin is 03:30 UTC")
	assert.False(t, onDemand.Scheduled())
	assert.True(t, onDemand.Next(at).IsZero())
}
