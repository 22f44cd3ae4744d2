package history_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

var t0 = reporttest.T0

func fixture() (*report.Report, *actions.Plan) { return reporttest.Fixture() }

func users() []jira.User { return reporttest.Users() }

// saveOldRun records r's runs row as schemas v1 to v4 have it (without
// its results), for tests that upgrade an old history: SaveRun writes
// the newest schema's columns.
func saveOldRun(t *testing.T, s *history.SQLite, r *report.Report) {
	t.Helper()
	policies, _ := json.Marshal(r.Policies)
	counts, _ := json.Marshal(r.Counts)
	require.NoError(t, s.Exec(t.Context(), `INSERT INTO runs (id, plan_id, site, flavor, policies, dry_run, started,
		finished, steps, counts, approval_issue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.RunID, r.PlanID, r.Site,
		r.Flavor.String(), string(policies), r.DryRun, r.Started.UTC().Format(time.RFC3339Nano),
		r.Finished.UTC().Format(time.RFC3339Nano), len(r.Results), string(counts), r.ApprovalIssue))
}
