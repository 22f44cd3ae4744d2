package insights

import (
	"bytes"
	"fmt"
	"image/color"
	"regexp"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart is one rendered chart: SVG for the HTML page, PNG (when asked
// for) for email, where SVG is not shown by most mail clients.
type Chart struct {
	// ID names the chart: "levels", "licences", "recency", "simulation".
	ID    string
	Title string
	// Alt describes the chart in words, for readers without images.
	Alt string
	// SVG is an <svg> element (no XML prolog) that scales to its
	// container.
	SVG []byte
	PNG []byte
}

// The palette: TechTime's convention for user levels (green recent,
// purple not for a while, red never), grey for unknown.
var (
	colRecent    = color.RGBA{0x2e, 0x9e, 0x5b, 0xff}
	colNotRecent = color.RGBA{0x8e, 0x5b, 0xc9, 0xff}
	colNever     = color.RGBA{0xd6, 0x45, 0x45, 0xff}
	colUnknown   = color.RGBA{0xa0, 0xa0, 0xa0, 0xff}
	colBlue      = color.RGBA{0x2f, 0x6f, 0xd0, 0xff}
	colLight     = color.RGBA{0xc8, 0xd6, 0xee, 0xff}
	colOrange    = color.RGBA{0xf0, 0x8c, 0x2a, 0xff}
)

const chartW, chartH = 16 * vg.Centimeter, 8 * vg.Centimeter

// newPlot returns a plot whose text is in Liberation Sans (metric-
// compatible with Arial, which the SVG names as a fallback).
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	sans := func(s *plotTextStyle) { s.Font.Variant = "Sans" }
	sans(&p.Title.TextStyle)
	sans(&p.X.Label.TextStyle)
	sans(&p.Y.Label.TextStyle)
	sans(&p.X.Tick.Label)
	sans(&p.Y.Tick.Label)
	sans(&p.Legend.TextStyle)
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.Y.Tick.Marker = countTicks{}
	p.Add(plotter.NewGrid())
	return p
}

// countTicks labels a count axis with whole numbers: 1,500, not 1500.00.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	out := ticks[:0]
	for _, t := range ticks {
		if t.Value != float64(int(t.Value)) {
			continue // no half users
		}
		if t.Label != "" {
			t.Label = thousands(int(t.Value))
		}
		out = append(out, t)
	}
	return out
}

type plotTextStyle = draw.TextStyle

// timeTicks labels a time axis with months, or days for short spans.
func timeTicks(from, to time.Time) plot.TimeTicks {
	if to.Sub(from) < 60*24*time.Hour {
		return plot.TimeTicks{Format: "2 Jan"}
	}
	return plot.TimeTicks{Format: "Jan 2006", Ticker: monthTicker{}}
}

// monthTicker puts a tick on the first of every month, labelled on a few.
type monthTicker struct{}

func (monthTicker) Ticks(min, max float64) []plot.Tick {
	from, to := time.Unix(int64(min), 0).UTC(), time.Unix(int64(max), 0).UTC()
	months := int(to.Sub(from).Hours()/24/30) + 1
	every := max1(months / 6)
	var out []plot.Tick
	t := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if t.Before(from) {
		t = t.AddDate(0, 1, 0)
	}
	// A label centred on a tick near either end would stick out of the
	// chart: those ticks stay unlabelled.
	edge := to.Sub(from) / 25
	for i := 0; !t.After(to); i, t = i+1, t.AddDate(0, 1, 0) {
		tick := plot.Tick{Value: float64(t.Unix())}
		if (int(t.Month())-1)%every == 0 && t.Sub(from) > edge && to.Sub(t) > edge {
			tick.Label = t.Format("Jan 2006")
		}
		out = append(out, tick)
	}
	return out
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// render draws the insights' charts.
func (in *Insights) render(png bool) ([]Chart, error) {
	var out []Chart
	add := func(id, title, alt string, p *chart) error {
		c := Chart{ID: id, Title: title, Alt: alt}
		var err error
		if c.SVG, err = renderSVG(p); err != nil {
			return fmt.Errorf("insights: chart %s: %w", id, err)
		}
		if png {
			if c.PNG, err = renderPNG(p); err != nil {
				return fmt.Errorf("insights: chart %s: %w", id, err)
			}
		}
		out = append(out, c)
		return nil
	}
	if len(in.Levels) > 0 {
		if err := add("levels", "User levels over time", in.levelsAlt(), in.levelsPlot()); err != nil {
			return nil, err
		}
	}
	if len(in.Licences) > 0 {
		p, err := in.licencesPlot()
		if err != nil {
			return nil, err
		}
		if err := add("licences", "Licences and tiers", in.licencesAlt(), p); err != nil {
			return nil, err
		}
	}
	p, err := in.recencyPlot()
	if err != nil {
		return nil, err
	}
	if err := add("recency", "Last login", in.recencyAlt(), p); err != nil {
		return nil, err
	}
	if in.Simulation != nil {
		if err := add("simulation", "Simulation", in.simulationAlt(), in.simulationPlot()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (in *Insights) levelsPlot() *chart {
	p := newChart(fmt.Sprintf("Active users by last login (recent: within %d days)", in.RecentDays), "week", "active users")
	first, last := in.Levels[0].Week, in.Levels[len(in.Levels)-1].Week
	p.X.Tick.Marker = timeTicks(first, last)
	type layer struct {
		name string
		col  color.Color
		val  func(Level) int
	}
	layers := []layer{
		{"recently", colRecent, func(l Level) int { return l.Recent }},
		{"not for a while", colNotRecent, func(l Level) int { return l.NotRecent }},
		{"never", colNever, func(l Level) int { return l.Never }},
	}
	hasUnknown := false
	for _, l := range in.Levels {
		hasUnknown = hasUnknown || l.Unknown > 0
	}
	if hasUnknown {
		layers = append(layers, layer{"unknown", colUnknown, func(l Level) int { return l.Unknown }})
	}
	// Stacked areas: draw the running totals from the top layer down,
	// each filled to the axis, so each band shows one layer.
	lines := make([]*plotter.Line, len(layers))
	for i := range layers {
		pts := make(plotter.XYs, len(in.Levels))
		for k, l := range in.Levels {
			sum := 0
			for _, ly := range layers[:i+1] {
				sum += ly.val(l)
			}
			pts[k] = plotter.XY{X: float64(l.Week.Unix()), Y: float64(sum)}
		}
		ln, _ := plotter.NewLine(pts)
		ln.FillColor = layers[i].col
		ln.LineStyle.Width = vg.Points(0.5)
		ln.LineStyle.Color = color.White
		lines[i] = ln
	}
	for i := len(lines) - 1; i >= 0; i-- {
		p.Add(lines[i])
	}
	for i := range layers { // in the order of the bands, bottom first
		p.legend(layers[i].name, lines[i])
	}
	// Mark where history begins.
	for _, l := range in.Levels {
		if l.FromHistory {
			x := float64(l.Week.Unix())
			top := float64(l.Active())
			ln, _ := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: top}})
			ln.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
			ln.LineStyle.Color = color.Black
			p.Add(ln)
			p.legend("first snapshot (before: reconstructed)", ln)
			break
		}
	}
	p.Y.Min = 0
	top := 0
	for _, l := range in.Levels {
		top = max(top, l.Active())
	}
	p.Y.Max = headroom(top)
	return p
}

// headroom returns the top of a count axis whose highest value is top:
// a little above, so a line at the top is not drawn on the frame.
func headroom(top int) float64 { return max(float64(top)*1.06, 1) }

func (in *Insights) levelsAlt() string {
	l := in.Levels[len(in.Levels)-1]
	f := in.Levels[0]
	return fmt.Sprintf("Weekly active users from %s to %s: now %d recently, %d not for a while, %d never logged in (was %d, %d, %d).",
		f.Week.Format(time.DateOnly), l.Week.Format(time.DateOnly), l.Recent, l.NotRecent, l.Never, f.Recent, f.NotRecent, f.Never)
}

func (in *Insights) licencesPlot() (*chart, error) {
	p := newChart("Seats per application against the licence tier", "", "seats")
	n := len(in.Licences)
	used, after, tier := make(plotter.Values, n), make(plotter.Values, n), make(plotter.Values, n)
	names := make([]string, n)
	anyFreed := false
	for i, l := range in.Licences {
		used[i], after[i], tier[i] = float64(l.Used), float64(l.UsedAfter), float64(l.Tier)
		names[i] = l.Application
		anyFreed = anyFreed || l.Freed > 0
	}
	w := vg.Points(22)
	bt, err := plotter.NewBarChart(tier, w)
	if err != nil {
		return nil, err
	}
	bt.Color, bt.LineStyle.Width = colLight, 0
	bu, err := plotter.NewBarChart(used, w)
	if err != nil {
		return nil, err
	}
	bu.Color, bu.LineStyle.Width = colBlue, 0
	bars := []*plotter.BarChart{bt, bu}
	p.legend("licence tier", bt)
	p.legend("seats used", bu)
	if anyFreed {
		ba, err := plotter.NewBarChart(after, w)
		if err != nil {
			return nil, err
		}
		ba.Color, ba.LineStyle.Width = colOrange, 0
		bars = append(bars, ba)
		p.legend("after the plan", ba)
	}
	for i, b := range bars {
		b.Offset = w * vg.Length(float64(i)-float64(len(bars)-1)/2)
		p.Add(b)
	}
	p.NominalX(names...)
	// Each category's bars are inside the frame: half a category of
	// margin on each side, whatever the number of applications.
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min = 0
	return p, nil
}

func (in *Insights) licencesAlt() string {
	parts := make([]string, len(in.Licences))
	for i, l := range in.Licences {
		parts[i] = l.Sentence()
	}
	return strings.Join(parts, " ")
}

func (in *Insights) recencyPlot() (*chart, error) {
	p := newChart("Active users by last login", "last login", "active users")
	vals := make(plotter.Values, len(in.Recency))
	names := make([]string, len(in.Recency))
	for i, b := range in.Recency {
		vals[i], names[i] = float64(b.Users), b.Label
	}
	bc, err := plotter.NewBarChart(vals, vg.Points(30))
	if err != nil {
		return nil, err
	}
	bc.Color, bc.LineStyle.Width = colBlue, 0
	p.Add(bc)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(vals))-0.5
	p.Y.Min = 0
	return p, nil
}

func (in *Insights) recencyAlt() string {
	parts := make([]string, len(in.Recency))
	for i, b := range in.Recency {
		parts[i] = fmt.Sprintf("%s: %d", b.Label, b.Users)
	}
	return "Active users by last login — " + strings.Join(parts, ", ") + "."
}

func (in *Insights) simulationPlot() *chart {
	s := in.Simulation
	name := s.Policy
	if name == "" {
		name = "the policy"
	}
	p := newChart("Active users over the past year, had the policy run weekly", "week", "active users")
	p.X.Tick.Marker = timeTicks(s.Points[0].Week, s.Points[len(s.Points)-1].Week)
	actual, with := make(plotter.XYs, len(s.Points)), make(plotter.XYs, len(s.Points))
	for i, pt := range s.Points {
		x := float64(pt.Week.Unix())
		actual[i] = plotter.XY{X: x, Y: float64(pt.Actual)}
		with[i] = plotter.XY{X: x, Y: float64(pt.WithPolicy)}
	}
	la, _ := plotter.NewLine(actual)
	la.LineStyle.Width, la.LineStyle.Color = vg.Points(2), colBlue
	lw, _ := plotter.NewLine(with)
	lw.LineStyle.Width, lw.LineStyle.Color = vg.Points(2), colOrange
	p.Add(la, lw)
	p.legend("actual (reconstructed)", la)
	p.legend("with "+name, lw)
	p.Y.Min = 0
	top := 0
	for _, pt := range s.Points {
		top = max(top, pt.Actual, pt.WithPolicy)
	}
	p.Y.Max = headroom(top)
	return p
}

func (in *Insights) simulationAlt() string {
	s := in.Simulation
	last := s.Points[len(s.Points)-1]
	return fmt.Sprintf("Had the policy run weekly for the past year it would have deactivated %d users: %d active users today instead of %d.",
		s.Deactivated, last.WithPolicy, last.Actual)
}

var (
	svgProlog = regexp.MustCompile(`(?s)^<\?xml[^>]*\?>\s*(<!--.*?-->\s*)?`)
	svgSize   = regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`)
)

// renderSVG draws p as an <svg> element that scales to its container.
func renderSVG(p *chart) ([]byte, error) {
	c := vgsvg.New(chartW, p.height(chartW))
	p.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	b := svgProlog.ReplaceAll(buf.Bytes(), nil)
	b = svgSize.ReplaceAll(b, []byte(`<svg role="img" width="100%" preserveAspectRatio="xMidYMid meet"`))
	// The text was measured in Liberation Sans; name it, then its
	// metric-compatible fallbacks, so no font has to be fetched.
	b = bytes.ReplaceAll(b, []byte("font-family:Liberation Sans;font-variant:normal"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;font-variant:normal"))
	return b, nil
}

// renderPNG draws p as a PNG at 2× for sharp text on high-density screens.
func renderPNG(p *chart) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(chartW, p.height(chartW)), vgimg.UseDPI(144), vgimg.UseBackgroundColor(color.White))
	p.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
