package dirmove

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FormatVersion is the version of the plan file format.
const FormatVersion = 1

// Directory is a user directory of Jira (a row of cwd_directory).
type Directory struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Type     string `json:"type"` // INTERNAL, CONNECTOR (LDAP), DELEGATING, CROWD, CUSTOM
	Position int    `json:"position"`
	Active   bool   `json:"active"`
	// Writable is true when the directory allows CREATE_USER
	// (cwd_directory_operation): an internal directory, a read/write
	// LDAP. A read-only LDAP is not: its users come from LDAP.
	Writable bool `json:"writable"`
}

func (d Directory) String() string { return fmt.Sprintf("%s (%d)", d.Name, d.ID) }

// Request is what to move: the users of one directory (all of them, or
// the named ones) to another.
type Request struct {
	// From and To name the source and target directories, by name or id.
	From string `json:"from"`
	To   string `json:"to"`
	// Users are the user names to move; empty moves every user of From.
	Users []string `json:"users,omitempty"`
	// GroupMap maps a source group name (any case) to the target group
	// its memberships become; a group not in it keeps its name. A target
	// group missing from the target directory is created there.
	GroupMap map[string]string `json:"groupMap,omitempty"`
	// Self is the account the tool runs as; it is never moved.
	Self string `json:"self,omitempty"`
	// Online moves users through Jira's REST API where Jira allows it
	// (shadowing: see [Plan].Online) instead of SQL: no database change
	// and no downtime, but the user becomes a new record (see [ApplyOnline]).
	Online bool `json:"online,omitempty"`
}

// UserRecord is a cwd_user row as the plan shows it.
type UserRecord struct {
	ID        int64  `json:"id"`
	Directory int64  `json:"directory"`
	Name      string `json:"name"`
	Display   string `json:"displayName"`
	Email     string `json:"email"`
	Active    bool   `json:"active"`
}

// Attribute is a cwd_user_attributes row that moves with its user.
type Attribute struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Membership is one of a user's group memberships (a cwd_membership row)
// and the target group it becomes.
type Membership struct {
	ID          int64  `json:"id"`
	FromGroup   string `json:"fromGroup"`
	FromGroupID int64  `json:"fromGroupId"`
	ToGroup     string `json:"toGroup"`
	ToGroupID   int64  `json:"toGroupId"`
	// Created is true when the target group is one the plan creates.
	Created bool `json:"created,omitempty"`
}

// Move is one user moving: its row keeps its id (and so its key, which
// app_user holds per name), and its attributes and memberships move with
// it.
type Move struct {
	User        UserRecord   `json:"user"`
	Key         string       `json:"key"`
	Attributes  []Attribute  `json:"attributes"`
	Memberships []Membership `json:"memberships"`
	// Way is how the user moves: "offline" (SQL on the stopped database,
	// [Apply]) or "online" (REST on the running site, [ApplyOnline]).
	Way string `json:"way"`
	// Reason says why the user moves and why this way.
	Reason string `json:"reason"`
}

// Conflict is a user whose name the target directory already has: Jira
// allows one user of a name per directory, so neither record is touched.
type Conflict struct {
	Source UserRecord `json:"source"`
	Target UserRecord `json:"target"`
}

// Refusal is a user the plan will not move, and why.
type Refusal struct {
	User   string `json:"user"`
	Reason string `json:"reason"`
}

// NewGroup is a group the plan creates in the target directory, copied
// from a source group (its description, type and active flag).
type NewGroup struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	FromGroupID int64  `json:"fromGroupId"`
}

// Sequence is the change to Jira's id sequence for groups
// (sequence_value_item 'Group'), so that Jira does not hand out the ids of
// the groups the plan creates.
type Sequence struct {
	Previous int64 `json:"previous"`
	Next     int64 `json:"next"`
}

// offline returns the moves carried out through SQL.
func (p *Plan) offline() []Move {
	return slices.DeleteFunc(slices.Clone(p.Moves), func(m Move) bool { return m.Way == "online" })
}

// Plan is a directory move, as data: it is written to a file, reviewed,
// rendered as SQL and applied. Applying re-reads the database and refuses
// a plan that no longer matches it.
type Plan struct {
	Format    int        `json:"format"`
	Created   time.Time  `json:"created"`
	Request   Request    `json:"request"`
	From      Directory  `json:"from"`
	To        Directory  `json:"to"`
	Moves     []Move     `json:"moves"`
	Conflicts []Conflict `json:"conflicts"`
	Refused   []Refusal  `json:"refused"`
	NewGroups []NewGroup `json:"newGroups"`
	GroupSeq  *Sequence  `json:"groupSequence,omitempty"`
	Online    string     `json:"online"`
	After     []string   `json:"after"`
}

// RefusedError is a move refused as a whole (a read-only target, an
// unknown directory, the same directory twice).
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "dirmove: refused: " + e.Reason }

// ErrRefused matches every [*RefusedError] with errors.Is.
var ErrRefused = errors.New("dirmove: refused")

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func refusef(format string, a ...any) error { return &RefusedError{Reason: fmt.Sprintf(format, a...)} }

// State is what [Inspect] read from Jira's database for a [Request].
type State struct {
	Directories []Directory
	// Source are the users of the source directory (the requested ones,
	// or all), Target the target's users of the same names.
	Source []SourceUser
	Target map[string]UserRecord // by lower name
	// Groups are the target directory's groups, by lower name → id.
	Groups map[string]int64
	// MaxGroupID is the highest cwd_group id; GroupSeq the 'Group' row of
	// sequence_value_item (nil when absent).
	MaxGroupID int64
	GroupSeq   *int64
	// Missing are requested names found in no directory.
	Missing []string
}

// SourceUser is a user of the source directory with what moves with it.
type SourceUser struct {
	UserRecord
	Key         string
	Attributes  []Attribute
	Memberships []Membership // FromGroup, FromGroupID and ID set
}

// find returns the directory named or numbered ref.
func find(dirs []Directory, ref string) (Directory, error) {
	for _, d := range dirs {
		if strings.EqualFold(d.Name, ref) {
			return d, nil
		}
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, d := range dirs {
			if d.ID == id {
				return d, nil
			}
		}
	}
	names := make([]string, 0, len(dirs))
	for _, d := range dirs {
		names = append(names, d.String())
	}
	return Directory{}, refusef("no directory %q (there are: %s)", ref, strings.Join(names, ", "))
}

// directories finds req's source and target directories.
func directories(dirs []Directory, req Request) (from, to Directory, err error) {
	if from, err = find(dirs, req.From); err != nil {
		return from, to, err
	}
	to, err = find(dirs, req.To)
	return from, to, err
}

// groupSeqBank is how far past the highest id the plan moves Jira's group
// id sequence: Jira's entity engine takes ids in banks from it.
const groupSeqBank = 100

// NewPlan plans req from st. now stamps the plan. It refuses (a
// [*RefusedError]) a read-only target, an unknown directory and moving a
// directory to itself; users it will not move are in [Plan.Conflicts]
// and [Plan.Refused].
func NewPlan(st *State, req Request, now time.Time) (*Plan, error) {
	from, to, err := directories(st.Directories, req)
	if err != nil {
		return nil, err
	}
	if from.ID == to.ID {
		return nil, refusef("%s is both the source and the target", from)
	}
	if !to.Writable {
		return nil, refusef("the target %s is a read-only %s directory: its users come from the directory server itself (add them there and synchronise), they cannot be moved into it", to, to.Type)
	}
	p := &Plan{Format: FormatVersion, Created: now.UTC(), Request: req, From: from, To: to,
		Moves: []Move{}, Conflicts: []Conflict{}, Refused: []Refusal{}, NewGroups: []NewGroup{}}
	for _, name := range st.Missing {
		p.Refused = append(p.Refused, Refusal{User: name, Reason: "not in " + from.String()})
	}
	groupMap := map[string]string{}
	for k, v := range req.GroupMap {
		groupMap[strings.ToLower(k)] = v
	}
	next := st.MaxGroupID + 1
	if st.GroupSeq != nil && *st.GroupSeq > next {
		next = *st.GroupSeq
	}
	// The groups to create, with ids in name order so that a plan for
	// fewer users gives the same ids to the same groups.
	created := map[string]int64{} // lower target name → new id
	for _, u := range st.Source {
		for _, ms := range u.Memberships {
			target := targetGroup(ms.FromGroup, groupMap)
			lt := strings.ToLower(target)
			if _, ok := st.Groups[lt]; ok {
				continue
			}
			if _, ok := created[lt]; !ok {
				created[lt] = 0
				p.NewGroups = append(p.NewGroups, NewGroup{Name: target, FromGroupID: ms.FromGroupID})
			}
		}
	}
	slices.SortFunc(p.NewGroups, func(a, b NewGroup) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	for i := range p.NewGroups {
		p.NewGroups[i].ID = next
		created[strings.ToLower(p.NewGroups[i].Name)] = next
		next++
	}
	p.Online = online(st.Directories, from, to)
	onlineOK := strings.HasPrefix(p.Online, "possible")
	if req.Online && !onlineOK {
		p.Online += "; --online was asked, so every user goes offline for this reason"
	}
	for _, u := range st.Source {
		lower := strings.ToLower(u.Name)
		if req.Self != "" && strings.EqualFold(req.Self, u.Name) {
			p.Refused = append(p.Refused, Refusal{User: u.Name, Reason: "the account Seatwarden runs as is never moved"})
			continue
		}
		if t, ok := st.Target[lower]; ok {
			p.Conflicts = append(p.Conflicts, Conflict{Source: u.UserRecord, Target: t})
			continue
		}
		if why := mergedGroups(u.Memberships, groupMap); why != "" {
			p.Refused = append(p.Refused, Refusal{User: u.Name, Reason: why})
			continue
		}
		m := Move{User: u.UserRecord, Key: u.Key, Attributes: nonNil(u.Attributes), Memberships: []Membership{}, Way: "offline"}
		if req.Online && onlineOK {
			m.Way = "online"
		}
		newGroups := 0 // memberships of groups the plan creates
		for _, ms := range u.Memberships {
			target := targetGroup(ms.FromGroup, groupMap)
			lt := strings.ToLower(target)
			ms.ToGroup = target
			if id, ok := st.Groups[lt]; ok {
				ms.ToGroupID = id
			} else {
				ms.ToGroupID, ms.Created = created[lt], true
				newGroups++
			}
			m.Memberships = append(m.Memberships, ms)
		}
		m.Reason = reason(from, to, m, newGroups)
		p.Moves = append(p.Moves, m)
	}
	if len(p.NewGroups) > 0 && st.GroupSeq != nil {
		p.GroupSeq = &Sequence{Previous: *st.GroupSeq, Next: (next/groupSeqBank + 1) * groupSeqBank}
	}
	p.After = after(from, to, p.Moves)
	return p, nil
}

// targetGroup is the group a membership of source group g becomes.
func targetGroup(g string, groupMap map[string]string) string {
	if t, ok := groupMap[strings.ToLower(g)]; ok {
		return t
	}
	return g
}

// mergedGroups says why a user cannot move when two of its groups map to
// the same target group (Jira allows one membership per group and user),
// or "".
func mergedGroups(ms []Membership, groupMap map[string]string) string {
	seen := map[string]string{}
	for _, m := range ms {
		t := strings.ToLower(targetGroup(m.FromGroup, groupMap))
		if other, ok := seen[t]; ok {
			return fmt.Sprintf("groups %q and %q both map to %q: give them different target groups, or move this user separately", other, m.FromGroup, targetGroup(m.FromGroup, groupMap))
		}
		seen[t] = m.FromGroup
	}
	return ""
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// reason says why and how one user moves.
func reason(from, to Directory, m Move, newGroups int) string {
	var last, count string
	for _, a := range m.Attributes {
		switch a.Name {
		case "login.lastLoginMillis":
			if ms, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
				last = time.UnixMilli(ms).UTC().Format("2006-01-02")
			}
		case "login.count":
			count = a.Value
		}
	}
	var b strings.Builder
	if m.Way == "online" {
		fmt.Fprintf(&b, "in %s, not in %s; online (REST): a new user of this name in %s shadows the old one and keeps key %s; "+
			"it does not keep id %d, %s or the password; %s copied through REST", from.Name, to.Name, to.Name, m.Key, m.User.ID,
			plural(len(m.Attributes), "attribute"), plural(len(m.Memberships), "membership"))
		return b.String()
	}
	fmt.Fprintf(&b, "in %s, not in %s; offline (SQL): keeps id %d, key %s, %s", from.Name, to.Name, m.User.ID, m.Key, plural(len(m.Attributes), "attribute"))
	if last != "" {
		fmt.Fprintf(&b, " (last login %s, %s logins)", last, cmpOr(count, "?"))
	}
	fmt.Fprintf(&b, ", %s", plural(len(m.Memberships), "membership"))
	if newGroups > 0 {
		fmt.Fprintf(&b, " (%d in groups created in %s)", newGroups, to.Name)
	}
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// online says whether Jira's REST API could carry the move instead
// (shadowing) and why the plan still goes offline.
func online(dirs []Directory, from, to Directory) string {
	active := slices.DeleteFunc(slices.Clone(dirs), func(d Directory) bool { return !d.Active })
	slices.SortFunc(active, func(a, b Directory) int { return a.Position - b.Position })
	var firstWritable *Directory
	for i := range active {
		if active[i].Writable {
			firstWritable = &active[i]
			break
		}
	}
	switch {
	case !to.Active:
		return "not possible: the target is inactive, so REST cannot create users in it"
	case firstWritable == nil || firstWritable.ID != to.ID:
		return "not possible: POST /rest/api/2/user creates a user in the first writable directory by position, which is not the target"
	case from.Active && from.Position < to.Position:
		return "not possible: the source is ahead of the target, so a same-named user created in the target would stay shadowed by the source"
	}
	return "possible (shadowing): the target is the first writable directory and ahead of the source, so a same-named user created through REST " +
		"would shadow the old one — but as a new record: a new id, no last login or login count, a new password, and group " +
		"memberships copied one request each. The plan goes offline to keep them"
}

// after is what Jira needs once the move is done.
func after(from, to Directory, moves []Move) []string {
	if len(moves) == 0 {
		return []string{}
	}
	if moves[0].Way == "online" {
		return []string{
			"Jira keeps running: no restart. Each moved user is a new record in " + to.Name + " with a password Jira picked: ask them to use 'Forgot password', or reset their passwords (seatwarden's reset-password action) and tell them.",
			"Their last login and login count start again in " + to.Name + "; the old values stay with the shadowed account in " + from.Name + ".",
			"The old accounts stay in " + from.Name + ", shadowed (GET /rest/api/2/user/duplicated/list lists them): remove them at the source, or disable " + from.Name + ", when you are done.",
		}
	}
	out := []string{
		"Start Jira (every node) only after the migration committed: Jira caches users and memberships, and a node that ran during the migration keeps stale caches; if one did, restart it.",
		"Check in Administration > User management that the moved users show " + to.Name + " as their directory, and log in as one of them.",
	}
	if to.Type == "INTERNAL" && from.Type != "INTERNAL" {
		out = append(out, "The moved users have no password in "+to.Name+" (their password stayed in "+from.Name+"): ask them to use 'Forgot password', or reset their passwords (seatwarden's reset-password action) and tell them.")
	}
	if from.Type == "CONNECTOR" || from.Type == "CROWD" {
		out = append(out, "If "+from.Name+" stays active and still has these users, its next synchronisation re-creates them there and they shadow or are shadowed by the moved records: disable or remove it, or remove the users at the source first.")
	}
	return out
}
