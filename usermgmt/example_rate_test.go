package usermgmt_test

import (
	"context"
	"fmt"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// ExampleRateStatusOf shows the rate a client follows: a Jira DC site
// that publishes a bucket of 50 requests per second, 100 deep, is sent
// what it allows once it has said so; a ceiling (Site.RateLimit, a
// policy file's rateLimit, --rate) caps it.
func ExampleRateStatusOf() {
	ctx := context.Background()
	fake := jiratest.New(jiratest.WithRateLimit(50, 100))
	defer fake.Close()
	site := usermgmt.Site{URL: fake.URL, Flavor: jira.DataCenter, Transport: fake.Transport(),
		Token: jira.Secret(fake.Credentials().DCToken)}

	for _, ceiling := range []float64{0, 20} {
		site.RateLimit = ceiling
		c, err := usermgmt.Connect(ctx, site)
		if err != nil {
			fmt.Println(err)
			return
		}
		before, _ := usermgmt.RateStatusOf(c)
		if _, err := c.Myself(ctx); err != nil {
			fmt.Println(err)
			return
		}
		after, _ := usermgmt.RateStatusOf(c)
		fmt.Printf("ceiling %g: %s, then %s; requests sent: %v\n", ceiling, before, after, after.Requests > 0)
	}
	// Output:
	// ceiling 0: 10 req/s, burst 10 (default), then 50 req/s, burst 100 (server); requests sent: true
	// ceiling 20: 20 req/s, burst 20 (ceiling), then 20 req/s, burst 20 (ceiling); requests sent: true
}
