// Package historytest checks that an implementation of report/history's
// interfaces behaves as they document: [TestStore] for a history.Store,
// [TestPlanStore] for a history.PlanStore, [TestLastRun] for the LastRun
// that makes a store the scheduler's history. The SQLite store and the
// PostgreSQL one (report/history/postgres) run them from their tests:
//
//	func TestPostgresConformance(t *testing.T) {
//		historytest.TestStore(t, func(t *testing.T) history.Store { return open(t, pgtest.Schema(t)) })
//		historytest.TestPlanStore(t, func(t *testing.T) history.PlanStore { return open(t, pgtest.Schema(t)) })
//	}
//
// It uses the standard library's testing package only.
package historytest
