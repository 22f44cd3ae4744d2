package history_test

import (
	"testing"

	"github.com/seatwarden/seatwarden/report/history/historytest"
)

func TestSQLiteLastRun(t *testing.T) {
	t.Parallel()
	historytest.TestLastRun(t, func(t *testing.T) historytest.LastRunStore { return openSQLite(t) })
}
