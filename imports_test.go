package seatwarden_test

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
	".":                          {},
	"internal/textdist":          {},
	"internal/pgtest":            {thirdParty: []string{"github.com/jackc/pgx/v5"}},
	"internal/smtptest":          {thirdParty: []string{"github.com/emersion/go-smtp", "github.com/emersion/go-sasl"}},
	"jira":                       {testOnly: []string{"github.com/stretchr/testify"}},
	"jira/jiratest":              {module: []string{"jira"}, thirdParty: []string{"github.com/google/uuid"}},
	"jira/internal/webhooks":     {module: []string{"jira", "jira/internal/transport"}},
	"jira/internal/rest":         {module: []string{"jira", "jira/internal/transport"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/internal/transport":    {module: []string{"jira"}, thirdParty: []string{"github.com/hashicorp/go-retryablehttp", "golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/datacenter":            {module: []string{"jira", "jira/internal/transport", "jira/internal/webhooks", "jira/internal/rest"}, thirdParty: []string{"golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/datacenter/logindb":    {thirdParty: []string{"github.com/jackc/pgx/v5", "github.com/go-sql-driver/mysql"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/datacenter/dirmove":    {module: []string{"jira", "jira/datacenter"}, testOnly: []string{"github.com/stretchr/testify"}},
	"jira/datacenter/jiradbtest": {module: []string{"jira/datacenter"}},
	"jira/cloud":                 {module: []string{"jira", "jira/internal/transport", "jira/internal/webhooks", "jira/internal/rest"}, thirdParty: []string{"golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"criteria":                   {module: []string{"jira", "internal/textdist"}, thirdParty: []string{"github.com/expr-lang/expr"}, testOnly: []string{"github.com/stretchr/testify"}},
	"actions":                    {module: []string{"jira", "internal/textdist"}, thirdParty: []string{"github.com/google/uuid"}, testOnly: []string{"github.com/stretchr/testify", "pgregory.net/rapid"}},
	// report is standard library only: TestReportIsLight checks every
	// package it links, not only its direct imports.
	"report":                       {module: []string{"jira", "actions"}, testOnly: []string{"github.com/stretchr/testify"}},
	"report/history":               {module: []string{"jira", "actions", "report", "report/history/store", "report/history/internal/scan"}, thirdParty: []string{"modernc.org/sqlite"}, testOnly: []string{"github.com/stretchr/testify"}},
	"report/history/internal/scan": {module: []string{"jira", "actions", "report"}},
	"report/history/store":         {module: []string{"actions", "report"}},
	"report/insights":              {module: []string{"jira", "actions", "report"}, thirdParty: []string{"gonum.org/v1/plot"}, testOnly: []string{"github.com/stretchr/testify"}},
	"report/email":                 {module: []string{"jira", "actions", "report"}, thirdParty: []string{"github.com/wneessen/go-mail"}, testOnly: []string{"github.com/stretchr/testify", "github.com/emersion/go-smtp"}},
	"report/history/postgres":      {module: []string{"jira", "actions", "report", "report/history", "report/history/internal/scan"}, thirdParty: []string{"github.com/jackc/pgx/v5"}, testOnly: []string{"github.com/stretchr/testify"}},
	"report/history/historydb":     {module: []string{"report", "report/history", "report/history/postgres", "schedule", "schedule/pglock"}, testOnly: []string{"github.com/stretchr/testify"}},
	"report/history/historytest":   {module: []string{"jira", "actions", "report", "report/history"}},
	// report/metrics is the only package that links the Prometheus client
	// (TestPrometheusOnlyInMetrics); the library feeds it through
	// jira.Observer and report.Sink.
	"report/metrics":                     {module: []string{"jira", "actions", "report"}, thirdParty: []string{"github.com/prometheus/client_golang"}, testOnly: []string{"github.com/stretchr/testify"}},
	"report/metrics/metricstest":         {},
	"report/internal/reporttest":         {module: []string{"jira", "actions", "report", "report/history", "report/insights"}},
	"report/internal/cmd/example-report": {module: []string{"jira", "jira/jiratest", "jira/datacenter", "criteria", "actions", "report", "report/history", "report/insights"}},
	"schedule":                           {thirdParty: []string{"github.com/robfig/cron/v3"}, testOnly: []string{"github.com/stretchr/testify"}},
	"schedule/pglock":                    {module: []string{"schedule"}, testOnly: []string{"github.com/stretchr/testify", "github.com/jackc/pgx/v5"}},
	"usermgmt":                           {module: []string{"jira", "jira/datacenter", "jira/cloud", "criteria", "actions", "report", "report/history/store", "report/insights", "report/email", "schedule", "internal/textdist"}, thirdParty: []string{"github.com/google/uuid", "go.yaml.in/yaml/v3", "golang.org/x/time/rate"}, testOnly: []string{"github.com/stretchr/testify"}},
	"examples/fakejira":                  {module: []string{"jira", "jira/jiratest"}},
	"examples/replicas":                  {testOnly: []string{"github.com/stretchr/testify"}},
	"examples/bench":                     {module: []string{"jira", "jira/jiratest", "actions", "usermgmt"}, testOnly: []string{"github.com/stretchr/testify"}},
	"examples/server":                    {module: []string{"jira", "jira/jiratest", "criteria", "actions", "report", "report/email", "report/history", "report/history/historydb", "report/insights", "report/metrics", "usermgmt"}, testOnly: []string{"github.com/stretchr/testify", "github.com/chromedp/chromedp"}}, // chromedp: the browser test only
	"examples/internal/tour":             {module: []string{"jira", "jira/jiratest", "actions", "report", "usermgmt"}},
	"examples/cli":                       {module: []string{"jira", "jira/datacenter", "jira/datacenter/dirmove", "jira/datacenter/logindb", "jira/cloud", "jira/jiratest", "criteria", "actions", "report", "report/email", "report/insights", "schedule", "usermgmt", "examples/internal/tour"}, testOnly: []string{"github.com/stretchr/testify", "github.com/emersion/go-smtp"}},
	"examples/cron":                      {module: []string{"jira", "jira/datacenter", "jira/cloud", "jira/jiratest", "criteria", "actions", "report", "report/email", "report/history", "report/history/historydb", "report/metrics", "schedule", "usermgmt"}, thirdParty: []string{"github.com/google/uuid"}, testOnly: []string{"github.com/stretchr/testify"}},
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

// heavy are the module prefixes of the storage, plotting and mail
// libraries, and of what they bring with them.
var heavy = []string{
	"modernc.org/",                                                   // SQLite (report/history)
	"gonum.org/", "codeberg.org/go-fonts/", "codeberg.org/go-latex/", // charts (report/insights)
	"codeberg.org/go-pdf/", "git.sr.ht/~sbinet/gg", "github.com/ajstarks/svgo", "golang.org/x/image",
	"github.com/wneessen/go-mail", "github.com/emersion/", // mail (report/email)
	"github.com/prometheus/", // metrics (report/metrics)
}

// TestReportIsLight checks that report links no SQLite, plotting or mail
// package — not even through another package — and that its own imports
// are the standard library and this module: a program that writes run
// logs pays for nothing else.
func TestReportIsLight(t *testing.T) {
	const mod = "github.com/seatwarden/seatwarden"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+"/report").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, mod+"/report") {
		t.Fatalf("go list -deps report listed no report: %q", deps)
	}
	for _, dep := range deps {
		for _, h := range heavy {
			if strings.HasPrefix(dep, h) {
				t.Errorf("report links %s", dep)
			}
		}
	}
	for _, sub := range []string{"report/history", "report/insights", "report/email"} {
		if slices.Contains(deps, mod+"/"+sub) {
			t.Errorf("report links %s", sub)
		}
	}
}

// TestJSONLOnlyBinarySize builds testdata/jsonlonly, a program that uses
// only actions and report's JSON-lines run log, and reports the size of
// its binary; the target is 8 MB at most (19.1 MB when report held the
// SQLite store, the charts and the mail sink). Skipped with -short: it
// compiles and links a program.
func TestJSONLOnlyBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program; not with -short")
	}
	bin := filepath.Join(t.TempDir(), "jsonlonly")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/jsonlonly").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	const target = 8 << 20
	t.Logf("actions + report JSONL program: %.1f MB (%d bytes; target ≤ %d MB)", float64(fi.Size())/1e6, fi.Size(), target>>20)
	if fi.Size() > target {
		t.Errorf("the program is %d bytes, over the %d MB target: report links something heavy", fi.Size(), target>>20)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running it: %v", err)
	}
	var rec struct{ Type, RunID string }
	if err := json.Unmarshal(out, &rec); err != nil || rec.Type != "run" || rec.RunID != "run-1" {
		t.Errorf("its run log is %q (%v); want one run record of run-1", out, err)
	}
}

// TestPostgresOnlyWhereUsed checks that the PostgreSQL driver (pgx) is
// linked only by what asks for it: report/history/postgres, and
// report/history/historydb which opens either store. The SQLite history,
// the scheduler, its PostgreSQL locker (database/sql only) and usermgmt
// link no pgx.
func TestPostgresOnlyWhereUsed(t *testing.T) {
	const mod = "github.com/seatwarden/seatwarden"
	for _, pkg := range []string{"report/history", "schedule", "schedule/pglock", "usermgmt"} {
		for _, dep := range linked(t, pkg) {
			if strings.HasPrefix(dep, "github.com/jackc/") || dep == mod+"/report/history/postgres" {
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
}

// TestCLILinksNoSQLite checks that usermgmt and the CLI link no SQLite:
// they use the history's interfaces (report/history/store), never its
// SQLite implementation, which cost the first build of the README's demo
// (go run ./examples/cli demo) 51 of its 183 s of CPU.
func TestCLILinksNoSQLite(t *testing.T) {
	const mod = "github.com/seatwarden/seatwarden"
	for _, pkg := range []string{"usermgmt", "examples/cli"} {
		for _, dep := range linked(t, pkg) {
			if strings.HasPrefix(dep, "modernc.org/") || dep == mod+"/report/history" {
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
}

// linked returns the packages the module's package pkg links ("go list
// -deps"), itself included.
func linked(t *testing.T, pkg string) []string {
	t.Helper()
	const mod = "github.com/seatwarden/seatwarden"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+"/"+pkg).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, mod+"/"+pkg) {
		t.Fatalf("go list -deps %s listed no %s", pkg, pkg)
	}
	return deps
}

// TestPrometheusOnlyInMetrics checks that the Prometheus client is linked
// by report/metrics and by the programs that serve /metrics, and by no
// other package, not even through another: the library reports to it
// through jira.Observer and report.Sink, which are standard library only.
func TestPrometheusOnlyInMetrics(t *testing.T) {
	const mod = "github.com/seatwarden/seatwarden"
	allowed := []string{"report/metrics", "examples/server", "examples/cron"}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(fields[0], mod), "/")
		links := slices.ContainsFunc(fields[1:], func(dep string) bool { return strings.HasPrefix(dep, "github.com/prometheus/") })
		if rel == "report/metrics" {
			seen++
			if !links {
				t.Errorf("report/metrics links no Prometheus package: is the list right?")
			}
		}
		if links && !slices.Contains(allowed, rel) {
			t.Errorf("%s links the Prometheus client; only %v may", rel, allowed)
		}
	}
	if seen != 1 {
		t.Fatalf("go list did not list report/metrics")
	}
}
