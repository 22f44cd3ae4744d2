package insights_test

import (
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

var t0 = reporttest.T0

func users() []jira.User { return reporttest.Users() }
