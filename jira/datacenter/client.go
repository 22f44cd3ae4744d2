package datacenter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// Auth is how the client proves who it is: [BasicAuth] or [TokenAuth]. It
// never prints its credential.
type Auth struct{ a transport.Auth }

// BasicAuth authenticates with a username and password. (Jira DC 11
// disables Basic authentication by default; prefer [TokenAuth].)
func BasicAuth(username string, password jira.Secret) Auth {
	return Auth{transport.Basic(username, password)}
}

// TokenAuth authenticates with a personal access token (Jira 8.14+), sent
// as a Bearer token.
func TokenAuth(token jira.Secret) Auth { return Auth{transport.Bearer(token)} }

// String describes the scheme without the credential.
func (a Auth) String() string { return a.a.String() }

// Option configures a [Client].
type Option func(*options) error

// options is what the Options set: the transport's configuration and the
// client's own settings — the options type shared with jira/cloud.
type options = rest.Options[dcOptions]

// dcOptions are the settings of a DC client only.
type dcOptions struct {
	logins LoginSource
}

// WithTransport sets the RoundTripper that sends requests (default: a
// clone of [http.DefaultTransport]). Tests pass a fake's in-memory
// transport here.
func WithTransport(rt http.RoundTripper) Option {
	return rest.Transport[dcOptions]("datacenter", rt)
}

// WithRateLimit sets the user's ceiling: at most r requests per second
// with bursts of burst (0: one second's worth of r). Without it the client
// sends 10 requests per second until the server advertises its bucket
// (X-RateLimit-FillRate, X-RateLimit-Interval-Seconds, X-RateLimit-Limit),
// then follows that bucket, the admin's allowance; with it, the client
// follows the bucket but never exceeds r or burst. [Client.RateStatus]
// says which limit holds.
func WithRateLimit(r rate.Limit, burst int) Option {
	return func(c *options) error {
		if r <= 0 || burst < 0 {
			return fmt.Errorf("datacenter: rate %v must be positive and burst %d not negative", r, burst)
		}
		c.Rate, c.Burst = r, burst
		return nil
	}
}

// WithLimiter makes every request, retries included, wait for l, e.g. a
// *rate.Limiter shared by several clients. It replaces [WithRateLimit] and
// does not adapt to the server.
func WithLimiter(l interface{ Wait(context.Context) error }) Option {
	return func(c *options) error {
		if l == nil {
			return errors.New("datacenter: nil limiter")
		}
		c.Limiter = l
		return nil
	}
}

// WithRetry sets how often a request is retried (negative: never) and the
// bounds of the wait between attempts (default 4 retries, 1 s to 1 min).
func WithRetry(maxRetries int, waitMin, waitMax time.Duration) Option {
	return rest.Retry[dcOptions](maxRetries, waitMin, waitMax)
}

// WithTimeout bounds each attempt (default 30 s; negative: none).
func WithTimeout(d time.Duration) Option {
	return rest.Timeout[dcOptions](d)
}

// WithLogger sends debug records about retries and rate limits to l
// (default: none). No record carries a credential.
func WithLogger(l *slog.Logger) Option {
	return rest.Logger[dcOptions](l)
}

// WithObserver tells o about every request the client sends, retries
// included (method, status, rate-limit waits), and every snapshot it
// reads (users, duration): see [jira.Observer]. Package report/metrics
// turns them into Prometheus metrics.
func WithObserver(o jira.Observer) Option {
	return rest.Observer[dcOptions]("datacenter", o)
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return rest.UserAgent[dcOptions](ua)
}

// Client is a Jira Data Center REST v2 client. Its services group the
// calls by area; its own methods are the flavour-neutral user-management
// surface (see site.go). It is safe for concurrent use.
type Client struct {
	Users      *UsersService
	Groups     *GroupsService
	Properties *PropertiesService
	Roles      *RolesService
	Issues     *IssuesService
	Webhooks   *WebhooksService

	t      *transport.Client
	wire   rest.API // the shared services' view of the API
	common service

	infoMu sync.Mutex
	info   *ServerInfo

	// What the server showed it offers (see enumerate.go).
	userList      atomic.Int32 // capUnknown, capYes, capNo: GET /user/list
	lastLoginSeen atomic.Bool  // a user listing carried lastLoginTime
	hookGen       atomic.Int32 // capUnknown, capYes (Jira 10's webhooks REST), capNo (the plugin's)

	loginSrc LoginSource
	loginsMu sync.Mutex
	logins   map[string]LoginRecord // read from loginSrc once
}

type service struct{ c *Client }

// New returns a client for the Jira DC site at baseURL (e.g.
// "https://jira.example.com" or "https://example.com/jira").
func New(baseURL string, auth Auth, opts ...Option) (*Client, error) {
	o := options{Config: transport.Config{BaseURL: baseURL, Auth: auth.a}}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	t, err := transport.New(o.Config)
	if err != nil {
		return nil, err
	}
	c := &Client{t: t, loginSrc: o.Flavor.logins}
	c.common.c = c
	c.Users = (*UsersService)(&c.common)
	c.Groups = (*GroupsService)(&c.common)
	c.wire = rest.API{T: t, Prefix: api, Pkg: "datacenter",
		UserQuery: func(ref jira.UserRef) (url.Values, error) { return refQuery(ref, "username", "userKey") },
		UserBody:  userBody}
	c.Properties = (*PropertiesService)(&c.wire)
	c.Roles = (*RolesService)(&c.wire)
	c.Issues = &IssuesService{API: &c.wire, Text: plainText}
	c.Webhooks = (*WebhooksService)(&c.common)
	return c, nil
}

// Flavor returns [jira.DataCenter].
func (c *Client) Flavor() jira.Flavor { return jira.DataCenter }

// RateStatus reports the client's current rate limit (the server's
// bucket, the user's ceiling or the default, see [WithRateLimit]) and how
// many requests it has sent, retries included.
func (c *Client) RateStatus() jira.RateStatus { return c.t.RateStatus() }

const api = "/rest/api/2"

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) (*jira.Response, error) {
	return c.t.Do(ctx, method, path, q, body, out)
}

// ServerInfo is what GET /rest/api/2/serverInfo says.
type ServerInfo struct {
	BaseURL        string `json:"baseUrl"`
	Version        string `json:"version"`
	VersionNumbers []int  `json:"versionNumbers"`
	DeploymentType string `json:"deploymentType"`
	BuildNumber    int    `json:"buildNumber"`
	ServerTitle    string `json:"serverTitle"`
}

// AtLeast reports whether the server's version is at least major.minor.
func (s *ServerInfo) AtLeast(major, minor int) bool {
	v := append(append([]int(nil), s.VersionNumbers...), 0, 0)
	return v[0] > major || v[0] == major && v[1] >= minor
}

// ServerInfo returns the server's version and build, fetched once and
// kept. The client detects features by trying them; the version names the
// release in errors and picks the fallback when a route is missing.
//
// DC: GET /rest/api/2/serverInfo
func (c *Client) ServerInfo(ctx context.Context) (*ServerInfo, error) {
	c.infoMu.Lock()
	defer c.infoMu.Unlock()
	if c.info != nil {
		return c.info, nil
	}
	var info ServerInfo
	if _, err := c.do(ctx, http.MethodGet, api+"/serverInfo", nil, nil, &info); err != nil {
		return nil, err
	}
	if len(info.VersionNumbers) == 0 {
		return nil, fmt.Errorf("datacenter: serverInfo has no versionNumbers (version %q)", info.Version)
	}
	c.info = &info
	return c.info, nil
}

// refQuery turns a DC user reference into the username or key parameter
// the endpoint takes. nameParam and keyParam are the endpoint's names for
// them.
func refQuery(ref jira.UserRef, nameParam, keyParam string) (url.Values, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return nil, err
	}
	if ref.Kind() == jira.RefUserKey {
		return url.Values{keyParam: {ref.Value()}}, nil
	}
	return url.Values{nameParam: {ref.Value()}}, nil
}

// userBody names a DC user in a request body: by key or by name.
func userBody(ref jira.UserRef) (map[string]string, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return nil, err
	}
	if ref.Kind() == jira.RefUserKey {
		return map[string]string{"key": ref.Value()}, nil
	}
	return map[string]string{"name": ref.Value()}, nil
}
