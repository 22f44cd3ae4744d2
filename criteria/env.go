package criteria

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Env is the environment a criterion is evaluated in: one user, seen at one
// instant. Its exported fields are the variables and functions of the
// language, named by their expr tags; [Reference] documents each one and
// testdata/env.golden keeps the list under review. Renaming a tag is a
// breaking change.
//
// Build an Env with [NewEnv]: the function fields are bound to the Env they
// belong to, so an Env must not be copied.
type Env struct {
	Active      bool   `expr:"active"`
	Name        string `expr:"name"`
	Key         string `expr:"key"`
	AccountID   string `expr:"accountId"`
	DisplayName string `expr:"displayName"`
	Email       string `expr:"email"`
	EmailDomain string `expr:"emailDomain"`
	EmailKnown  bool   `expr:"emailKnown"`
	AccountType string `expr:"accountType"`
	Directory   string `expr:"directory"`

	Groups   []string `expr:"groups"`
	Licences []string `expr:"licences"`

	Created          time.Time `expr:"created"`
	CreatedKnown     bool      `expr:"createdKnown"`
	DaysSinceCreated int       `expr:"daysSinceCreated"`

	LastLogin          time.Time `expr:"lastLogin"`
	LastLoginKnown     bool      `expr:"lastLoginKnown"`
	NeverLoggedIn      bool      `expr:"neverLoggedIn"`
	DaysSinceLastLogin int       `expr:"daysSinceLastLogin"`
	LoginCount         int       `expr:"loginCount"`
	LoginCountKnown    bool      `expr:"loginCountKnown"`

	LastActive          map[string]time.Time `expr:"lastActive"`
	LastActiveKnown     bool                 `expr:"lastActiveKnown"`
	DaysSinceLastActive int                  `expr:"daysSinceLastActive"`

	Properties map[string]any `expr:"properties"`
	Now        time.Time      `expr:"now"`

	// The functions that read the user. They are fields, not methods, so
	// that expr calls the common ones without reflection.

	InGroup     func(name string) bool                 `expr:"inGroup"`
	InAnyGroup  func(names ...string) bool             `expr:"inAnyGroup"`
	InAllGroups func(names ...string) bool             `expr:"inAllGroups"`
	HasLicence  func(key string) bool                  `expr:"hasLicence"`
	DaysSince   func(t time.Time) (int, error)         `expr:"daysSince"`
	Property    func(key string, def any) (any, error) `expr:"property"`

	loc      *time.Location
	rawProps map[string]json.RawMessage
	groupBuf []string
	licBuf   []string
	nowDay   int64
}

// NewEnv returns the environment of user *u at instant now, with days
// counted and dates read in loc (UTC when nil). A nil u is the zero user.
func NewEnv(u *jira.User, now time.Time, loc *time.Location) *Env {
	if loc == nil {
		loc = time.UTC
	}
	if u == nil {
		u = &jira.User{}
	}
	e := newEnv(loc)
	e.fill(u, now, vocabulary().all)
	return e
}

func newEnv(loc *time.Location) *Env {
	e := &Env{loc: loc}
	e.bind()
	return e
}

// bind binds the function fields to e.
func (e *Env) bind() {
	e.InGroup = e.inGroup
	e.InAnyGroup = e.inAnyGroup
	e.InAllGroups = e.inAllGroups
	e.HasLicence = e.hasLicence
	e.DaysSince = e.daysSince
	e.Property = e.property
}

// fill sets the instant to now and, with fills (see fillFrom, generated
// from the vocabulary), the fields an evaluation reads from u.
func (e *Env) fill(u *jira.User, now time.Time, fills fillSet) {
	if !now.Equal(e.Now) || e.Now.IsZero() {
		e.Now = now.In(e.loc)
		e.nowDay = dayNumber(now, e.loc)
	}
	e.fillFrom(u, fills)
}

// clear drops the references to the user, so a pooled Env keeps no user
// data alive. (A pooled Env serves one program, which fills the same
// fields every time: no value of another user is read.)
func (e *Env) clear() {
	e.clearVars()
	e.rawProps = nil
	clear(e.groupBuf)
	clear(e.licBuf)
}

func (e *Env) inGroup(name string) bool {
	_, ok := slices.BinarySearch(e.Groups, name)
	return ok
}

func (e *Env) inAnyGroup(names ...string) bool {
	for _, n := range names {
		if e.inGroup(n) {
			return true
		}
	}
	return false
}

func (e *Env) inAllGroups(names ...string) bool {
	for _, n := range names {
		if !e.inGroup(n) {
			return false
		}
	}
	return true
}

func (e *Env) hasLicence(key string) bool {
	_, ok := slices.BinarySearch(e.Licences, key)
	return ok
}

// ErrUnknownTime is the runtime error of a time function given an unknown
// (zero) time, such as lastActive["x"] for a product x the user has no
// activity in. The evaluation fails closed: the user does not match.
var ErrUnknownTime = errors.New("criteria: time is unknown")

func (e *Env) daysSince(t time.Time) (int, error) {
	if t.IsZero() {
		return 0, ErrUnknownTime
	}
	return int(e.nowDay - dayNumber(t, e.loc)), nil
}

func (e *Env) property(key string, def any) (any, error) {
	raw, ok := e.rawProps[key]
	if !ok {
		return def, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errors.New("criteria: property " + key + " is not valid JSON")
	}
	return v, nil
}

// dayNumber returns the number of the calendar day, in loc, that holds t,
// counted from 1970-01-01.
func dayNumber(t time.Time, loc *time.Location) int64 {
	secs := t.Unix()
	if loc != time.UTC {
		_, off := t.In(loc).Zone()
		secs += int64(off)
	}
	d := secs / 86400
	if secs%86400 < 0 {
		d--
	}
	return d
}

// domainOf returns the lower-cased part of an email address after its last
// "@", or "" when there is none.
func domainOf(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	d := email[i+1:]
	for j := 0; j < len(d); j++ {
		if c := d[j]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(d)
		}
	}
	return d
}
