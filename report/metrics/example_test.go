package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/report/metrics/metricstest"
)

// Example gives the metrics to a client as its observer, reads a
// snapshot from the fake Jira and scrapes /metrics: the requests the
// fake received and the snapshot's users.
func Example() {
	m := metrics.New(metrics.Options{})
	fake := jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: []jiratest.UserSpec{
		{Name: "ada", Email: "ada@example.com"},
		{Name: "grace", Email: "grace@example.com", Inactive: true},
	}}))
	dc, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken),
		datacenter.WithTransport(fake.Transport()), datacenter.WithObserver(m))
	if err != nil {
		panic(err)
	}
	for _, err := range dc.Snapshot(context.Background(), jira.SnapshotOptions{}) {
		if err != nil {
			panic(err)
		}
	}

	srv := httptest.NewServer(m.Handler()) // a program serves it at /metrics
	defer srv.Close()
	s, err := metricstest.Scrape(http.DefaultClient, srv.URL, "")
	if err != nil {
		panic(err)
	}
	fmt.Println("requests:", s.Value("seatwarden_jira_requests_total", "status", "200"), "fake:", fake.TotalRequests())
	fmt.Println("snapshot users:", s.Value("seatwarden_snapshot_users"))
	// Output:
	// requests: 3 fake: 3
	// snapshot users: 3
}
