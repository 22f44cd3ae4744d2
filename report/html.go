package report

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
)

//go:embed report.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"n":     thousands,
	"date":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"when":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 MST") },
	"svg":   func(b []byte) template.HTML { return template.HTML(b) }, // rendered by gonum/plot, not user text
	"count": func(m map[actions.Outcome]int, o string) int { return m[actions.Outcome(o)] },
	"notRecent": func(in *Insights) int {
		s := in.Summary
		return s.Active - s.Recent(in.RecentDays) - s.NeverLoggedIn - s.LoginUnknown
	},
}).Parse(htmlTemplate))

// page is what the template sees.
type page struct {
	R         *Report
	In        *Insights
	Email     bool
	Outcomes  []outcomeRow
	Kinds     []kindRow
	Attention []actions.Result
	More      int
	Generated time.Time
}

type outcomeRow struct {
	Outcome actions.Outcome
	Steps   int
}

type kindRow struct {
	Kind  actions.StepKind
	Steps int
}

// maxAttention bounds the steps the page lists by name.
const maxAttention = 100

func newPage(r *Report, email bool) page {
	p := page{R: r, In: r.Insights, Email: email, Generated: r.Finished}
	for _, o := range r.Outcomes() {
		p.Outcomes = append(p.Outcomes, outcomeRow{o, r.Counts[o]})
	}
	kinds := map[actions.StepKind]int{}
	for _, res := range r.Results {
		kinds[res.Step.Kind]++
	}
	for k, n := range kinds {
		p.Kinds = append(p.Kinds, kindRow{k, n})
	}
	slices.SortFunc(p.Kinds, func(a, b kindRow) int { return a.Kind.Order() - b.Kind.Order() })
	p.Attention = r.failures()
	if len(p.Attention) > maxAttention {
		p.More = len(p.Attention) - maxAttention
		p.Attention = p.Attention[:maxAttention]
	}
	return p
}

// WriteHTML writes the HTML report of r: a self-contained page — no
// script, no external style sheet, font or image — with the run's
// outcomes and, when r.Insights is set, the insights with their charts as
// inline SVG. It opens offline, and is well-formed XML too.
func WriteHTML(w io.Writer, r *Report) error {
	return pageTemplate.Execute(w, newPage(r, false))
}

// emailHTML is the page for email: the same, with each chart as an
// <img> of its PNG, referenced by Content-ID "<chart id>.png".
func emailHTML(r *Report) ([]byte, error) {
	var b bytes.Buffer
	err := pageTemplate.Execute(&b, newPage(r, true))
	return b.Bytes(), err
}

// HTML is the HTML report sink: each report replaces the page at Path
// (written whole, then renamed), or is written to W.
type HTML struct {
	mu   sync.Mutex
	Path string
	W    io.Writer
}

// Name returns "html" and the page's path.
func (s *HTML) Name() string {
	if s.Path != "" {
		return "html " + s.Path
	}
	return "html"
}

// Write writes the page.
func (s *HTML) Write(_ context.Context, r *Report) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Path == "" {
		return WriteHTML(s.W, r)
	}
	return createFile(s.Path, func(w io.Writer) error { return WriteHTML(w, r) })
}
