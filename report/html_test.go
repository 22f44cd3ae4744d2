package report_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html/template"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report"
)

// TestHTMLRunOnly checks the page of a run without insights: well-formed
// XML, the run's numbers and failures, user text escaped, and nothing of
// the insights.
func TestHTMLRunOnly(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, r))
	page := b.String()
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	assert.Contains(t, page, "2 applied, 1 stale, 1 failed")
	assert.Contains(t, page, "read-only directory", "failures are listed")
	assert.Contains(t, page, "&#34;http://evil.example/?x=&#34;&amp;A1", "user text is escaped")
	assert.NotContains(t, page, `<section id="users">`)
	assert.NotContains(t, page, "<svg")
}

// sections is an Insights that says which of its renderings was used.
type sections struct{ err error }

func (s sections) PageHTML() (template.HTML, error) {
	return `<section id="extra">for the page</section>`, s.err
}

func (s sections) EmailHTML() (template.HTML, error) {
	return `<section id="extra">for email <img src="cid:x.png" alt="x"/></section>`, s.err
}
func (sections) Text() string { return "a finding\n" }
func (sections) Images() []report.Image {
	return []report.Image{{Name: "x.png", ContentType: "image/png"}}
}

// TestHTMLPlacesInsights checks that the page holds the insights' page
// sections, the email page their email sections, and that an insights
// error is the page's error.
func TestHTMLPlacesInsights(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	r.Insights = sections{}
	var page, mail bytes.Buffer
	require.NoError(t, report.WriteHTML(&page, r))
	require.NoError(t, report.WriteEmailHTML(&mail, r))
	assert.Contains(t, page.String(), `<section id="extra">for the page</section>`)
	assert.NotContains(t, page.String(), "for email")
	assert.Contains(t, mail.String(), `<section id="extra">for email <img src="cid:x.png" alt="x"/></section>`)
	assert.Less(t, strings.Index(page.String(), `id="run"`), strings.Index(page.String(), `id="extra"`), "after the run")

	broken := errors.New("chart failed")
	r.Insights = sections{err: broken}
	assert.ErrorIs(t, report.WriteHTML(io.Discard, r), broken)
}
