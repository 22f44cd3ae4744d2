package usermgmt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
)

// This file checks a policy file against the site it acts on, before any
// snapshot and any write: the groups it names exist there, and a Cloud
// site has what its policies need. Each problem is reported like a load
// problem, with the file, line, policy and field, in a *LoadError.

// groupRef is a group a policy file names, and where.
type groupRef struct {
	path     string
	group    string
	optional bool // an exemption marked optional: a site without it is fine
}

// groupRefs lists the groups the policies ps (and the file's common
// exemptions) name: exemptions, criteria (inGroup and the like) and
// actions.
func (f *compiledSet) groupRefs(ps []*CompiledPolicy) []groupRef {
	var refs []groupRef
	exempt := func(path string, x Exemptions, progs []*criteria.Program) {
		for i, e := range x.Groups {
			refs = append(refs, groupRef{path + ".groups[" + strconv.Itoa(i) + "]", e.Value, e.Optional})
		}
		for i, e := range progs {
			if e != nil {
				for _, g := range e.Needs().Groups {
					refs = append(refs, groupRef{path: path + ".expressions[" + strconv.Itoa(i) + "].where", group: g})
				}
			}
		}
	}
	exempt("exemptions", f.Exemptions, f.exempt)
	for i := range f.policies {
		p := &f.policies[i]
		if !slices.Contains(ps, p) {
			continue
		}
		path := "policies[" + strconv.Itoa(i) + "]"
		if p.where != nil && p.ActOn == "" { // with actOn the criterion runs on another site
			for _, g := range p.where.Needs().Groups {
				refs = append(refs, groupRef{path: path + ".users.where", group: g})
			}
		}
		exempt(path+".users.exemptions", p.Users.Exemptions, p.exempt)
		for j, a := range p.Actions {
			for k, g := range a.Groups {
				refs = append(refs, groupRef{path: fmt.Sprintf("%s.actions[%d].groups[%d]", path, j, k), group: g})
			}
		}
	}
	return refs
}

// checkSite checks the policies ps against the site s that client c
// reaches, and drops from the policies' exemptions (aps, common) the
// groups marked optional that the site does not have. It returns a
// *LoadError listing every problem: a group the site does not have (an
// exemption naming a missing group is an error unless marked optional: a
// typo must not un-exempt people), a Cloud site without the Admin API's
// organisation when a policy reads last logins or deactivates.
func (m *Manager) checkSite(ctx context.Context, c Client, s Site, ps []*CompiledPolicy, aps []actions.Policy, common *actions.Exemptions) error {
	f := m.file
	if f == nil || len(ps) == 0 {
		return nil
	}
	pr := &problems{lines: f.lines}
	label := cmpOr(s.Name, s.URL)
	exists := map[string]bool{}
	var absent []string // optional groups the site does not have
	for _, r := range f.groupRefs(ps) {
		ok, seen := exists[r.group]
		if !seen {
			var err error
			if ok, err = groupExists(ctx, c, r.group); err != nil {
				return fmt.Errorf("usermgmt: %s: group %q: %w", label, r.group, err)
			}
			exists[r.group] = ok
		}
		switch {
		case ok:
		case r.optional:
			absent = append(absent, r.group)
		default:
			hint := ""
			if isExemption(r.path) {
				hint = " (create it, correct the name, or mark the exemption optional: {value: " + r.group + ", optional: true})"
			}
			pr.addf(r.path, "group %q does not exist on site %s%s", r.group, label, hint)
		}
	}
	if c.Flavor() == jira.Cloud && s.OrgID == "" {
		for _, p := range ps {
			if needsAdminAPI(p) {
				pr.addf(cmpOr(sitePath(s), "sites"), "policy %q reads last logins or deactivates, which on Cloud need the Admin API: set orgId and orgKey (ATLASSIAN_ORG_ID, ATLASSIAN_ORG_KEY), and adminUrl (ATLASSIAN_ADMIN_URL) for another Admin API than api.atlassian.com", p.Name)
				break
			}
		}
	}
	if err := pr.err(f.label()); err != nil {
		return err
	}
	if len(absent) > 0 {
		drop := func(es []actions.Entry) []actions.Entry {
			return slices.DeleteFunc(es, func(e actions.Entry) bool { return slices.Contains(absent, e.Value) })
		}
		for i := range aps {
			aps[i].Exemptions.Groups = drop(aps[i].Exemptions.Groups)
		}
		common.Groups = drop(common.Groups)
		m.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "optional exemption groups absent from the site", slog.String("site", label), slog.Any("groups", absent))
	}
	return nil
}

// groupExists reports whether the site has group: its first page of
// members reads without a not-found error.
func groupExists(ctx context.Context, c Client, group string) (bool, error) {
	for _, err := range c.GroupMembers(ctx, group) {
		if errors.Is(err, jira.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	return true, nil
}

// isExemption reports whether path is an exempt group's.
func isExemption(path string) bool { return strings.Contains(path, "exemptions.groups[") }

func sitePath(s Site) string {
	if s.Name == "" {
		return ""
	}
	return "sites." + s.Name
}

// needsAdminAPI reports whether a policy reads last logins or activity, or
// deactivates: what a Cloud site answers only through the Admin API.
func needsAdminAPI(p *CompiledPolicy) bool {
	if p.where != nil {
		n := p.where.Needs()
		if n.LastLogin || n.LastActive || n.Created || n.LoginCount {
			return true
		}
	}
	return slices.ContainsFunc(p.Actions, func(a ActionSpec) bool { return a.Action == Deactivate })
}

// errNoCloudUser is Connect's error for a Cloud site without a user.
var errNoCloudUser = errors.New("usermgmt: a Cloud site needs the account's email as the user")

// siteError locates err, from connecting to the site s, in the policy
// file when a field of the site's is at fault.
func (m *Manager) siteError(s Site, err error) error {
	f := m.file
	if f == nil || s.Name == "" || !errors.Is(err, errNoCloudUser) {
		return err
	}
	pr := &problems{lines: f.lines}
	path := "sites." + s.Name + ".user"
	if _, ok := f.lines[path]; !ok {
		path = "sites." + s.Name
	}
	pr.addf(path, "the site is Cloud: the user must be the admin account's email (set JIRA_USER, or --user)")
	return pr.err(f.label())
}
