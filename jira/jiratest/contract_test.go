package jiratest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// The contract tests check every route the fake serves against Atlassian's
// official OpenAPI document of its flavour (shared/testdata/jira-openapi):
// the path and method must be there, and every query parameter the route
// accepts must be declared for that operation.

// apiFamily is a family of routes, by path prefix, with the OpenAPI
// document that describes it, or why testdata has none.
type apiFamily struct {
	prefix string
	spec   string // file name in shared/testdata/jira-openapi
	why    string // when spec is empty: why the routes go unchecked
	// as, when set, replaces prefix before the document is searched: the
	// routes are the same operations as those under as.
	as string
}

const webhooksWhy = "the webhooks plugin's REST API (/rest/webhooks/1.0) is not in the platform document"

// families lists, per flavour, every family of routes the fake serves; a
// route in none of them fails the test.
var families = map[jira.Flavor][]apiFamily{
	jira.DataCenter: {
		{prefix: "/rest/api/2/", spec: "jira-software-dc-10.3.24-openapi.json"},
		{prefix: "/rest/jira-webhook/1.0/", why: "Jira 10's webhooks REST (/rest/jira-webhook/1.0) is not in the platform document"},
	},
	jira.Cloud: {
		{prefix: "/rest/api/3/", spec: "jira-cloud-platform-swagger-v3.v3.json"},
		// Cloud's REST v2 has v3's operations, with plain-text bodies.
		{prefix: "/rest/api/2/", spec: "jira-cloud-platform-swagger-v3.v3.json", as: "/rest/api/3/"},
		{prefix: "/rest/webhooks/1.0/", why: webhooksWhy},
		{prefix: "/admin/", why: "the Atlassian Admin API's OpenAPI document is not in testdata"},
		{prefix: "/users/", why: "the user-management API's (/users/{accountId}/manage…) OpenAPI document is not in testdata"},
	},
}

// deviation is a deliberate difference between the fake and the document,
// where the document is wrong about real Jira. Keep the list short and true:
// TestContractDeviationsNotStale fails on an entry no route needs.
type deviation struct {
	flavor jira.Flavor
	route  string // "METHOD /path" as in Server.Routes
	param  string // the query parameter; "" when the whole route is missing
	why    string
}

var deviations = []deviation{
	{jira.DataCenter, "GET /rest/api/2/group/member", "groupname",
		"declared in: path; real Jira reads it from the query (JIRA-API.md section 6)"},
	{jira.DataCenter, "GET /rest/api/2/user", "expand",
		"not declared; real Jira expands groups and applicationRoles (JIRA-API.md section 1.1)"},
	{jira.DataCenter, "GET /rest/api/2/myself", "expand",
		"not declared; real Jira accepts it as on GET /user (JIRA-API.md section 1.1)"},
	{jira.DataCenter, "GET /rest/api/2/user/search", "query",
		"not declared; clients written for Cloud send it and real Jira ignores unknown parameters"},
	{jira.DataCenter, "GET /rest/api/2/group/member", "expand",
		"not declared; clients send expand=users[0:50] and real Jira ignores it"},
	{jira.DataCenter, "GET /rest/api/2/serverInfo", "doHealthCheck",
		"not declared in 10.3; Jira Server's REST reference declares it and Jira accepts it"},
	{jira.DataCenter, "GET /rest/api/2/issue/{issueIdOrKey}/transitions", "expand",
		"not declared; real Jira takes expand=transitions.fields, as the Cloud document declares"},
}

func TestContract(t *testing.T) {
	t.Parallel()
	dir := specDir(t)
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			problems, _, err := checkContract(dir, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

func TestContractDeviationsNotStale(t *testing.T) {
	t.Parallel()
	dir := specDir(t)
	used := map[deviation]bool{}
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		_, u, err := checkContract(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		for d := range u {
			used[d] = true
		}
	}
	for _, d := range deviations {
		if !used[d] {
			t.Errorf("stale deviation on %v: %s %q: no route needs it any more; remove it", d.flavor, d.route, d.param)
		}
	}
}

// checkContract checks the routes of a fake of flavour f against the
// documents in dir. It returns what is wrong and the deviations it needed.
func checkContract(dir string, f jira.Flavor) (problems []string, used map[deviation]bool, err error) {
	used = map[deviation]bool{}
	deviates := func(route, param string) bool {
		i := slices.IndexFunc(deviations, func(d deviation) bool {
			return d.flavor == f && d.route == route && d.param == param
		})
		if i >= 0 {
			used[deviations[i]] = true
		}
		return i >= 0
	}
	specs := map[string]*openAPI{}
	for _, r := range jiratest.New(jiratest.WithFlavor(f)).Routes() {
		i := slices.IndexFunc(families[f], func(fam apiFamily) bool { return strings.HasPrefix(r.Path, fam.prefix) })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("%s: in no known API family; add the family with its document", r))
			continue
		}
		fam := families[f][i]
		if fam.spec == "" {
			continue
		}
		doc := specs[fam.spec]
		if doc == nil {
			if doc, err = loadOpenAPI(filepath.Join(dir, fam.spec)); err != nil {
				return nil, nil, err
			}
			specs[fam.spec] = doc
		}
		op, ok := doc.operation(r.Method, fam.specPath(r.Path))
		if !ok {
			if !deviates(r.String(), "") {
				problems = append(problems, fmt.Sprintf("%s: not in %s", r, fam.spec))
			}
			continue
		}
		for _, p := range r.Params {
			in, declared := op[p]
			if in == "query" || deviates(r.String(), p) {
				continue
			}
			where := "not declared"
			if declared {
				where = "declared in: " + in
			}
			problems = append(problems, fmt.Sprintf("%s: query parameter %q is %s in %s", r, p, where, fam.spec))
		}
		// Every parameter the document declares is accepted.
		for p, in := range op {
			if in == "query" && !doc.gone[p] && !slices.Contains(r.Params, p) {
				problems = append(problems, fmt.Sprintf("%s: declared query parameter %q is refused; regenerate declared.go (go test -run TestDeclaredParamsUpToDate -update)", r, p))
			}
		}
	}
	return problems, used, nil
}

// specPath is the path under which the document describes a route's path.
func (fam apiFamily) specPath(path string) string {
	if fam.as == "" {
		return path
	}
	return fam.as + strings.TrimPrefix(path, fam.prefix)
}

// openAPI is what the contract needs of an OpenAPI 3 document.
type openAPI struct {
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Parameters map[string]parameter `json:"parameters"`
	} `json:"components"`

	base string                                  // path prefix of the server URL, e.g. "/rest"
	ops  map[string]map[string]map[string]string // path shape → method → parameter → in
	// gone are parameters the document declares but says are "no longer
	// available" (Cloud's username and key): not to be accepted.
	gone map[string]bool
}

type parameter struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
}

func loadOpenAPI(file string) (*openAPI, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc openAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Servers) > 0 {
		// "http://{baseurl}/rest" → "/rest"; not url.Parse: the host is a template.
		u := doc.Servers[0].URL
		if _, rest, ok := strings.Cut(u, "://"); ok {
			u = rest
		}
		if i := strings.Index(u, "/"); i >= 0 {
			doc.base = strings.TrimSuffix(u[i:], "/")
		}
	}
	doc.ops = map[string]map[string]map[string]string{}
	doc.gone = map[string]bool{}
	for path, item := range doc.Paths {
		var shared []parameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("%s: %s parameters: %w", file, path, err)
			}
		}
		methods := map[string]map[string]string{}
		for method, raw := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue
			}
			var op struct {
				Parameters []parameter `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", file, method, path, err)
			}
			params := map[string]string{}
			for _, p := range append(slices.Clone(shared), op.Parameters...) {
				if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
					p = doc.Components.Parameters[name]
				}
				params[p.Name] = p.In
				if strings.HasPrefix(p.Description, "This parameter is no longer available") {
					doc.gone[p.Name] = true
				}
			}
			methods[strings.ToUpper(method)] = params
		}
		doc.ops[shape(path)] = methods
	}
	return &doc, nil
}

// operation finds the operation serving method and route path, and returns
// its parameters (name → in). Path templates match whatever their names.
func (doc *openAPI) operation(method, path string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(path, doc.base)
	if !ok {
		return nil, false
	}
	op, ok := doc.ops[shape(rest)][method]
	return op, ok
}

// shape replaces each {…} segment of a path by {}, so that
// /user/properties/{propertyKey} and /user/properties/{key} compare equal.
func shape(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// specDir finds shared/testdata/jira-openapi: shared/ sits beside the
// module root (../shared, as in CI), or beside one of its ancestors, as
// for a git worktree kept below the main checkout's parent. It skips the
// test when there is none.
func specDir(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for !exists(filepath.Join(root, "go.mod")) {
		parent := filepath.Dir(root)
		if parent == root {
			t.Skip("no go.mod above the working directory; cannot find shared/testdata/jira-openapi")
		}
		root = parent
	}
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		if dir := filepath.Join(d, "shared", "testdata", "jira-openapi"); exists(dir) {
			return dir
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	t.Skipf("no shared/testdata/jira-openapi beside %s or its ancestors: the OpenAPI documents are not checked out", root)
	return ""
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestContractFamiliesUsed keeps the family list true: each family, checked
// or not, must hold at least one route of its flavour.
func TestContractFamiliesUsed(t *testing.T) {
	t.Parallel()
	for f, fams := range families {
		routes := jiratest.New(jiratest.WithFlavor(f)).Routes()
		for _, fam := range fams {
			if !slices.ContainsFunc(routes, func(r jiratest.Route) bool { return strings.HasPrefix(r.Path, fam.prefix) }) {
				t.Errorf("%v: no route in family %s; remove it", f, fam.prefix)
			}
		}
	}
}
