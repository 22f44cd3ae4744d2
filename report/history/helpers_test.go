package history_test

import (
	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

var t0 = reporttest.T0

func fixture() (*report.Report, *actions.Plan) { return reporttest.Fixture() }

func users() []jira.User { return reporttest.Users() }
