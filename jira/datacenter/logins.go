package datacenter

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// LoginRecord is what a [LoginSource] knows of one user.
type LoginRecord struct {
	// LastLogin is the last login: a time, never, or unknown (the zero
	// value) when the source does not say.
	LastLogin jira.LastLogin
	// LoginCount is the number of logins; nil when the source does not say.
	LoginCount *int
	// Created is when the user was created; zero when the source does not
	// say.
	Created time.Time
	// Directory is the name of the user's directory (e.g. a read-only
	// LDAP directory, whose users Jira cannot change); empty when the
	// source does not say.
	Directory string
}

// LoginSource supplies what Jira DC's REST API does not: last logins on
// servers before Jira 10, and creation dates, login counts and user
// directories on all of them. Jira keeps them in its database
// (cwd_user.created_date, the cwd_user_attributes login.lastLoginMillis
// and login.count, and cwd_directory); see [LoginQuery] for a read-only
// query that exports them.
type LoginSource interface {
	// Logins returns the records by lower-cased username.
	Logins(ctx context.Context) (map[string]LoginRecord, error)
}

// LoginQuery is [LoginQueryFor]([PostgreSQL]): Jira's most common
// database. Save its result as CSV with its header (psql's \copy or
// --csv) and [ReadLogins] reads it.
var LoginQuery = loginQuery(PostgreSQL)

// WithLoginSource makes the client fill in last login, login count and
// creation date from src: in [Client.Snapshot] (read once per snapshot)
// and [Client.User]. A user the source knows gets its record (the later of
// the two last logins when the server sends one too); a user it does not
// know keeps what the REST API says — unknown on servers before Jira 10.
func WithLoginSource(src LoginSource) Option {
	return func(o *options) error {
		if src == nil {
			return errors.New("datacenter: nil login source")
		}
		o.Flavor.logins = src
		return nil
	}
}

// LoginTable is a [LoginSource] held in memory, by lower-cased username.
type LoginTable map[string]LoginRecord

// Logins implements [LoginSource].
func (t LoginTable) Logins(context.Context) (map[string]LoginRecord, error) { return t, nil }

// LoginFile is a [LoginSource] that reads a CSV file ([ReadLogins]) each
// time it is asked, so a file refreshed by a scheduled export is picked up.
type LoginFile string

// Logins implements [LoginSource].
func (f LoginFile) Logins(context.Context) (map[string]LoginRecord, error) {
	file, err := os.Open(string(f))
	if err != nil {
		return nil, fmt.Errorf("datacenter: login file: %w", err)
	}
	defer file.Close()
	t, err := ReadLogins(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return t, nil
}

// loginColumns maps header names (lower-cased) to the field they fill.
var loginColumns = map[string]string{
	"username": "username", "user_name": "username", "lower_user_name": "username", "name": "username",
	"last_login": "last_login", "lastlogin": "last_login", "last_login_millis": "last_login",
	"login.lastloginmillis": "last_login", "lastloginmillis": "last_login",
	"login_count": "login_count", "logincount": "login_count", "login.count": "login_count",
	"created": "created", "created_date": "created",
	"directory": "directory", "directory_name": "directory",
	"directory_position": "directory_position",
}

// ReadLogins reads a CSV of users' logins with a header row: a username
// column (username, user_name, lower_user_name or name) and any of
// last_login (login.lastLoginMillis), login_count (login.count), created
// (created_date), directory (directory_name) and directory_position.
// Times are epoch milliseconds, RFC 3339, PostgreSQL's text form
// "2019-07-23 18:52:34.887+00", or MySQL's "2019-07-23 18:52:34" and
// "2019-07-23" (read as UTC). With a last_login column an empty cell
// means never logged in; without one, last login stays unknown.
//
// A user name on several rows (a user shadowed in several directories,
// as an export made without [LoginQueryFor] lists it) is resolved, not
// refused: the row with the lowest directory_position wins, as in Jira;
// without that column, the row with the latest last login. A bad cell is
// an error that names its row and column.
func ReadLogins(r io.Reader) (LoginTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("datacenter: logins: header: %w", err)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if field, ok := loginColumns[name]; ok {
			if _, dup := cols[field]; dup {
				return nil, fmt.Errorf("datacenter: logins: row 1, column %d: a second %s column (%q)", i+1, field, h)
			}
			cols[field] = i
		}
	}
	if _, ok := cols["username"]; !ok {
		return nil, errors.New("datacenter: logins: row 1: no username column (username, user_name, lower_user_name or name)")
	}
	t := LoginTable{}
	position := map[string]int64{} // user → directory_position of its row
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("datacenter: logins: %w", err)
		}
		cell := func(field string) (string, int, bool) {
			i, ok := cols[field]
			if !ok || i >= len(rec) {
				return "", i, false
			}
			return strings.TrimSpace(rec[i]), i, true
		}
		name, col, _ := cell("username")
		if name == "" {
			return nil, fmt.Errorf("datacenter: logins: row %d, column %d: empty username", row, col+1)
		}
		var lr LoginRecord
		if v, col, ok := cell("last_login"); ok {
			lr.LastLogin = jira.NeverLoggedIn() // the column is there: empty means never
			if v != "" {
				at, err := parseLoginTime(v)
				if err != nil {
					return nil, fmt.Errorf("datacenter: logins: row %d, column %d (last_login): %w", row, col+1, err)
				}
				lr.LastLogin = jira.LoggedInAt(at)
			}
		}
		if v, col, ok := cell("login_count"); ok && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("datacenter: logins: row %d, column %d (login_count): %q is not a count", row, col+1, v)
			}
			lr.LoginCount = &n
		}
		if v, col, ok := cell("created"); ok && v != "" {
			if lr.Created, err = parseLoginTime(v); err != nil {
				return nil, fmt.Errorf("datacenter: logins: row %d, column %d (created): %w", row, col+1, err)
			}
		}
		if v, _, ok := cell("directory"); ok {
			lr.Directory = v
		}
		pos := int64(-1)
		if v, col, ok := cell("directory_position"); ok && v != "" {
			if pos, err = strconv.ParseInt(v, 10, 64); err != nil || pos < 0 {
				return nil, fmt.Errorf("datacenter: logins: row %d, column %d (directory_position): %q is not a position", row, col+1, v)
			}
		}
		key := strings.ToLower(name)
		if prev, dup := t[key]; dup && !replaces(lr, pos, prev, position[key]) {
			continue
		}
		t[key], position[key] = lr, pos
	}
}

// replaces reports whether a row for a user already read wins over the
// earlier one: the lower directory position, else the later last login.
func replaces(lr LoginRecord, pos int64, prev LoginRecord, prevPos int64) bool {
	if pos >= 0 && prevPos >= 0 && pos != prevPos {
		return pos < prevPos
	}
	return lr.LastLogin.Known && !lr.LastLogin.Never() &&
		(!prev.LastLogin.Known || lr.LastLogin.Time.After(prev.LastLogin.Time))
}

// loginTimeLayouts are the text forms of times that database exports
// print: RFC 3339, PostgreSQL's timestamp with time zone (+00, +05:30),
// and MySQL's datetime and date (no zone: UTC).
var loginTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999-0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func parseLoginTime(v string) (time.Time, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range loginTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (epoch milliseconds, RFC 3339, 2006-01-02 15:04:05[.000][+00])", v)
}

// loginRecords reads the login source, if any, and keeps the answer for
// [Client.User]; refresh reads it again.
func (c *Client) loginRecords(ctx context.Context, refresh bool) (map[string]LoginRecord, error) {
	if c.loginSrc == nil {
		return nil, nil
	}
	c.loginsMu.Lock()
	defer c.loginsMu.Unlock()
	if c.logins == nil || refresh {
		t, err := c.loginSrc.Logins(ctx)
		if err != nil {
			return nil, fmt.Errorf("datacenter: login source: %w", err)
		}
		c.logins = t
	}
	return c.logins, nil
}

// applyLogin fills in what the login source knows of m.
func applyLogin(m *jira.User, t map[string]LoginRecord) {
	lr, ok := t[strings.ToLower(m.Name)]
	if !ok {
		return
	}
	switch {
	case !lr.LastLogin.Known:
	case lr.LastLogin.Never():
		if !m.LastLogin.Known {
			m.LastLogin = lr.LastLogin
		}
	case !m.LastLogin.Known || lr.LastLogin.Time.After(m.LastLogin.Time):
		m.LastLogin = lr.LastLogin
	}
	if lr.LoginCount != nil {
		m.LoginCount = new(*lr.LoginCount)
	}
	if !lr.Created.IsZero() {
		m.Created = lr.Created
	}
	if lr.Directory != "" {
		m.Directory = lr.Directory
	}
}
