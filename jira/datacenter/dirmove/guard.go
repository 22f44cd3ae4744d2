package dirmove

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// DefaultWindow is how recent a cluster node's heartbeat or lock must be
// for [CheckStopped] to take Jira as running: Jira marks a node "no
// heartbeat" after 5 minutes without one.
const DefaultWindow = 5 * time.Minute

// RunningError says that Jira is (or was very recently) running on the
// database: a migration must not run under a live Jira, whose caches and
// writes would undo or corrupt it.
type RunningError struct {
	// Evidence lists what showed a live node.
	Evidence []string
	Window   time.Duration
}

func (e *RunningError) Error() string {
	return fmt.Sprintf("dirmove: refused: Jira is running on this database (%s, within the last %s); stop every Jira node, wait %s, and retry",
		strings.Join(e.Evidence, "; "), e.Window, e.Window)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RunningError) Is(target error) bool { return target == ErrRefused }

// StopCheck is what [CheckStopped] looked at.
type StopCheck struct {
	// Checked names the tables read; Absent the ones the database lacks
	// (a Jira that never ran clustered has no heartbeat rows, so the check
	// cannot prove it stopped).
	Checked, Absent []string
	// Nodes is how many nodes ever sent a heartbeat.
	Nodes int
}

// dbNowMillis is each dialect's current database time as epoch ms.
var dbNowMillis = map[datacenter.Dialect]string{
	datacenter.PostgreSQL: "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)",
	datacenter.MySQL:      "CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)",
}

// tableExists reports whether table exists in the current schema.
func tableExists(ctx context.Context, db Querier, d datacenter.Dialect, table string) (bool, error) {
	q := "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '" + table + "'"
	if d == datacenter.MySQL {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '" + table + "'"
	}
	var n int
	err := query(ctx, db, q, func(r *sql.Rows) error { return r.Scan(&n) })
	return n > 0, err
}

// CheckStopped refuses (a [*RunningError]) when Jira's database shows a
// running Jira DC node: a row of clusternode_heartbeat whose
// database_time is within window of the database's current time, or a
// cluster lock (clusterlockstatus) held by a node and updated within
// window. Both are compared with the database's own clock. window ≤ 0
// means [DefaultWindow].
func CheckStopped(ctx context.Context, db Querier, d datacenter.Dialect, window time.Duration) (StopCheck, error) {
	var c StopCheck
	if err := checkDialect(d); err != nil {
		return c, err
	}
	if window <= 0 {
		window = DefaultWindow
	}
	var now int64
	if err := query(ctx, db, "SELECT "+dbNowMillis[d], func(r *sql.Rows) error { return r.Scan(&now) }); err != nil {
		return c, err
	}
	var evidence []string
	for _, t := range []struct{ table, q string }{
		{"clusternode_heartbeat", "SELECT node_id, database_time FROM clusternode_heartbeat ORDER BY node_id"},
		{"clusterlockstatus", "SELECT locked_by_node, update_time FROM clusterlockstatus WHERE locked_by_node IS NOT NULL ORDER BY locked_by_node"},
	} {
		ok, err := tableExists(ctx, db, d, t.table)
		if err != nil {
			return c, err
		}
		if !ok {
			c.Absent = append(c.Absent, t.table)
			continue
		}
		c.Checked = append(c.Checked, t.table)
		if err := query(ctx, db, t.q, func(r *sql.Rows) error {
			var node sql.NullString
			var at sql.NullInt64
			if err := r.Scan(&node, &at); err != nil {
				return err
			}
			if t.table == "clusternode_heartbeat" {
				c.Nodes++
			}
			if !at.Valid {
				return nil
			}
			if age := time.Duration(now-at.Int64) * time.Millisecond; age < window {
				what := "heartbeat"
				if t.table == "clusterlockstatus" {
					what = "cluster lock"
				}
				evidence = append(evidence, fmt.Sprintf("node %s: %s %s ago (%s)", node.String, what, age.Round(time.Second), t.table))
			}
			return nil
		}); err != nil {
			return c, err
		}
	}
	if len(evidence) > 0 {
		return c, &RunningError{Evidence: evidence, Window: window}
	}
	return c, nil
}
