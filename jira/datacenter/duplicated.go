package datacenter

import (
	"context"
	"net/http"
	"net/url"

	"github.com/seatwarden/seatwarden/jira"
)

// DuplicateAccount is one of a user name's accounts in
// [UsersService.Duplicated]'s answer.
type DuplicateAccount struct {
	DirectoryID   int64  `json:"directoryId"`
	DirectoryName string `json:"directoryName"`
	UserActive    bool   `json:"userActive"`
}

// Duplicated lists the user names with accounts in several directories
// where more than one account is active or the only active one is not in
// the directory with the highest priority: name → its accounts, in
// directory priority order (Jira 8.19+; experimental). Jira caches the
// answer for 10 minutes; flush (sysadmins only) recomputes it.
//
// DC: GET /rest/api/2/user/duplicated/list
func (s *UsersService) Duplicated(ctx context.Context, flush bool) (map[string][]DuplicateAccount, *jira.Response, error) {
	var q url.Values
	if flush {
		q = url.Values{"flush": {"true"}}
	}
	out := map[string][]DuplicateAccount{}
	resp, err := s.c.do(ctx, http.MethodGet, api+"/user/duplicated/list", q, nil, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}
