package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report"
)

func TestJSONLGolden(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	var b bytes.Buffer
	require.NoError(t, report.WriteJSONL(&b, r))
	golden(t, "TestJSONLGolden", b.Bytes())

	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, len(r.Results)+1)
	for i, l := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec), "line %d", i+1)
		assert.EqualValues(t, report.SchemaVersion, rec["schema"])
		assert.Equal(t, "run-1", rec["runId"])
	}
	var last report.RunRecord
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.Equal(t, "run", last.Type)
	assert.Equal(t, 4, last.Steps)
	assert.Equal(t, "OPS-7", last.ApprovalIssue)
}

func TestJSONLFileAppends(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	s := report.JSONLFile(path)
	require.NoError(t, s.Write(t.Context(), r))
	require.NoError(t, s.Write(t.Context(), r))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 2*(len(r.Results)+1), strings.Count(string(b), "\n"))
}

func TestCSVGolden(t *testing.T) {
	t.Parallel()
	r, plan := fixture()
	var out, pl, us bytes.Buffer
	require.NoError(t, report.WriteOutcomesCSV(&out, r))
	golden(t, "TestCSVGolden_outcomes", out.Bytes())
	require.NoError(t, report.WritePlanCSV(&pl, plan))
	golden(t, "TestCSVGolden_plan", pl.Bytes())
	cols, err := report.Columns("name", "displayName", "email", "active", "licences", "created", "lastLogin", "daysSinceLastLogin", "loginCount")
	require.NoError(t, err)
	require.NoError(t, report.WriteUsersCSV(&us, users(), cols, t0))
	golden(t, "TestCSVGolden_users", us.Bytes())

	_, err = report.Columns("name", "shoeSize")
	assert.ErrorContains(t, err, `unknown user column "shoeSize"`)
}

// TestCSVInjection reads every CSV back as a spreadsheet would and checks
// that no cell starts a formula.
func TestCSVInjection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1+1", "'-1+1"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"}, {"\r=1", "'\r=1"}, {"-3", "-3"}, {"-2.5", "-2.5"}, {"alice", "alice"}, {"", ""},
		{"a=1", "a=1"},
	} {
		assert.Equal(t, tc.want, report.SafeCell(tc.in), "SafeCell(%q)", tc.in)
	}

	r, plan := fixture()
	var out, pl, us bytes.Buffer
	require.NoError(t, report.WriteOutcomesCSV(&out, r))
	require.NoError(t, report.WritePlanCSV(&pl, plan))
	cols, _ := report.Columns(report.DefaultUserColumns()...)
	require.NoError(t, report.WriteUsersCSV(&us, users(), cols, t0))
	for name, b := range map[string]*bytes.Buffer{"outcomes": &out, "plan": &pl, "users": &us} {
		rows, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
		require.NoError(t, err, name)
		formulas := 0
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !isNumber(cell) {
					t.Errorf("%s: cell %q starts a formula", name, cell)
				}
				if strings.HasPrefix(cell, "'=") || strings.HasPrefix(cell, "'@") || strings.HasPrefix(cell, "'-") {
					formulas++
				}
			}
		}
		assert.Positive(t, formulas, "%s: the fixture's formulas are escaped, not lost", name)
	}
}

func isNumber(s string) bool {
	_, err := json.Number(s).Float64()
	return err == nil
}

func TestCSVSinkFiles(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	r.Users = users()
	dir := t.TempDir()
	s := &report.CSV{Path: filepath.Join(dir, "out.csv"), PlanPath: filepath.Join(dir, "plan.csv"), UsersPath: filepath.Join(dir, "users.csv")}
	require.NoError(t, s.Write(t.Context(), r))
	for _, f := range []string{"out.csv", "plan.csv", "users.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		require.NoError(t, err)
		assert.Greater(t, len(rows), 1, f)
	}
}

type failing struct {
	name  string
	err   error
	panic bool
}

func (f failing) Name() string { return f.name }
func (f failing) Write(context.Context, *report.Report) error {
	if f.panic {
		panic("boom")
	}
	return f.err
}

func TestFanoutSurvivesFailingSinks(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	var logs, jl bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	smtpDown := errors.New("dial tcp: connection refused")
	f := report.NewFanout(logger,
		failing{name: "email", err: smtpDown},
		report.NewJSONL(&jl),
		failing{name: "broken", panic: true},
		report.NewSlog(logger))
	err := f.Write(t.Context(), r)

	var se *report.SinkError
	require.ErrorAs(t, err, &se)
	require.Len(t, se.Failed, 2)
	assert.Equal(t, "email", se.Failed[0].Sink)
	assert.ErrorIs(t, err, smtpDown)
	assert.ErrorIs(t, err, report.ErrPanic)
	assert.Equal(t, len(r.Results)+1, strings.Count(jl.String(), "\n"), "the run log was written despite the email")
	assert.Contains(t, logs.String(), `"msg":"report sink failed"`)
	assert.Contains(t, logs.String(), `"sink":"email"`)
	assert.Contains(t, logs.String(), `"msg":"report run"`, "the slog sink after the panic ran")

	ds := f.Deliver(t.Context(), r)
	require.Len(t, ds, 4)
	assert.NoError(t, ds[1].Err)
}

func TestSlogSink(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	var logs bytes.Buffer
	require.NoError(t, report.NewSlog(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))).Write(t.Context(), r))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, len(r.Results)+1)
	var step, run map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[3]), &step))
	assert.Equal(t, "WARN", step["level"])
	assert.Equal(t, "failed", step["outcome"])
	assert.Equal(t, "JIRAUSER10003", step["user"])
	assert.Equal(t, "run-1", step["run_id"])
	require.NoError(t, json.Unmarshal([]byte(lines[4]), &run))
	assert.Equal(t, "report run", run["msg"])
	assert.Equal(t, map[string]any{"applied": 2.0, "stale": 1.0, "failed": 1.0}, run["counts"])
}

type commenter struct {
	key, body string
	err       error
}

func (c *commenter) AddComment(_ context.Context, key, body string) error {
	c.key, c.body = key, body
	return c.err
}

func TestCommentSink(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	c := &commenter{}
	require.NoError(t, report.NewComment(c).Write(t.Context(), r))
	assert.Equal(t, "OPS-7", c.key)
	assert.Contains(t, c.body, "Run of contractors, inactive-90-days: 2 applied, 1 stale, 1 failed")
	assert.Contains(t, c.body, "read-only directory")
	assert.Contains(t, c.body, "logged in since the plan")

	r.ApprovalIssue = ""
	assert.ErrorIs(t, report.NewComment(c).Write(t.Context(), r), report.ErrNoIssue)
	r.ApprovalIssue = "OPS-8"
	c.err = errors.New("404")
	assert.ErrorContains(t, report.NewComment(c).Write(t.Context(), r), "comment on OPS-8: 404")
}
