package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// demoPolicies are the --demo's policies: one with an approval, one run
// for new users.
//
//go:embed policies/demo.yaml
var demoPolicies []byte

// demoJira is the --demo's fake Jira: listening on loopback, so that a
// person can approve its issues with curl, and reached in memory by the
// server.
type demoJira struct {
	fake  *jiratest.Server
	users int
}

func startDemo(fl jira.Flavor, users int) (*demoJira, error) {
	day := time.Now().UTC().Truncate(24 * time.Hour)
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: users, Now: day})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false // the demo shows applied runs
	}
	fake := jiratest.New(jiratest.WithFlavor(fl), jiratest.WithOrg(org))
	_ = fake.AddGroup("staff")
	if err := fake.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return &demoJira{fake: fake, users: users}, nil
}

func (d *demoJira) close() { d.fake.Close() }

// site is the fake as a usermgmt site, reached in memory.
func (d *demoJira) site() usermgmt.Site {
	cr := d.fake.Credentials()
	s := usermgmt.Site{Name: "jira", URL: d.fake.URL, Flavor: d.fake.Flavor(), Transport: d.fake.Transport(),
		Token: jira.Secret(cr.DCToken), RateLimit: 100_000, Burst: 1000, UserAgent: userAgent}
	if d.fake.Flavor() == jira.Cloud {
		s.User, s.Token = cr.CloudEmail, jira.Secret(cr.CloudToken)
		s.AdminURL, s.OrgID, s.OrgKey = d.fake.URL, cr.OrgID, jira.Secret(cr.OrgKey)
	}
	return s
}

// connect connects every site of the policy file to the fake.
func (d *demoJira) connect(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
	site := d.site()
	site.Observer = s.Observer // the metrics'
	return usermgmt.Connect(ctx, site)
}

// lookupEnv resolves a demo policy file's ${VAR}s: every site is the fake.
func (d *demoJira) lookupEnv(k string) (string, bool) {
	switch k {
	case "JIRA_URL":
		return d.fake.URL, true
	case "JIRA_TOKEN":
		return "demo", true
	}
	return "", false
}

// registerWebhook registers, as an administrator would, a webhook for
// issue updates and new users, signed with secret.
func (d *demoJira) registerWebhook(ctx context.Context, url string, secret jira.Secret) error {
	events := []string{"jira:issue_updated", "user_created"}
	// Cloud: the webhooks plugin's REST; DC 10+: /rest/jira-webhook/1.0,
	// where the secret travels in configuration.
	path, body := "/rest/webhooks/1.0/webhook", map[string]any{"name": "seatwarden", "url": url, "events": events, "secret": string(secret)}
	if d.fake.Flavor() == jira.DataCenter {
		path, body = "/rest/jira-webhook/1.0/webhooks", map[string]any{"name": "seatwarden", "url": url, "events": events,
			"configuration": map[string]string{"SECRET": string(secret)}}
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.fake.URL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	cr := d.fake.Credentials()
	if d.fake.Flavor() == jira.Cloud {
		req.SetBasicAuth(cr.CloudEmail, cr.CloudToken)
	} else {
		req.Header.Set("Authorization", "Bearer "+cr.DCToken)
	}
	resp, err := d.fake.Client().Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("demo: registering the webhook: %s", resp.Status)
	}
	return nil
}
