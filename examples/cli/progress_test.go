package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProgressLinesWithoutTerminal runs a long command with stderr not a
// terminal (a buffer), at 2 requests per second under a fake clock: the
// progress comes as plain lines every 5 s with users, requests, achieved
// rate and limit, then a summary; stdout stays clean JSON; --quiet
// silences it all.
func TestProgressLinesWithoutTerminal(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r, _ := cliAppWith(t, nil, func(a *app) { a.lineEvery = 0 }, // the default: a line every 5 s
			"--demo", "--rate", "2", "users", "list", "--output", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		var users []map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &users), "stdout is JSON alone")
		assert.Equal(t, 1001, len(users), "the admin and the 1000 generated users")

		lineRE := regexp.MustCompile(`^seatwarden: reading: (\d+) users, (\d+) requests, ([\d.]+) req/s \(limit 2 req/s, burst 2 \(ceiling\)\)$`)
		var lines, last []string
		prevReqs := 0
		for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			if m := lineRE.FindStringSubmatch(l); m != nil {
				lines = append(lines, l)
				reqs, _ := strconv.Atoi(m[2])
				assert.Greater(t, reqs, prevReqs, "requests grow from line to line")
				prevReqs = reqs
				rate, _ := strconv.ParseFloat(m[3], 64)
				assert.InDelta(t, 2, rate, 0.5, "the achieved rate is the limit's: %s", l)
				last = m
			}
		}
		require.GreaterOrEqual(t, len(lines), 2, "stderr:\n%s", r.stderr)
		assert.NotContains(t, r.stderr, "\r", "no bar when stderr is not a terminal")
		assert.Regexp(t, `(?m)^seatwarden: \d+ requests in [\d.ms]+ \([\d.]+ req/s\); rate limit 2 req/s, burst 2 \(ceiling\)$`, r.stderr)
		assert.NotEmpty(t, last)

		q := cli(t, nil, "--demo", "--rate", "2", "--quiet", "users", "list", "--output", "json")
		require.Equal(t, exitOK, q.code, q.stderr)
		assert.Equal(t, "demo: a fake Jira Data Center in memory, with 1000 generated users (seed 1)\n", q.stderr)
		var quietUsers []map[string]any
		require.NoError(t, json.Unmarshal([]byte(q.stdout), &quietUsers))
		assert.Equal(t, len(users), len(quietUsers))
	})
}

func TestRateFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ args, want string }{
		{"--rate -1", "--rate -1: want a positive number"},
		{"--rate 5 --burst -2", "--burst -2: want a positive number"},
		{"--burst 5", "--burst needs --rate"},
		{"--rate fast", `invalid value "fast" for flag --rate`},
	} {
		r := cli(t, nil, append(strings.Fields("--demo users list"), strings.Fields(c.args)...)...)
		assert.Equal(t, exitUsage, r.code, c.args)
		assert.Contains(t, r.stderr, c.want, c.args)
	}
}

// TestBarClearedBeforeStdout checks, on a terminal, that the bar is
// redrawn in place and cleared before anything is written to stdout, so
// that output never lands after the bar on the same line.
func TestBarClearedBeforeStdout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var term strings.Builder // stdout and stderr on one terminal
		m := newMeter(&term, true, false, 0)
		out := clearingWriter{w: &term, m: m}
		m.update("apply", 1, 4)
		time.Sleep(barEvery)
		m.update("apply", 2, 4)
		_, _ = out.Write([]byte("row\n"))
		m.update("apply", 3, 4) // not redrawn: less than barEvery since the last draw
		_, _ = out.Write([]byte("row\n"))
		m.finish()
		const clear = "\r\033[K"
		want := clear + "apply    [#######.......................] 1/4" +
			clear + "apply    [###############...............] 2/4  ETA 0s" +
			clear + "row\nrow\n"
		assert.Equal(t, want, term.String())
	})
}
