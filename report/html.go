package report

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
)

//go:embed report.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"n":    thousands,
	"when": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 MST") },
}).Parse(htmlTemplate))

// page is what the template sees.
type page struct {
	R *Report
	// Insights are the sections r.Insights rendered, if any.
	Insights  template.HTML
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

func newPage(r *Report, email bool) (page, error) {
	p := page{R: r, Generated: r.Finished}
	if r.Insights != nil {
		var err error
		if email {
			p.Insights, err = r.Insights.EmailHTML()
		} else {
			p.Insights, err = r.Insights.PageHTML()
		}
		if err != nil {
			return p, fmt.Errorf("report: insights: %w", err)
		}
	}
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
	return p, nil
}

// WriteHTML writes the HTML report of r: a self-contained page — no
// script, no external style sheet, font or image — with the run's
// outcomes and, when r.Insights is set, the insights' sections with their
// charts as inline SVG. It opens offline, and is well-formed XML too.
func WriteHTML(w io.Writer, r *Report) error {
	return writeHTML(w, r, false)
}

// WriteEmailHTML writes the HTML report of r for email: the page of
// [WriteHTML], whose insights refer to their images by Content-ID (see
// [Insights.Images]) instead of holding them inline.
func WriteEmailHTML(w io.Writer, r *Report) error {
	return writeHTML(w, r, true)
}

func writeHTML(w io.Writer, r *Report, email bool) error {
	p, err := newPage(r, email)
	if err != nil {
		return err
	}
	return pageTemplate.Execute(w, p)
}

// thousands formats n with commas: 1,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	first := 1 // a comma never goes before the first digit
	if n < 0 {
		first = 2
	}
	for i := len(s) - 3; i >= first; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
