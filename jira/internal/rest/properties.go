package rest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// Properties reads and writes user properties (entity properties). The
// user is named as the flavour names it (DC: username= or userKey=;
// Cloud: accountId=).
type Properties API

func (s *Properties) path(key string) (string, error) {
	if key == "" {
		return "", errors.New(s.Pkg + ": empty property key")
	}
	return s.Prefix + "/user/properties/" + url.PathEscape(key), nil
}

// Keys lists the keys of a user's properties.
//
// GET {api}/user/properties
func (s *Properties) Keys(ctx context.Context, ref jira.UserRef) ([]string, *jira.Response, error) {
	q, err := s.UserQuery(ref)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Keys []struct {
			Key string `json:"key"`
		} `json:"keys"`
	}
	resp, err := (*API)(s).Do(ctx, http.MethodGet, s.Prefix+"/user/properties", q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	keys := make([]string, len(out.Keys))
	for i, k := range out.Keys {
		keys[i] = k.Key
	}
	return keys, resp, nil
}

// Get returns a property's value; a missing property is an error matching
// [jira.ErrNotFound].
//
// GET {api}/user/properties/{propertyKey}
func (s *Properties) Get(ctx context.Context, ref jira.UserRef, key string) (json.RawMessage, *jira.Response, error) {
	q, p, err := s.target(ref, key)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	resp, err := (*API)(s).Do(ctx, http.MethodGet, p, q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Value, resp, nil
}

// Set writes a property; value must be valid JSON of at most 32 KiB.
//
// PUT {api}/user/properties/{propertyKey}
func (s *Properties) Set(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) (*jira.Response, error) {
	q, p, err := s.target(ref, key)
	if err != nil {
		return nil, err
	}
	if !json.Valid(value) {
		return nil, errors.New(s.Pkg + ": property value is not valid JSON")
	}
	return (*API)(s).Do(ctx, http.MethodPut, p, q, value, nil)
}

// Delete removes a property.
//
// DELETE {api}/user/properties/{propertyKey}
func (s *Properties) Delete(ctx context.Context, ref jira.UserRef, key string) (*jira.Response, error) {
	q, p, err := s.target(ref, key)
	if err != nil {
		return nil, err
	}
	return (*API)(s).Do(ctx, http.MethodDelete, p, q, nil, nil)
}

func (s *Properties) target(ref jira.UserRef, key string) (url.Values, string, error) {
	q, err := s.UserQuery(ref)
	if err != nil {
		return nil, "", err
	}
	p, err := s.path(key)
	return q, p, err
}

// DeleteIdempotent removes a property; a property that is not there is
// not an error when the user exists (exists reads the user: one more
// request, only after a 404).
func (s *Properties) DeleteIdempotent(ctx context.Context, ref jira.UserRef, key string, exists func(context.Context, jira.UserRef) error) error {
	_, err := s.Delete(ctx, ref, key)
	if errors.Is(err, jira.ErrNotFound) && exists(ctx, ref) == nil {
		return nil // the user exists; the property does not
	}
	return err
}
