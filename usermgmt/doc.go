// Package usermgmt is Seatwarden's facade: policies as code, the
// connection to a Jira site, and the [Manager] that plans, applies,
// reports and undoes policies.
//
// # Policy files
//
// A policy file (YAML or JSON, version 1) names the sites it acts on and
// holds policies, each with the four parts an administrator configures in
// the marketplace apps — when, which users, what, reporting — plus the
// site:
//
//	version: 1
//	sites:
//	  jira:
//	    url: ${JIRA_URL}
//	    token: ${JIRA_TOKEN}          # never the token itself
//	policies:
//	  - name: inactive-90-days
//	    when: {schedule: "0 3 * * 1-5", timeZone: Europe/Berlin}   # or onDemand: true
//	    users:
//	      where: active && daysSinceLastLogin > 90                 # package criteria
//	      selection: leavers.csv                                   # optional CSV of users
//	      exemptions:
//	        users: [svc-backup, {value: maria@example.com, until: 2026-12-31, reason: leave}]
//	        groups: [jira-administrators]
//	        expressions: [{name: bots, where: accountType != "atlassian"}]
//	    actions:
//	      - action: deactivate
//	      - action: removeGroups
//	        groups: [engineering]
//	    limits: {maxUsers: 50, maxPercent: 5}
//	    approval: {project: OPS, issueType: Task}                  # optional
//	    reporting:
//	      sinks: [{type: jsonl, path: runs.jsonl}]
//
// The actions are listed at [ActionSpec]; the sinks at [SinkType]. A
// policy may select users on one site and act on another ([Policy].ActOn),
// matching accounts by email. The file's top-level exemptions apply to
// every policy. A policy with when: {onUserCreated: true} also runs for
// each user created on its site ([When].OnUserCreated), and one with
// when: {onLogin: true} (or {every: 1h}) for the users who logged in since
// the last check ([OnLogin], run by a [LoginTrigger], which keeps its
// checks in the history). examples/policies holds complete files.
//
// # Validation
//
// [Load] and [Parse] read a file and validate all of it at once: unknown
// fields, wrong types, criteria that do not compile (with the criterion's
// own line and column), unknown actions and their parameters, bad cron
// schedules, unknown time zones, unknown sites, missing environment
// variables, negative limits, duplicate policy names, and more. Every
// problem is reported, in a [*LoadError], with its field path and line:
//
//	policies.yaml:14: policies[2].users.where: line 1, column 14: unknown name lastlogin; did you mean lastLogin?
//
// # Secrets
//
// Credentials are never written in a policy file: token and orgKey must
// be references to environment variables (${JIRA_TOKEN}), and a literal
// is a validation error naming the field, not the value. Resolved
// credentials are [jira.Secret] values, which never appear in errors,
// String, JSON or logs; a missing variable is reported by name only.
//
// # Connecting
//
// [Connect] turns a resolved [Site] into a [Client], a
// *datacenter.Client or a *cloud.Client, detecting the flavour from the
// site's serverInfo when the site does not give it.
//
// # Manager
//
// A [Manager] runs snapshot → select → exempt → plan → approve → apply →
// report for the policies of a file:
//
//	set, err := usermgmt.Load("inactive-90-days.yaml") // read and compiled: a *PolicySet
//	m, err := usermgmt.New(usermgmt.Config{Policies: set, Logger: logger})
//	plan, snap, err := m.Plan(ctx) // the dry run, and the snapshot it was made from
//	fmt.Print(plan.Summary(), usermgmt.InteractionReport(plan))
//	run, err := m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: "run.journal"})
//	if usermgmt.Refused(err) { … } // a limit, or an approval awaited
//	undo, _, err := m.Undo(ctx, usermgmt.UndoOptions{Journal: "run.journal"}) // zero Apply: the dry run
//
// A [File] is the policy file as data; [File.Compile] (which [Load] and
// [Parse] call) is the only way to the immutable [PolicySet] a Manager
// runs, so a File built in Go is checked as a file on disk is, and an
// invalid one gives errors with field paths, never a panic. What a set
// compiles (criteria, schedules, time zones, resolved sites) lives in the
// set, never in the File: [PolicySet.Policies] returns [CompiledPolicy]
// values (a copy of the [Policy] data with its compiled criterion and
// schedule), and [PolicySet.File] a copy of the data. The Manager
// keeps nothing between calls but, for plans of policies built in Go, the
// policies (to verify them at apply).
//
// Client sharing: a Manager gets its clients from Config.Clients — one
// client (one connection pool, one rate limiter, one flavour detection)
// per site, and concurrent snapshots of a site shared — or, without it,
// from its own [Clients]; programs give every Manager they make the same
// [*Clients], so concurrent work queues on one limiter per site instead
// of multiplying the rate the site sees.
//
// Plan takes one snapshot of the site asking only for what the criteria,
// exemptions and actions read, evaluates the criteria at the manager's
// clock, and plans several policies together: the plan lists every policy
// that selected each user and the conflicts between their steps
// ([InteractionReport]; [Manager.Simulate] returns the overlaps as data).
// A policy with actOn selects users on its site and plans for the accounts
// with the same emails on the other; the users it cannot match are in the
// plan's Problems.
//
// A plan is a proposal, not an authority. Apply plans the plan's
// policies again, from the file as it is now, on a new snapshot, and
// applies only what both agree on (actions.Verify): a plan whose policies,
// hashes, site or flavour differ is refused (actions.ErrPlanMismatch), and
// a user with any step the policies would not plan now has its steps
// refused in the run. Limits, approval and the run issue come from the
// policies. Apply refuses a plan over a blast-radius limit before any
// write (an *actions.LimitError). For a policy with an approval it creates the
// approval issue and returns an [*ApprovalRequiredError]; once the issue
// is approved, Apply with [ApplyOptions].ApprovalIssue applies the plan.
// [Approvals] is the whole workflow for programs that keep plans in a
// history.PlanStore: record (before filing the issue; an identical plan
// still pending is returned, not filed again), resolve by webhook or
// polling, claim once, apply, comment, cancel, recover. After a run, the
// report (report.FromRun) goes to the policies' sinks and Config.Sinks,
// and to Config.Store. Every log record carries the run_id of the call
// (a UUID v7; an applied run's id is the actions.Run's), and
// Config.Progress is told how far the snapshot and the apply are.
//
// Policy files are loaded within budgets (MaxFileSize, MaxNodes after
// alias expansion, MaxDepth; WithContext cancels), and their paths
// (users.selection, sink paths) must stay inside the file's directory.
package usermgmt
