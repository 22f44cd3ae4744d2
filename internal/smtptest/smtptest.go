package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLS says how the server secures connections.
type TLS int

// The servers' TLS modes.
const (
	NoTLS    TLS = iota // never; authentication allowed in clear
	StartTLS            // offers STARTTLS; authentication only after it
	Implicit            // TLS from the start
)

// Options configure a server.
type Options struct {
	User, Password string // the one account; none: mail without AUTH
	TLS            TLS
	// FailData, when set, is DATA's answer: every message is refused.
	FailData error
}

// Message is a message the server accepted.
type Message struct {
	From    string
	To      []string
	Data    []byte
	OverTLS bool
}

// Server is a running server.
type Server struct {
	Addr   string // host:port
	Host   string
	Port   int
	CAFile string // the PEM of its certificate (with TLS), to trust

	opts     Options
	mu       sync.Mutex
	messages []Message
	auths    int
}

// Start starts a server, stopped when t ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{opts: o}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.Addr, s.Host, s.Port = addr.String(), addr.IP.String(), addr.Port
	switch o.TLS {
	case NoTLS:
		srv.AllowInsecureAuth = true
	case StartTLS:
		srv.TLSConfig, s.CAFile = selfSigned(t)
	case Implicit:
		var cfg *tls.Config
		cfg, s.CAFile = selfSigned(t)
		ln = tls.NewListener(ln, cfg)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return s
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// AuthAttempts returns how many times a client began AUTH.
func (s *Server) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

// selfSigned returns a TLS configuration with a new self-signed
// certificate for 127.0.0.1 and localhost, and the path of its PEM.
func selfSigned(t testing.TB) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "seatwarden test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, path
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	ss.s.mu.Lock()
	ss.s.auths++
	ss.s.mu.Unlock()
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if ss.s.opts.User == "" || user != ss.s.opts.User || pass != ss.s.opts.Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.opts.FailData != nil {
		return ss.s.opts.FailData
	}
	_, overTLS := ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.messages = append(ss.s.messages, Message{From: ss.from, To: ss.to, Data: b, OverTLS: overTLS})
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
