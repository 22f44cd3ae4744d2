package actions

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/seatwarden/seatwarden/jira"
)

// Policy is one rule: which users (a matcher, a CSV selection, or both
// intersected), what to do to them, who is exempt, and how many users it
// may change at most.
type Policy struct {
	Name string
	// Source is the policy as written (a YAML or JSON document); its hash
	// identifies the policy in the plan. Hash, when set, is used as is.
	Source string
	Hash   string
	// Select chooses the users; nil only with a Selection.
	Select Matcher
	// Selection, when set, limits the policy to the users it lists.
	Selection  *Selection
	Action     Action
	Exemptions Exemptions
	Limits     Limits
}

// Limits bound a plan's blast radius: how many users a policy (or the
// whole plan) may change, as a number and as a percentage of the active
// users. Zero means no limit of that kind.
type Limits struct {
	MaxUsers   int     `json:"maxUsers,omitempty"`
	MaxPercent float64 `json:"maxPercent,omitempty"`
}

// PlanOptions configure [NewPlan].
type PlanOptions struct {
	// ID is the plan's id; default a new UUID v7. Set it only to make a
	// plan reproducible in tests.
	ID string
	// Now is the instant of planning, used by time-boxed exemptions,
	// placeholders and as the plan's Created; default time.Now().
	Now time.Time
	// Flavor and Site (the base URL, without credentials) say which site
	// the plan is for. Flavor is required.
	Flavor jira.Flavor
	Site   string
	// Myself is the account the tool runs as (the site's Myself); it is
	// required, and protected.
	Myself jira.User
	// Snapshot is what the snapshot of users collected. It must include
	// everything [Requirements] asks for: the protected groups'
	// membership above all, else NewPlan refuses.
	Snapshot jira.SnapshotOptions
	// Exemptions apply to every policy, besides each policy's own.
	Exemptions Exemptions
	// ReadOnlyDirectories name directories whose users are protected
	// (apply also reports Jira's refusals for them).
	ReadOnlyDirectories []string
	// Limits bound the whole plan, besides each policy's limits.
	Limits Limits
	// RunIssue, when set, files one issue when the plan is applied, after
	// every user (see [IssueSpec]).
	RunIssue *IssueSpec
}

// Identity is who a user is, in a plan.
type Identity struct {
	Key         string `json:"key,omitempty"`
	Name        string `json:"name,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

func identityOf(u *jira.User) Identity {
	return Identity{Key: u.Key, Name: u.Name, AccountID: u.AccountID, Email: u.Email, DisplayName: u.DisplayName}
}

func (id Identity) user() jira.User {
	return jira.User{Key: id.Key, Name: id.Name, AccountID: id.AccountID, Email: id.Email, DisplayName: id.DisplayName}
}

// ID returns the accountId, else the key, else the name.
func (id Identity) ID() string { u := id.user(); return u.ID() }

// Ref returns the reference that addresses the user on flavour f.
func (id Identity) Ref(f jira.Flavor) (jira.UserRef, bool) { u := id.user(); return u.Ref(f) }

// String returns the name (or accountId) and display name.
func (id Identity) String() string {
	s := cmp.Or(id.Name, id.AccountID, id.Key)
	if id.DisplayName != "" && id.DisplayName != s {
		s += " (" + id.DisplayName + ")"
	}
	return s
}

// PolicyRef names a policy in a plan, with its content hash.
type PolicyRef struct {
	Name string `json:"name"`
	Hash string `json:"hash"`
}

// Reason says why a policy selected a user.
type Reason struct {
	Policy      string `json:"policy"`
	Explanation string `json:"explanation"`
}

// UserPlan is what a plan does to one user.
type UserPlan struct {
	User Identity `json:"user"`
	// Policies are every policy that selected the user (and did not
	// exempt it), sorted.
	Policies []string `json:"policies"`
	// Steps are the changes, in the canonical order ([StepKind.Order]).
	Steps []Step `json:"steps"`
	// NoOps are the steps already done, with why.
	NoOps []Step   `json:"noops,omitempty"`
	Why   []Reason `json:"why"`
	// Fingerprint is the hash of the facts the decision used (see
	// [Fingerprint]); apply compares it with the user as it is then.
	Fingerprint string `json:"fingerprint"`
}

// Exempted is a user a policy selected but an exemption or protection
// kept out of the plan.
type Exempted struct {
	User   Identity `json:"user"`
	Policy string   `json:"policy"`
	Reason string   `json:"reason"`
}

// Conflict is a disagreement between the steps planned for one user
// (usually by different policies) and how it was resolved (see the
// package documentation, "Conflicts").
type Conflict struct {
	User       Identity `json:"user"`
	Policies   []string `json:"policies"`
	Steps      []string `json:"steps"`
	Rule       string   `json:"rule"`
	Resolution string   `json:"resolution"`
}

// LimitCheck is one blast-radius limit of a plan and the number of users
// it counts. Policy is "" for the limit of the whole plan.
type LimitCheck struct {
	Policy string `json:"policy"`
	Limits
	Users int `json:"users"`
}

// FingerprintSpec says which facts a plan's fingerprints cover.
type FingerprintSpec struct {
	// Groups are the groups whose membership counts (those the snapshot
	// collected); AllGroups counts every group.
	Groups    []string `json:"groups,omitempty"`
	AllGroups bool     `json:"allGroups,omitempty"`
	Licences  bool     `json:"licences,omitempty"`
	LastLogin bool     `json:"lastLogin,omitempty"`
}

// Plan is a deterministic, serialisable description of what applying
// policies to a site would do. The same inputs give byte-identical JSON
// (users sorted by ID, steps in canonical order, maps by key).
type Plan struct {
	ID       string          `json:"id"`
	Created  time.Time       `json:"created"`
	Flavor   jira.Flavor     `json:"flavor"`
	Site     string          `json:"site,omitempty"`
	Policies []PolicyRef     `json:"policies"`
	Finger   FingerprintSpec `json:"fingerprintCovers"`
	Users    []UserPlan      `json:"users"`
	Exempt   []Exempted      `json:"exempt"`
	// Conflicts between the steps planned for one user.
	Conflicts []Conflict `json:"conflicts"`
	// Problems are selection rows that select nobody.
	Problems []SelectionProblem `json:"problems"`
	// Counts are the steps by kind.
	Counts map[StepKind]int `json:"counts"`
	// NoOps counts the steps already done.
	NoOps int `json:"noops"`
	// TotalUsers and ActiveUsers are the users in the snapshot.
	TotalUsers  int          `json:"totalUsers"`
	ActiveUsers int          `json:"activeUsers"`
	Limits      []LimitCheck `json:"limits"`
	RunIssue    *IssueSpec   `json:"runIssue,omitempty"`
	// NotUndoable lists, in an undo plan, the applied steps that cannot be
	// undone (deletes, password resets, …).
	NotUndoable []string `json:"notUndoable,omitempty"`
}

// Requirements returns what a snapshot must collect for the policies to
// be planned safely on flavour f: the membership of the protected groups
// ([ProtectedGroups]) and of every group an exemption or action names,
// and licences when an action needs them. Merge it with what the
// policies' matchers need (criteria's Program.Needs) before taking the
// snapshot, and pass the snapshot's options as [PlanOptions].Snapshot.
func Requirements(f jira.Flavor, policies []Policy, global Exemptions) jira.SnapshotOptions {
	// The administrators groups vary between sites: a site without one
	// has nobody in it to protect.
	req := jira.SnapshotOptions{OptionalGroups: ProtectedGroups(f)}
	add := func(x Exemptions) {
		for _, g := range x.Groups {
			req.Groups = append(req.Groups, g.Value)
		}
	}
	add(global)
	for _, p := range policies {
		add(p.Exemptions)
		if r, ok := p.Action.(Requirer); ok {
			req = mergeOptions(req, r.Requires(f))
		}
	}
	return mergeOptions(req, jira.SnapshotOptions{})
}

// missing returns what need asks for that have does not give.
func missing(have, need jira.SnapshotOptions) []string {
	var out []string
	if !have.AllGroups {
		for _, g := range slices.Concat(need.Groups, need.OptionalGroups) {
			if !slices.Contains(have.Groups, g) && !slices.Contains(have.OptionalGroups, g) {
				out = append(out, "membership of group "+g)
			}
		}
	}
	if need.Licences && !have.Licences {
		out = append(out, "licences")
	}
	return out
}

// ErrIncompleteSnapshot is returned by [NewPlan] when the snapshot lacks
// facts that protections, exemptions or actions need.
var ErrIncompleteSnapshot = errors.New("actions: snapshot lacks facts the plan needs")

// NewPlan plans the policies over a snapshot of users: for each user, the
// policies that select it, exemptions and protections (which win), the
// steps of the policies' actions, merged and checked for conflicts. It
// writes nothing: planning is the dry run. An error from users ends the
// planning with that error.
func NewPlan(ctx context.Context, users iter.Seq2[jira.User, error], policies []Policy, opts PlanOptions) (*Plan, error) {
	if opts.Flavor != jira.DataCenter && opts.Flavor != jira.Cloud {
		return nil, fmt.Errorf("actions: PlanOptions.Flavor is required")
	}
	if opts.Myself.ID() == "" {
		return nil, fmt.Errorf("actions: PlanOptions.Myself is required: the account the tool runs as is always protected")
	}
	seen := map[string]bool{}
	for i, p := range policies {
		switch {
		case p.Name == "":
			return nil, fmt.Errorf("actions: policy %d has no name", i+1)
		case seen[p.Name]:
			return nil, fmt.Errorf("actions: two policies are named %q", p.Name)
		case p.Action == nil:
			return nil, fmt.Errorf("actions: policy %q has no action", p.Name)
		case p.Select == nil && p.Selection == nil:
			return nil, fmt.Errorf("actions: policy %q selects nobody: it needs a matcher or a selection", p.Name)
		}
		seen[p.Name] = true
		for _, r := range p.Exemptions.Rules {
			if r.Matcher == nil {
				return nil, fmt.Errorf("actions: policy %q: exemption rule %q has no matcher", p.Name, r.Name)
			}
		}
	}
	if m := missing(opts.Snapshot, Requirements(opts.Flavor, policies, opts.Exemptions)); len(m) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrIncompleteSnapshot, strings.Join(m, ", "))
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("actions: plan id: %w", err)
		}
		opts.ID = id.String()
	}
	pl := &planner{opts: opts, policies: policies, resolvers: make([]*resolver, len(policies)), perPolicy: map[string]int{}}
	for i, p := range policies {
		if p.Selection != nil {
			pl.resolvers[i] = newResolver(p.Name, p.Selection)
		}
	}
	plan := &Plan{
		ID: opts.ID, Created: opts.Now.UTC(), Flavor: opts.Flavor, Site: opts.Site,
		Finger: FingerprintSpec{Groups: slices.Clone(opts.Snapshot.Groups), AllGroups: opts.Snapshot.AllGroups,
			Licences: opts.Snapshot.Licences, LastLogin: opts.Snapshot.LastLogin || opts.Flavor == jira.DataCenter},
		Counts: map[StepKind]int{}, RunIssue: opts.RunIssue,
		Exempt: []Exempted{}, Conflicts: []Conflict{}, Problems: []SelectionProblem{}, Users: []UserPlan{},
	}
	slices.Sort(plan.Finger.Groups)
	plan.Finger.Groups = slices.Compact(plan.Finger.Groups)
	pl.plan = plan
	for _, p := range policies {
		plan.Policies = append(plan.Policies, PolicyRef{Name: p.Name, Hash: policyHash(&p)})
	}
	for u, err := range users {
		if err != nil {
			return nil, fmt.Errorf("actions: reading users: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		plan.TotalUsers++
		if u.Active {
			plan.ActiveUsers++
		}
		if err := pl.user(ctx, &u); err != nil {
			return nil, err
		}
	}
	pl.finish()
	return plan, nil
}

// contribution is what one policy asks for one user.
type contribution struct {
	policy string
	steps  []Step // noops included
	why    string
	rows   []int // selection rows (indexes) that selected the user, if any
	pi     int
}

type planner struct {
	opts      PlanOptions
	policies  []Policy
	resolvers []*resolver
	plan      *Plan
	// pending keeps the contributions of users selected through a
	// selection until the rows are known to be usable.
	pending []pendingUser
	// perPolicy counts, per policy, the users with a step of the policy.
	perPolicy map[string]int
}

type pendingUser struct {
	u       Identity
	finger  string
	contrib []contribution
}

func (pl *planner) user(ctx context.Context, u *jira.User) error {
	var contribs []contribution
	protection, checked := "", false
	viaSelection := false
	for i := range pl.policies {
		p := &pl.policies[i]
		var rows []int
		if r := pl.resolvers[i]; r != nil {
			if rows = r.rows(u); len(rows) == 0 {
				continue
			}
		}
		why := ""
		if p.Select != nil {
			ok, err := p.Select.Match(ctx, u)
			if err != nil {
				return fmt.Errorf("actions: policy %q, user %s: %w", p.Name, u.ID(), err)
			}
			if !ok {
				continue
			}
			why = explain(p.Select, u, pl.opts.Now)
		}
		if len(rows) > 0 {
			nums := make([]string, len(rows))
			for j, r := range rows {
				nums[j] = fmt.Sprint(p.Selection.Rows[r].Row)
			}
			sel := "selection row " + strings.Join(nums, ", ")
			if why == "" {
				why = sel
			} else {
				why = sel + "; " + why
			}
			viaSelection = true
		}
		if !checked {
			protection, checked = protected(u, pl.opts.Flavor, &pl.opts.Myself, pl.opts.ReadOnlyDirectories), true
		}
		reason := protection
		for _, x := range []*Exemptions{&p.Exemptions, &pl.opts.Exemptions} {
			if reason != "" {
				break
			}
			r, err := x.exempt(ctx, u, pl.opts.Now)
			if err != nil {
				return err
			}
			reason = r
		}
		if reason != "" {
			pl.plan.Exempt = append(pl.plan.Exempt, Exempted{User: identityOf(u), Policy: p.Name, Reason: reason})
			continue
		}
		steps, err := p.Action.Plan(ctx, u, PlanEnv{Now: pl.opts.Now, Flavor: pl.opts.Flavor, Policy: p.Name, Site: pl.opts.Site})
		if err != nil {
			return fmt.Errorf("actions: policy %q, user %s: %w", p.Name, u.ID(), err)
		}
		for _, s := range steps {
			if !s.Kind.Valid() {
				return fmt.Errorf("actions: policy %q: action %s planned an unknown step %q", p.Name, p.Action.Name(), s.Kind)
			}
		}
		contribs = append(contribs, contribution{policy: p.Name, steps: steps, why: strings.TrimSpace(why), rows: rows, pi: i})
	}
	if len(contribs) == 0 {
		return nil
	}
	finger := Fingerprint(u, pl.plan.Finger)
	if viaSelection {
		pl.pending = append(pl.pending, pendingUser{u: identityOf(u), finger: finger, contrib: contribs})
		return nil
	}
	pl.add(identityOf(u), finger, contribs)
	return nil
}

func explain(m Matcher, u *jira.User, now time.Time) string {
	if e, ok := m.(Explainer); ok {
		return e.Why(u, now)
	}
	return "matched " + describe(m)
}

// add merges a user's contributions into the plan.
func (pl *planner) add(id Identity, finger string, contribs []contribution) {
	up := UserPlan{User: id, Fingerprint: finger}
	for _, c := range contribs {
		up.Policies = append(up.Policies, c.policy)
		up.Why = append(up.Why, Reason{Policy: c.policy, Explanation: c.why})
	}
	var conflicts []Conflict
	var active []string
	up.Steps, up.NoOps, conflicts, active = merge(contribs)
	for _, name := range active {
		pl.perPolicy[name]++
	}
	for i := range conflicts {
		conflicts[i].User = id
	}
	pl.plan.Conflicts = append(pl.plan.Conflicts, conflicts...)
	if len(up.Steps) == 0 && len(up.NoOps) == 0 && len(conflicts) == 0 {
		return
	}
	pl.plan.Users = append(pl.plan.Users, up)
}

func (pl *planner) finish() {
	usable := make([][]bool, len(pl.policies))
	for i, r := range pl.resolvers {
		if r == nil {
			continue
		}
		var probs []SelectionProblem
		probs, usable[i] = r.finish()
		pl.plan.Problems = append(pl.plan.Problems, probs...)
	}
	for _, pu := range pl.pending {
		kept := pu.contrib[:0]
		for _, c := range pu.contrib {
			if c.rows == nil || slices.ContainsFunc(c.rows, func(r int) bool { return usable[c.pi][r] }) {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 {
			pl.add(pu.u, pu.finger, kept)
		}
	}
	pl.pending = nil
	p := pl.plan
	slices.SortFunc(p.Users, func(a, b UserPlan) int { return strings.Compare(a.User.ID(), b.User.ID()) })
	slices.SortStableFunc(p.Exempt, func(a, b Exempted) int {
		return cmp.Or(strings.Compare(a.User.ID(), b.User.ID()), strings.Compare(a.Policy, b.Policy))
	})
	slices.SortStableFunc(p.Conflicts, func(a, b Conflict) int {
		return cmp.Or(strings.Compare(a.User.ID(), b.User.ID()), strings.Compare(a.Rule, b.Rule))
	})
	slices.SortStableFunc(p.Problems, func(a, b SelectionProblem) int {
		return cmp.Or(strings.Compare(a.Policy, b.Policy), cmp.Compare(a.Row, b.Row))
	})
	perPolicy := pl.perPolicy
	affected := 0
	for _, u := range p.Users {
		p.NoOps += len(u.NoOps)
		if len(u.Steps) == 0 {
			continue
		}
		affected++
		for _, s := range u.Steps {
			p.Counts[s.Kind]++
		}
	}
	p.Limits = append(p.Limits, LimitCheck{Policy: "", Limits: pl.opts.Limits, Users: affected})
	for _, pol := range pl.policies {
		p.Limits = append(p.Limits, LimitCheck{Policy: pol.Name, Limits: pol.Limits, Users: perPolicy[pol.Name]})
	}
}

// Fingerprint hashes the facts of a user that a plan's decisions rest on,
// as spec says: the active flag, the last login, membership of the
// groups, the licences. Apply recomputes it from the user as read just
// before writing; a different value makes the user's steps stale.
func Fingerprint(u *jira.User, spec FingerprintSpec) string {
	h := sha256.New()
	fmt.Fprintf(h, "active=%t\n", u.Active)
	if spec.LastLogin {
		fmt.Fprintf(h, "lastLogin=%s\n", u.LastLogin.String())
	}
	h.Write([]byte("groups="))
	for _, g := range u.Groups {
		if spec.AllGroups || slices.Contains(spec.Groups, g) {
			h.Write([]byte(g + ","))
		}
	}
	if spec.Licences {
		fmt.Fprintf(h, "\nlicences=%s", strings.Join(u.Licences, ","))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func policyHash(p *Policy) string {
	if p.Hash != "" {
		return p.Hash
	}
	h := sha256.New()
	if p.Source != "" {
		h.Write([]byte(p.Source))
	} else {
		fmt.Fprintf(h, "name=%s\naction=%s\nlimits=%+v\n", p.Name, p.Action.Name(), p.Limits)
		if p.Select != nil {
			fmt.Fprintf(h, "select=%s\n", describe(p.Select))
		}
		x, _ := json.Marshal(p.Exemptions)
		h.Write(x)
		if p.Selection != nil {
			sel, _ := json.Marshal(p.Selection.Rows)
			h.Write(sel)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// CheckLimits returns a [*LimitError] for the first blast-radius limit
// the plan exceeds, or nil.
func (p *Plan) CheckLimits() error {
	for _, l := range p.Limits {
		pct := percent(l.Users, p.ActiveUsers)
		if (l.MaxUsers > 0 && l.Users > l.MaxUsers) || (l.MaxPercent > 0 && pct > l.MaxPercent) {
			return &LimitError{Policy: l.Policy, Users: l.Users, ActiveUsers: p.ActiveUsers, Percent: pct, Limits: l.Limits}
		}
	}
	return nil
}

func percent(n, of int) float64 {
	if of == 0 {
		if n == 0 {
			return 0
		}
		return 100
	}
	return 100 * float64(n) / float64(of)
}

// ErrLimitExceeded matches a [*LimitError].
var ErrLimitExceeded = errors.New("actions: blast-radius limit exceeded")

// LimitError is a plan that would change more users than a limit allows.
type LimitError struct {
	Policy      string // "" for the whole plan
	Users       int    // users the plan changes
	ActiveUsers int
	Percent     float64 // Users as a percentage of ActiveUsers
	Limits      Limits
}

// Error gives the numbers.
func (e *LimitError) Error() string {
	who := "the plan"
	if e.Policy != "" {
		who = fmt.Sprintf("policy %q", e.Policy)
	}
	var lim []string
	if e.Limits.MaxUsers > 0 {
		lim = append(lim, fmt.Sprintf("max %d users", e.Limits.MaxUsers))
	}
	if e.Limits.MaxPercent > 0 {
		lim = append(lim, fmt.Sprintf("max %.4g%%", e.Limits.MaxPercent))
	}
	return fmt.Sprintf("actions: blast-radius limit exceeded: %s changes %d users, %.4g%% of %d active users (limit: %s); nothing was applied",
		who, e.Users, e.Percent, e.ActiveUsers, strings.Join(lim, ", "))
}

// Is matches [ErrLimitExceeded].
func (e *LimitError) Is(target error) bool { return target == ErrLimitExceeded }

// Summary describes the plan for a person: totals, steps by kind, limits,
// exemptions, conflicts, selection problems and the first users.
func (p *Plan) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan %s for %s", p.ID, p.Flavor)
	if p.Site != "" {
		fmt.Fprintf(&b, " site %s", p.Site)
	}
	fmt.Fprintf(&b, ", %s\n", p.Created.Format(time.RFC3339))
	names := make([]string, len(p.Policies))
	for i, pr := range p.Policies {
		names[i] = pr.Name
	}
	changed := 0
	for _, u := range p.Users {
		if len(u.Steps) > 0 {
			changed++
		}
	}
	fmt.Fprintf(&b, "Policies: %s\n", strings.Join(names, ", "))
	fmt.Fprintf(&b, "Users: %d in the snapshot (%d active); %d to change, %d already done, %d exempt, %d in conflict\n",
		p.TotalUsers, p.ActiveUsers, changed, p.NoOps, len(p.Exempt), len(p.Conflicts))
	kinds := make([]StepKind, 0, len(p.Counts))
	for k := range p.Counts {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b StepKind) int { return cmp.Compare(a.Order(), b.Order()) })
	var counts []string
	for _, k := range kinds {
		counts = append(counts, fmt.Sprintf("%s %d", k, p.Counts[k]))
	}
	if len(counts) == 0 {
		counts = []string{"none"}
	}
	fmt.Fprintf(&b, "Steps: %s\n", strings.Join(counts, ", "))
	if p.Flavor == jira.Cloud && p.Counts[KindDelete] > 0 {
		b.WriteString("Note: on Cloud, delete removes users from the site only; their Atlassian accounts stay in the organisation.\n")
	}
	if err := p.CheckLimits(); err != nil {
		fmt.Fprintf(&b, "REFUSED: %v\n", strings.TrimPrefix(err.Error(), "actions: "))
	}
	writeUndeliverable(&b, p)
	const shown = 20
	for i, u := range p.Users {
		if i == shown {
			fmt.Fprintf(&b, "  … and %d more users\n", len(p.Users)-shown)
			break
		}
		var steps []string
		for _, s := range u.Steps {
			steps = append(steps, s.String())
		}
		if len(steps) == 0 {
			steps = []string{"nothing (already done)"}
		}
		var why []string
		for _, r := range u.Why {
			why = append(why, r.Policy+": "+r.Explanation)
		}
		fmt.Fprintf(&b, "  %s: %s — %s\n", u.User, strings.Join(steps, ", "), strings.Join(why, "; "))
		writeMails(&b, u.Steps, i < mailsShown)
	}
	for _, x := range p.Exempt {
		fmt.Fprintf(&b, "  exempt %s from %s: %s\n", x.User, x.Policy, x.Reason)
	}
	for _, c := range p.Conflicts {
		fmt.Fprintf(&b, "  conflict for %s (%s): %s → %s\n", c.User, strings.Join(c.Steps, " vs "), c.Rule, c.Resolution)
	}
	for _, pr := range p.Problems {
		fmt.Fprintf(&b, "  selection problem, policy %s, %s\n", pr.Policy, pr)
	}
	return b.String()
}
