package rest

import (
	"context"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// API is one flavour's REST API as the shared services see it.
type API struct {
	T *transport.Client
	// Prefix is the API's path, e.g. "/rest/api/2".
	Prefix string
	// Pkg names the client package in errors, e.g. "datacenter".
	Pkg string
	// UserQuery names a user in query parameters (DC: username= or
	// userKey=; Cloud: accountId=), refusing a reference of the other
	// flavour.
	UserQuery func(ref jira.UserRef) (url.Values, error)
	// UserBody names a user in a request body, e.g. an issue's assignee.
	UserBody func(ref jira.UserRef) (map[string]string, error)
}

// Do sends one request through the flavour's transport.
func (a *API) Do(ctx context.Context, method, path string, q url.Values, body, out any) (*jira.Response, error) {
	return a.T.Do(ctx, method, path, q, body, out)
}

// Get reads one object: GET path?q, decoded as T.
func Get[T any](ctx context.Context, a *API, path string, q url.Values) (*T, *jira.Response, error) {
	var v T
	resp, err := a.Do(ctx, http.MethodGet, path, q, nil, &v)
	if err != nil {
		return nil, resp, err
	}
	return &v, resp, nil
}
