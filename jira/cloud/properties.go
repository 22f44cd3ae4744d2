package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// PropertiesService reads and writes user properties (entity properties),
// addressed by accountId.
type PropertiesService service

func propertyPath(key string) (string, error) {
	if key == "" {
		return "", errors.New("cloud: empty property key")
	}
	return api + "/user/properties/" + url.PathEscape(key), nil
}

// Keys lists the keys of a user's properties.
//
// Cloud: GET /rest/api/3/user/properties?accountId=
func (s *PropertiesService) Keys(ctx context.Context, ref jira.UserRef) ([]string, *jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Keys []struct {
			Key string `json:"key"`
		} `json:"keys"`
	}
	resp, err := s.c.do(ctx, http.MethodGet, api+"/user/properties", q, nil, &out)
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
// Cloud: GET /rest/api/3/user/properties/{propertyKey}?accountId=
func (s *PropertiesService) Get(ctx context.Context, ref jira.UserRef, key string) (json.RawMessage, *jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, nil, err
	}
	p, err := propertyPath(key)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	resp, err := s.c.do(ctx, http.MethodGet, p, q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Value, resp, nil
}

// Set writes a property; value must be valid JSON of at most 32 KiB.
//
// Cloud: PUT /rest/api/3/user/properties/{propertyKey}?accountId=
func (s *PropertiesService) Set(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) (*jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, err
	}
	p, err := propertyPath(key)
	if err != nil {
		return nil, err
	}
	if !json.Valid(value) {
		return nil, errors.New("cloud: property value is not valid JSON")
	}
	return s.c.do(ctx, http.MethodPut, p, q, value, nil)
}

// Delete removes a property.
//
// Cloud: DELETE /rest/api/3/user/properties/{propertyKey}?accountId=
func (s *PropertiesService) Delete(ctx context.Context, ref jira.UserRef, key string) (*jira.Response, error) {
	q, err := accountQuery(ref)
	if err != nil {
		return nil, err
	}
	p, err := propertyPath(key)
	if err != nil {
		return nil, err
	}
	return s.c.do(ctx, http.MethodDelete, p, q, nil, nil)
}
