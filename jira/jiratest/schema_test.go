package jiratest_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// The schema contract: every GET route's 200 answer, on a fake with users,
// groups, a property and an issue with a comment, validates against the
// response schema of its operation in the official OpenAPI document. The
// documents have defects (collections declared as one item, fields real
// Jira sends left out of closed objects), so a validation problem is
// accepted only when schemaDeviations names it, and every entry must
// still be needed.

// schemaDeviation accepts the problems of a route that contain match.
type schemaDeviation struct {
	flavor jira.Flavor
	route  string // "GET /path" as in Server.Routes
	match  string // a part of the problem, e.g. "$.values: want object"
	why    string
}

var schemaDeviations = []schemaDeviation{
	{jira.DataCenter, "GET /rest/api/2/applicationrole", "$: want object, got array",
		"the document declares one ApplicationRoleBean; Jira answers the list (JIRA-API.md spec caveat)"},
	{jira.DataCenter, "GET /rest/api/2/user/search", "$: want object, got array",
		"the document declares one UserBean; Jira answers a JSON array (JIRA-API.md section 1.1)"},
	{jira.DataCenter, "GET /rest/api/2/issue/{issueIdOrKey}", "$.fields.",
		"the document declares fields as a map of objects; Jira sends strings, arrays and objects by field type"},
}

// schemaQueries are the query strings the GET routes are called with, by
// path after the API base; {me} is the caller's id (name on DC, accountId
// on Cloud), {param} its parameter name.
var schemaQueries = map[string]string{
	"/user":                             "{param}={me}&expand=groups,applicationRoles",
	"/myself":                           "expand=groups,applicationRoles",
	"/user/properties":                  "{param}={me}",
	"/user/properties/{propertyKey}":    "{param}={me}",
	"/user/search":                      "", // per flavour below
	"/user/bulk":                        "accountId={me}",
	"/user/groups":                      "accountId={me}",
	"/group/member":                     "groupname=jira-software-users",
	"/groups/picker":                    "query=jira",
	"/issue/{issueIdOrKey}/transitions": "expand=transitions.fields",
}

func TestContractResponseSchemas(t *testing.T) {
	t.Parallel()
	dir := specDir(t)
	used := map[int]bool{}
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		problems, err := checkSchemas(t, dir, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			i := slices.IndexFunc(schemaDeviations, func(d schemaDeviation) bool {
				return d.flavor == f && strings.HasPrefix(p, d.route+": ") && strings.Contains(p, d.match)
			})
			if i < 0 {
				t.Errorf("%v %s", f, p)
				continue
			}
			used[i] = true
		}
	}
	for i, d := range schemaDeviations {
		if !used[i] {
			t.Errorf("stale schema deviation %v %s %q: no answer needs it any more; remove it", d.flavor, d.route, d.match)
		}
	}
}

// checkSchemas calls every GET route of a fake of flavour f and returns
// the validation problems as "GET /path: $.json.path: what".
func checkSchemas(t *testing.T, dir string, f jira.Flavor) ([]string, error) {
	s := jiratest.NewServer(t, jiratest.WithFlavor(f), jiratest.WithOrg(jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 30})))
	var c *tclient
	me, param := "", ""
	if f == jira.DataCenter {
		c = memClient(t, s)
		c.base = s.URL
		me, param = s.Credentials().DCUser, "username"
	} else {
		c = cloudClient(t, s)
		u, _ := s.User(s.Credentials().CloudEmail)
		me, param = u.AccountID, "accountId"
	}
	api := "/rest/api/2"
	if f == jira.Cloud {
		api = "/rest/api/3"
	}
	c.want(201, "PUT", api+"/user/properties/seatwarden?"+param+"="+me, map[string]any{"reviewed": true})
	issue := map[string]any{"fields": map[string]any{"project": map[string]string{"key": "OPS"},
		"issuetype": map[string]string{"name": "Task"}, "summary": "schema", "description": "text"}}
	var created struct{ Key string }
	c.want(201, "POST", "/rest/api/2/issue", issue).decode(t, &created)
	c.want(201, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]string{"body": "a comment"})

	var problems []string
	specs := map[string]*openAPI{}
	schemas := map[string]map[string]any{}
	for _, r := range s.Routes() {
		if r.Method != "GET" {
			continue
		}
		i := slices.IndexFunc(families[f], func(fam apiFamily) bool { return strings.HasPrefix(r.Path, fam.prefix) })
		if i < 0 || families[f][i].spec == "" {
			continue
		}
		fam := families[f][i]
		if specs[fam.spec] == nil {
			doc, err := loadOpenAPI(filepath.Join(dir, fam.spec))
			if err != nil {
				return nil, err
			}
			specs[fam.spec] = doc
			if schemas[fam.spec], err = loadSchemas(filepath.Join(dir, fam.spec)); err != nil {
				return nil, err
			}
		}
		doc := specs[fam.spec]
		schema, ok := responseSchema(doc, fam.specPath(r.Path))
		if !ok {
			continue
		}
		rest := r.Path[strings.Index(r.Path[len("/rest/api/"):], "/")+len("/rest/api/"):]
		q := schemaQueries[rest]
		if rest == "/user/search" {
			q = "query=a"
			if f == jira.DataCenter {
				q = "username=."
			}
		}
		q = strings.NewReplacer("{me}", me, "{param}", param).Replace(q)
		path := strings.NewReplacer("{issueIdOrKey}", created.Key, "{key}", "jira-software",
			"{propertyKey}", "seatwarden").Replace(r.Path)
		if q != "" {
			path += "?" + q
		}
		a := c.do("GET", path, nil)
		if a.status != 200 {
			problems = append(problems, fmt.Sprintf("%s: status %d for %s", r, a.status, path))
			continue
		}
		var v any
		if err := json.Unmarshal(a.body, &v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: not JSON: %v", r, err))
			continue
		}
		v2 := &validator{schemas: schemas[fam.spec]}
		v2.check(schema, v, "$", 0)
		for _, p := range v2.problems {
			problems = append(problems, r.String()+": "+p)
		}
	}
	return problems, nil
}

// loadSchemas reads the components' schemas of an OpenAPI document.
func loadSchemas(file string) (map[string]any, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return doc.Components.Schemas, nil
}

// responseSchema finds the JSON schema of an operation's 200 answer.
func responseSchema(doc *openAPI, path string) (any, bool) {
	rest, ok := strings.CutPrefix(path, doc.base)
	if !ok {
		return nil, false
	}
	for p, item := range doc.Paths {
		if shape(p) != shape(rest) {
			continue
		}
		var op struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema any `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		}
		if json.Unmarshal(item["get"], &op) != nil {
			return nil, false
		}
		for _, ct := range []string{"application/json", "*/*"} {
			if c, ok := op.Responses["200"].Content[ct]; ok && c.Schema != nil {
				return c.Schema, true
			}
		}
	}
	return nil, false
}

// validator checks a decoded JSON value against an OpenAPI 3.0 schema:
// $ref, allOf/anyOf/oneOf, type, properties, additionalProperties, items,
// required and string enums. null is accepted for object properties,
// since both documents leave nullable out where Jira sends null.
type validator struct {
	schemas  map[string]any
	problems []string
}

func (v *validator) resolve(s any) map[string]any {
	m, _ := s.(map[string]any)
	for i := 0; i < 20 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m, _ = v.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return m
}

func (v *validator) fail(path, format string, a ...any) {
	v.problems = append(v.problems, path+": "+fmt.Sprintf(format, a...))
}

func (v *validator) check(schema, val any, path string, depth int) {
	m := v.resolve(schema)
	if m == nil || depth > 40 {
		return
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, s := range all {
			v.check(s, val, path, depth+1)
		}
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := m[k].([]any); ok {
			var first []string
			for i, s := range alts {
				sub := &validator{schemas: v.schemas}
				sub.check(s, val, path, depth+1)
				if len(sub.problems) == 0 {
					first = nil
					break
				}
				if i == 0 {
					first = sub.problems
				}
			}
			v.problems = append(v.problems, first...)
		}
	}
	typ, _ := m["type"].(string)
	if typ == "" && m["properties"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		obj, ok := val.(map[string]any)
		if !ok {
			v.fail(path, "want object, got %s", kind(val))
			return
		}
		props, _ := m["properties"].(map[string]any)
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if _, has := obj[r.(string)]; !has {
					v.fail(path, "missing required %q", r)
				}
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pv := obj[k]
			ps, declared := props[k]
			switch {
			case declared && pv == nil:
			case declared:
				v.check(ps, pv, path+"."+k, depth+1)
			case m["additionalProperties"] == false:
				v.fail(path, "property %q is not in the schema, which allows no others", k)
			case m["additionalProperties"] != nil && m["additionalProperties"] != true && pv != nil:
				v.check(m["additionalProperties"], pv, path+"."+k, depth+1)
			}
		}
	case "array":
		arr, ok := val.([]any)
		if !ok {
			v.fail(path, "want array, got %s", kind(val))
			return
		}
		for i, it := range arr[:min(len(arr), 10)] {
			v.check(m["items"], it, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case "string":
		s, ok := val.(string)
		if !ok {
			v.fail(path, "want string, got %s", kind(val))
			return
		}
		if enum, ok := m["enum"].([]any); ok && !slices.Contains(enum, any(s)) {
			v.fail(path, "%q is not one of %v", s, enum)
		}
	case "integer":
		n, ok := val.(float64)
		if !ok || n != math.Trunc(n) {
			v.fail(path, "want integer, got %s", kind(val))
		}
	case "number":
		if _, ok := val.(float64); !ok {
			v.fail(path, "want number, got %s", kind(val))
		}
	case "boolean":
		if _, ok := val.(bool); !ok {
			v.fail(path, "want boolean, got %s", kind(val))
		}
	}
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}
