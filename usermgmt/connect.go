package usermgmt

// This is the only file of the package that imports the concrete clients.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
)

var (
	_ Client = (*datacenter.Client)(nil)
	_ Client = (*cloud.Client)(nil)
)

// Connect returns a client for the site: a *datacenter.Client or a
// *cloud.Client. When s.Flavor is zero the flavour is detected first from
// the site's serverInfo (deploymentType Cloud, or Server / DataCenter),
// which Jira serves without authentication.
//
// On DC, s.User with s.Token authenticates with Basic, and s.Token alone
// as a personal access token (Bearer). On Cloud, s.User is the account's
// email and s.Token its API token; s.OrgID and s.OrgKey enable the
// Atlassian Admin API (last login, deactivation).
func Connect(ctx context.Context, s Site) (Client, error) {
	if err := checkURL(s.URL); err != nil {
		return nil, fmt.Errorf("usermgmt: site %q: %w", s.URL, err)
	}
	if s.Token == "" {
		return nil, errors.New("usermgmt: connect: no token")
	}
	if s.RateLimit < 0 || s.Burst < 0 || (s.Burst > 0 && s.RateLimit == 0) {
		return nil, fmt.Errorf("usermgmt: site %q: rate limit %v with burst %d: want a positive rate, and a burst only with a rate", s.URL, s.RateLimit, s.Burst)
	}
	if s.Flavor == 0 {
		f, err := DetectFlavor(ctx, s)
		if err != nil {
			return nil, err
		}
		s.Flavor = f
	}
	switch s.Flavor {
	case jira.DataCenter:
		auth := datacenter.TokenAuth(s.Token)
		if s.User != "" {
			auth = datacenter.BasicAuth(s.User, s.Token)
		}
		var opts []datacenter.Option
		if s.Transport != nil {
			opts = append(opts, datacenter.WithTransport(s.Transport))
		}
		if s.Logger != nil {
			opts = append(opts, datacenter.WithLogger(s.Logger))
		}
		if s.UserAgent != "" {
			opts = append(opts, datacenter.WithUserAgent(s.UserAgent))
		}
		if s.Observer != nil {
			opts = append(opts, datacenter.WithObserver(s.Observer))
		}
		if s.RateLimit > 0 {
			opts = append(opts, datacenter.WithRateLimit(rate.Limit(s.RateLimit), max(s.Burst, 0)))
		}
		if s.OrgID != "" || s.OrgKey != "" {
			return nil, errors.New("usermgmt: an organisation (orgId, orgKey) is for Cloud sites; this one is dc")
		}
		switch {
		case s.Logins != "" && s.LoginsDSN != "":
			return nil, errors.New("usermgmt: a site takes a login file or a login database, not both")
		case s.Logins != "":
			opts = append(opts, datacenter.WithLoginSource(datacenter.LoginFile(s.Logins)))
		case s.LoginsDSN != "":
			src, err := datacenter.DSNLoginSource(s.LoginsDSN.Reveal())
			if err != nil {
				return nil, fmt.Errorf("usermgmt: %w", err)
			}
			opts = append(opts, datacenter.WithLoginSource(src))
		}
		c, err := datacenter.New(s.URL, auth, opts...)
		if err != nil {
			return nil, fmt.Errorf("usermgmt: %w", err)
		}
		return c, nil
	case jira.Cloud:
		if s.User == "" {
			return nil, errNoCloudUser
		}
		var opts []cloud.Option
		if s.Transport != nil {
			opts = append(opts, cloud.WithTransport(s.Transport))
		}
		if s.Logger != nil {
			opts = append(opts, cloud.WithLogger(s.Logger))
		}
		if s.UserAgent != "" {
			opts = append(opts, cloud.WithUserAgent(s.UserAgent))
		}
		if s.Observer != nil {
			opts = append(opts, cloud.WithObserver(s.Observer))
		}
		if s.RateLimit > 0 {
			opts = append(opts, cloud.WithRateLimit(rate.Limit(s.RateLimit), max(s.Burst, 0)))
		}
		switch {
		case s.OrgID != "" && s.OrgKey != "":
			opts = append(opts, cloud.WithAdmin(s.OrgID, s.OrgKey))
			if s.AdminURL != "" {
				opts = append(opts, cloud.WithAdminURL(s.AdminURL))
			}
		case s.OrgID != "" || s.OrgKey != "":
			return nil, errors.New("usermgmt: the Admin API needs both the organisation id and its API key")
		}
		c, err := cloud.New(s.URL, cloud.APITokenAuth(s.User, s.Token), opts...)
		if err != nil {
			return nil, fmt.Errorf("usermgmt: %w", err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("usermgmt: unknown flavor %v", s.Flavor)
}

// detectAttempts bounds the attempts of a serverInfo request.
const detectAttempts = 5

// detectGet sends a read, again after a network error, a 429 or a 5xx
// (but 501), as the clients retry every read: waiting Retry-After when the
// server gives one (at most 30 s), else 250 ms doubling.
func detectGet(ctx context.Context, hc *http.Client, req *http.Request) (*http.Response, []byte, error) {
	var err error
	for attempt := range detectAttempts {
		var resp *http.Response
		resp, err = hc.Do(req.Clone(ctx))
		wait := time.Duration(250<<attempt) * time.Millisecond
		if err == nil {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			code := resp.StatusCode
			retry := rerr != nil || code == http.StatusTooManyRequests || (code >= 500 && code != http.StatusNotImplemented)
			if !retry || attempt == detectAttempts-1 {
				if rerr != nil {
					return nil, nil, rerr
				}
				return resp, body, nil
			}
			if secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && secs > 0 {
				wait = min(time.Duration(secs)*time.Second, 30*time.Second)
			}
			err = fmt.Errorf("serverInfo answered %d", code)
		}
		if ctx.Err() != nil || attempt == detectAttempts-1 {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		}
	}
	return nil, nil, err
}

// DetectFlavor asks the site which flavour it is: GET
// /rest/api/2/serverInfo (or /rest/api/3/serverInfo when that is not
// found), without authentication, and reads deploymentType. A network
// error, a 429 or a 5xx is retried, up to five attempts.
func DetectFlavor(ctx context.Context, s Site) (jira.Flavor, error) {
	rt := s.Transport
	if rt == nil {
		rt = http.DefaultTransport.(*http.Transport).Clone()
	}
	hc := &http.Client{Transport: rt, Timeout: 30 * time.Second}
	base := strings.TrimSuffix(s.URL, "/")
	var lastStatus int
	for _, path := range []string{"/rest/api/2/serverInfo", "/rest/api/3/serverInfo"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, fmt.Errorf("usermgmt: detect flavor: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		if s.UserAgent != "" {
			req.Header.Set("User-Agent", s.UserAgent)
		}
		resp, body, err := detectGet(ctx, hc, req)
		if err != nil {
			return 0, fmt.Errorf("usermgmt: detect flavor of %s: %w", base, err)
		}
		lastStatus = resp.StatusCode
		if resp.StatusCode == http.StatusNotFound {
			continue
		}
		if resp.StatusCode != http.StatusOK {
			break
		}
		var info struct {
			DeploymentType string `json:"deploymentType"`
		}
		if err := json.Unmarshal(body, &info); err != nil {
			return 0, fmt.Errorf("usermgmt: detect flavor of %s: serverInfo is not JSON; is this a Jira site?", base)
		}
		switch strings.ToLower(info.DeploymentType) {
		case "cloud":
			return jira.Cloud, nil
		case "server", "datacenter", "data center":
			return jira.DataCenter, nil
		}
		return 0, fmt.Errorf("usermgmt: detect flavor of %s: unknown deploymentType %q; give the flavor", base, info.DeploymentType)
	}
	return 0, fmt.Errorf("usermgmt: detect flavor of %s: serverInfo answered %d; is this a Jira site? Give the flavor to skip detection", base, lastStatus)
}
