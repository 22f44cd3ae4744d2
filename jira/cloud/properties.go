package cloud

import "github.com/seatwarden/seatwarden/jira/internal/rest"

// PropertiesService reads and writes user properties (entity properties),
// addressed by accountId. Its methods, the same as jira/datacenter's:
//
//   - Keys(ctx, ref): GET /rest/api/3/user/properties?accountId=
//   - Get(ctx, ref, key): GET /rest/api/3/user/properties/{propertyKey}?accountId=;
//     a missing property is an error matching [jira.ErrNotFound]
//   - Set(ctx, ref, key, value): PUT …/{propertyKey}?accountId=; value
//     must be valid JSON of at most 32 KiB
//   - Delete(ctx, ref, key): DELETE …/{propertyKey}?accountId=
type PropertiesService = rest.Properties
