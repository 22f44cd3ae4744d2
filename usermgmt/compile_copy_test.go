package usermgmt

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCopyDataSharesNothing fills every exported field of a File (fields
// added later included) and checks that its copy is equal and shares no
// map, slice or pointer with it, and that the set's File is such a copy.
func TestCopyDataSharesNothing(t *testing.T) {
	t.Parallel()
	var f File
	n := 0
	fill(reflect.ValueOf(&f).Elem(), &n, 0)
	c := copyData(&f)
	assert.Equal(t, f, c)
	assertDisjoint(t, reflect.ValueOf(f), reflect.ValueOf(c), "File")

	valid := File{Version: 1, Policies: []Policy{{Name: "p", Users: Users{Where: "active"},
		Actions: []ActionSpec{{Action: RemoveGroups, Groups: []string{"staff"}}, {Action: SetProperty, Key: "k", Value: []byte(`{"a":1}`)}}}}}
	set, err := valid.Compile()
	require.NoError(t, err)
	one, two := set.File(), set.File()
	assert.Equal(t, one, two)
	assertDisjoint(t, reflect.ValueOf(*one), reflect.ValueOf(*two), "File")
	p, _ := set.Policy("p")
	q, _ := set.Policy("p")
	assertDisjoint(t, reflect.ValueOf(p), reflect.ValueOf(q), "Policy")
}

// fill sets every exported field under v to a value that is not zero.
func fill(v reflect.Value, n *int, depth int) {
	*n++
	switch v.Kind() {
	case reflect.Struct:
		if v.Type().PkgPath() != reflect.TypeFor[File]().PkgPath() {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(`"x"`))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n, depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, n, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, n, depth+1)
		v.SetMapIndex(k, e)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, depth+1)
	case reflect.String:
		v.SetString(fmt.Sprint("s", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n))
	}
}

// assertDisjoint fails when a and b share a map, a slice's array or a
// pointer's target.
func assertDisjoint(t *testing.T, a, b reflect.Value, path string) {
	t.Helper()
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				assertDisjoint(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		if a.Len() > 0 {
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s shares its array", path)
		}
		for i := range min(a.Len(), b.Len()) {
			assertDisjoint(t, a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if a.Len() > 0 {
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is the same map", path)
		}
		for it := a.MapRange(); it.Next(); {
			assertDisjoint(t, it.Value(), b.MapIndex(it.Key()), fmt.Sprintf("%s[%v]", path, it.Key()))
		}
	case reflect.Pointer:
		if !a.IsNil() {
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is the same pointer", path)
			assertDisjoint(t, a.Elem(), b.Elem(), path)
		}
	}
}

// TestFileIsData checks that a File holds nothing compiled, by
// construction: the only unexported fields reachable from it say where it
// was read from; what a set compiles lives in compiledSet and
// CompiledPolicy.
func TestFileIsData(t *testing.T) {
	t.Parallel()
	var hidden []string
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			walk(typ.Elem())
			return
		case reflect.Struct:
		default:
			return
		}
		if seen[typ] || typ.PkgPath() != reflect.TypeFor[File]().PkgPath() {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				hidden = append(hidden, typ.Name()+"."+f.Name)
				continue
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[File]())
	// Only what a file was read from: its lines, name and directory, and
	// the plain form an onLogin was written in (true, false or a typo, kept
	// for validation's error with its line). None is compiled state.
	assert.ElementsMatch(t, []string{"File.lines", "File.name", "File.dir", "OnLogin.scalar"}, hidden)
}
