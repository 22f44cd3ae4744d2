package usermgmt

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// Site is a Jira site to connect to, with its credentials resolved: what
// [Connect] takes. Build one in Go, from flags, or from a policy file's
// [SiteSpec] ([File.Site]). Its secrets never print, log or marshal.
type Site struct {
	// Name is the site's name in the policy file, if any.
	Name string `json:"name,omitempty"`
	// URL is the base URL, e.g. https://jira.example.com.
	URL string `json:"url"`
	// Flavor is the site's flavour; zero to detect it from serverInfo.
	Flavor jira.Flavor `json:"flavor,omitzero"`
	// User is the Cloud account's email, or a DC user name for Basic
	// authentication (empty on DC: Token is a personal access token).
	User string `json:"user,omitempty"`
	// Token is the Cloud API token, or the DC personal access token or
	// password.
	Token jira.Secret `json:"token,omitempty"`
	// AdminURL, OrgID and OrgKey configure the Atlassian Admin API
	// (Cloud); without OrgID and OrgKey, last login is unknown and
	// deactivation is refused.
	AdminURL string      `json:"adminUrl,omitempty"`
	OrgID    string      `json:"orgId,omitempty"`
	OrgKey   jira.Secret `json:"orgKey,omitempty"`
	// Logins is the path of a CSV export of Jira DC's database
	// (datacenter.LoginQuery) that fills in what DC's REST API does not
	// send: see datacenter.WithLoginSource.
	Logins string `json:"logins,omitempty"`
	// LoginsDSN names Jira DC's database, read-only, as the login source
	// instead of a CSV export: postgres://… or mysql://… (see
	// datacenter.OpenLoginDB; the program must link the drivers with
	// jira/datacenter/logindb).
	LoginsDSN jira.Secret `json:"loginsDsn,omitempty"`
	// ReadOnlyDirectories name user directories whose users are protected
	// (Jira cannot change them).
	ReadOnlyDirectories []string `json:"readOnlyDirectories,omitempty"`
	// AllowPartialSnapshot lets plans go on with a snapshot that cannot
	// see every user (Jira DC 10.0 to 10.2 without Logins: see
	// jira.SnapshotOptions.AllowPartial). By default such a plan is
	// refused with an error matching jira.ErrIncomplete; with it, the plan
	// is made from the users seen, and a policy with a percentage limit is
	// refused (a percentage of a partial count is wrong).
	AllowPartialSnapshot bool `json:"allowPartialSnapshot,omitempty"`

	// RateLimit, when positive, is the user's ceiling on requests per
	// second, with bursts of Burst (0: one second's worth). Without it a
	// Jira DC client follows the bucket the server advertises in its
	// X-RateLimit-* headers (the admin's allowance), and sends 10 requests
	// per second until it does; a Cloud client starts at 10 and finds the
	// rate Jira allows, up to 100 (cloud.WithRateLimit). With it, DC
	// follows the server's bucket up to the ceiling, and Cloud keeps to
	// the ceiling (the site and the Admin API each). Either way the clients slow down when the site says so.
	// [RateStatusOf] reports the limit that holds.
	RateLimit float64 `json:"rateLimit,omitempty"`
	Burst     int     `json:"burst,omitempty"`

	// Transport, when set, sends the requests (tests pass a fake's
	// in-memory transport); default a clone of http.DefaultTransport.
	Transport http.RoundTripper `json:"-"`
	// Logger receives the clients' debug records (default none).
	Logger *slog.Logger `json:"-"`
	// UserAgent is sent with every request, when set.
	UserAgent string `json:"-"`
	// Observer, when set, is told about every request and snapshot of the
	// site's client (see jira.Observer; report/metrics has one for
	// Prometheus). Two sites differ when their observers do.
	Observer jira.Observer `json:"-"`
}

// envRef is a reference to an environment variable: ${VAR}, or
// ${VAR:-default} for a value used when VAR is unset or empty (an empty
// default makes the variable optional: ${JIRA_USER:-}).
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// wholeRef matches a value that is exactly one reference, optionally with
// an empty default (a secret never has a literal default).
var wholeRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)(:-)?\}$`)

// expand replaces the ${VAR} references in s, reporting each missing
// variable without a default by name.
func expand(s string, lookup func(string) (string, bool), missing func(name string)) string {
	return envRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		v, ok := lookup(m[1])
		switch {
		case ok && v != "":
			return v
		case m[2] != "":
			return m[2][2:]
		}
		missing(m[1])
		return ""
	})
}

// secretRef returns the variable a secret field refers to, or ok false
// when the field holds something else (a literal secret); optional
// reports an empty default (${ATLASSIAN_ORG_KEY:-}).
func secretRef(s string) (name string, optional, ok bool) {
	m := wholeRef.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false, false
	}
	return m[1], m[2] != "", true
}

// RateStatusOf reports c's current rate limit and request count, when c
// says (both concrete clients do; a test's Client may not).
func RateStatusOf(c Client) (jira.RateStatus, bool) {
	r, ok := c.(interface{ RateStatus() jira.RateStatus })
	if !ok {
		return jira.RateStatus{}, false
	}
	return r.RateStatus(), true
}

// WithRate returns connect (nil: [Connect]) with a program's rate flags
// applied: when rate is positive, every site's RateLimit and Burst are
// rate and burst, over what a policy file says. When log is not nil, it
// receives the clients' records about their rate limit (the limit they
// follow once the server advertises its bucket, slow-downs) for sites
// without a Logger of their own, and a "connected" record with each
// site's limit.
func WithRate(connect func(context.Context, Site) (Client, error), rate float64, burst int, log *slog.Logger) func(context.Context, Site) (Client, error) {
	if connect == nil {
		connect = Connect
	}
	return func(ctx context.Context, s Site) (Client, error) {
		if rate > 0 {
			s.RateLimit, s.Burst = rate, burst
		}
		if log == nil {
			return connect(ctx, s)
		}
		name := cmp.Or(s.Name, s.URL)
		if s.Logger == nil {
			s.Logger = log.With(slog.String("site", name))
		}
		c, err := connect(ctx, s)
		if st, ok := RateStatusOf(c); err == nil && ok {
			log.LogAttrs(ctx, slog.LevelInfo, "connected", slog.String("site", name), slog.String("rate_limit", st.String()))
		}
		return c, err
	}
}
