package criteria

// Symbol documents one variable or function of the criteria language.
type Symbol struct {
	// Name is the name as written in a criterion, e.g. "daysSinceLastLogin".
	Name string
	// Kind is "variable", "function" or "operator".
	Kind string
	// Type is the Go type of a variable, or the signature of a function.
	Type string
	// Doc says what the symbol means, including when it is unknown.
	Doc string
}

// Reference returns every variable, function and operator that the
// criteria language adds to expr, in a fixed order: variables first, as in
// [Env]. The package documentation and testdata/env.golden are built from
// the same list.
func Reference() []Symbol {
	v := func(name, typ, doc string) Symbol { return Symbol{name, "variable", typ, doc} }
	f := func(name, typ, doc string) Symbol { return Symbol{name, "function", typ, doc} }
	return []Symbol{
		v("active", "bool", "Jira's active flag (DC) or the account's active state (Cloud)."),
		v("name", "string", "DC login name (renamable); empty on Cloud."),
		v("key", "string", "DC user key (immutable); empty on Cloud."),
		v("accountId", "string", "Cloud account ID; empty on DC."),
		v("displayName", "string", "Display name."),
		v("email", "string", "Email address; empty when unknown (Cloud hides some). Guarded by emailKnown."),
		v("emailDomain", "string", "Lower-cased part of email after the last @; empty when unknown. Guarded by emailKnown."),
		v("emailKnown", "bool", "Whether the email address is known."),
		v("accountType", "string", "atlassian, app, customer or unknown (DC users are atlassian)."),
		v("directory", "string", "User directory (DC) or Atlassian directory (Cloud); empty when unknown."),
		v("groups", "[]string", "Names of the user's groups, sorted; only the groups the snapshot fetched."),
		v("licences", "[]string", "Keys of the application roles (licences) the user has, sorted, e.g. jira-software."),
		v("created", "time.Time", "When the user was created; zero when unknown. Guarded by createdKnown."),
		v("createdKnown", "bool", "Whether the creation time is known."),
		v("daysSinceCreated", "int", "Calendar days from created to now. Guarded by createdKnown."),
		v("lastLogin", "time.Time", "Time of the last login; zero when unknown or never. Guarded by lastLoginKnown && !neverLoggedIn."),
		v("lastLoginKnown", "bool", "Whether the site says anything about the last login (a time, or never)."),
		v("neverLoggedIn", "bool", "Known never to have logged in; false when the last login is unknown. Guarded by lastLoginKnown."),
		v("daysSinceLastLogin", "int", "Calendar days from the last login to now. Guarded by lastLoginKnown && !neverLoggedIn."),
		v("loginCount", "int", "Number of logins (DC); 0 when unknown. Guarded by loginCountKnown."),
		v("loginCountKnown", "bool", "Whether the login count is known."),
		v("lastActive", "map[string]time.Time", "Last activity per product key (Cloud), e.g. lastActive[\"jira-software\"]; a missing product is an error, test with \"jira-software\" in lastActive."),
		v("lastActiveKnown", "bool", "Whether any product activity is known."),
		v("daysSinceLastActive", "int", "Calendar days from the most recent product activity to now. Guarded by lastActiveKnown."),
		v("properties", "map[string]any", "The user's entity properties, decoded from JSON (objects are maps, numbers float64)."),
		v("now", "time.Time", "The instant of evaluation, injected by the caller (expr's now() is disabled)."),
		f("inGroup", "func(name string) bool", "Whether the user is in the group (binary search)."),
		f("inAnyGroup", "func(names ...string) bool", "Whether the user is in at least one of the groups."),
		f("inAllGroups", "func(names ...string) bool", "Whether the user is in every one of the groups."),
		f("hasLicence", "func(key string) bool", "Whether the user has the application role (licence) key."),
		f("daysSince", "func(t time.Time) int", "Calendar days from t to now; an error (no match) when t is zero."),
		f("before", "func(t time.Time, x time.Time | string) bool", "t is before x; a date \"2026-01-31\" means the start of that day, RFC 3339 an instant; an error when t is zero."),
		f("after", "func(t time.Time, x time.Time | string) bool", "t is after x; a date \"2026-01-31\" means the end of that day, RFC 3339 an instant; an error when t is zero."),
		f("property", "func(key string, default any) any", "The decoded entity property key, or default when the user has none; an error when it is not valid JSON."),
		f("domainOf", "func(email string) string", "Lower-cased part of an address after the last @, or \"\"."),
		{"matches", "operator", "string matches string", "s matches \"re\": RE2 regular expression; a literal pattern is compiled with the criterion, others are cached."},
	}
}
