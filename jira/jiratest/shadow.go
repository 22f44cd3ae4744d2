package jiratest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Directory priority and shadowing on DC. The order of the site's
// directories is their priority: a user name is resolved in the first
// directory that has it. POST /user creates a user in the first writable
// directory; when the name exists only in a directory after it, Jira
// creates the new user anyway and the old account stays behind it,
// shadowed (it keeps its key, which Jira holds per name). GET
// /user/duplicated/list shows such names.

// shadowAccount is a same-named account hidden behind the effective user.
type shadowAccount struct {
	name   string
	dir    *directory
	active bool
}

// dirIndex is d's position among the site's directories (-1: none).
func (st *state) dirIndex(d *directory) int { return slices.Index(st.dirs, d) }

// firstWritable is the directory POST /user creates users in.
func (st *state) firstWritable() *directory {
	for _, d := range st.dirs {
		if !d.readOnly {
			return d
		}
	}
	return nil
}

// shadowable reports whether creating a user of existing's name would
// shadow existing: the new user's directory comes before existing's.
func (st *state) shadowable(existing *user) bool {
	w := st.firstWritable()
	return w != nil && existing.dir != nil && st.dirIndex(w) < st.dirIndex(existing.dir)
}

// shadow hides existing behind a new user of its name and returns the key
// the new user takes (Jira's keys are per name).
func (st *state) shadow(existing *user) string {
	st.shadowed = append(st.shadowed, shadowAccount{name: existing.name, dir: existing.dir, active: existing.active})
	st.deleteUser(existing)
	return existing.key
}

// duplicated returns, for each name with accounts in several directories
// where more than one is active or the only active one is not the first,
// its accounts in priority order (Jira 8.19+).
func (st *state) duplicated() map[string][]map[string]any {
	accounts := map[string][]shadowAccount{}
	for _, s := range st.shadowed {
		k := strings.ToLower(s.name)
		if u := st.byName[k]; u != nil && len(accounts[k]) == 0 {
			accounts[k] = append(accounts[k], shadowAccount{name: u.name, dir: u.dir, active: u.active})
		}
		accounts[k] = append(accounts[k], s)
	}
	out := map[string][]map[string]any{}
	for k, as := range accounts {
		slices.SortFunc(as, func(a, b shadowAccount) int { return st.dirIndex(a.dir) - st.dirIndex(b.dir) })
		active := 0
		for _, a := range as {
			if a.active {
				active++
			}
		}
		if len(as) < 2 || (active < 2 && as[0].active) {
			continue
		}
		for _, a := range as {
			var id any = a.dir.id
			if n, err := strconv.ParseInt(a.dir.id, 10, 64); err == nil {
				id = n // Jira's directory ids are numbers
			}
			out[k] = append(out[k], map[string]any{"directoryId": id, "directoryName": a.dir.name, "userActive": a.active})
		}
	}
	return out
}

func (s *Server) registerDirectories() {
	const api = "/rest/api/2"
	s.handle("GET", api+"/user/duplicated/list", authAdmin, []string{"flush"}, func(c *call) {
		c.writeJSON(http.StatusOK, c.st.duplicated())
	})
	s.handle("GET", api+"/user/duplicated/count", authAdmin, []string{"flush"}, func(c *call) {
		c.writeJSON(http.StatusOK, map[string]int{"count": len(c.st.duplicated())})
	})
}
