package rest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// ItemList is Jira's legacy list wrapper inside a user or group.
type ItemList[T any] struct {
	Size  int `json:"size"`
	Items []T `json:"items"`
}

// Names returns what name gives for each item of l, sorted; nil for a
// missing or empty list.
func Names[T any](l *ItemList[T], name func(T) string) []string {
	if l == nil || len(l.Items) == 0 {
		return nil
	}
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = name(it)
	}
	slices.Sort(out)
	return out
}

// GetOptions says what a user read expands.
type GetOptions struct {
	Groups           bool // expand=groups
	ApplicationRoles bool // expand=applicationRoles
}

// Expand returns the expand parameter, empty for none.
func (o *GetOptions) Expand() string {
	var e []string
	if o != nil && o.Groups {
		e = append(e, "groups")
	}
	if o != nil && o.ApplicationRoles {
		e = append(e, "applicationRoles")
	}
	return strings.Join(e, ",")
}

// SearchPage reads one page of GET {api}/user/search (a bare array) with
// the flavour's query q, and fills the response's page info.
func SearchPage[U any](ctx context.Context, a *API, q url.Values, startAt, maxResults int) ([]U, *jira.Response, error) {
	q.Set("startAt", strconv.Itoa(startAt))
	if maxResults > 0 {
		q.Set("maxResults", strconv.Itoa(maxResults))
	}
	var users []U
	resp, err := a.Do(ctx, http.MethodGet, a.Prefix+"/user/search", q, nil, &users)
	if err != nil {
		return nil, resp, err
	}
	resp.Page = jira.PageInfo{StartAt: startAt, MaxResults: len(users), IsLast: len(users) == 0}
	return users, resp, nil
}

// Profile is the part of a user that both flavours' REST APIs send alike.
// The clients' User types embed it.
type Profile struct {
	Self string `json:"self,omitempty"`
	// EmailAddress is empty when Jira hides it (Cloud: the user's
	// profile says so).
	EmailAddress string `json:"emailAddress,omitempty"`
	DisplayName  string `json:"displayName"`
	Active       bool   `json:"active"`
	TimeZone     string `json:"timeZone,omitempty"`
	Locale       string `json:"locale,omitempty"`
}
