package insights

import (
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TestLegendUnderThePlot: the legend's entries are laid out in a strip of
// their own under the plot — inside the chart's width, never on top of
// each other, wrapped onto more rows when narrow — and the plot itself
// draws no legend, so no entry covers data.
func TestLegendUnderThePlot(t *testing.T) {
	t.Parallel()
	c := newChart("title", "x", "y")
	names := []string{"recently", "not for a while", "never", "unknown", "first snapshot (before: reconstructed)"}
	for _, n := range names {
		c.legend(n)
	}
	for _, width := range []vg.Length{16 * vg.Centimeter, 8 * vg.Centimeter, 3 * vg.Centimeter} {
		cells, h := c.legendLayout(width)
		if len(cells) != len(names) {
			t.Fatalf("width %v: %d cells for %d entries", width, len(cells), len(names))
		}
		rows := map[vg.Length]bool{}
		for i, r := range cells {
			rows[r.Min.Y] = true
			if r.Min.X < 0 || r.Min.Y < 0 || r.Max.Y > h || (r.Max.X > width && r.Min.X > legendMargin) {
				t.Errorf("width %v: entry %q at %v is outside the strip %v×%v", width, names[i], r, width, h)
			}
			for j := range i {
				o := cells[j]
				if r.Min.X < o.Max.X && o.Min.X < r.Max.X && r.Min.Y < o.Max.Y && o.Min.Y < r.Max.Y {
					t.Errorf("width %v: entries %q and %q overlap", width, names[j], names[i])
				}
			}
		}
		if width < 10*vg.Centimeter && len(rows) < 2 {
			t.Errorf("width %v: %d row(s), want the entries wrapped", width, len(rows))
		}
		if got := c.height(width); got != chartH+h {
			t.Errorf("width %v: chart height %v, want the plot's %v and the strip's %v", width, got, chartH, h)
		}
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	in := &Insights{RecentDays: 90, Levels: []Level{{Week: now.AddDate(0, 0, -7), Recent: 3, Never: 1}, {Week: now, Recent: 2, NotRecent: 1, FromHistory: true}}}
	p := in.levelsPlot()
	if len(p.entries) != 4 {
		t.Fatalf("the levels chart's legend has %d entries, want 4", len(p.entries))
	}
	if r := p.Plot.Legend.Rectangle(draw.Canvas{}); r.Size().Y != 0 {
		t.Errorf("the plot draws a legend of its own (%v) over its data", r)
	}
}
