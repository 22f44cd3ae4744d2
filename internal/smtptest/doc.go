// Package smtptest is an in-process SMTP server for tests
// (emersion/go-smtp on 127.0.0.1): PLAIN authentication for one user,
// optionally STARTTLS or TLS from the start with a self-signed
// certificate generated for the test, and a record of what it received.
package smtptest
