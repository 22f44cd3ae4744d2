package scan

import (
	"database/sql"
	"encoding/json"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// All scans every row of rows with one, and closes rows.
func All[T any](rows *sql.Rows, one func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := one(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Result scans a row of the outcomes table's step_id, user, step,
// outcome, message and error, in that order.
func Result(sc Scanner) (actions.Result, error) {
	var res actions.Result
	var user, step, outcome string
	if err := sc.Scan(&res.StepID, &user, &step, &outcome, &res.Message, &res.Error); err != nil {
		return res, err
	}
	res.Outcome = actions.Outcome(outcome)
	if err := json.Unmarshal([]byte(user), &res.User); err != nil {
		return res, err
	}
	return res, json.Unmarshal([]byte(step), &res.Step)
}

// Counts adds the rows of the snapshot_counts table's day (YYYY-MM-DD),
// kind, key and users to the summaries of those days (index: a day's
// position in sums; a day not there is skipped), and closes rows.
func Counts(rows *sql.Rows, sums []report.SnapshotSummary, index map[string]int) error {
	defer rows.Close()
	for rows.Next() {
		var d, kind, key string
		var n int
		if err := rows.Scan(&d, &kind, &key, &n); err != nil {
			return err
		}
		i, ok := index[d]
		if !ok {
			continue
		}
		if kind == "login" {
			sums[i].LastLogin[key] = n
		} else {
			sums[i].Licensed[key] = n
		}
	}
	return rows.Err()
}
