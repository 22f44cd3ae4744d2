package transport

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// Auth is how a client proves who it is. Build one with [Basic] or
// [Bearer]; the zero Auth sends no credentials. An Auth never prints or
// logs its credential.
type Auth struct {
	scheme string // "Basic", "Bearer" or "" for none
	user   string
	// secret is a pointer so that fmt, printing a struct that holds an
	// Auth in an unexported field, shows an address and not the value.
	secret *jira.Secret
}

// Basic authenticates with a user and a secret: a DC username and password,
// or a Cloud account's email and API token.
func Basic(user string, secret jira.Secret) Auth {
	return Auth{scheme: "Basic", user: user, secret: &secret}
}

// Bearer authenticates with a token: a DC personal access token, an OAuth
// 2.0 access token, or an Atlassian organisation API key.
func Bearer(token jira.Secret) Auth {
	return Auth{scheme: "Bearer", secret: &token}
}

// validate reports an Auth that cannot produce a valid header.
func (a Auth) validate() error {
	switch a.scheme {
	case "":
		return nil
	case "Basic":
		if a.user == "" || strings.Contains(a.user, ":") {
			return errors.New("jira: basic auth needs a user without ':'")
		}
	}
	if a.secret == nil || *a.secret == "" {
		return fmt.Errorf("jira: %s auth with an empty secret", strings.ToLower(a.scheme))
	}
	if strings.ContainsAny(a.secret.Reveal(), "\r\n") {
		return fmt.Errorf("jira: %s auth secret contains a line break", strings.ToLower(a.scheme))
	}
	return nil
}

// header returns the Authorization header value.
func (a Auth) header() string {
	if a.scheme == "Basic" {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.user+":"+a.secret.Reveal()))
	}
	return "Bearer " + a.secret.Reveal()
}

// String returns the scheme and "[REDACTED]", e.g. "Bearer [REDACTED]", or
// "none".
func (a Auth) String() string {
	if a.scheme == "" {
		return "none"
	}
	return a.scheme + " [REDACTED]"
}

// Format implements [fmt.Formatter] so that no verb prints the credential.
func (a Auth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue implements [slog.LogValuer].
func (a Auth) LogValue() slog.Value { return slog.StringValue(a.String()) }

// authTransport adds the Authorization header, but only to requests for the
// configured scheme and host, so that a redirect elsewhere never carries
// the credential.
type authTransport struct {
	auth   Auth
	scheme string
	host   string
	next   http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.auth.scheme == "" || req.URL.Scheme != t.scheme || !strings.EqualFold(req.URL.Host, t.host) {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context()) // a RoundTripper must not modify its request
	r.Header.Set("Authorization", t.auth.header())
	return t.next.RoundTrip(r)
}

func (t *authTransport) CloseIdleConnections() { closeIdle(t.next) }

// closeIdle forwards CloseIdleConnections to rt when it has the method.
func closeIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
