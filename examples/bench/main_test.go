package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// TestTinyRun runs every scenario on both flavours at a tiny size against
// the fake on a local port, and checks the table: a row per job, each
// finished, with requests, requests per user and the share of the
// allowed rate.
func TestTinyRun(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--users", "60", "--deactivate", "10", "--server-rate", "400", "--latency", "1ms", "--rate", "400"},
		&stdout, &stderr, func(string) string { return "" })
	require.Equal(t, 0, code, stderr.String())
	row := regexp.MustCompile(`^\| (.+?) \| (dc|cloud) \| (\d+) \| ([\d.]+m?s) \| (\d+) \| ([\d.]+) \| ([\d.]+) / 400 req/s \((\d+)%\) \| (.+?) \| 400 req/s, burst \d+ \((server|ceiling)\)(?:; Admin API 400 req/s, burst \d+ \(ceiling\))? \| (.+) \|$`)
	var jobs []string
	for _, l := range strings.Split(stdout.String(), "\n") {
		m := row.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		jobs = append(jobs, m[2]+" "+m[1])
		users, _ := strconv.Atoi(m[3])
		assert.Equal(t, 61, users, "the admin and the generated users: %s", l)
		reqs, _ := strconv.Atoi(m[5])
		perUser, _ := strconv.ParseFloat(m[6], 64)
		assert.Positive(t, reqs, l)
		assert.Positive(t, perUser, l)
		if strings.HasPrefix(m[1], "plan:") {
			assert.Equal(t, "—", m[11], "no naive cost for the lifecycle plan")
		} else {
			assert.Regexp(t, `^[\d.]+m?s, \d+ requests$`, m[11], l)
		}
		if m[2] == "dc" {
			assert.Equal(t, "server", m[10], "DC follows the bucket the fake advertises")
			assert.Equal(t, "—", m[9], "DC has no Admin API")
		} else {
			assert.Regexp(t, `^[\d.]+ / 400 req/s \(\d+%\)$`, m[9], "Cloud's Admin API in a column of its own: %s", l)
		}
	}
	assert.Equal(t, []string{
		"dc users list → JSON (all groups)", "dc plan + apply: deactivate 10", "dc plan: lifecycle example",
		"cloud users list → JSON (all groups)", "cloud plan + apply: deactivate 10", "cloud plan: lifecycle example",
	}, jobs, stdout.String())
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ args, want string }{
		{"--users 3", "--users 3: want at least 10"},
		{"--flavors mainframe", `--flavors: "mainframe"`},
		{"--scenarios list,sing", `--scenarios: "sing"`},
		{"--burst 5", "--burst needs --rate"},
		{"--site https://jira.example.com", "--site measures one site"},
	} {
		var stderr bytes.Buffer
		code := run(t.Context(), strings.Fields(c.args), &bytes.Buffer{}, &stderr, func(string) string { return "" })
		assert.Equal(t, 2, code, c.args)
		assert.Contains(t, stderr.String(), c.want, c.args)
	}
}

// BenchmarkDeactivate plans and applies the deactivation of 100 of 400
// users against the fake with a 200 req/s bucket and 5 ms latency, with
// the clients' defaults (Cloud: --rate 200, since Cloud publishes no
// bucket). It reports the requests per deactivated user and the achieved
// share of the allowed rate.
func BenchmarkDeactivate(b *testing.B) {
	for _, fl := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		b.Run(fl.String(), func(b *testing.B) {
			c, err := parse([]string{"--users", "400", "--deactivate", "100", "--server-rate", "200", "--latency", "5ms"}, &bytes.Buffer{}, func(string) string { return "" })
			require.NoError(b, err)
			if fl == jira.Cloud {
				c.rate = 200
			}
			var r result
			for b.Loop() {
				r = c.runScenario(b.Context(), fl, "apply")
				require.NoError(b, r.err)
			}
			b.ReportMetric(float64(r.requests)/float64(r.subjects), "requests/deactivated")
			b.ReportMetric(100*r.achieved()/r.allowed, "%allowed-rate")
			b.ReportMetric(r.wall.Seconds(), "wall-s")
		})
	}
}
