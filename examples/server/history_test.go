package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHistoryURLRefused: a history URL that cannot be used says which
// setting and what is wrong, and never shows its password.
func TestHistoryURLRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		flag, env string
		code      int
		want      []string
	}{
		{env: "mysql://root:s3cret@db.example.com/sw", code: exitUsage,
			want: []string{"server: " + historyEnv + ": ", `unknown URL scheme "mysql"`}},
		{flag: "postgres://sw:s3cret@db.example.com:port/sw", code: exitUsage,
			want: []string{"server: --history: ", "bad PostgreSQL URL"}},
		{flag: "sqlite://", env: "postgres://sw:s3cret@127.0.0.1:1/sw", code: exitUsage,
			want: []string{"server: --history: ", "sqlite URL without a path"}}, // the flag wins
		{env: "postgres://sw:s3cret@127.0.0.1:1/sw?connect_timeout=5", code: exitFailed,
			want: []string{"server: history not opened (" + historyEnv + ")", "postgres://sw:xxxxx@127.0.0.1:1/sw"}},
	} {
		env := map[string]string{"SEATWARDEN_API_TOKEN": testToken, historyEnv: c.env}
		var stderr syncBuffer
		p := program{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: &stderr}
		args := []string{"--addr", "127.0.0.1:0", "--demo", "--demo-users", "20", "--data-dir", t.TempDir()}
		if c.flag != "" {
			args = append(args, "--history", c.flag)
		}
		assert.Equal(t, c.code, p.run(t.Context(), args), "%+v: %s", c, stderr.String())
		for _, w := range c.want {
			assert.Contains(t, stderr.String(), w, "%+v", c)
		}
		assert.NotContains(t, stderr.String(), "s3cret")
	}
}
