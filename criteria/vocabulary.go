package criteria

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// The vocabulary: every variable of the language is described once, by a
// row of [variables] (name, Env field, docs, how it is read, what a
// snapshot must fetch for it, how an unknown value is guarded), and every
// function that reads the user by a row of [functions]. The rest is
// derived from the rows:
//
//   - the code that reads a variable, for the Env (fillFrom, clearVars) and for the
//     fast path (facts, intOf, sinceOf, strOf, timeOf, equalsLower,
//     listOf): generated from the rows' Go expressions into
//     vocabulary_gen.go, so that the fast path's leaves are direct code;
//     TestVocabularyCode keeps it in step (go test -update rewrites it);
//   - which Env fields an evaluation on the VM fills ([fillsOf]);
//   - the rewrite of unknown values: which facts guard a variable, the
//     guard expression, why a value is unknown in an explanation (what
//     [Program.Explain] and the CLI's users explain show), the map whose
//     missing key is unknown, the comparison with "" that tests whether a
//     value is known;
//   - what a snapshot must fetch ([Needs]);
//   - the reference: [Reference], testdata/env.golden, the variables table
//     of the package documentation and the README's list (a test keeps
//     them in step), and the names "did you mean" picks from.
//
// The [Env] struct itself must be written out (expr type-checks a criterion
// against its fields), but a row names its field and takes its Go type
// from it; TestVocabulary checks that the struct and the rows agree, and
// that the generated readers agree with the Env.
//
// Adding a variable: a field in Env, a row here, go test ./criteria
// -update (generated code, golden files, docs), and tests. Removing one:
// delete its cases from vocabulary_gen.go by hand first, or the package
// does not compile for the test that regenerates it.

// variable is one variable of the criteria language.
type variable struct {
	// name is the name in a criterion and the expr tag of field, the
	// [Env] field that holds the variable (its Go type is the variable's).
	name, field string
	// brief is the short description of the package documentation's
	// table; doc the full one of [Reference].
	brief, doc string
	// kind says how the variable is read; read is the Go expression, over
	// u *jira.User, of its value (of the time a day count counts from);
	// fill, for kindOther, the Go statement that stores it in e *Env. The
	// generated code (vocabulary_gen.go) reads the variable with them.
	kind       valueKind
	read, fill string
	// equalsLower, when set, is a Go expression over u and lit that
	// compares a string variable with a literal that is ASCII without
	// upper-case letters, without computing the value.
	equalsLower string
	// fetch is what a snapshot must fetch for the variable; 0 when it
	// comes with every user.
	fetch fetch
	// guard names the facts (variables with a fact) that must hold for
	// the value to be known; an atom that reads the variable holds only
	// when they do.
	guard []string
	// fact is set on a variable that says whether others are known.
	fact *fact
	// emptyIsUnknown is set when the value is "" exactly when it is
	// unknown: comparing it with "" tests whether it is known and is not
	// guarded.
	emptyIsUnknown bool
	// keyed is set on a map whose missing key is unknown: v[k] is guarded
	// with k in v.
	keyed bool
	// costly is set on a bool variable whose read is not a few field
	// loads: the fast path reads it only when a criterion tests it (the
	// others are read together).
	costly bool
}

// fact is what a bool variable says about others: they are known when
// the variable is want; otherwise reason says why not.
type fact struct {
	want   bool
	reason string
}

// fetch is a set of data a snapshot fetches only when asked.
type fetch uint8

const (
	fetchGroups fetch = 1 << iota
	fetchLicences
	fetchCreated
	fetchLastLogin
	fetchLoginCount
	fetchLastActive
	fetchProperties
)

// add records in n what f asks for; a variable that needs groups or
// properties needs all of them.
func (n *Needs) add(f fetch) {
	n.AllGroups = n.AllGroups || f&fetchGroups != 0
	n.Licences = n.Licences || f&fetchLicences != 0
	n.Created = n.Created || f&fetchCreated != 0
	n.LastLogin = n.LastLogin || f&fetchLastLogin != 0
	n.LoginCount = n.LoginCount || f&fetchLoginCount != 0
	n.LastActive = n.LastActive || f&fetchLastActive != 0
	n.AllProperties = n.AllProperties || f&fetchProperties != 0
}

// valueKind says how a variable is read.
type valueKind uint8

const (
	kindBool   valueKind = 1 + iota
	kindString           // read is a string
	kindInt              // read is an int
	kindDays             // calendar days from read (a time) to now; 0 when read is zero
	kindTime             // read is a time, the zero time when unknown
	kindNow              // the instant of evaluation
	kindOther            // only the VM reads it: fill stores it in the Env
)

// The functions the Go expressions of the rows call.

func createdAt(u *jira.User) time.Time { return u.Created }

// lastLoginAt returns the time of the last login, zero when unknown or
// never.
func lastLoginAt(u *jira.User) time.Time {
	if !u.LastLogin.Known {
		return time.Time{}
	}
	return u.LastLogin.Time
}

func loginCountOf(u *jira.User) int {
	if u.LoginCount == nil {
		return 0
	}
	return *u.LoginCount
}

// latestActive returns the most recent product activity of u, or the zero
// time.
func latestActive(u *jira.User) time.Time {
	var latest time.Time
	for _, t := range u.LastActive {
		if t.After(latest) {
			latest = t
		}
	}
	return latest
}

// daysFrom returns the calendar days in loc from t to the day numbered
// today; 0 when t is zero.
func daysFrom(t time.Time, today int64, loc *time.Location) int {
	if t.IsZero() {
		return 0
	}
	return int(today - dayIn(t, loc))
}

// inLocation returns t in loc, or the zero time.
func inLocation(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// sortedInto returns list, or a sorted copy of it in *buf when it is not
// sorted.
func sortedInto(list []string, buf *[]string) []string {
	if slices.IsSorted(list) {
		return list
	}
	*buf = append((*buf)[:0], list...)
	slices.Sort(*buf)
	return *buf
}

// decodeProperties returns the entity properties that are valid JSON,
// decoded; nil when there are none.
func decodeProperties(raw map[string]json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	m := make(map[string]any, len(raw))
	for k, r := range raw {
		var v any
		if json.Unmarshal(r, &v) == nil {
			m[k] = v
		}
	}
	return m
}

// variables is the vocabulary, in the order of [Env] and [Reference].
var variables = []variable{
	{name: "active", field: "Active", kind: kindBool, read: "u.Active",
		brief: "Jira's active flag",
		doc:   "Jira's active flag (DC) or the account's active state (Cloud)."},
	{name: "name", field: "Name", kind: kindString, read: "u.Name",
		brief: `DC login name ("" on Cloud)`,
		doc:   "DC login name (renamable); empty on Cloud."},
	{name: "key", field: "Key", kind: kindString, read: "u.Key",
		brief: `DC user key ("" on Cloud)`,
		doc:   "DC user key (immutable); empty on Cloud."},
	{name: "accountId", field: "AccountID", kind: kindString, read: "u.AccountID",
		brief: `Cloud account ID ("" on DC)`,
		doc:   "Cloud account ID; empty on DC."},
	{name: "displayName", field: "DisplayName", kind: kindString, read: "u.DisplayName",
		brief: "display name",
		doc:   "Display name."},
	{name: "email", field: "Email", kind: kindString, read: "u.Email",
		guard: []string{"emailKnown"}, emptyIsUnknown: true,
		brief: `email address; "" when unknown (guarded)`,
		doc:   "Email address; empty when unknown (Cloud hides some). Guarded by emailKnown."},
	{name: "emailDomain", field: "EmailDomain", kind: kindString, read: "domainOf(u.Email)",
		equalsLower: "domainIs(u.Email, lit)",
		guard:       []string{"emailKnown"}, emptyIsUnknown: true,
		brief: "lower-cased domain of email (guarded)",
		doc:   "Lower-cased part of email after the last @; empty when unknown. Guarded by emailKnown."},
	{name: "emailKnown", field: "EmailKnown", kind: kindBool, read: `u.Email != ""`,
		fact:  &fact{want: true, reason: "email unknown"},
		brief: "email is known",
		doc:   "Whether the email address is known."},
	{name: "accountType", field: "AccountType", kind: kindString, read: "string(u.AccountType)",
		brief: "atlassian, app, customer or unknown",
		doc:   "atlassian, app, customer or unknown (DC users are atlassian)."},
	{name: "directory", field: "Directory", kind: kindString, read: "u.Directory",
		brief: "user directory",
		doc:   "User directory (DC) or Atlassian directory (Cloud); empty when unknown."},
	{name: "groups", field: "Groups", kind: kindOther, read: "u.Groups", fill: "e.Groups = sortedInto(u.Groups, &e.groupBuf)",
		fetch: fetchGroups,
		brief: "the user's groups, sorted (only those fetched)",
		doc:   "Names of the user's groups, sorted; only the groups the snapshot fetched."},
	{name: "licences", field: "Licences", kind: kindOther, read: "u.Licences", fill: "e.Licences = sortedInto(u.Licences, &e.licBuf)",
		fetch: fetchLicences,
		brief: "application role keys, sorted",
		doc:   "Keys of the application roles (licences) the user has, sorted, e.g. jira-software."},
	{name: "created", field: "Created", kind: kindTime, read: "createdAt(u)",
		fetch: fetchCreated, guard: []string{"createdKnown"},
		brief: "creation time (guarded)",
		doc:   "When the user was created; zero when unknown. Guarded by createdKnown."},
	{name: "createdKnown", field: "CreatedKnown", kind: kindBool, read: "!u.Created.IsZero()",
		fetch: fetchCreated, fact: &fact{want: true, reason: "created unknown"},
		brief: "creation time is known",
		doc:   "Whether the creation time is known."},
	{name: "daysSinceCreated", field: "DaysSinceCreated", kind: kindDays, read: "createdAt(u)",
		fetch: fetchCreated, guard: []string{"createdKnown"},
		brief: "calendar days since created (guarded)",
		doc:   "Calendar days from created to now. Guarded by createdKnown."},
	{name: "lastLogin", field: "LastLogin", kind: kindTime, read: "lastLoginAt(u)",
		fetch: fetchLastLogin, guard: []string{"lastLoginKnown", "neverLoggedIn"},
		brief: "last login (guarded)",
		doc:   "Time of the last login; zero when unknown or never. Guarded by lastLoginKnown && !neverLoggedIn."},
	{name: "lastLoginKnown", field: "LastLoginKnown", kind: kindBool, read: "u.LastLogin.Known",
		fetch: fetchLastLogin, fact: &fact{want: true, reason: "last login unknown"},
		brief: "the site says something about the last login",
		doc:   "Whether the site says anything about the last login (a time, or never)."},
	{name: "neverLoggedIn", field: "NeverLoggedIn", kind: kindBool, read: "u.LastLogin.Never()",
		fetch: fetchLastLogin, guard: []string{"lastLoginKnown"}, fact: &fact{want: false, reason: "never logged in"},
		brief: "known never to have logged in (guarded)",
		doc:   "Known never to have logged in; false when the last login is unknown. Guarded by lastLoginKnown."},
	{name: "daysSinceLastLogin", field: "DaysSinceLastLogin", kind: kindDays, read: "lastLoginAt(u)",
		fetch: fetchLastLogin, guard: []string{"lastLoginKnown", "neverLoggedIn"},
		brief: "calendar days since the last login (guarded)",
		doc:   "Calendar days from the last login to now. Guarded by lastLoginKnown && !neverLoggedIn."},
	{name: "loginCount", field: "LoginCount", kind: kindInt, read: "loginCountOf(u)",
		fetch: fetchLoginCount, guard: []string{"loginCountKnown"},
		brief: "number of logins (guarded)",
		doc:   "Number of logins (DC); 0 when unknown. Guarded by loginCountKnown."},
	{name: "loginCountKnown", field: "LoginCountKnown", kind: kindBool, read: "u.LoginCount != nil",
		fetch: fetchLoginCount, fact: &fact{want: true, reason: "login count unknown"},
		brief: "login count is known",
		doc:   "Whether the login count is known."},
	{name: "lastActive", field: "LastActive", kind: kindOther, fill: "e.LastActive = u.LastActive",
		fetch: fetchLastActive, keyed: true,
		brief: "product key → last activity (Cloud); each key guarded",
		doc:   "Last activity per product key (Cloud), e.g. lastActive[\"jira-software\"]; a missing product is an error, test with \"jira-software\" in lastActive."},
	{name: "lastActiveKnown", field: "LastActiveKnown", kind: kindBool, read: "!latestActive(u).IsZero()", costly: true,
		fetch: fetchLastActive, fact: &fact{want: true, reason: "no product activity known"},
		brief: "some product activity is known",
		doc:   "Whether any product activity is known."},
	{name: "daysSinceLastActive", field: "DaysSinceLastActive", kind: kindDays, read: "latestActive(u)",
		fetch: fetchLastActive, guard: []string{"lastActiveKnown"},
		brief: "calendar days since the most recent activity (guarded)",
		doc:   "Calendar days from the most recent product activity to now. Guarded by lastActiveKnown."},
	{name: "properties", field: "Properties", kind: kindOther, fill: "e.Properties = decodeProperties(u.Properties)",
		fetch: fetchProperties,
		brief: "entity properties decoded from JSON",
		doc:   "The user's entity properties, decoded from JSON (objects are maps, numbers float64)."},
	{name: "now", field: "Now", kind: kindNow,
		brief: "the instant of evaluation, injected",
		doc:   "The instant of evaluation, injected by the caller (expr's now() is disabled)."},
}

// function is one function (or operator) the criteria language adds to
// expr.
type function struct {
	name string
	// kind is "operator" for an operator, "" for a function.
	kind string
	// typ is the signature and doc the text shown in [Reference].
	typ, doc string
	// args says what the literal arguments name, for [Needs].
	args argKind
	// reads names the variable whose Env field the function reads; fill,
	// when set, is the Go statement that sets the other Env fields it
	// reads.
	reads, fill string
	// member is set on a membership test of the list variable reads (whose
	// read is the list, sorted usually); quant says how many arguments
	// must be members.
	member bool
	quant  quantifier
}

// argKind says what a function's literal arguments name.
type argKind uint8

const (
	argNone       argKind = iota
	argGroups             // every argument is a group name
	argProperties         // the first argument is an entity property key
)

// quantifier says how many arguments of a membership test must be
// members.
type quantifier uint8

const (
	quantOne quantifier = iota // one argument, a member
	quantAny                   // some argument
	quantAll                   // every argument
)

// functions are the functions and operators the language adds, in the
// order of [Reference] (after the variables). Those bound in [Env] read
// the field of the variable they name in reads.
var functions = []function{
	{name: "inGroup", typ: "func(name string) bool",
		doc:  "Whether the user is in the group (binary search).",
		args: argGroups, reads: "groups", member: true, quant: quantOne},
	{name: "inAnyGroup", typ: "func(names ...string) bool",
		doc:  "Whether the user is in at least one of the groups.",
		args: argGroups, reads: "groups", member: true, quant: quantAny},
	{name: "inAllGroups", typ: "func(names ...string) bool",
		doc:  "Whether the user is in every one of the groups.",
		args: argGroups, reads: "groups", member: true, quant: quantAll},
	{name: "hasLicence", typ: "func(key string) bool",
		doc:   "Whether the user has the application role (licence) key.",
		reads: "licences", member: true, quant: quantOne},
	{name: "daysSince", typ: "func(t time.Time) int",
		doc: "Calendar days from t to now; an error (no match) when t is zero."},
	{name: "before", typ: "func(t time.Time, x time.Time | string) bool",
		doc: "t is before x; a date \"2026-01-31\" means the start of that day, RFC 3339 an instant; an error when t is zero."},
	{name: "after", typ: "func(t time.Time, x time.Time | string) bool",
		doc: "t is after x; a date \"2026-01-31\" means the end of that day, RFC 3339 an instant; an error when t is zero."},
	{name: "property", typ: "func(key string, default any) any",
		doc:  "The decoded entity property key, or default when the user has none; an error when it is not valid JSON.",
		args: argProperties, fill: "e.rawProps = u.Properties"},
	{name: "domainOf", typ: "func(email string) string",
		doc: "Lower-cased part of an address after the last @, or \"\"."},
	{name: "matches", kind: "operator", typ: "string matches string",
		doc: "s matches \"re\": RE2 regular expression; a literal pattern is compiled with the criterion, others are cached."},
}

// vocab is the index of the vocabulary, built once.
type vocab struct {
	vars  map[string]*variable
	funcs map[string]*function
	// index maps a variable to its index in variables, a function to
	// len(variables) + its index in functions: the numbers of the
	// generated code.
	index map[string]int
	// facts are the variables with a fact, in table order; a guard is a
	// set of their indexes.
	facts []*variable
	// guards maps a variable to the facts it needs.
	guards map[string]guard
	// all fills every Env field.
	all fillSet
	// types maps a variable to its Go type, read from its Env field.
	types map[string]string
}

// vocabulary returns the index of the tables; it panics if they are
// inconsistent, which TestVocabulary shows.
var vocabulary = sync.OnceValue(func() *vocab {
	v, err := indexVocabulary()
	if err != nil {
		panic(err)
	}
	return v
})

func indexVocabulary() (*vocab, error) {
	v := &vocab{vars: map[string]*variable{}, funcs: map[string]*function{}, index: map[string]int{},
		guards: map[string]guard{}, types: map[string]string{}}
	if len(variables) > 32 || len(variables)+len(functions) > 64 {
		return nil, fmt.Errorf("criteria: %d variables, %d functions: widen flags or fillSet", len(variables), len(functions))
	}
	et := reflect.TypeFor[Env]()
	for i := range variables {
		r := &variables[i]
		if _, dup := v.vars[r.name]; dup {
			return nil, fmt.Errorf("criteria: variable %s described twice", r.name)
		}
		v.vars[r.name], v.index[r.name] = r, i
		f, ok := et.FieldByName(r.field)
		if !ok || f.Tag.Get("expr") != r.name {
			return nil, fmt.Errorf("criteria: variable %s: no Env field %s tagged expr:%q", r.name, r.field, r.name)
		}
		v.types[r.name] = strings.ReplaceAll(f.Type.String(), "interface {}", "any")
		if r.fact != nil {
			if r.kind != kindBool {
				return nil, fmt.Errorf("criteria: variable %s has a fact but is not a bool", r.name)
			}
			v.facts = append(v.facts, r)
		}
		if r.kind != kindNow {
			v.all |= 1 << i
		}
	}
	if len(v.facts) > 8 {
		return nil, fmt.Errorf("criteria: %d facts: widen guard", len(v.facts))
	}
	for _, r := range variables {
		var g guard
		for _, name := range r.guard {
			i := slices.IndexFunc(v.facts, func(f *variable) bool { return f.name == name })
			if i < 0 {
				return nil, fmt.Errorf("criteria: variable %s is guarded by %s, which is not a fact", r.name, name)
			}
			g |= 1 << i
		}
		if g != 0 {
			v.guards[r.name] = g
		}
	}
	for i := range functions {
		f := &functions[i]
		if _, dup := v.index[f.name]; dup {
			return nil, fmt.Errorf("criteria: %s described twice", f.name)
		}
		v.funcs[f.name], v.index[f.name] = f, len(variables)+i
		if r, ok := v.vars[f.reads]; f.reads != "" && !ok || f.member && (!ok || r.read == "") {
			return nil, fmt.Errorf("criteria: function %s reads %q, which is not a variable (with a list to search)", f.name, f.reads)
		}
		if f.fill != "" {
			v.all |= 1 << (len(variables) + i)
		}
	}
	return v, nil
}

// fillSet is a set of Env fills: bit k fills the variable numbered k (see
// vocab.index), or what the function numbered k reads.
type fillSet uint64

// fillsOf returns the fills of the Env fields that the named variables and
// functions read.
func fillsOf(names map[string]bool) fillSet {
	v := vocabulary()
	var out fillSet
	for _, r := range variables {
		if names[r.name] && r.kind != kindNow {
			out |= 1 << v.index[r.name]
		}
	}
	for _, f := range functions {
		if !names[f.name] {
			continue
		}
		if f.reads != "" {
			out |= 1 << v.index[f.reads]
		}
		if f.fill != "" {
			out |= 1 << v.index[f.name]
		}
	}
	return out
}
