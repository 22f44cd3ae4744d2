package usermgmt

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
)

// Merge combines compiled policy files into one set, so that their
// policies can be planned together: sites of the same name must be the
// same, and policy names unique. Each file's top-level exemptions become
// exemptions of its own policies, and relative paths (selections, report
// files) are made absolute against each file's directory.
func Merge(sets ...*PolicySet) (*PolicySet, error) {
	if len(sets) == 1 {
		return sets[0], nil
	}
	out := &compiledSet{File: &File{Version: Version, Sites: map[string]SiteSpec{}}, sites: map[string]Site{}}
	names := map[string]string{} // policy → file
	for _, set := range sets {
		f := set.f
		for n, spec := range f.Sites {
			if have, ok := out.Sites[n]; ok && !reflect.DeepEqual(have, spec) {
				return nil, fmt.Errorf("usermgmt: merge: site %q differs between the files", n)
			}
			out.Sites[n] = spec
		}
		maps.Copy(out.sites, f.sites)
		for _, cp := range f.policies {
			cp = clonePolicy(&cp)
			p := &cp.Policy
			if other, ok := names[p.Name]; ok {
				return nil, fmt.Errorf("usermgmt: merge: policy %q is in %s and %s", p.Name, other, f.label())
			}
			names[p.Name] = f.label()
			x := &p.Users.Exemptions
			x.Users = slices.Concat(x.Users, f.Exemptions.Users)
			x.Groups = slices.Concat(x.Groups, f.Exemptions.Groups)
			x.Expressions = slices.Concat(x.Expressions, f.Exemptions.Expressions)
			cp.exempt = slices.Concat(cp.exempt, f.exempt)
			if p.Users.Selection != "" && !filepath.IsAbs(p.Users.Selection) {
				p.Users.Selection = filepath.Join(f.dir, p.Users.Selection)
			}
			sinks := make([]Sink, len(p.Reporting.Sinks))
			for i, s := range p.Reporting.Sinks {
				if s.Path != "" && !filepath.IsAbs(s.Path) {
					s.Path = filepath.Join(f.dir, s.Path)
				}
				sinks[i] = s
			}
			p.Reporting.Sinks = sinks
			out.Policies = append(out.Policies, copyData(p))
			out.policies = append(out.policies, cp)
		}
	}
	set := &PolicySet{f: out}
	if err := out.mergeSinkFiles(); err != nil { // sinkpaths.go
		return nil, err
	}
	return set, nil
}

func (f *File) label() string {
	if f.name != "" {
		return f.name
	}
	return "a policy file"
}
