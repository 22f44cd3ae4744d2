package jira

import (
	"fmt"
	"log/slog"
)

// redacted is what a non-empty [Secret] shows instead of itself.
const redacted = "[REDACTED]"

// Secret is a credential: a password, API token, personal access token or
// organisation API key. It never shows itself: fmt (every verb), slog,
// encoding/json and encoding.TextMarshaler all see "[REDACTED]" (or "" when
// empty). Call [Secret.Reveal] for the value itself, which only the code
// building the Authorization header should do.
//
// fmt cannot call methods on an unexported struct field, so it prints such
// a field's value as it is: keep a Secret in an exported field, or behind a
// pointer, in any struct that might be printed.
type Secret string

// Reveal returns the credential itself.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string { return s.shown() }

// GoString returns "[REDACTED]", or "" for an empty secret, for %#v.
func (s Secret) GoString() string { return s.shown() }

// Format implements [fmt.Formatter] so that no verb (%d, %x, %q, …) prints
// the credential.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.shown())) }

// LogValue implements [slog.LogValuer].
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalText implements [encoding.TextMarshaler]; it never writes the
// credential.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.shown()), nil }

// MarshalJSON implements [encoding/json.Marshaler]; it never writes the
// credential. A Secret still decodes from a plain JSON string.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte(`""`), nil
	}
	return []byte(`"` + redacted + `"`), nil
}
