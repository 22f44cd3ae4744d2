package usermgmt

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// PolicySet is a compiled policy file: every site resolved, every
// criterion, schedule and action checked and compiled. It is the only
// input a [Manager] runs, and it is immutable: its accessors return
// copies. Get one from [Load] or [Parse], or from a [File] built in Go
// with [File.Compile].
type PolicySet struct {
	f *File // validated; never handed out
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
	f.validate(cfg, ps)
	if err := ps.err(cfg.name); err != nil {
		return nil, err
	}
	return &PolicySet{f: f}, nil
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

// clonePolicy returns a copy of p that shares nothing mutable with it;
// what was compiled (immutable) is shared.
func clonePolicy(p *Policy) Policy {
	c := copyData(p)
	c.where, c.sched, c.loc, c.base, c.selection = p.where, p.sched, p.loc, p.base, p.selection
	for i := range c.Users.Exemptions.Expressions {
		c.Users.Exemptions.Expressions[i].prog = p.Users.Exemptions.Expressions[i].prog
	}
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
func (s *PolicySet) File() *File { return s.f.clone() }

// Name returns the name of the file the set was read from ("" when
// built in Go without WithName).
func (s *PolicySet) Name() string { return s.f.name }

// Policies returns the set's policies, compiled, in file order. They are
// copies: changing one changes nothing in the set.
func (s *PolicySet) Policies() []Policy {
	out := make([]Policy, len(s.f.Policies))
	for i := range s.f.Policies {
		out[i] = clonePolicy(&s.f.Policies[i])
	}
	return out
}

// Policy returns a copy of the named policy.
func (s *PolicySet) Policy(name string) (Policy, bool) {
	p := s.f.policy(name)
	if p == nil {
		return Policy{}, false
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

// site returns the named resolved site of a validated file.
func (f *File) site(name string) (Site, bool) {
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
func (f *File) policy(name string) *Policy {
	i := slices.IndexFunc(f.Policies, func(p Policy) bool { return p.Name == name })
	if i < 0 {
		return nil
	}
	return &f.Policies[i]
}
