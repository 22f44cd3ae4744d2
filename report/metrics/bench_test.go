package metrics_test

import (
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report/metrics"
)

// BenchmarkObserveRequest is the cost the metrics add to each request a
// client sends (a request to Jira takes milliseconds).
func BenchmarkObserveRequest(b *testing.B) {
	m := metrics.New(metrics.Options{})
	e := jira.RequestEvent{Site: "jira.example.com", Method: "GET", Status: 200, Wait: 3 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest(e)
	}
}
