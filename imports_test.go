package seatwarden_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The layering of DESIGN.md, as rules on each package's direct imports:
// the module's packages it may import, and the third-party modules. The
// standard library is always allowed. A package of the module missing here
// fails the test, so a new package must say where it stands.
var layers = map[string]struct {
	module     []string // packages of this module
	thirdParty []string // module path prefixes
	testOnly   []string // third-party prefixes its tests may add
}{
	".":                       {},
	"internal/textdist":       {},
	"jira":                    {testOnly: []string{"github.com/stretchr/testify"}},
	"jira/jiratest":           {module: []string{"jira"}, thirdParty: []string{"github.com/google/uuid"}},
	"jira/internal/webhooks":  {module: []string{"jira", "jira/internal/transport"}},
	"jira/internal/rest":      {module: []string{"jira", "jira/internal/transport"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/internal/transport": {module: []string{"jira"}, thirdParty: []string{"github.com/hashicorp/go-retryablehttp", "golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/datacenter":         {module: []string{"jira", "jira/internal/transport", "jira/internal/webhooks", "jira/internal/rest"}, thirdParty: []string{"golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/datacenter/logindb": {thirdParty: []string{"github.com/jackc/pgx/v5", "github.com/go-sql-driver/mysql"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/cloud":              {module: []string{"jira", "jira/internal/transport", "jira/internal/webhooks", "jira/internal/rest"}, thirdParty: []string{"golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"criteria":                {module: []string{"jira", "internal/textdist"}, thirdParty: []string{"github.com/expr-lang/expr"}, testOnly: []string{"github.com/stretchr/testify"}},
	"actions":                 {module: []string{"jira"}, thirdParty: []string{"github.com/google/uuid"}, testOnly: []string{"github.com/stretchr/testify", "pgregory.net/rapid"}},
	"report": {module: []string{"jira", "actions"}, thirdParty: []string{"github.com/wneessen/go-mail", "gonum.org/v1/plot", "modernc.org/sqlite"},
		testOnly: []string{"github.com/stretchr/testify", "github.com/emersion/go-smtp", "github.com/emersion/go-sasl"}},
	"report/internal/cmd/example-report": {module: []string{"jira", "jira/jiratest", "jira/datacenter", "criteria", "actions", "report"}},
	"schedule":                           {thirdParty: []string{"github.com/robfig/cron/v3"}, testOnly: []string{"github.com/stretchr/testify"}},
	"usermgmt":                           {module: []string{"jira", "jira/datacenter", "jira/cloud", "criteria", "actions", "report", "internal/textdist"}, thirdParty: []string{"github.com/google/uuid", "github.com/robfig/cron/v3", "go.yaml.in/yaml/v3", "golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"examples/fakejira":                  {module: []string{"jira", "jira/jiratest"}},
	"examples/server":                    {module: []string{"jira", "jira/jiratest", "criteria", "actions", "report", "usermgmt"}, testOnly: []string{"github.com/stretchr/testify"}},
	"examples/cli":                       {module: []string{"jira", "jira/datacenter", "jira/datacenter/logindb", "jira/cloud", "jira/jiratest", "criteria", "actions", "report", "schedule", "usermgmt"}, testOnly: []string{"github.com/stretchr/testify"}},
	"examples/cron":                      {module: []string{"jira", "jira/datacenter", "jira/cloud", "jira/jiratest", "criteria", "actions", "report", "schedule", "usermgmt"}, thirdParty: []string{"github.com/google/uuid"}, testOnly: []string{"github.com/stretchr/testify"}},
}

type listed struct {
	ImportPath   string
	Standard     bool
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestImportRules(t *testing.T) {
	const mod = "github.com/seatwarden/seatwarden"
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		if rel == "" {
			rel = "."
		}
		rule, ok := layers[rel]
		if !ok {
			t.Errorf("%s: no import rule; add it to layers", rel)
			continue
		}
		check := func(imports []string, extra []string, what string) {
			for _, imp := range imports {
				switch {
				case !strings.Contains(strings.Split(imp, "/")[0], "."):
					// standard library
				case strings.HasPrefix(imp, mod+"/") || imp == mod:
					dep := strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/")
					if dep != rel && !slices.Contains(rule.module, dep) && what == "imports" {
						t.Errorf("%s imports %s, which its layer may not", rel, dep)
					}
				case !slices.ContainsFunc(append(slices.Clone(rule.thirdParty), extra...), func(prefix string) bool { return strings.HasPrefix(imp, prefix) }):
					t.Errorf("%s: %s imports %s, which its layer may not", rel, what, imp)
				}
			}
		}
		check(p.Imports, nil, "imports")
		check(append(p.TestImports, p.XTestImports...), rule.testOnly, "tests")
	}
}
