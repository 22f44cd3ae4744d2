package criteria

import (
	"fmt"
	"go/format"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVocabulary checks that the tables and the Env struct agree: every
// variable field has one row and every row one field; a row's fill sets
// its own field and nothing else; the fast path's accessors read what the
// Env holds; guards name facts.
func TestVocabulary(t *testing.T) {
	t.Parallel()
	v, err := indexVocabulary()
	require.NoError(t, err)

	et := reflect.TypeFor[Env]()
	for i := range et.NumField() {
		f := et.Field(i)
		tag := f.Tag.Get("expr")
		if tag == "" {
			continue
		}
		if f.Type.Kind() == reflect.Func {
			assert.Contains(t, v.funcs, tag, "Env function %s has no row in functions", tag)
			continue
		}
		r, ok := v.vars[tag]
		if assert.True(t, ok, "Env field %s has no row in variables", tag) {
			assert.Equal(t, f.Name, r.field, tag)
		}
	}

	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, loc := range sampleZones {
		today := dayNumber(now, loc)
		for i, u := range sampleUsers(now) {
			full := NewEnv(&u, now, loc)
			fv := reflect.ValueOf(full).Elem()
			for k, r := range variables {
				one := newEnv(loc)
				one.fill(&u, now, fillsOf(map[string]bool{r.name: true}))
				ov := reflect.ValueOf(one).Elem()
				for _, other := range variables {
					got := ov.FieldByName(other.field)
					if other.name == r.name || other.name == "now" {
						assert.Equal(t, fv.FieldByName(other.field).Interface(), got.Interface(), "user %d: %s", i, r.name)
						continue
					}
					assert.True(t, got.IsZero(), "user %d: the fill of %s sets %s", i, r.name, other.name)
				}
				want := fv.FieldByName(r.field).Interface()
				switch r.kind {
				case kindBool:
					assert.Equal(t, want, facts(&u, 1<<k)&(1<<k) != 0, "user %d: %s", i, r.name)
				case kindString:
					assert.Equal(t, want, strOf(&u, k), "user %d: %s", i, r.name)
				case kindInt:
					assert.Equal(t, want, intOf(&u, k), "user %d: %s", i, r.name)
				case kindDays:
					assert.Equal(t, want, daysFrom(sinceOf(&u, k), today, loc), "user %d: %s", i, r.name)
				case kindTime:
					assert.True(t, want.(time.Time).Equal(timeOf(&u, k)), "user %d: %s", i, r.name)
				}
				if r.equalsLower != "" {
					for _, lit := range []string{"", "example.com", "example.org", "acme.com"} {
						assert.Equal(t, want == lit, equalsLower(&u, k, lit), "user %d: %s == %q", i, r.name, lit)
					}
				}
			}
			for _, f := range functions {
				if f.member {
					assert.Equal(t, fv.FieldByName(v.vars[f.reads].field).Interface(), sortedInto(listOf(&u, v.index[f.reads]), new([]string)), "user %d: %s", i, f.name)
				}
			}
		}
	}

	for _, r := range variables {
		for _, g := range r.guard {
			assert.NotNil(t, v.vars[g].fact, "%s is guarded by %s", r.name, g)
		}
		if r.emptyIsUnknown {
			assert.NotEmpty(t, r.guard, "%s is empty when unknown but has no guard", r.name)
		}
	}
}

// TestVocabularyDocs keeps the variables table of the package
// documentation and the README's list of variables in step with the
// vocabulary; go test -update rewrites them.
func TestVocabularyDocs(t *testing.T) {
	t.Parallel()
	replaceBlock(t, "doc.go", "// # Variables\n", "\n//\n// # Functions", docTable())
	replaceBlock(t, "../README.md", "**Variables**: ", " Types and meanings:", readmeList())
}

// docTable returns the variables table of the package documentation.
func docTable() string {
	v := vocabulary()
	var b strings.Builder
	b.WriteString("//\n// Variables are lowerCamel; testdata/env.golden lists them with their\n// types, and [Reference] returns the same list. This table, that list and\n// the README's are made from one table (vocabulary.go).\n//\n")
	for i, r := range variables {
		typ := v.types[r.name]
		if strings.HasPrefix(typ, "map[") {
			typ = "map"
		}
		fmt.Fprintf(&b, "//\t%-20s %-10s %s", r.name, typ, r.brief)
		if i < len(variables)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// readmeList returns the README's list of variables, wrapped at 100
// characters.
func readmeList() string {
	var b strings.Builder
	line := len("**Variables**: ")
	for i, r := range variables {
		w := "`" + r.name + "`"
		if r.keyed {
			w += " (per product)"
		}
		if i < len(variables)-1 {
			w += ","
		} else {
			w += "."
		}
		if i > 0 {
			if line+1+len(w) > 100 {
				b.WriteString("\n")
				line = 0
			} else {
				b.WriteString(" ")
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// replaceBlock checks that the text of path between start and end is
// want, or with -update writes it there.
func replaceBlock(t *testing.T, path, start, end, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(data)
	i := strings.Index(s, start)
	require.GreaterOrEqual(t, i, 0, "%s: no %q", path, start)
	i += len(start)
	j := strings.Index(s[i:], end)
	require.GreaterOrEqual(t, j, 0, "%s: no %q after %q", path, end, start)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(s[:i]+want+s[i+j:]), 0o644))
		return
	}
	assert.Equal(t, want, s[i:i+j], "%s is out of step with the vocabulary: go test ./criteria -update", path)
}

// TestVocabularyCode keeps vocabulary_gen.go, the code that reads the
// variables, in step with the vocabulary; go test -update rewrites it.
func TestVocabularyCode(t *testing.T) {
	t.Parallel()
	want, err := format.Source([]byte(generatedCode()))
	require.NoError(t, err)
	golden := "vocabulary_gen.go"
	if *update {
		require.NoError(t, os.WriteFile(golden, want, 0o644))
	}
	got, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "vocabulary_gen.go is out of step with the vocabulary: go test ./criteria -update")
}

// generatedCode returns the source of vocabulary_gen.go.
func generatedCode() string {
	v := vocabulary()
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// Code generated by TestVocabularyCode (go test ./criteria -update); DO NOT EDIT.\n\npackage criteria\n\n")
	p("import (\n\t\"time\"\n\n\t\"github.com/seatwarden/seatwarden/jira\"\n)\n\n")

	p("// fillFrom stores in e the variables of u in m (bit k: the variable\n// numbered k, see vocab.index), and what the functions in m read.\n")
	p("func (e *Env) fillFrom(u *jira.User, m fillSet) {\n")
	for i, r := range variables {
		var stmt string
		switch r.kind {
		case kindNow:
			continue
		case kindOther:
			stmt = r.fill
		case kindDays:
			stmt = fmt.Sprintf("e.%s = daysFrom(%s, e.nowDay, e.loc)", r.field, r.read)
		case kindTime:
			stmt = fmt.Sprintf("e.%s = inLocation(%s, e.loc)", r.field, r.read)
		default:
			stmt = fmt.Sprintf("e.%s = %s", r.field, r.read)
		}
		p("\tif m&(1<<%d) != 0 { // %s\n\t\t%s\n\t}\n", i, r.name, stmt)
	}
	for _, f := range functions {
		if f.fill != "" {
			p("\tif m&(1<<%d) != 0 { // %s\n\t\t%s\n\t}\n", v.index[f.name], f.name, f.fill)
		}
	}
	p("}\n\n")

	p("// clearVars drops the variables that refer to a user's data.\n")
	p("func (e *Env) clearVars() {\n")
	et := reflect.TypeFor[Env]()
	for _, r := range variables {
		f, _ := et.FieldByName(r.field)
		switch f.Type.Kind() {
		case reflect.String:
			p("\te.%s = \"\"\n", r.field)
		case reflect.Slice, reflect.Map:
			p("\te.%s = nil\n", r.field)
		}
	}
	p("}\n\n")

	p("// facts returns the bool variables among m (bit k: the variable numbered\n// k) that hold for u; the cheap ones may be set whether in m or not.\n")
	p("func facts(u *jira.User, m flags) flags {\n\tvar f flags\n")
	for i, r := range variables {
		switch {
		case r.kind != kindBool:
		case r.costly:
			p("\tif m&(1<<%d) != 0 && %s { // %s\n\t\tf |= 1 << %d\n\t}\n", i, r.read, r.name, i)
		default:
			p("\tif %s { // %s\n\t\tf |= 1 << %d\n\t}\n", r.read, r.name, i)
		}
	}
	p("\treturn f\n}\n\n")

	cases := func(sig, doc, zero string, keep func(variable) (string, bool)) {
		p("%s\n%s {\n\tswitch k {\n", doc, sig)
		for i, r := range variables {
			if expr, ok := keep(r); ok {
				p("\tcase %d: // %s\n\t\treturn %s\n", i, r.name, expr)
			}
		}
		p("\t}\n\treturn %s\n}\n\n", zero)
	}
	cases("func intOf(u *jira.User, k int) int", "// intOf returns the int variable numbered k of u.", "0",
		func(r variable) (string, bool) { return r.read, r.kind == kindInt })
	cases("func sinceOf(u *jira.User, k int) time.Time",
		"// sinceOf returns the time the day count numbered k of u counts from, the\n// zero time when unknown.", "time.Time{}",
		func(r variable) (string, bool) { return r.read, r.kind == kindDays })
	cases("func strOf(u *jira.User, k int) string", "// strOf returns the string variable numbered k of u.", `""`,
		func(r variable) (string, bool) { return r.read, r.kind == kindString })
	cases("func timeOf(u *jira.User, k int) time.Time", "// timeOf returns the time variable numbered k of u, the zero time when\n// unknown.", "time.Time{}",
		func(r variable) (string, bool) { return r.read, r.kind == kindTime })
	cases("func equalsLower(u *jira.User, k int, lit string) bool",
		"// equalsLower reports whether the string variable numbered k of u equals\n// lit, ASCII without upper-case letters.", "false",
		func(r variable) (string, bool) { return r.equalsLower, r.equalsLower != "" })
	cases("func listOf(u *jira.User, k int) []string", "// listOf returns the list variable numbered k of u, as the user holds it.", "nil",
		func(r variable) (string, bool) { return r.read, r.kind == kindOther && r.read != "" })
	return b.String()
}
