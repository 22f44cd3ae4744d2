package email

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// The environment variables of the mail settings. The password is never a
// flag (it would show in the process list) nor part of the URL.
const (
	EnvURL          = "SEATWARDEN_SMTP_URL"           // the SMTP URL, when --smtp-url is not given
	EnvPassword     = "SEATWARDEN_SMTP_PASSWORD"      // the password itself
	EnvPasswordFile = "SEATWARDEN_SMTP_PASSWORD_FILE" // a file holding it, when --smtp-password-file is not given
	EnvFrom         = "SEATWARDEN_MAIL_FROM"          // the sender, when --mail-from is not given
)

// Settings are a program's mail settings: the server the policies' email
// sinks send through, and the sender. usermgmt.Config takes them as
// SMTP (&s.SMTP) and MailFrom (s.From).
type Settings struct {
	SMTP SMTP
	From string
}

// ParseURL reads an SMTP server's URL:
//
//	smtp://user@host:587     STARTTLS, required (the default port is 587)
//	smtps://user@host:465    TLS from the start (the default port is 465)
//
// The user, when there is one, authenticates with a password that the URL
// must not carry (see [Flags]). Parameters:
//
//	ca=/path/to/ca.pem       trust the CA certificates of this PEM file instead of
//	                         the system's (a private CA)
//	timeout=30s              bound the connection and each command (default 30 s)
//	starttls=required        the default: fail unless the server upgrades to TLS
//	starttls=opportunistic   upgrade when the server offers it, else send in clear
//	starttls=off             never encrypt: for a relay on the same host
//
// The last two take no user: a password is only ever sent over TLS.
//
// An error says which part is wrong and never repeats a password.
func ParseURL(raw string) (SMTP, error) {
	var s SMTP
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text would repeat the URL
		}
		return s, fmt.Errorf("email: SMTP URL: %v", err)
	}
	if _, has := u.User.Password(); has {
		return s, fmt.Errorf("email: SMTP URL: remove the password: it goes in %s or a file (--smtp-password-file)", EnvPassword)
	}
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = STARTTLS, 587
	case "smtps":
		s.TLS, s.Port = ImplicitTLS, 465
	default:
		return s, fmt.Errorf("email: SMTP URL: scheme %q: want smtp:// (STARTTLS) or smtps:// (TLS)", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return s, errors.New("email: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return s, fmt.Errorf("email: SMTP URL: port %q is not a port number", p)
		}
		s.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return s, fmt.Errorf("email: SMTP URL: unexpected path %q", u.Path)
	}
	s.Username = u.User.Username()
	for key, values := range u.Query() {
		v := values[len(values)-1]
		switch key {
		case "starttls":
			if s.TLS == ImplicitTLS {
				return s, errors.New("email: SMTP URL: starttls: smtps:// speaks TLS from the start")
			}
			switch v {
			case "required":
			case "opportunistic":
				s.TLS = OpportunisticTLS
			case "off":
				s.TLS = NoTLS
			default:
				return s, fmt.Errorf("email: SMTP URL: starttls=%q: want required, opportunistic or off", v)
			}
		case "ca":
			pem, err := os.ReadFile(v)
			if err != nil {
				return s, fmt.Errorf("email: SMTP URL: ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return s, fmt.Errorf("email: SMTP URL: ca: %s holds no PEM certificate", v)
			}
			s.TLSConfig = &tls.Config{RootCAs: pool, ServerName: s.Host, MinVersion: tls.VersionTLS12}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return s, fmt.Errorf("email: SMTP URL: timeout=%q: want a positive duration such as 30s", v)
			}
			s.Timeout = d
		default:
			return s, fmt.Errorf("email: SMTP URL: unknown parameter %q (known: starttls, ca, timeout)", key)
		}
	}
	if (s.TLS == NoTLS || s.TLS == OpportunisticTLS) && s.Username != "" {
		return s, fmt.Errorf("email: SMTP URL: user %q with starttls=%s could send the password in clear: refused (a password goes over TLS only)",
			s.Username, u.Query().Get("starttls"))
	}
	return s, nil
}

// Flags are the command-line flags of the mail settings; each falls back
// on its environment variable. Register them, parse, then call
// [Flags.Settings].
type Flags struct {
	URL          string
	PasswordFile string
	From         string
}

// Register defines --smtp-url, --smtp-password-file and --mail-from on fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.URL, "smtp-url", "", "send the policies' email through the SMTP server at `URL` (smtp://user@host:587, STARTTLS required; smtps://user@host:465); default $"+EnvURL+"; the password comes from $"+EnvPassword+" or --smtp-password-file")
	fs.StringVar(&f.PasswordFile, "smtp-password-file", "", "read the SMTP password from `FILE` (default $"+EnvPasswordFile+")")
	fs.StringVar(&f.From, "mail-from", "", "the sender `ADDRESS` of email (default $"+EnvFrom+"); required with an SMTP URL")
}

// Settings resolves the flags, falling back on the environment (getenv,
// e.g. os.Getenv): nil, and no error, when no SMTP URL is given — email
// sinks are then reported as not delivered. The password is read from the
// password file (flag, then EnvPasswordFile) or EnvPassword; it is
// required when the URL names a user and refused when it does not.
// Errors name the flag or variable at fault, never the password.
func (f *Flags) Settings(getenv func(string) string) (*Settings, error) {
	pick := func(flagValue, env string) (string, string) {
		if flagValue != "" {
			return flagValue, ""
		}
		return getenv(env), env
	}
	raw, _ := pick(f.URL, EnvURL)
	if raw == "" {
		return nil, nil
	}
	smtp, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	var password string
	file, fileEnv := pick(f.PasswordFile, EnvPasswordFile)
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("email: SMTP password file (%s): %w", nameOf("--smtp-password-file", fileEnv), err)
		}
		password = strings.TrimRight(string(b), "\r\n")
		if password == "" {
			return nil, fmt.Errorf("email: SMTP password file %s is empty", file)
		}
	default:
		password = getenv(EnvPassword)
	}
	switch {
	case smtp.Username != "" && password == "":
		return nil, fmt.Errorf("email: SMTP user %q needs a password: set %s or --smtp-password-file", smtp.Username, EnvPassword)
	case smtp.Username == "" && password != "":
		return nil, errors.New("email: an SMTP password is set but the URL names no user (smtp://user@host)")
	}
	smtp.Password = jira.Secret(password)
	from, fromEnv := pick(f.From, EnvFrom)
	if from == "" {
		return nil, fmt.Errorf("email: an SMTP URL needs a sender: set --mail-from or %s", EnvFrom)
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("email: %s %q: %v", nameOf("--mail-from", fromEnv), from, err)
	}
	return &Settings{SMTP: smtp, From: from}, nil
}

// nameOf names where a value came from: the flag, or the variable.
func nameOf(flagName, env string) string {
	if env != "" {
		return env
	}
	return flagName
}
