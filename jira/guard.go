package jira

import "context"

type guardedKey struct{}

// WithGuardedWrites returns a context whose writes (POST, PUT, PATCH,
// DELETE) the caller guards itself: after a failure that leaves a write's
// effect unknown (a dropped connection, a 5xx other than 503), the client
// does not send it again but returns the error, and the caller reads the
// site to see whether the write happened before trying again — as
// actions.Apply does. A 429 or 503 (the request was not processed) and a
// request that never left (a failed dial) are still retried.
func WithGuardedWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, guardedKey{}, true)
}

// GuardedWrites reports whether ctx comes from [WithGuardedWrites].
func GuardedWrites(ctx context.Context) bool {
	v, _ := ctx.Value(guardedKey{}).(bool)
	return v
}
