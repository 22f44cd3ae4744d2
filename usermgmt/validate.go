package usermgmt

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/schedule"
)

var policyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// validate checks f's data and compiles it into f's compiled parts.
func (f *compiledSet) validate(cfg loadConfig, ps *problems) {
	f.dir = cfg.dir
	switch f.Version {
	case Version:
	case 0:
		ps.addf("version", "missing; a policy file starts with version: 1")
	default:
		ps.addf("version", "unsupported version %d; this release reads version 1", f.Version)
	}

	f.sites = map[string]Site{}
	names := slices.Sorted(maps.Keys(f.Sites))
	for _, name := range names {
		if s, ok := validateSite(name, f.Sites[name], cfg, ps); ok {
			f.sites[name] = s
		}
	}
	f.exempt = validateExemptions("exemptions", &f.Exemptions, time.UTC, cfg.now, ps)

	if len(f.Policies) == 0 && !ps.has("policies") {
		ps.addf("policies", "no policies; a file holds at least one")
	}
	seen := map[string]int{}
	f.policies = make([]CompiledPolicy, len(f.Policies))
	for i := range f.Policies {
		p := &f.policies[i]
		p.Policy = f.Policies[i]
		path := "policies[" + strconv.Itoa(i) + "]"
		if j, dup := seen[p.Name]; dup && p.Name != "" {
			ps.addf(path+".name", "%q is also the name of policies[%d]; names must be unique", p.Name, j)
		} else {
			seen[p.Name] = i
		}
		f.validatePolicy(path, p, cfg, ps)
		f.Policies[i] = p.Policy // as completed (the site of a one-site file)
	}
	f.sharedSinkFiles(ps) // sinkpaths.go
}

// validateSite checks a site and resolves its references.
func validateSite(name string, sp SiteSpec, cfg loadConfig, ps *problems) (Site, bool) {
	path := "sites." + name
	before := len(ps.list)
	if !policyName.MatchString(name) {
		ps.addf(path, "a site name has letters, digits, '.', '_' and '-'")
	}
	plain := func(field, v string) string {
		return expand(v, cfg.lookupEnv, func(env string) {
			ps.addf(path+"."+field, "environment variable %s is not set", env)
		})
	}
	secret := func(field, v string, required bool) jira.Secret {
		if v == "" {
			if required {
				ps.addf(path+"."+field, "missing; refer to an environment variable, e.g. %s: ${JIRA_TOKEN}", field)
			}
			return ""
		}
		env, optional, ok := secretRef(v)
		if !ok {
			ps.addf(path+"."+field, "a secret must not be written in the file; refer to an environment variable instead, e.g. %s: ${%s}", field, exampleVar(field))
			return ""
		}
		val, ok := cfg.lookupEnv(env)
		if (!ok || val == "") && !optional {
			ps.addf(path+"."+field, "environment variable %s is not set", env)
			return ""
		}
		return jira.Secret(val)
	}

	s := Site{Name: name}
	if sp.URL == "" {
		ps.addf(path+".url", "missing; the site's base URL, e.g. https://jira.example.com")
	} else if s.URL = plain("url", sp.URL); s.URL != "" {
		if err := checkURL(s.URL); err != nil {
			ps.addf(path+".url", "%v", err)
		}
	}
	if sp.Flavor != "" {
		fl, err := jira.ParseFlavor(sp.Flavor)
		if err != nil {
			ps.addf(path+".flavor", "unknown flavor %q; want dc or cloud, or leave it out to detect it", sp.Flavor)
		}
		s.Flavor = fl
	}
	s.User = plain("user", sp.User)
	s.Token = secret("token", sp.Token, true)
	if sp.AdminURL != "" {
		if s.AdminURL = plain("adminUrl", sp.AdminURL); s.AdminURL != "" {
			if err := checkURL(s.AdminURL); err != nil {
				ps.addf(path+".adminUrl", "%v", err)
			}
		}
	}
	s.OrgID = plain("orgId", sp.OrgID)
	s.OrgKey = secret("orgKey", sp.OrgKey, false)
	switch {
	case (sp.OrgID == "") != (sp.OrgKey == ""):
		ps.addf(path, "orgId and orgKey go together: the Admin API needs both")
	case s.Flavor == jira.DataCenter && (sp.OrgID != "" || sp.AdminURL != ""):
		ps.addf(path, "adminUrl, orgId and orgKey are for Cloud sites; this one is dc")
	}
	if s.Flavor == jira.Cloud && sp.User == "" {
		ps.addf(path+".user", "missing; a Cloud site needs the account's email")
	}
	if sp.Logins.File != "" && sp.Logins.DSN != "" {
		ps.addf(path+".logins", "a file or a dsn, not both")
	}
	if sp.Logins.DSN != "" {
		s.LoginsDSN = secret("logins.dsn", sp.Logins.DSN, true)
		if s.Flavor == jira.Cloud {
			ps.addf(path+".logins", "a login database is for DC sites; Cloud's last-active dates come from the Admin API (orgId, orgKey)")
		}
	}
	if sp.Logins.File != "" {
		s.Logins = plain("logins", sp.Logins.File)
		if s.Logins != "" && !filepath.IsAbs(s.Logins) {
			s.Logins = filepath.Join(cfg.dir, s.Logins)
		}
		switch st, err := os.Stat(s.Logins); {
		case s.Flavor == jira.Cloud:
			ps.addf(path+".logins", "a login export is for DC sites; Cloud's last-active dates come from the Admin API (orgId, orgKey)")
		case err != nil && errors.Is(err, os.ErrNotExist):
			ps.addf(path+".logins", "file %s does not exist", s.Logins)
		case err != nil:
			ps.addf(path+".logins", "%v", err)
		case st.IsDir():
			ps.addf(path+".logins", "%s is a directory, not a CSV file", s.Logins)
		}
	}
	for i, d := range sp.ReadOnlyDirectories {
		if strings.TrimSpace(d) == "" {
			ps.addf(fmt.Sprintf("%s.readOnlyDirectories[%d]", path, i), "empty directory name")
		}
	}
	s.ReadOnlyDirectories = sp.ReadOnlyDirectories
	s.AllowPartialSnapshot = sp.AllowPartialSnapshot
	if len(sp.ReadOnlyDirectories) > 0 && !sp.Logins.set() && s.Flavor != jira.Cloud {
		ps.addf(path+".readOnlyDirectories", "needs logins: Jira DC's REST API does not say which directory a user is in")
	}
	switch {
	case sp.RateLimit < 0 || math.IsNaN(sp.RateLimit) || math.IsInf(sp.RateLimit, 0):
		ps.addf(path+".rateLimit", "%v: want a positive number of requests per second, e.g. rateLimit: 50", sp.RateLimit)
	case sp.Burst < 0:
		ps.addf(path+".burst", "%d: want a positive number of requests", sp.Burst)
	case sp.Burst > 0 && sp.RateLimit == 0:
		ps.addf(path+".burst", "needs rateLimit: a burst is the ceiling's, e.g. rateLimit: 50 with burst: %d", sp.Burst)
	}
	s.RateLimit, s.Burst = sp.RateLimit, sp.Burst
	return s, len(ps.list) == before
}

// exampleVar suggests a variable name for a secret field.
func exampleVar(field string) string {
	if field == "orgKey" {
		return "ATLASSIAN_ORG_KEY"
	}
	return "JIRA_TOKEN"
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return errors.New("want an http or https URL such as https://jira.example.com")
	case u.User != nil:
		return errors.New("a URL must not hold credentials; use user and token")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("a base URL has no query or fragment")
	}
	return nil
}

func (f *File) siteNames() string {
	names := slices.Sorted(maps.Keys(f.Sites))
	if len(names) == 0 {
		return "the file defines no sites"
	}
	return "sites: " + strings.Join(names, ", ")
}

// siteFlavor returns the flavour a site is declared with, or zero.
func (f *File) siteFlavor(name string) jira.Flavor {
	fl, _ := jira.ParseFlavor(f.Sites[name].Flavor)
	return fl
}

func (f *compiledSet) validatePolicy(path string, p *CompiledPolicy, cfg loadConfig, ps *problems) {
	switch {
	case p.Name == "":
		ps.addf(path+".name", "missing; every policy has a name")
	case !policyName.MatchString(p.Name):
		ps.addf(path+".name", "%q: a policy name has letters, digits, '.', '_' and '-'", p.Name)
	}

	// The site, and the site acted on.
	switch _, ok := f.Sites[p.Site]; {
	case p.Site == "" && len(f.Sites) == 1:
		p.Site = slices.Collect(maps.Keys(f.Sites))[0]
	case p.Site == "" && len(f.Sites) > 1:
		ps.addf(path+".site", "missing; the file has several sites (%s)", strings.TrimPrefix(f.siteNames(), "sites: "))
	case p.Site != "" && !ok:
		ps.addf(path+".site", "unknown site %q%s (%s)", p.Site, didYouMean(p.Site, slices.Collect(maps.Keys(f.Sites))), f.siteNames())
	}
	if p.ActOn != "" {
		switch _, ok := f.Sites[p.ActOn]; {
		case !ok:
			ps.addf(path+".actOn", "unknown site %q%s (%s)", p.ActOn, didYouMean(p.ActOn, slices.Collect(maps.Keys(f.Sites))), f.siteNames())
		case p.ActOn == p.Site:
			ps.addf(path+".actOn", "names the policy's own site; leave it out")
		}
	}

	// When.
	p.loc = time.UTC
	if tz := p.When.TimeZone; tz != "" {
		loc, err := time.LoadLocation(tz)
		switch {
		case tz == "Local":
			ps.addf(path+".when.timeZone", "name a zone, such as Europe/Berlin: Local differs from machine to machine")
		case err != nil:
			ps.addf(path+".when.timeZone", "unknown time zone %q; want an IANA name such as Europe/Berlin or UTC", tz)
		default:
			p.loc = loc
		}
	}
	p.sched = nil
	if spec := strings.TrimSpace(p.When.Schedule); spec != "" {
		switch {
		case p.When.OnDemand:
			ps.addf(path+".when", "a policy runs on a schedule or on demand, not both")
		case strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ="):
			ps.addf(path+".when.schedule", "give the time zone in when.timeZone, not in the schedule")
		default:
			sched, err := schedule.Parse(spec, p.Location())
			if pe, ok := errors.AsType[*schedule.ParseError](err); ok {
				ps.addf(path+".when.schedule", "bad cron schedule: %s", scheduleProblem(pe))
			} else if err != nil {
				ps.addf(path+".when.schedule", "bad cron schedule: %v", err)
			} else {
				p.sched = sched
			}
		}
	}

	if p.When.OnUserCreated {
		switch {
		case p.ActOn != "":
			ps.addf(path+".when.onUserCreated", "a new user is acted on where it was created; leave actOn out")
		case p.Users.Selection != "":
			ps.addf(path+".when.onUserCreated", "a new user is in no selection file; select with users.where")
		}
	}
	p.validateOnLogin(path, ps) // onlogin.go

	// Which users.
	u := &p.Users
	p.where = nil
	if u.Where == "" && u.Selection == "" && !ps.has(path+".users") {
		ps.addf(path+".users", "select users with a criterion (where), a selection file, or both")
	}
	if u.Where != "" {
		p.where = compile(path+".users.where", u.Where, p.loc, cfg.now, ps)
	}
	p.base = cfg.dir
	if u.Selection != "" {
		p.selection = u.Selection
		if _, err := insidePath(cfg.dir, u.Selection, false); err != nil {
			ps.addf(path+".users.selection", "%v", err)
		}
	}
	p.exempt = validateExemptions(path+".users.exemptions", &u.Exemptions, p.loc, cfg.now, ps)

	// What.
	target := p.Site
	if p.ActOn != "" {
		target = p.ActOn
	}
	if len(p.Actions) == 0 && !ps.has(path+".actions") {
		ps.addf(path+".actions", "no actions; a policy does at least one thing")
	}
	for i := range p.Actions {
		validateAction(path+".actions["+strconv.Itoa(i)+"]", &p.Actions[i], f.siteFlavor(target), ps)
	}
	if p.Limits.MaxUsers < 0 {
		ps.addf(path+".limits.maxUsers", "must not be negative (0 means no limit)")
	}
	if p.Limits.MaxPercent < 0 || p.Limits.MaxPercent > 100 {
		ps.addf(path+".limits.maxPercent", "must be between 0 and 100 (0 means no limit)")
	}
	if a := p.Approval; a != nil {
		if a.Project == "" {
			ps.addf(path+".approval.project", "missing; the key of the project the approval issue is filed in")
		}
		if a.IssueType == "" {
			ps.addf(path+".approval.issueType", "missing; the approval issue's type, e.g. Task")
		}
		if a.ApprovedStatus == "" {
			a.ApprovedStatus = "Approved"
		}
		if a.RejectedStatus == "" {
			a.RejectedStatus = "Rejected"
		}
		if strings.EqualFold(strings.TrimSpace(a.ApprovedStatus), strings.TrimSpace(a.RejectedStatus)) {
			// Jira compares status names ignoring case.
			ps.addf(path+".approval", "approvedStatus and rejectedStatus must differ (Jira compares status names ignoring case)")
		}
	}

	// Reporting.
	for i, s := range p.Reporting.Sinks {
		validateSink(path+".reporting.sinks["+strconv.Itoa(i)+"]", s, p.Approval != nil, ps)
		if s.Path != "" {
			if _, err := insidePath(cfg.dir, s.Path, true); err != nil {
				ps.addf(path+".reporting.sinks["+strconv.Itoa(i)+"].path", "%v", err)
			}
		}
	}
}

// compile compiles a criterion, reporting a compile error with the
// criterion's own line and column.
func compile(path, src string, loc *time.Location, now func() time.Time, ps *problems) *criteria.Program {
	prog, err := criteria.Compile(src, criteria.WithLocation(loc), criteria.WithNow(now))
	if err == nil {
		return prog
	}
	if ce, ok := errors.AsType[*criteria.CompileError](err); ok {
		if ce.Line > 0 {
			ps.add(path, ce, "line %d, column %d: %s", ce.Line, ce.Column, ce.Msg)
		} else {
			ps.add(path, ce, "%s", ce.Msg)
		}
		return nil
	}
	ps.add(path, err, "%v", err)
	return nil
}

// validateExemptions checks x and returns its expressions compiled, by
// index (nil where one does not compile).
func validateExemptions(path string, x *Exemptions, loc *time.Location, now func() time.Time, ps *problems) []*criteria.Program {
	entries := func(field string, list []Exempt) {
		for i, e := range list {
			p := path + "." + field + "[" + strconv.Itoa(i) + "]"
			if strings.TrimSpace(e.Value) == "" {
				ps.addf(p, "empty; name a %s", strings.TrimSuffix(field, "s"))
			}
			if _, err := e.Until.Time(loc); err != nil {
				ps.addf(p+".until", "want a date such as 2026-12-31 or an RFC 3339 time")
			}
			if e.Optional && field != "groups" {
				ps.addf(p+".optional", "only an exempt group can be optional")
			}
		}
	}
	entries("users", x.Users)
	entries("groups", x.Groups)
	var progs []*criteria.Program
	for i := range x.Expressions {
		e := &x.Expressions[i]
		p := path + ".expressions[" + strconv.Itoa(i) + "]"
		var prog *criteria.Program
		if e.Where == "" {
			ps.addf(p+".where", "missing; the criterion of the users to exempt")
		} else {
			prog = compile(p+".where", e.Where, loc, now, ps)
		}
		progs = append(progs, prog)
		if _, err := e.Until.Time(loc); err != nil {
			ps.addf(p+".until", "want a date such as 2026-12-31 or an RFC 3339 time")
		}
	}
	return progs
}

func validateAction(path string, a *ActionSpec, target jira.Flavor, ps *problems) {
	def, known := actionOf(a.Action)
	if !known {
		if a.Action == "" {
			ps.addf(path+".action", "missing; one of %s", kindList())
			return
		}
		var names []string
		for _, k := range ActionKinds() {
			names = append(names, string(k))
		}
		ps.addf(path+".action", "unknown action %q%s (one of %s)", a.Action, didYouMean(string(a.Action), names), kindList())
		return
	}
	allowed := map[string]bool{}
	for _, p := range def.Params {
		allowed[p.Name] = true
		if p.Required && !slices.Contains(setParams(a), p.Name) && !ps.has(path+"."+p.Name) {
			ps.addf(path+"."+p.Name, "missing; %s needs it", a.Action)
		}
	}
	for _, p := range setParams(a) {
		if !allowed[p] {
			ps.addf(path+"."+p, "not a parameter of %s", a.Action)
		}
	}
	for i, g := range a.Groups {
		switch {
		case strings.TrimSpace(g) == "":
			ps.addf(path+".groups["+strconv.Itoa(i)+"]", "empty group name")
		case slices.Index(a.Groups, g) < i:
			ps.addf(path+".groups["+strconv.Itoa(i)+"]", "group %q is listed twice", g)
		}
	}
	if a.Groups != nil && len(a.Groups) == 0 {
		ps.addf(path+".groups", "empty; name at least one group")
	}
	if a.Action == ResetPassword && a.Password != "" && a.Password != "random" {
		ps.addf(path+".password", "the only password source a file can name is random; a password is never written in a file")
	}
	checkBuild(path, a, ps) // vocabulary.go
	if def.DCOnly && target == jira.Cloud {
		ps.addf(path+".action", "%s is available on Data Center only; this policy acts on a Cloud site", a.Action)
	}
}

func kindList() string {
	var names []string
	for _, k := range ActionKinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

func didYouMean(s string, known []string) string {
	slices.Sort(known)
	if m := suggest(s, known); m != "" {
		return "; did you mean " + m + "?"
	}
	return ""
}

func validateSink(path string, s Sink, approval bool, ps *problems) {
	needsPath := false
	switch s.Type {
	case SinkJSONL, SinkCSV, SinkHTML:
		needsPath = true
		if s.Path == "" {
			ps.addf(path+".path", "missing; the file a %s sink writes", s.Type)
		}
	case SinkEmail:
		if len(s.To) == 0 {
			ps.addf(path+".to", "missing; the addresses or groups an email sink mails")
		}
	case SinkComment:
		if !approval {
			ps.addf(path+".type", "a comment sink comments on the approval issue; the policy has no approval")
		}
	case SinkLog:
	case "":
		ps.addf(path+".type", "missing; one of jsonl, csv, html, email, comment, log")
		return
	default:
		ps.addf(path+".type", "unknown sink %q%s (one of jsonl, csv, html, email, comment, log)", s.Type,
			didYouMean(string(s.Type), []string{"jsonl", "csv", "html", "email", "comment", "log"}))
		return
	}
	if s.Path != "" && !needsPath {
		ps.addf(path+".path", "not used by a %s sink", s.Type)
	}
	if s.Type != SinkEmail {
		if len(s.To) > 0 {
			ps.addf(path+".to", "not used by a %s sink", s.Type)
		}
		if s.Subject != "" {
			ps.addf(path+".subject", "not used by a %s sink", s.Type)
		}
	}
}

// String describes the policy in one line: name, site, schedule.
func (p *Policy) String() string {
	when := "on demand"
	if p.When.Schedule != "" {
		when = fmt.Sprintf("%q", p.When.Schedule)
		if p.When.TimeZone != "" {
			when += " " + p.When.TimeZone
		}
	}
	return fmt.Sprintf("%s (site %s, %s)", p.Name, p.Site, when)
}
