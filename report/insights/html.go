package insights

import (
	"bytes"
	_ "embed"
	"html/template"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

//go:embed insights.html.tmpl
var sectionsTemplate string

// sections renders the insights' part of the report page: the users, the
// licences, the charts and the recent runs, each a <section> styled by the
// page of report.WriteHTML.
var sections = template.Must(template.New("insights").Funcs(template.FuncMap{
	"n":     thousands,
	"date":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"when":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 MST") },
	"svg":   func(b []byte) template.HTML { return template.HTML(b) }, // rendered by gonum/plot, not user text
	"count": func(m map[actions.Outcome]int, o string) int { return m[actions.Outcome(o)] },
	"notRecent": func(in *Insights) int {
		s := in.Summary
		return s.Active - s.Recent(in.RecentDays) - s.NeverLoggedIn - s.LoginUnknown
	},
}).Parse(sectionsTemplate))

// view is what the sections' template sees.
type view struct {
	*Insights
	Email bool
}

var _ report.Insights = (*Insights)(nil)

// PageHTML returns the insights' sections of the HTML report, with the
// charts as inline SVG; it makes *Insights a report.Insights.
func (in *Insights) PageHTML() (template.HTML, error) { return in.html(false) }

// EmailHTML returns the sections for email: each chart rendered as PNG
// (Options.PNG) is an <img src="cid:ID.png"> of [Insights.Images].
func (in *Insights) EmailHTML() (template.HTML, error) { return in.html(true) }

func (in *Insights) html(email bool) (template.HTML, error) {
	var b bytes.Buffer
	if err := sections.Execute(&b, view{in, email}); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // escaped by html/template
}

// Text returns the licence findings, one sentence a line (see
// [LicenceUse.Sentence]), then the recommendations.
func (in *Insights) Text() string {
	var b strings.Builder
	for _, l := range in.Licences {
		b.WriteString(l.Sentence() + "\n")
	}
	for _, r := range in.Recommendations {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// Images returns the charts rendered as PNG, named ID.png, for email.
func (in *Insights) Images() []report.Image {
	var out []report.Image
	for _, c := range in.Charts {
		if c.PNG != nil {
			out = append(out, report.Image{Name: c.ID + ".png", ContentType: "image/png", Data: c.PNG})
		}
	}
	return out
}
