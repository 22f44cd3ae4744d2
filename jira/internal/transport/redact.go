package transport

import (
	"errors"
	"net/url"
)

// safeParam reports whether a query parameter's value is harmless enough to
// keep in errors and logs: paging and flags, and the identifiers an admin
// needs to act on an error (a group's name or id, a user's opaque key or
// accountId, a project, an application role, a property key). Every other
// value is replaced, because a query can carry a secret (os_password on old
// DC servers) or personal data (a user name, an email, a search query).
func safeParam(name string) bool {
	switch name {
	case "startAt", "maxResults", "limit", "expand",
		"includeActive", "includeInactive", "includeInactiveUsers", "includeDeleted",
		"groupname", "groupName", "groupId", "swapGroup", "swapGroupId",
		"key", "accountId", "projectKey", "applicationKey", "propertyKey":
		return true
	}
	return false
}

// redactURL returns u without userinfo and fragment, and with the values of
// all but the harmless query parameters replaced by "REDACTED".
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	r.User = nil
	r.Fragment, r.RawFragment = "", ""
	if r.RawQuery != "" {
		q, err := url.ParseQuery(r.RawQuery)
		if err != nil {
			r.RawQuery = "REDACTED"
			r.ForceQuery = false
			return r.String()
		}
		for k, vs := range q {
			if !safeParam(k) {
				for i := range vs {
					vs[i] = "REDACTED"
				}
			}
		}
		r.RawQuery = q.Encode()
	}
	return r.String()
}

// unwrapURLError returns the cause inside a *url.Error, whose own message
// carries the full, unredacted URL.
func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
