package usermgmt

import (
	"fmt"

	"github.com/seatwarden/seatwarden/schedule"
)

// scheduleProblem says what is wrong with a when.schedule that
// schedule.Parse — the one cron parser of the module, which the runner
// uses too — refused, without repeating the expression the problem's field
// path already points at.
func scheduleProblem(e *schedule.ParseError) string {
	if e.Field != "" {
		return fmt.Sprintf("%s field %q: %s", e.Field, e.Value, e.Msg)
	}
	return e.Msg
}
