// Package criteria is the language in which Seatwarden policies select
// users: a boolean expression over one user, compiled once and evaluated
// per user, built on github.com/expr-lang/expr.
//
//	active && (neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90) &&
//	    !inGroup("jira-administrators") && emailDomain != "example.com"
//
// [Compile] type-checks a criterion and requires a bool result. A
// [*Program] is safe for concurrent use, keeps its source ([Program.String]),
// matches a user ([Program.Match], [Program.MatchAt]), explains why a user
// matched or not ([Program.Explain]) and reports what it reads from a user
// ([Program.Needs]) so that a snapshot fetches nothing more. It depends on
// package jira only; its Match method is the Matcher interface of package
// actions.
//
// # Variables
//
// Variables are lowerCamel; testdata/env.golden lists them with their
// types, and [Reference] returns the same list. This table, that list and
// the README's are made from one table (vocabulary.go).
//
//	active               bool       Jira's active flag
//	name                 string     DC login name ("" on Cloud)
//	key                  string     DC user key ("" on Cloud)
//	accountId            string     Cloud account ID ("" on DC)
//	displayName          string     display name
//	email                string     email address; "" when unknown (guarded)
//	emailDomain          string     lower-cased domain of email (guarded)
//	emailKnown           bool       email is known
//	accountType          string     atlassian, app, customer or unknown
//	directory            string     user directory
//	groups               []string   the user's groups, sorted (only those fetched)
//	licences             []string   application role keys, sorted
//	created              time.Time  creation time (guarded)
//	createdKnown         bool       creation time is known
//	daysSinceCreated     int        calendar days since created (guarded)
//	lastLogin            time.Time  last login (guarded)
//	lastLoginKnown       bool       the site says something about the last login
//	neverLoggedIn        bool       known never to have logged in (guarded)
//	daysSinceLastLogin   int        calendar days since the last login (guarded)
//	loginCount           int        number of logins (guarded)
//	loginCountKnown      bool       login count is known
//	lastActive           map        product key → last activity (Cloud); each key guarded
//	lastActiveKnown      bool       some product activity is known
//	daysSinceLastActive  int        calendar days since the most recent activity (guarded)
//	properties           map        entity properties decoded from JSON
//	now                  time.Time  the instant of evaluation, injected
//
// # Functions
//
//	inGroup(name)              member of the group (binary search on the sorted groups)
//	inAnyGroup(a, b, …)        member of at least one
//	inAllGroups(a, b, …)       member of all
//	hasLicence(key)            has the application role
//	daysSince(t)               calendar days from t to now; error if t is zero
//	before(t, x), after(t, x)  x is a time, a date "2026-01-31" (the whole day in
//	                           the location: before = before its start, after =
//	                           after its end) or an RFC 3339 instant
//	property(key, default)     decoded entity property, or default when absent
//	domainOf(s)                lower-cased part after the last @
//	date(s [, layout [, tz]])  a time, read in the location unless s has an offset
//	s matches "re"             RE2 regular expression (an operator in expr: write
//	                           it infix); a literal pattern is compiled with the
//	                           criterion, another is compiled once and cached
//
// expr's other builtins (len, lower, upper, trim, split, any, all, none,
// filter, map, count, in, contains, startsWith, endsWith, duration, …) and
// its operators are available, except now(): time is injected, so a
// criterion evaluated twice at the same instant gives the same answer. Use
// the variable now instead.
//
// # Unknown values
//
// Some facts can be unknown for a user: the last login (the site does not
// say), the creation time, the login count, product activity, the email
// (Cloud hides it for some users). Unknown is never read as a value: an
// unknown last login is not "never logged in", and a hidden email is not
// "some other domain". Compile rewrites the criterion so that every atom —
// a comparison, a call, a variable — that reads a value which can be
// unknown holds only when the value is known, and negations are pushed
// down to the atoms first, so the rule holds however the criterion is
// written:
//
//	daysSinceLastLogin > 90        false when the last login is unknown or never
//	!(daysSinceLastLogin > 90)     false too
//	neverLoggedIn / !neverLoggedIn both false when the last login is unknown
//	emailDomain != "example.com"   false when the email is unknown
//	daysSince(lastActive["x"]) > 9 false when there is no activity in product x
//	c ? a : b                      false when c reads an unknown value
//
// In three-valued logic terms a user matches only when the criterion is
// definitely true. To select users by what is unknown, test the ...Known
// variables (!lastLoginKnown) or compare email with "" (email == "").
// [Program.Explain] says which value was unknown ("daysSinceLastLogin > 90:
// last login unknown ✗").
//
// # Time and time zones
//
// Match reads the instant from the clock set by [WithNow] (time.Now by
// default); MatchAt and Explain take it as an argument. Days are calendar
// days in the location set by [WithLocation] (UTC by default): a login at
// 23:00 yesterday is one day ago. Date strings are read in that location,
// and time variables are shown in it.
//
// # Errors
//
// A criterion that does not compile gives a [*CompileError] with the line,
// column, a snippet with a caret and, for an unknown name, the closest
// known names:
//
//	criteria: unknown name lastlogin; did you mean lastLogin? (line 1, column 1)
//	  lastlogin > 90
//	  ^
//
// Criteria are limited in size ([WithMaxBytes], [WithMaxNodes]). A runtime
// error (an entity property that is not valid JSON, an invalid dynamic
// regular expression, daysSince of a zero time) fails closed: Match returns
// false and the error, never a panic.
//
// # Performance
//
// Match and MatchAt take the user by pointer and only read it. Criteria
// made of variables, literals, comparisons, &&, ||, !, ?: and the group and
// licence functions run on a tree of typed Go closures built from expr's
// checked syntax tree; the closures read the [jira.User] directly, compute
// each derived value (daysSinceLastLogin, emailDomain, …) only where it is
// used, and do not allocate: the example above takes about twice as long
// as the same test written by hand in Go. Other criteria run on expr's VM
// with a pooled [Env], some ten times slower. Both evaluate the same
// guarded tree, the VM being the reference, and a fuzz test checks that
// they agree.
package criteria
