package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium returns the path of a Chromium (or Chrome) to drive, or skips
// the test when there is none — except in CI (CI=true), where .ci/chromium
// installs it and its absence fails the test. SEATWARDEN_CHROMIUM names
// one explicitly.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SEATWARDEN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on this machine: CI installs it with .ci/chromium (apt-get install chromium)")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium, or set SEATWARDEN_CHROMIUM): the browser test is skipped")
	return ""
}

// liberationSans reports whether the browser has the font the charts'
// text was measured in (Liberation Sans, or its metric twin Arial): with
// another font, text is wider or narrower than laid out, and whether it
// stays in its frame says nothing. CI installs it (.ci/chromium).
func liberationSans(t *testing.T) bool {
	out, err := exec.Command("fc-match", "Liberation Sans").Output()
	if err == nil && (strings.Contains(string(out), "Liberation Sans") || strings.Contains(string(out), "Arial")) {
		return true
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Liberation Sans for Chromium: .ci/chromium installs fonts-liberation")
	}
	t.Log("no Liberation Sans (apt-get install fonts-liberation): the charts' frames are not checked")
	return false
}

// browser is a headless Chromium tab that records the page's console
// errors, uncaught exceptions and error entries of the browser log
// (failed loads, CSP violations).
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	b := &browser{ctx: ctx}
	messages := chromedp.Console(ctx) // starts the browser; subscribed from here on
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s (%s %s)", m, m.Source, m.URL))
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelTimeout(); <-done })
	return b
}

// open loads u and returns the errors the page's console showed.
func (b *browser) open(t *testing.T, u string) []string {
	t.Helper()
	b.mu.Lock()
	b.errors = nil
	b.mu.Unlock()
	require.NoError(t, chromedp.Do(b.ctx, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body"))))
	// Late console messages and log entries arrive after the load.
	require.NoError(t, chromedp.Do(b.ctx, chromedp.Sleep(300*time.Millisecond)))
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	require.NoError(t, err, sel)
	return s
}

func (b *browser) title(t *testing.T) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Title())
	require.NoError(t, err)
	return s
}

// chartBox is a chart as laid out: its size on the page and the drawn
// elements of it that fall outside its frame.
type chartBox struct {
	ID      string   `json:"id"`
	Width   float64  `json:"width"`
	Height  float64  `json:"height"`
	Outside []string `json:"outside"`
}

// chartsJS measures each chart (an <svg> or <img> in a figure) and lists
// the shapes drawn outside its box (a pixel of tolerance).
const chartsJS = `Array.from(document.querySelectorAll("figure")).map(f => {
  const el = f.querySelector("svg, img");
  if (!el) return {id: f.id, width: 0, height: 0, outside: ["no svg or img"]};
  const r = el.getBoundingClientRect();
  const outside = [];
  if (el.tagName.toLowerCase() === "svg") {
    el.querySelectorAll("path, rect, text, line, polyline, polygon, circle").forEach(s => {
      const b = s.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) return;
      if (b.left < r.left - 1 || b.top < r.top - 1 || b.right > r.right + 1 || b.bottom > r.bottom + 1)
        outside.push(s.tagName + " " + (s.textContent || "").trim() + " [" + [b.left, b.top, b.right, b.bottom].map(Math.round) + "] of [" + [r.left, r.top, r.right, r.bottom].map(Math.round) + "]");
    });
  }
  return {id: f.id, width: r.width, height: r.height, outside: outside};
})`

// TestPagesInABrowser opens the signed plan page and insights page of a
// running server in headless Chromium: each renders (title, key text), the
// charts are there with a size and draw inside their frames, and the
// console has no error or exception; an expired link shows the 403 page.
func TestPagesInABrowser(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	e := newEnv(t, pagesPolicy, 0)
	v := e.plan("inactive")
	link := e.pageLink(v.IssueKey)
	t.Logf("browser: %s", chromium(t))

	// The plan page, from the approval issue's comment.
	errs := b.open(t, link)
	assert.Empty(t, errs, "console errors on the plan page")
	assert.Equal(t, "Plan "+v.ID+" (pending) — Seatwarden", b.title(t))
	assert.Equal(t, "pending", b.text(t, "#status"))
	assert.Contains(t, b.text(t, "#users"), "deactivate")
	assert.Contains(t, b.text(t, "#limits"), "within")

	// The insights page, through the plan page's signed link.
	attr, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS("#insights-link"), "href"))
	require.NoError(t, err)
	href := attr.Value
	require.True(t, strings.HasPrefix(href, publicURL), href)
	errs = b.open(t, e.ts.URL+strings.TrimPrefix(href, publicURL))
	assert.Empty(t, errs, "console errors on the insights page")
	assert.Contains(t, b.title(t), "Insights of https://jira.example.com")
	assert.Equal(t, "Insights", b.text(t, "h1"))
	assert.Regexp(t, `Deactivating the \d+ users inactive for 90\+ days`, b.text(t, "#recommendations"))
	charts, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]chartBox](chartsJS))
	require.NoError(t, err)
	ids := map[string]bool{}
	metric := liberationSans(t)
	for _, c := range charts {
		ids[c.ID] = true
		assert.Greater(t, c.Width, 100.0, "%s is drawn", c.ID)
		assert.Greater(t, c.Height, 50.0, "%s is drawn", c.ID)
		if metric {
			assert.Empty(t, c.Outside, "%s draws outside its frame", c.ID)
		}
	}
	for _, id := range []string{"chart-levels", "chart-licences", "chart-recency", "chart-simulation"} {
		assert.True(t, ids[id], "%s on the page (charts: %v)", id, charts)
	}

	// An expired link: the 403 page, nothing of the plan.
	s := e.cur.Load()
	expired := e.ts.URL + "/pages/plans/" + url.PathEscape(v.ID) + "?" + s.cfg.links.sign(linkPlan, v.ID, testNow.Add(-time.Hour), nil)
	errs = b.open(t, expired)
	t.Logf("the 403 page's console: %q", errs)
	assert.Equal(t, "Link expired — Seatwarden", b.title(t))
	assert.Contains(t, b.text(t, "#problem"), "this link expired on")
	for _, m := range errs {
		assert.Contains(t, m, "403", "the only error of the 403 page is its status")
	}
	shown, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#users") !== null`))
	require.NoError(t, err)
	assert.False(t, shown, "the expired link shows no plan")
}
