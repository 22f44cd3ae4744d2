package datacenter

import "github.com/seatwarden/seatwarden/jira/internal/rest"

// PropertiesService reads and writes user properties (entity properties),
// the user named by username= or userKey= (a [jira.Username] or
// [jira.UserKey]). Its methods, the same as jira/cloud's:
//
//   - Keys(ctx, ref): GET /rest/api/2/user/properties
//   - Get(ctx, ref, key): GET /rest/api/2/user/properties/{propertyKey};
//     a missing property is an error matching [jira.ErrNotFound]
//   - Set(ctx, ref, key, value): PUT …/{propertyKey}; value must be valid
//     JSON of at most 32 KiB
//   - Delete(ctx, ref, key): DELETE …/{propertyKey}
type PropertiesService = rest.Properties
