package usermgmt

import (
	"encoding/json"
	"fmt"
	"time"
)

// Version is the policy file format version this package reads.
const Version = 1

// File is a policy file as data: the sites it acts on and its policies.
// Nothing runs a File: [File.Compile] checks it and returns the runnable
// [PolicySet] ([Load] and [Parse] read a file and compile it;
// [PolicySet.File] gives the data back).
type File struct {
	// Version is the format version; it must be 1.
	Version int `json:"version" yaml:"version"`
	// Sites are the Jira sites by name. Credentials are references to
	// environment variables (${JIRA_TOKEN}), never the secrets
	// themselves. A file with no sites leaves the site to the caller
	// (the CLI's --site).
	Sites map[string]SiteSpec `json:"sites,omitempty" yaml:"sites"`
	// Exemptions apply to every policy of the file, besides each
	// policy's own.
	Exemptions Exemptions `json:"exemptions,omitzero" yaml:"exemptions"`
	// Policies are the rules, each with a unique name.
	Policies []Policy `json:"policies" yaml:"policies"`

	// where the data was read from, kept by copies
	lines map[string]int // field path → line, from Parse
	name  string         // file name for messages
	dir   string         // directory of relative paths
}

// SiteSpec is a site as written in a policy file. URL, User, AdminURL and
// OrgID may hold ${VAR} references, which are replaced by the variables'
// values; Token and OrgKey must be exactly one such reference: a literal
// secret in a file is refused.
type SiteSpec struct {
	// URL is the site's base URL, e.g. https://jira.example.com.
	URL string `json:"url" yaml:"url"`
	// Flavor is dc or cloud; when empty it is detected from the site's
	// serverInfo when connecting.
	Flavor string `json:"flavor,omitempty" yaml:"flavor"`
	// User is the account's email on Cloud; on DC a user name for Basic
	// authentication with Token as the password, or empty to send Token
	// as a personal access token.
	User string `json:"user,omitempty" yaml:"user"`
	// Token is the API token (Cloud), personal access token or password
	// (DC), as a reference such as ${JIRA_TOKEN}.
	Token string `json:"token" yaml:"token"`
	// AdminURL is the Atlassian Admin API's base URL (Cloud; default the
	// public Admin API).
	AdminURL string `json:"adminUrl,omitempty" yaml:"adminUrl"`
	// OrgID and OrgKey give the organisation and its API key for the
	// Admin API (Cloud): last-active dates and deactivation need them.
	OrgID  string `json:"orgId,omitempty" yaml:"orgId"`
	OrgKey string `json:"orgKey,omitempty" yaml:"orgKey"`
	// Logins is where a DC site's logins come from: last logins on
	// servers before Jira 10, and creation dates, login counts and user
	// directories, which DC's REST API never sends. Either a CSV file
	// exported from Jira's database with datacenter.LoginQuery, relative
	// to the policy file (logins: exports/logins.csv, or {file: …}), or
	// Jira's database itself, read-only ({dsn: ${JIRA_DB_DSN}}, see
	// datacenter.OpenLoginDB). It is read at every snapshot.
	Logins LoginsSpec `json:"logins,omitzero" yaml:"logins"`
	// ReadOnlyDirectories name user directories Jira only reads (a
	// read-only LDAP directory): their users are protected, since Jira
	// refuses to change them. On DC it needs Logins, which says each
	// user's directory.
	ReadOnlyDirectories []string `json:"readOnlyDirectories,omitempty" yaml:"readOnlyDirectories"`
	// RateLimit, when set, is the most requests per second the clients
	// send to the site, and Burst how many may go at once (default one
	// second's worth): see [Site].RateLimit.
	RateLimit float64 `json:"rateLimit,omitempty" yaml:"rateLimit"`
	Burst     int     `json:"burst,omitempty" yaml:"burst"`
	// AllowPartialSnapshot lets plans use a snapshot that cannot see every
	// user (Jira DC 10.0 to 10.2 without logins); see
	// Site.AllowPartialSnapshot. Percentage limits are refused then.
	AllowPartialSnapshot bool `json:"allowPartialSnapshot,omitempty" yaml:"allowPartialSnapshot"`
}

// LoginsSpec names a DC site's login source: a CSV export (File; a
// plain string is a file) or Jira's database (DSN, a reference to an
// environment variable such as ${JIRA_DB_DSN}: it holds a password).
type LoginsSpec struct {
	File string `json:"file,omitempty" yaml:"file"`
	DSN  string `json:"dsn,omitempty" yaml:"dsn"`
}

// fromScalar lets the CSV form be written as a plain string.
func (l *LoginsSpec) fromScalar(s string) { l.File = s }

// set reports whether a login source is named.
func (l LoginsSpec) set() bool { return l.File != "" || l.DSN != "" }

// Policy is one rule with the four parts a marketplace app's scheme has —
// when, which users, what, reporting — and the site it acts on.
type Policy struct {
	// Name identifies the policy in plans, journals and reports; unique
	// in a file; letters, digits, '.', '_' and '-'.
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description"`
	// Site names the site (in [File].Sites) whose users are selected;
	// it may be omitted when the file has one site or none.
	Site string `json:"site,omitempty" yaml:"site"`
	// ActOn, when set, names another site on which the actions are
	// applied, to the accounts with the selected users' emails: e.g.
	// users inactive on DC are deactivated on Cloud. The criterion runs
	// on Site; a CSV selection, the exemptions and the protections apply
	// to the accounts of ActOn. Selected users with no email, or with no
	// account of that email on ActOn, are reported in the plan's
	// Problems.
	ActOn string `json:"actOn,omitempty" yaml:"actOn"`

	When    When         `json:"when,omitzero" yaml:"when"`
	Users   Users        `json:"users" yaml:"users"`
	Actions []ActionSpec `json:"actions" yaml:"actions"`
	// Limits bound how many users one run may change; a plan over them
	// is refused before anything is written.
	Limits Limits `json:"limits,omitzero" yaml:"limits"`
	// Approval, when set, makes a plan wait for a Jira issue to reach
	// its approved status before it is applied.
	Approval  *Approval `json:"approval,omitempty" yaml:"approval"`
	Reporting Reporting `json:"reporting,omitzero" yaml:"reporting"`
}

// When says when a policy runs: on a cron schedule, or on demand (the
// default, also when OnDemand is set); OnUserCreated adds a trigger.
type When struct {
	// Schedule is a cron specification of five fields (minute hour
	// day-of-month month day-of-week) or a descriptor such as @daily or
	// @every 6h, read by schedule.Parse: an @every interval is a whole
	// number of seconds, at least 1s (@every 0s and @every 1500ms are
	// refused), and an expression that never fires is refused.
	Schedule string `json:"schedule,omitempty" yaml:"schedule"`
	// TimeZone is an IANA time zone name such as Europe/Berlin (default
	// UTC). The schedule runs in it, and the criterion counts calendar
	// days and reads dates in it.
	TimeZone string `json:"timeZone,omitempty" yaml:"timeZone"`
	// OnDemand says the policy runs only when asked; it excludes
	// Schedule.
	OnDemand bool `json:"onDemand,omitempty" yaml:"onDemand"`
	// OnUserCreated runs the policy for each user created on its site,
	// as Jira's user_created webhook reports them to a program that
	// receives it (examples/server): the criterion and exemptions decide
	// about that one user. It goes with a schedule or on demand; a
	// policy with actOn or a selection file cannot have it.
	OnUserCreated bool `json:"onUserCreated,omitempty" yaml:"onUserCreated"`
	// OnLogin runs the policy for the users who logged in on its site
	// since the last check and match its criterion ([LoginTrigger]): in a
	// file onLogin: true (checked every 15 minutes) or onLogin: {every: 1h}.
	// It goes with a schedule or on demand (see [OnLogin]).
	OnLogin *OnLogin `json:"onLogin,omitempty" yaml:"onLogin"`
}

// Users says which users a policy selects: those its criterion matches,
// those its CSV selection lists, or those both do, less the exempt ones.
type Users struct {
	// Where is a criterion (package criteria), e.g.
	// "active && daysSinceLastLogin > 90".
	Where string `json:"where,omitempty" yaml:"where"`
	// Selection is a CSV file listing users (a header naming username,
	// key, accountId or email columns), relative to the policy file.
	Selection string `json:"selection,omitempty" yaml:"selection"`
	// Exemptions are users the policy never touches.
	Exemptions Exemptions `json:"exemptions,omitzero" yaml:"exemptions"`
}

// Exemptions are users a policy never touches, evaluated before any
// action; they always win, and every exempt user is reported with why.
type Exemptions struct {
	// Users lists users by key, name, accountId or email.
	Users []Exempt `json:"users,omitempty" yaml:"users"`
	// Groups exempts the members of these groups.
	Groups []Exempt `json:"groups,omitempty" yaml:"groups"`
	// Expressions exempts the users criteria match.
	Expressions []ExemptExpression `json:"expressions,omitempty" yaml:"expressions"`
}

// Exempt is an exempt user or group. In a file it is either a plain
// string or an object with value, until and reason.
type Exempt struct {
	Value string `json:"value" yaml:"value"`
	// Until, when set, is when the exemption ends (see [Until]).
	Until Until `json:"until,omitempty" yaml:"until"`
	// Reason is shown in plans, e.g. "on parental leave".
	Reason string `json:"reason,omitempty" yaml:"reason"`
	// Optional, for an exempt group, lets the site lack the group (a
	// break-glass group some sites have). By default a group the site
	// does not have is an error: a typo must not un-exempt people.
	Optional bool `json:"optional,omitempty" yaml:"optional"`
}

// fromScalar lets an exemption be written as a plain string.
func (e *Exempt) fromScalar(s string) { *e = Exempt{Value: s} }

// ExemptExpression exempts the users a criterion matches.
type ExemptExpression struct {
	// Name is shown as the reason, e.g. "service accounts".
	Name  string `json:"name,omitempty" yaml:"name"`
	Where string `json:"where" yaml:"where"`
	Until Until  `json:"until,omitempty" yaml:"until"`
}

// Until is when an exemption ends: a date such as 2026-12-31 (the
// exemption holds through that whole day in the policy's time zone) or an
// RFC 3339 instant.
type Until string

// Time returns the instant the exemption ends, with dates read in loc:
// the start of the day after the date. The zero time means never.
func (u Until) Time(loc *time.Location) (time.Time, error) {
	if u == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, string(u), loc); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse(time.RFC3339, string(u))
	if err != nil {
		return time.Time{}, fmt.Errorf("usermgmt: until %q: want a date such as 2026-12-31 or an RFC 3339 time", string(u))
	}
	return t, nil
}

// ActionKind names an action in a policy file.
type ActionKind string

// The actions a policy can take.
const (
	Deactivate         ActionKind = "deactivate"
	Reactivate         ActionKind = "reactivate"
	Delete             ActionKind = "delete"
	AddGroups          ActionKind = "addGroups"
	RemoveGroups       ActionKind = "removeGroups"
	RemoveAllLicences  ActionKind = "removeAllLicences"
	RevokeLicence      ActionKind = "revokeLicence"
	ResetPassword      ActionKind = "resetPassword"
	SetProperty        ActionKind = "setProperty"
	DeleteProperty     ActionKind = "deleteProperty"
	InvalidateSessions ActionKind = "invalidateSessions"
	CreateIssue        ActionKind = "createIssue"
	MoveDirectory      ActionKind = "moveDirectory"
	Notify             ActionKind = "notify"
)

// ActionSpec is one action of a policy, as data. Action names the kind;
// the other fields are its parameters, each named as in files by its
// YAML name, and each kind takes only its own. The actions, their
// parameters and what they do are listed once, by package actions
// (actions.Actions, and the README's actions reference generated from
// it); a field here is a parameter some action takes.
type ActionSpec struct {
	Action      ActionKind      `json:"action" yaml:"action"`
	Groups      []string        `json:"groups,omitempty" yaml:"groups"`
	Licence     string          `json:"licence,omitempty" yaml:"licence"`
	Password    string          `json:"password,omitempty" yaml:"password"`
	Key         string          `json:"key,omitempty" yaml:"key"`
	Value       json.RawMessage `json:"value,omitempty" yaml:"value"`
	Project     string          `json:"project,omitempty" yaml:"project"`
	IssueType   string          `json:"issueType,omitempty" yaml:"issueType"`
	Summary     string          `json:"summary,omitempty" yaml:"summary"`
	Description string          `json:"description,omitempty" yaml:"description"`
	Labels      []string        `json:"labels,omitempty" yaml:"labels"`
	// To is moveDirectory's target directory: the plan lists the moves,
	// which 'seatwarden migrate plan --from-plan' carries out (Jira's REST
	// API cannot).
	To string `json:"to,omitempty" yaml:"to"`
	// Subject and Body are notify's email templates ({{displayName}},
	// {{daysSinceLastLogin}}, {{deadline}}, {{siteUrl}}, …), Cc the
	// addresses or Jira groups copied, DeadlineDays the days from the
	// plan to {{deadline}}.
	Subject      string   `json:"subject,omitempty" yaml:"subject"`
	Body         string   `json:"body,omitempty" yaml:"body"`
	Cc           []string `json:"cc,omitempty" yaml:"cc"`
	DeadlineDays int      `json:"deadlineDays,omitempty" yaml:"deadlineDays"`
}

// Limits bound a policy's blast radius per run. Zero means no limit of
// that kind.
type Limits struct {
	// MaxUsers is the most users one run may change.
	MaxUsers int `json:"maxUsers,omitempty" yaml:"maxUsers"`
	// MaxPercent is the most users one run may change, as a percentage
	// (0 to 100) of the site's active users.
	MaxPercent float64 `json:"maxPercent,omitempty" yaml:"maxPercent"`
}

// Approval makes a plan wait for a person: an issue listing the plan is
// created in Project, and the plan is applied when the issue reaches
// ApprovedStatus (or dropped at RejectedStatus).
type Approval struct {
	Project   string `json:"project" yaml:"project"`
	IssueType string `json:"issueType" yaml:"issueType"`
	// ApprovedStatus and RejectedStatus are status names (default
	// Approved and Rejected).
	ApprovedStatus string `json:"approvedStatus,omitempty" yaml:"approvedStatus"`
	RejectedStatus string `json:"rejectedStatus,omitempty" yaml:"rejectedStatus"`
}

// Reporting says where a policy's runs are reported.
type Reporting struct {
	Sinks []Sink `json:"sinks,omitempty" yaml:"sinks"`
}

// SinkType names a kind of report sink.
type SinkType string

// The report sinks.
const (
	// SinkJSONL appends one JSON line per step result to Path.
	SinkJSONL SinkType = "jsonl"
	// SinkCSV writes the results as CSV to Path.
	SinkCSV SinkType = "csv"
	// SinkHTML writes the HTML report with charts to Path.
	SinkHTML SinkType = "html"
	// SinkEmail mails the summary to To (emails, or group names).
	SinkEmail SinkType = "email"
	// SinkComment comments the summary on the approval issue; it needs
	// an approval.
	SinkComment SinkType = "comment"
	// SinkLog writes the summary to the program's log.
	SinkLog SinkType = "log"
)

// Sink is one report destination, as data.
type Sink struct {
	Type SinkType `json:"type" yaml:"type"`
	// Path is the file of jsonl, csv and html sinks.
	Path string `json:"path,omitempty" yaml:"path"`
	// To lists the recipients of an email sink: addresses, or group
	// names whose members are mailed.
	To []string `json:"to,omitempty" yaml:"to"`
	// Subject is an email sink's subject (default the policy's name and
	// the run's counts).
	Subject string `json:"subject,omitempty" yaml:"subject"`
}
