package datacenter_test

import (
	"testing"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// BenchmarkSnapshot20kVersions reports the requests a snapshot of 20,000
// users (with last login and licences) costs on each DC release: on 10.0
// with a login source that lists every user (complete), and without one
// (partial, allowed). One client per iteration, so the probes count.
func BenchmarkSnapshot20kVersions(b *testing.B) {
	specs := versionOrg(20_000)
	logins := allLogins(specs)
	for _, tc := range []struct {
		name, version string
		logins        bool
		partial       bool
	}{
		{"9.12", "9.12", false, false},
		{"10.0-logins", "10.0", true, false},
		{"10.0-partial", "10.0", false, true},
		{"10.3", "10.3", false, false},
		{"11.0", "11.0", false, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: specs}), jiratest.WithDCVersion(tc.version))
			users := 0
			b.ResetTimer()
			for b.Loop() {
				opts := []datacenter.Option{datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e9, 1e9)}
				if tc.logins {
					opts = append(opts, datacenter.WithLoginSource(logins))
				}
				c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken), opts...)
				if err != nil {
					b.Fatal(err)
				}
				s.ResetStats()
				users = 0
				for _, err := range c.Snapshot(b.Context(), jira.SnapshotOptions{LastLogin: true, Licences: true, AllowPartial: tc.partial}) {
					if err != nil {
						b.Fatal(err)
					}
					users++
				}
			}
			b.ReportMetric(float64(s.TotalRequests()), "requests/op")
			b.ReportMetric(float64(users), "users/op")
		})
	}
}
