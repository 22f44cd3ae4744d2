package insights

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chart is a plot whose legend is drawn in a strip of its own under the
// plot, never over the data: gonum/plot draws its legend inside the data
// area, where it hides whatever is there.
type chart struct {
	*plot.Plot
	entries []legendEntry
	style   draw.TextStyle // the legend's text, as newPlot set it
}

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

func newChart(title, x, y string) *chart {
	p := newPlot(title, x, y)
	return &chart{Plot: p, style: p.Legend.TextStyle}
}

// legend adds an entry to the chart's legend.
func (c *chart) legend(name string, thumbs ...plot.Thumbnailer) {
	c.entries = append(c.entries, legendEntry{name, thumbs})
}

// The legend's geometry: a thumbnail, a space, the text, a gap to the
// next entry; rows of entries from left to right.
const (
	legendThumb  = 20 * vg.Length(1)
	legendGap    = 14 * vg.Length(1)
	legendMargin = 8 * vg.Length(1)
	legendRowGap = 4 * vg.Length(1)
	chartInset   = 4 * vg.Length(1)
)

// legendLayout places the entries in rows within width: each cell is the
// rectangle of one entry, with (0,0) the strip's top left corner and y
// growing downwards; height is the strip's height (0 without entries).
// An entry wider than a row gets a row of its own.
func (c *chart) legendLayout(width vg.Length) (cells []vg.Rectangle, height vg.Length) {
	if len(c.entries) == 0 {
		return nil, 0
	}
	sty := c.style
	space := sty.Rectangle(" ").Max.X
	rowH := sty.Rectangle("Xg").Max.Y + legendRowGap
	x, y := legendMargin, legendRowGap
	for _, e := range c.entries {
		w := legendThumb + space + sty.Rectangle(e.name).Max.X
		if x > legendMargin && x+w > width-legendMargin {
			x, y = legendMargin, y+rowH
		}
		cells = append(cells, vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + w, Y: y + rowH - legendRowGap}})
		x += w + legendGap
	}
	return cells, y + rowH
}

// height returns the chart's height at width: the plot's own height and
// the legend's strip under it.
func (c *chart) height(width vg.Length) vg.Length {
	_, h := c.legendLayout(width)
	return chartH + h
}

// draw draws the plot in the top chartH of dc and the legend under it.
func (c *chart) draw(dc draw.Canvas) {
	cells, h := c.legendLayout(dc.Max.X - dc.Min.X)
	c.Plot.Legend = plot.NewLegend() // drawn below, not over the data
	// An inset keeps the title's and labels' glyphs inside the frame
	// whatever the font's ascent in the browser.
	c.Plot.Draw(draw.Crop(dc, chartInset, -chartInset, h, -chartInset))
	top := dc.Min.Y + h // the strip's top edge (vg's y grows upwards)
	for i, e := range c.entries {
		r := cells[i]
		l := plot.NewLegend()
		l.TextStyle = c.style
		l.Top, l.Left = true, true
		l.ThumbnailWidth = legendThumb
		l.Add(e.name, e.thumbs...)
		cell := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: dc.Min.X + r.Min.X, Y: top - r.Max.Y},
			Max: vg.Point{X: dc.Min.X + r.Max.X, Y: top - r.Min.Y}}}
		l.Draw(cell)
	}
}
