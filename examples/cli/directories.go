package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// readOnlyPrefix starts the reason of a user protected for being in a
// read-only directory (actions).
const readOnlyPrefix = "protected: read-only directory "

// directoryNote says, after a plan, what is known of the directories of
// the users it selects: how many are in read-only directories (protected,
// not planned), or that this site's directories are unknown (Jira DC
// without a login source) and how to learn them — Jira refuses (403) to
// change a user of a read-only LDAP directory, which a plan cannot
// foresee without knowing the directories.
func (a *app) directoryNote(f *usermgmt.PolicySet, plan *actions.Plan) {
	s, ok := a.planSite(f, plan)
	if !ok {
		return
	}
	byDir := map[string]map[string]bool{}
	for _, e := range plan.Exempt {
		if d, ok := strings.CutPrefix(e.Reason, readOnlyPrefix); ok {
			if byDir[d] == nil {
				byDir[d] = map[string]bool{}
			}
			byDir[d][e.User.ID()] = true
		}
	}
	switch {
	case len(byDir) > 0:
		dirs := make([]string, 0, len(byDir))
		n := 0
		for d, users := range byDir {
			dirs = append(dirs, fmt.Sprintf("'%s' %d", d, len(users)))
			n += len(users)
		}
		slices.Sort(dirs)
		fmt.Fprintf(a.stdout, "\nRead-only directories: %d selected users are in read-only directories (%s): protected, not planned.\n", n, strings.Join(dirs, ", "))
	case plan.Flavor == jira.DataCenter && s.Logins == "" && s.LoginsDSN == "" && len(plan.Users) > 0:
		fmt.Fprint(a.stdout, `
Directories: unknown on this site (Jira DC's REST API does not say which
directory a user is in). Jira refuses (403) to change a user of a read-only
directory, such as a read-only LDAP: those steps would fail at apply. To learn
them, give the site a login source (JIRA_LOGINS, a CSV export, or JIRA_DB_DSN;
or logins: in the policy file) and name the read-only ones in the site's
readOnlyDirectories: their users are then protected and not planned.
`)
	case len(s.ReadOnlyDirectories) == 0 && len(plan.Users) > 0:
		fmt.Fprint(a.stdout, "\nRead-only directories: none named for this site (readOnlyDirectories); a user Jira cannot change would fail at apply (403).\n")
	default:
		fmt.Fprintf(a.stdout, "\nRead-only directories (%s): no selected user is in one.\n", strings.Join(s.ReadOnlyDirectories, ", "))
	}
}

// planSite returns the site a plan was made on: the policy file's site of
// its URL, else the one the global flags name.
func (a *app) planSite(f *usermgmt.PolicySet, plan *actions.Plan) (usermgmt.Site, bool) {
	if f != nil {
		for _, name := range f.SiteNames() {
			if s, ok := f.Site(name); ok && s.URL == plan.Site {
				return s, true
			}
		}
	}
	if a.g.demo {
		return usermgmt.Site{}, false
	}
	s, err := a.site("")
	return s, err == nil
}
