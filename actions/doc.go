// Package actions turns policies into plans and applies plans to a Jira
// site, safely: exemptions first, a deterministic plan to read (the dry
// run), blast-radius limits, a re-check of each user before writing, and
// a journal that makes a killed run resumable and undoable.
//
// It imports only package jira. A policy selects users with a [Matcher] —
// a compiled criterion (*criteria.Program) is one — and applies to a
// [Site], which *datacenter.Client and *cloud.Client are.
//
//	req := actions.Requirements(jira.DataCenter, policies, exemptions) // merge with the criteria's needs
//	plan, err := actions.NewPlan(ctx, client.Snapshot(ctx, req), policies, actions.PlanOptions{
//		Flavor: jira.DataCenter, Myself: me, Snapshot: req, Exemptions: exemptions})
//	fmt.Print(plan.Summary())                         // the dry run
//	j, err := actions.OpenJournal("run.journal")
//	run, err := actions.Apply(ctx, client, plan, actions.ApplyOptions{Journal: j})
//
// # Actions
//
// An [Action] plans the [Step]s one user needs, from the user as the
// snapshot saw it; steps are data (a [StepKind] and its target), so plans
// and journals can be written down and read back. The built-in actions are
// [Deactivate], [Reactivate], [Delete] (on DC, deactivates instead when
// Jira refuses — a project lead, a read-only directory — and says so; on
// Cloud, removes the user from the site only), [AddToGroups],
// [RemoveFromGroups], [RemoveAllLicences], [RevokeLicence], [GrantLicence],
// [ResetPassword] (DC; the password never appears in a plan, journal, log
// or error), [InvalidateSessions] (DC), [SetProperty] (with {{now}},
// {{runId}}, … placeholders), [SetPropertyFunc], [DeleteProperty] and
// [CreateIssuePerUser]; [PlanOptions].RunIssue files one issue per run.
// [Notify] emails the user from a template before the user's other steps,
// through the [Mailer] of [ApplyOptions] (report/email's Mailer sends over
// SMTP), once. The actions of policy files, with their parameters, step
// kinds and undo, are listed once by [Actions]; usermgmt and the README
// derive theirs from it.
// [Sequence], [When] and [Named] compose them.
//
// Every action is idempotent: a step already done (an inactive user for
// Deactivate, a group the user is not in for RemoveFromGroups) is not
// planned but kept in the plan as a no-op with the reason.
//
// # Exemptions and protections
//
// [Exemptions] — users (by key, name, accountId or email), groups and
// rules (a [Matcher]), each optionally time-boxed with an Until that
// expires by itself — belong to a policy or, through [PlanOptions], to
// every policy. They are evaluated after a policy selects a user and
// before its action plans anything, and they always win.
//
// Protections cannot be switched off: the account the tool runs as
// ([PlanOptions].Myself, required, and checked again at apply time), Cloud
// app accounts, members of the administrators groups ([ProtectedGroups]:
// DC jira-administrators and jira-system-administrators; Cloud
// site-admins, jira-admins and administrators; and any group named
// "*-admins" or "*-administrators" the snapshot shows), and users of
// [PlanOptions].ReadOnlyDirectories. At apply time Jira's own refusals
// (403 for a read-only directory) are failed steps with Jira's message.
//
// Group protections only work if the snapshot holds those groups'
// membership, so [NewPlan] refuses ([ErrIncompleteSnapshot]) a snapshot
// whose options ([PlanOptions].Snapshot) lack what [Requirements] asks for.
// [Requirements] puts the administrators groups in
// [jira.SnapshotOptions].OptionalGroups, since not every site has each of
// them, and exemption groups in Groups, where a misspelt group is an error
// rather than an exemption that protects nobody.
// Every exempted user is in the plan's Exempt list with the reason.
//
// # Plans
//
// [NewPlan] streams the users once. The [Plan] lists, sorted by user ID,
// each user's identity, the policies that selected it, its steps in the
// canonical order ([StepKind.Order]), why (each policy's explanation, from
// an [Explainer] when the matcher is one), and a [Fingerprint] of the facts
// the decision used; then the exempt users, conflicts, selection problems,
// counts per step kind and no-ops, and the blast-radius limits with the
// numbers they count. Its JSON is stable: the same snapshot, policies, ID
// and Now give the same bytes. [Plan.Summary] is the readable form.
//
// A policy can select users from a CSV file ([ReadSelection]), alone or
// intersected with its matcher. Rows naming nobody, several users, or a
// user an earlier row named are listed in the plan's Problems with their
// row numbers, and nothing is applied for them.
//
// # Conflicts
//
// When several policies (or one composed action) plan steps for the same
// user, identical steps are merged, and these rules apply, in this order,
// to the steps and no-ops together (a no-op states an intent too):
//
//   - adding and removing the same group, granting and revoking the same
//     licence, reactivating
//     and deactivating or deleting, setting a property to two values or
//     setting and deleting it: refused — the user gets no step at all;
//   - delete and anything else: delete alone;
//   - deactivate and grant-licence: the grant is dropped.
//
// Each conflict is listed with the policies and steps involved, the rule
// and the resolution.
//
// # Apply
//
// [Apply] is the only function that writes. It refuses, before the first
// write, a plan that changes more users than a limit allows ([Limits]: a
// count and a percentage of active users, per policy and for the whole
// plan), with a [*LimitError] carrying the numbers. It works on
// [ApplyOptions].Concurrency users at once (default 4), each user's steps
// in order, every request going through the site client's shared rate
// limiter. Before the first step of every user the user is re-read; if
// its fingerprint differs (logged in since, reactivated, moved group) none
// of its steps is applied and each is reported [Stale]; a user protected
// now (an administrator, the tool's account) is [Exempt]; an entry without
// fingerprint is [Refused]. A write whose failure leaves its effect
// unknown (network error, 5xx, rate limit) is retried only after the user
// is re-read and the effect found missing; the client does not re-send it
// itself ([jira.WithGuardedWrites]).
//
// # A plan is a proposal
//
// Apply trusts the steps of the plan it is given. A plan read from a file
// or a store is a proposal anyone could have edited: [Verify] checks it
// against the plan its policies give now (same policies and hashes, same
// site, every step one the policies would plan for that user now) and
// returns the plan to apply, with limits from the policies; usermgmt's
// Manager verifies every plan it applies. [Sign] and [CheckSignature]
// sign plan files with a key. Each step ends [Applied],
// [NoOp], [Exempt], [Stale], [Failed] (with the typed error), [Skipped]
// (an earlier step of the user failed) or [Refused]; [Run.Summary] counts
// them.
//
// # Journal and resume
//
// With a [Journal] (JSON lines, append-only, synced after each entry),
// Apply writes a "started" entry before each write and an "outcome" entry
// after it. Calling Apply again with the same plan and journal resumes:
// steps with an outcome are not repeated (failed ones are tried again), a
// user already checked is not compared with its fingerprint again (its
// protections are), and a step that was started
// without an outcome is first checked on the site — is the user inactive,
// in the group, the property equal, the user gone? — and only written if
// its effect is missing. Steps whose effect cannot be read back are
// handled by kind: a password reset or a session invalidation is done
// again (harmless), a property is written again unless the site is a
// [PropertyReader], and an issue is not filed again ([ErrInDoubt]). A
// journal of another plan is refused. [OpenJournal] locks the journal: a
// second run of the plan while one writes it gets [ErrLocked].
//
// # Undo
//
// [Undo] reads a journal and returns the inverse plan: reactivate,
// re-add groups, re-grant licences, restore or delete properties. Deletes
// (except those that deactivated instead), password resets, invalidated
// sessions and issues cannot be undone and are listed in NotUndoable.
// The undo plan's id derives from the journal's plan ([UndoID]), so an
// undo journaled to its own file resumes after a crash; it acts only on
// the site the journal's run changed.
//
// # Dry run
//
// Planning is the dry run: [NewPlan] writes nothing, and a plan is only
// applied by an explicit call to [Apply]. [ApplyOptions].DryRun goes one
// step further without writing either: it checks the limits and re-reads
// the users the plan would change, to report which steps are already
// stale.
package actions
