package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/seatwarden/seatwarden/report/history/historydb"
)

// TestHistoryURLRefused: a history URL that cannot be used says which
// setting and what is wrong, never shows its password, and writes
// nothing to Jira.
func TestHistoryURLRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	policies := writePolicies(t, dir, "@daily")
	for _, c := range []struct {
		flag, env string
		code      int
		want      []string
	}{
		{env: "mysql://root:s3cret@db.example.com/sw", code: exitUsage,
			want: []string{historydb.EnvURL + ": ", `unknown URL scheme "mysql"`, "seatwarden-cron: "}},
		{flag: "postgres://sw:s3cret@db.example.com:port/sw", code: exitUsage,
			want: []string{"--history: ", "bad PostgreSQL URL"}},
		{flag: "sqlite://", env: "postgres://sw:s3cret@127.0.0.1:1/sw", code: exitUsage,
			want: []string{"--history: ", "sqlite URL without a path"}}, // the flag wins over the variable
		{env: "postgres://sw:s3cret@127.0.0.1:1/sw?connect_timeout=5", code: exitFailed,
			want: []string{"history not opened (" + historydb.EnvURL + ")", "postgres://sw:xxxxx@127.0.0.1:1/sw"}},
	} {
		fake := newFake(time.Now())
		var stderr syncBuffer
		a := testApp(fake, &stderr)
		env := a.lookupEnv
		a.lookupEnv = func(k string) (string, bool) {
			if k == historydb.EnvURL && c.env != "" {
				return c.env, true
			}
			return env(k)
		}
		args := []string{"--once", "--apply", "--policies", policies, "--journal-dir", filepath.Join(dir, "journals")}
		if c.flag != "" {
			args = append(args, "--history", c.flag)
		}
		a.stdout = io.Discard
		code := a.run(t.Context(), args)
		assert.Equal(t, c.code, code, "%+v: %s", c, stderr.String())
		for _, w := range c.want {
			assert.Contains(t, stderr.String(), w, "%+v", c)
		}
		assert.NotContains(t, stderr.String(), "s3cret")
		assert.Zero(t, writes(fake))
	}
}
