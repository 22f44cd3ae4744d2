package usermgmt

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/schedule"
)

// PolicySet is a compiled policy file: every site resolved, every
// criterion, schedule and action checked and compiled. It is the only
// input a [Manager] runs, and it is immutable: its accessors return
// copies. Get one from [Load] or [Parse], or from a [File] built in Go
// with [File.Compile].
type PolicySet struct {
	f *compiledSet // never handed out
}

// compiledSet is what a PolicySet runs: the file's data (a private copy)
// and, apart from it, what was compiled from it. The File stays data.
type compiledSet struct {
	*File
	// policies are File.Policies compiled, in the same order.
	policies []CompiledPolicy
	// exempt are File.Exemptions.Expressions compiled, by index.
	exempt []*criteria.Program
	// sites are File.Sites resolved (credentials read).
	sites map[string]Site
}

// CompiledPolicy is a policy of a [PolicySet]: a copy of its data (the
// embedded [Policy]) and what was compiled from it.
type CompiledPolicy struct {
	Policy

	where *criteria.Program
	sched schedule.Spec
	loc   *time.Location
	// base is the directory the policy's paths resolve inside, and
	// selection the selection as written (Merge makes Users.Selection
	// absolute; the path is resolved again when it is read).
	base      string
	selection string
	// exempt are Users.Exemptions.Expressions compiled, by index.
	exempt []*criteria.Program
}

// Criterion returns the compiled users.where criterion, or nil when the
// policy selects by a CSV file only.
func (p *CompiledPolicy) Criterion() *criteria.Program { return p.where }

// ExemptionCriteria returns the compiled criteria of
// Users.Exemptions.Expressions, by index.
func (p *CompiledPolicy) ExemptionCriteria() []*criteria.Program { return slices.Clone(p.exempt) }

// Location returns the policy's time zone ([When].TimeZone, default UTC),
// in which its schedule runs and its criterion counts days.
func (p *CompiledPolicy) Location() *time.Location {
	if p.loc == nil {
		return time.UTC
	}
	return p.loc
}

// Scheduled reports whether the policy runs on a schedule rather than on
// demand.
func (p *CompiledPolicy) Scheduled() bool { return p.sched != nil }

// Next returns the first time after t at which the policy is due, in the
// policy's time zone; the zero time for a policy run on demand.
func (p *CompiledPolicy) Next(t time.Time) time.Time {
	if p.sched == nil {
		return time.Time{}
	}
	return p.sched.Next(t.In(p.Location()))
}

// Compile checks the file — every site, policy, criterion, schedule,
// action, limit and sink — resolves its sites' ${VAR} references and
// compiles its criteria into a runnable, immutable [PolicySet]. f itself
// is not changed: later changes to f do not reach the set. An invalid
// file returns a [*LoadError] with every problem found, each with its
// field path (and line, for a file read by [Load] or [Parse]).
func (f *File) Compile(opts ...LoadOption) (*PolicySet, error) {
	if f == nil {
		return nil, &LoadError{Problems: []Problem{{Msg: "no policy file"}}}
	}
	cfg := newLoadConfig(opts)
	c := f.clone()
	if cfg.name == "" {
		cfg.name = c.name
	}
	if !cfg.dirSet && c.dir != "" {
		cfg.dir = c.dir
	}
	return c.compile(cfg, &problems{lines: c.lines})
}

// compile validates f, which the caller owns, into a set.
func (f *File) compile(cfg loadConfig, ps *problems) (*PolicySet, error) {
	f.name = cfg.name
	f.checkValues(ps)
	c := &compiledSet{File: f}
	c.validate(cfg, ps)
	if err := ps.err(cfg.name); err != nil {
		return nil, err
	}
	return &PolicySet{f: c}, nil
}

// checkValues reports the action values that are not JSON (a File built
// in Go can hold any bytes; one read from a file cannot).
func (f *File) checkValues(ps *problems) {
	for i, p := range f.Policies {
		for j, a := range p.Actions {
			if a.Value != nil && !json.Valid(a.Value) {
				ps.addf(fmt.Sprintf("policies[%d].actions[%d].value", i, j), "not valid JSON")
			}
		}
	}
}

// clone returns a copy of f's data and of where it was read from (lines,
// name, directory), without anything compiled. It cannot fail.
func (f *File) clone() *File {
	c := copyData(f)
	c.lines, c.name, c.dir = maps.Clone(f.lines), f.name, f.dir
	return &c
}

// clonePolicy returns a copy of p whose data shares nothing mutable with
// p's; what was compiled (immutable) is shared.
func clonePolicy(p *CompiledPolicy) CompiledPolicy {
	c := *p
	c.Policy = copyData(&p.Policy)
	c.exempt = slices.Clone(p.exempt)
	return c
}

// copyData returns a deep copy of the exported data of *v: its maps,
// slices and pointers are copied, so the copy shares nothing mutable with
// *v; unexported fields (what was compiled from the data, where it was
// read from) are left zero. It cannot fail, and covers fields added later.
func copyData[T any](v *T) T {
	var out T
	copyValue(reflect.ValueOf(&out).Elem(), reflect.ValueOf(v).Elem())
	return out
}

// copyValue sets dst, a settable zero value, to a deep copy of src's
// exported data. A struct of another package (time.Time) is copied as a
// value.
func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		t := src.Type()
		if t.PkgPath() != reflect.TypeFor[File]().PkgPath() {
			dst.Set(src)
			return
		}
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				copyValue(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			e := reflect.New(src.Type().Elem()).Elem()
			copyValue(e, it.Value())
			m.SetMapIndex(it.Key(), e)
		}
		dst.Set(m)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}

// File returns a copy of the set's data, for display or to edit and
// compile again. It holds nothing compiled.
func (s *PolicySet) File() *File { return s.f.File.clone() }

// Name returns the name of the file the set was read from ("" when
// built in Go without WithName).
func (s *PolicySet) Name() string { return s.f.name }

// Policies returns the set's policies, compiled, in file order. They are
// copies: changing one changes nothing in the set.
func (s *PolicySet) Policies() []CompiledPolicy {
	out := make([]CompiledPolicy, len(s.f.policies))
	for i := range s.f.policies {
		out[i] = clonePolicy(&s.f.policies[i])
	}
	return out
}

// Policy returns a copy of the named policy.
func (s *PolicySet) Policy(name string) (CompiledPolicy, bool) {
	p := s.f.policy(name)
	if p == nil {
		return CompiledPolicy{}, false
	}
	return clonePolicy(p), true
}

// Len returns the number of policies.
func (s *PolicySet) Len() int { return len(s.f.Policies) }

// SiteNames returns the names of the sites of the file, sorted.
func (s *PolicySet) SiteNames() []string { return slices.Sorted(maps.Keys(s.f.sites)) }

// Site returns the resolved site a policy (or any name in [File].Sites)
// refers to: credentials read from the environment, flavour when given.
// ok is false for a name the file does not define.
func (s *PolicySet) Site(name string) (Site, bool) {
	return s.f.site(name)
}

// site returns the named resolved site.
func (f *compiledSet) site(name string) (Site, bool) {
	s, ok := f.sites[name]
	return s, ok
}

// ActionsPolicy returns the named policy as package actions plans it: its
// criterion as the matcher, its CSV selection read, its actions in order,
// its exemptions (dates read in the policy's time zone) and its limits.
func (s *PolicySet) ActionsPolicy(name string) (actions.Policy, error) {
	return s.f.actionsPolicy(name)
}

// CommonExemptions returns the file's top-level exemptions, which apply
// to every policy: actions.PlanOptions.Exemptions.
func (s *PolicySet) CommonExemptions() (actions.Exemptions, error) {
	return s.f.commonExemptions()
}

// SnapshotOptions returns what a snapshot of flavour fl must collect to
// plan the policies: what their criteria (and exemption criteria) read,
// merged with actions.Requirements.
func (s *PolicySet) SnapshotOptions(fl jira.Flavor, policies []actions.Policy, common actions.Exemptions) jira.SnapshotOptions {
	return s.f.snapshotOptions(fl, policies, common, true)
}

// policy returns the named policy of f, or nil.
func (f *compiledSet) policy(name string) *CompiledPolicy {
	i := slices.IndexFunc(f.policies, func(p CompiledPolicy) bool { return p.Name == name })
	if i < 0 {
		return nil
	}
	return &f.policies[i]
}
