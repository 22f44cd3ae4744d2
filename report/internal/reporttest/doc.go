// Package reporttest holds the fixture the tests of report and its
// subpackages share: a run of two policies on a Data Center site with
// every outcome, the plan it applied and a small site of users, whose
// names try formula and HTML injection; and that run stored in a history
// with insights. Only tests import it.
package reporttest
