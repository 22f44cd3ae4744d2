package usermgmt

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/seatwarden/seatwarden/internal/textdist"
)

// decoder reads a YAML node tree into Go values field by field, so that
// every unknown field and wrongly typed value is reported with its path
// and line, and all of them at once. It never puts a value from the file
// into a message, as a value may be a secret written by mistake.
type decoder struct {
	ps    *problems
	lines map[string]int
}

// scalarStruct is a struct that may also be written as a plain string.
type scalarStruct interface{ fromScalar(string) }

var rawMessageType = reflect.TypeFor[json.RawMessage]()

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	}
	return "a string"
}

func (d *decoder) decode(path string, n *yaml.Node, v reflect.Value) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if _, ok := d.lines[path]; !ok {
		d.lines[path] = n.Line
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // the zero value
	}
	if v.Type() == rawMessageType {
		var x any
		if err := n.Decode(&x); err != nil {
			d.ps.addf(path, "not a valid value")
			return
		}
		b, err := json.Marshal(x)
		if err != nil {
			d.ps.addf(path, "cannot be written as JSON (mapping keys must be strings)")
			return
		}
		v.SetBytes(b)
		return
	}
	if n.Kind == yaml.ScalarNode && v.Kind() == reflect.Struct {
		if s, ok := v.Addr().Interface().(scalarStruct); ok {
			s.fromScalar(n.Value)
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		d.structure(path, n, v)
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.decode(path, n, e.Elem())
		v.Set(e)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.ps.addf(path, "want a list, not %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(path+"["+strconv.Itoa(i)+"]", item, s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.ps.addf(path, "want a mapping of names, not %s", kindName(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			d.lines[p] = k.Line
			if seen[k.Value] {
				d.ps.addf(p, "defined twice")
				continue
			}
			seen[k.Value] = true
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(p, val, e)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.ps.addf(path, "want a string, not %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.ps.addf(path, "want true or false, not %s", kindName(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.ps.addf(path, "want a whole number, not %s", kindName(n))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
			d.ps.addf(path, "want a number, not %s", kindName(n))
			return
		}
		v.SetFloat(f)
	default:
		d.ps.addf(path, "cannot be read into %s", v.Type())
	}
}

// structure decodes a mapping into the exported, yaml-tagged fields of a
// struct, reporting unknown and repeated keys.
func (d *decoder) structure(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.ps.addf(path, "want a mapping (key: value), not %s", kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		d.lines[p] = k.Line
		switch fi, ok := fields[k.Value]; {
		case k.Value == "<<":
			d.ps.addf(p, "merge keys are not supported")
		case !ok:
			msg := "unknown field " + strconv.Quote(k.Value)
			if s := suggest(k.Value, names); s != "" {
				msg += "; did you mean " + s + "?"
			}
			d.ps.addf(p, "%s", msg)
		case seen[k.Value]:
			d.ps.addf(p, "defined twice")
		default:
			seen[k.Value] = true
			d.decode(p, val, v.Field(fi))
		}
	}
}

// suggest returns the known name closest to name, if one is close: at
// most two edits away, preferring one that extends name or that name
// extends ("action" → "actions" rather than "actOn").
func suggest(name string, known []string) string {
	best, bestScore := "", 5
	ln := strings.ToLower(name)
	for _, k := range known {
		lk := strings.ToLower(k)
		if lk == ln {
			return k
		}
		score := 2 * textdist.Levenshtein(ln, lk)
		if strings.HasPrefix(lk, ln) || strings.HasPrefix(ln, lk) {
			score--
		}
		if score < bestScore {
			best, bestScore = k, score
		}
	}
	return best
}
