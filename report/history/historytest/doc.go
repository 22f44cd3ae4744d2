// Package historytest checks that an implementation of report/history's
// interfaces behaves as they document: [TestStore] for a history.Store,
// [TestPlanStore] for a history.PlanStore. The SQLite store passes them; a
// second implementation (PostgreSQL, shared by replicas) runs the same
// checks from its own tests:
//
//	func TestPostgres(t *testing.T) {
//		historytest.TestStore(t, func(t *testing.T) history.Store { return openEmpty(t) })
//		historytest.TestPlanStore(t, func(t *testing.T) history.PlanStore { return openEmpty(t) })
//	}
//
// It uses the standard library's testing package only.
package historytest
