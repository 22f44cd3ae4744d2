package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// DefaultAdminURL is where the Atlassian Admin API is served.
const DefaultAdminURL = "https://api.atlassian.com"

// Auth is how the client proves who it is to the Jira site: see
// [APITokenAuth]. It never prints its credential.
type Auth struct{ a transport.Auth }

// APITokenAuth authenticates with an Atlassian account's email and API
// token, sent as Basic authentication.
func APITokenAuth(email string, token jira.Secret) Auth {
	return Auth{transport.Basic(email, token)}
}

// String describes the scheme without the credential.
func (a Auth) String() string { return a.a.String() }

// config is what the options set: the site's transport configuration and
// the Admin API's — the options type shared with jira/datacenter.
type config = rest.Options[cloudOptions]

// cloudOptions are the settings of a Cloud client only: the Admin API.
type cloudOptions struct {
	adminURL string
	orgID    string
	orgKey   jira.Secret
	admin    bool
}

// Option configures a [Client].
type Option func(*config) error

// WithTransport sets the RoundTripper that sends requests, to the site
// and to the Admin API (default: a clone of [http.DefaultTransport]).
// Tests pass a fake's in-memory transport here.
func WithTransport(rt http.RoundTripper) Option {
	return rest.Transport[cloudOptions]("cloud", rt)
}

// DefaultMaxRate is the most requests per second a client without a
// ceiling ([WithRateLimit]) sends to the site, and to the Admin API.
const DefaultMaxRate = 100

// WithRateLimit sets the user's ceiling: at most r requests per second
// with bursts of burst (0: one second's worth of r). Jira Cloud does not
// advertise its budget, so the client keeps to the ceiling and slows down
// when Jira says it is near its limit (X-RateLimit-NearLimit) or answers
// 429, growing back once it stops.
//
// Without a ceiling the client finds the rate: it starts at 10 requests
// per second and grows (by 10 a second) towards [DefaultMaxRate] while
// Jira says nothing, takes a fifth off at NearLimit and halves at a 429,
// and then grows only slowly above a fifth below the rate at which Jira
// spoke. The burst is one second's worth of the rate reached.
//
// The Atlassian Admin API (api.atlassian.com) is a separate service with
// limits of its own, so it has a limiter of its own, with the same
// ceiling (or the same probing): the site and the Admin API may each
// receive up to the ceiling. [Client.RateStatus] says which limits hold.
func WithRateLimit(r rate.Limit, burst int) Option {
	return func(c *config) error {
		if r <= 0 || burst < 0 {
			return fmt.Errorf("cloud: rate %v must be positive and burst %d not negative", r, burst)
		}
		c.Rate, c.Burst = r, burst
		return nil
	}
}

// WithLimiter makes every request to the Jira site, retries included,
// wait for l, e.g. a *rate.Limiter shared by several clients. It replaces
// [WithRateLimit] for the site and does not adapt to the server; the Admin
// API keeps its own limiter.
func WithLimiter(l interface{ Wait(context.Context) error }) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("cloud: nil limiter")
		}
		c.Limiter = l
		return nil
	}
}

// WithRetry sets how often a request is retried (negative: never) and the
// bounds of the wait between attempts (default 4 retries, 1 s to 1 min).
func WithRetry(maxRetries int, waitMin, waitMax time.Duration) Option {
	return rest.Retry[cloudOptions](maxRetries, waitMin, waitMax)
}

// WithTimeout bounds each attempt (default 30 s; negative: none).
func WithTimeout(d time.Duration) Option {
	return rest.Timeout[cloudOptions](d)
}

// WithLogger sends debug records about retries and rate limits to l
// (default: none). No record carries a credential.
func WithLogger(l *slog.Logger) Option {
	return rest.Logger[cloudOptions](l)
}

// WithObserver tells o about every request the client sends, retries
// included (method, status, rate-limit waits), and every snapshot it
// reads (users, duration): see [jira.Observer]. Package report/metrics
// turns them into Prometheus metrics.
func WithObserver(o jira.Observer) Option {
	return rest.Observer[cloudOptions]("cloud", o)
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return rest.UserAgent[cloudOptions](ua)
}

// WithAdmin enables the Atlassian Admin API for the organisation orgID,
// authenticating with an organisation API key (Bearer). The flavour-neutral
// methods then use it for last login, last active, deactivation and
// hidden emails; [Client.Admin] needs it.
func WithAdmin(orgID string, orgKey jira.Secret) Option {
	return func(c *config) error {
		if orgID == "" || strings.ContainsAny(orgID, "/?#") {
			return errors.New("cloud: WithAdmin needs an organisation id without '/', '?' or '#'")
		}
		if orgKey == "" {
			return errors.New("cloud: WithAdmin needs an organisation API key")
		}
		c.Flavor.orgID, c.Flavor.orgKey, c.Flavor.admin = orgID, orgKey, true
		return nil
	}
}

// WithAdminURL sets the Admin API's base URL (default [DefaultAdminURL]).
// Tests point it at a fake.
func WithAdminURL(u string) Option {
	return func(c *config) error {
		if u == "" {
			return errors.New("cloud: empty admin URL")
		}
		c.Flavor.adminURL = u
		return nil
	}
}

// Client is a Jira Cloud REST v3 client with the Atlassian Admin API. Its
// services group the calls by area; its own methods are the
// flavour-neutral user-management surface (see site.go), the same as
// jira/datacenter's. It is safe for concurrent use.
type Client struct {
	Users      *UsersService
	Groups     *GroupsService
	Properties *PropertiesService
	Roles      *RolesService
	Issues     *IssuesService
	Webhooks   *WebhooksService
	// Admin is the Atlassian Admin API; its calls fail with an error
	// matching [jira.ErrUnsupported] unless the client was built
	// [WithAdmin].
	Admin *AdminService

	t      *transport.Client
	wire   rest.API          // the shared services' view of the API
	admin  *transport.Client // nil without WithAdmin
	orgID  string
	common service

	log *slog.Logger // nil: no records

	dirMu sync.Mutex
	dirs  []Directory // the organisation's directories, read once

	recentMu sync.Mutex
	recent   map[string]recentDirUser // accountId → directory user read in bulk (see bulk.go)
}

type service struct{ c *Client }

// New returns a client for the Jira Cloud site at siteURL (e.g.
// "https://example.atlassian.net").
func New(siteURL string, auth Auth, opts ...Option) (*Client, error) {
	cfg := config{Config: transport.Config{BaseURL: siteURL, Auth: auth.a, MaxRate: DefaultMaxRate},
		Flavor: cloudOptions{adminURL: DefaultAdminURL}}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	t, err := transport.New(cfg.Config)
	if err != nil {
		return nil, err
	}
	c := &Client{t: t, log: cfg.Logger}
	if cfg.Flavor.admin {
		ac := cfg.Config
		ac.BaseURL = cfg.Flavor.adminURL
		ac.Auth = transport.Bearer(cfg.Flavor.orgKey)
		ac.Limiter = nil // the Admin API has a bucket of its own
		if c.admin, err = transport.New(ac); err != nil {
			return nil, fmt.Errorf("cloud: admin API: %w", err)
		}
		c.orgID = cfg.Flavor.orgID
	}
	c.common.c = c
	c.Users = (*UsersService)(&c.common)
	c.Groups = (*GroupsService)(&c.common)
	c.wire = rest.API{T: t, Prefix: api, Pkg: "cloud", UserQuery: accountQuery,
		UserBody: func(ref jira.UserRef) (map[string]string, error) {
			q, err := accountQuery(ref)
			return map[string]string{"accountId": q.Get("accountId")}, err
		}}
	c.Properties = (*PropertiesService)(&c.wire)
	c.Roles = (*RolesService)(&c.wire)
	c.Issues = &IssuesService{API: &c.wire, Text: PlainADF}
	c.Webhooks = (*WebhooksService)(&c.common)
	c.Admin = (*AdminService)(&c.common)
	return c, nil
}

// Flavor returns [jira.Cloud].
func (c *Client) Flavor() jira.Flavor { return jira.Cloud }

// RateStatus reports the site's current rate limit (the user's ceiling or
// the rate found, lowered while Jira says it is near its limit, see
// [WithRateLimit]) and how many requests the client has sent, to the site
// and to the Admin API, retries included; with the Admin API, its own
// limit and requests in Admin.
func (c *Client) RateStatus() jira.RateStatus {
	s := c.t.RateStatus()
	if c.admin != nil {
		a := c.admin.RateStatus()
		s.Requests += a.Requests
		s.Admin = &a
	}
	return s
}

// HasAdmin reports whether the client was built [WithAdmin].
func (c *Client) HasAdmin() bool { return c.admin != nil }

const api = "/rest/api/3"

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) (*jira.Response, error) {
	return c.t.Do(ctx, method, path, q, body, out)
}

// needAdmin returns an error matching [jira.ErrUnsupported] when the
// client has no Admin API.
func (c *Client) needAdmin(what string) error {
	if c.admin != nil {
		return nil
	}
	return fmt.Errorf("cloud: %s needs the Atlassian Admin API; build the client WithAdmin(orgID, orgKey): %w", what, jira.ErrUnsupported)
}

// needSiteAdmin explains a 403 from an operation that needs the site-admin
// role: Administer Jira (jira-admins) is not enough. Other errors are
// returned as they are.
func needSiteAdmin(what string, err error) error {
	if !errors.Is(err, jira.ErrForbidden) {
		return err
	}
	return fmt.Errorf("cloud: %s needs the site-admin role (organisation or site administrator); "+
		"the API token's account lacks it — Administer Jira (jira-admins) is not enough: %w", what, err)
}

// accountQuery checks that ref is a Cloud reference and returns it as the
// accountId parameter.
func accountQuery(ref jira.UserRef) (url.Values, error) {
	if err := ref.Check(jira.Cloud); err != nil {
		return nil, err
	}
	return url.Values{"accountId": {ref.Value()}}, nil
}

// groupQuery names a group by id (preferred) or name in the given
// parameters.
func groupQuery(g jira.Group, idParam, nameParam string) (url.Values, error) {
	switch {
	case g.ID != "":
		return url.Values{idParam: {g.ID}}, nil
	case g.Name != "":
		return url.Values{nameParam: {g.Name}}, nil
	}
	return nil, errors.New("cloud: a group needs a name or an id")
}
