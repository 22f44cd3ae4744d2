package scan

import (
	"database/sql"
	"encoding/json"

	"github.com/seatwarden/seatwarden/actions"
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
