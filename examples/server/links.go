package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The human-readable pages (pages.go) open from a link in a Jira comment,
// without the API's bearer token: the link carries its expiry and an
// HMAC-SHA256 of what it opens, under a key only the server has. A link
// to one plan opens that plan only; one to a site's insights, that site
// only. The key is never logged, printed or put in an error.

// defaultLinkTTL is how long a page link stays valid: an approval may
// take days.
const defaultLinkTTL = 7 * 24 * time.Hour

// minLinkKey is the shortest key accepted, in bytes.
const minLinkKey = 32

// linkKeyEnv names the environment variable holding the key.
const linkKeyEnv = "SEATWARDEN_LINK_KEY"

// pageLinks signs and checks the pages' links.
type pageLinks struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// The kinds of page a link opens; each is part of what is signed.
const (
	linkPlan     = "plan"
	linkInsights = "insights"
)

var (
	errLinkInvalid = errors.New("this link is not valid: it was changed, or it was made for another page or by another server")
	errLinkMissing = errors.New("this page opens only from a signed link (exp= and sig=), such as the one in the approval issue's comment")
)

// linkExpiredError is a valid link past its expiry.
type linkExpiredError struct{ at time.Time }

func (e linkExpiredError) Error() string {
	return "this link expired on " + e.at.UTC().Format("2 Jan 2006 15:04 MST") + "; ask for a new one (a new plan, or the server's operator)"
}

// mac returns the signature of a link to the page kind of subject that
// expires at exp (Unix seconds).
func (l *pageLinks) mac(kind, subject string, exp int64) []byte {
	m := hmac.New(sha256.New, l.key)
	fmt.Fprintf(m, "seatwarden page link v1\x00%s\x00%s\x00%d", kind, subject, exp)
	return m.Sum(nil)
}

// sign returns the query of a link to the page kind of subject, valid
// until exp: exp=UNIX&sig=BASE64URL (and the extra parameters).
func (l *pageLinks) sign(kind, subject string, exp time.Time, extra url.Values) string {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	q.Set("exp", strconv.FormatInt(exp.Unix(), 10))
	q.Set("sig", base64.RawURLEncoding.EncodeToString(l.mac(kind, subject, exp.Unix())))
	return q.Encode()
}

// expiry returns the expiry of a link made now.
func (l *pageLinks) expiry() time.Time { return l.now().Add(l.ttl).Truncate(time.Second) }

// check verifies the link's exp and sig for the page kind of subject: the
// signature first (in constant time), then the expiry, so a changed expiry
// is an invalid link, not an expired one. It returns the link's expiry.
func (l *pageLinks) check(kind, subject string, q url.Values) (time.Time, error) {
	expS, sigS := q.Get("exp"), q.Get("sig")
	if expS == "" || sigS == "" {
		return time.Time{}, errLinkMissing
	}
	exp, err := strconv.ParseInt(expS, 10, 64)
	if err != nil {
		return time.Time{}, errLinkInvalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigS)
	if err != nil || !hmac.Equal(sig, l.mac(kind, subject, exp)) {
		return time.Time{}, errLinkInvalid
	}
	at := time.Unix(exp, 0)
	if !l.now().Before(at) {
		return at, linkExpiredError{at}
	}
	return at, nil
}

// linkKey returns the key of the page links: from file (--link-key-file),
// else the environment's SEATWARDEN_LINK_KEY, else the data directory's
// link.key, made (32 random bytes, mode 0600) on the first start so that
// links stay valid across restarts. A key shorter than 32 bytes is
// refused; errors never include the key.
func linkKey(file string, getenv func(string) string, dataDir string) ([]byte, error) {
	check := func(where string, k string) ([]byte, error) {
		k = strings.TrimSpace(k)
		if len(k) < minLinkKey {
			return nil, usageError(fmt.Sprintf("%s: the link key has %d bytes; want at least %d (e.g. openssl rand -hex 32)", where, len(k), minLinkKey))
		}
		return []byte(k), nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError(fmt.Sprintf("--link-key-file: %v", err))
		}
		return check("--link-key-file "+file, string(b))
	}
	if k := getenv(linkKeyEnv); k != "" {
		return check(linkKeyEnv, k)
	}
	path := filepath.Join(dataDir, "link.key")
	if b, err := os.ReadFile(path); err == nil {
		return check(path, string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	k := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("page links: %s: %w", path, err)
	}
	if _, err := f.WriteString(k + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return []byte(k), f.Close()
}
