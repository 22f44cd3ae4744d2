package cloud_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// BenchmarkDeactivate deactivates 200 active users of [people] (three in
// four managed, one in four on an unmanaged domain) with a client whose
// directories are not read yet, and reports the requests to the site and
// the Admin API per deactivated user.
func BenchmarkDeactivate(b *testing.B) {
	const n = 200
	var requests, users int
	for b.Loop() {
		b.StopTimer()
		c, s := newClient(b, n)
		var refs []jira.UserRef
		for _, u := range s.Users() {
			if u.Active && u.Email != email {
				refs = append(refs, jira.AccountID(u.AccountID))
			}
		}
		s.ResetStats()
		b.StartTimer()
		for _, r := range refs {
			require.NoError(b, c.Deactivate(b.Context(), r))
		}
		b.StopTimer()
		requests += len(s.Requests())
		users += len(refs)
		for _, r := range refs {
			u, _ := s.User(r.Value())
			require.False(b, u.Active)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(requests)/float64(users), "requests/user")
}
