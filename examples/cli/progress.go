package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// Progress output, on stderr:
//   - on a terminal, a bar redrawn in place (at most every barEvery),
//     cleared before anything is written to stdout;
//   - elsewhere (a pipe, a file, a CI log), a plain line every
//     lineEvery: what the command did so far, the requests sent, the
//     achieved rate and the limit, and the ETA when the total is known;
//   - a summary line at the end of a command that ran for lineEvery or
//     longer, or that applied changes.
//
// --quiet silences all three.
const (
	barEvery         = 100 * time.Millisecond
	defaultLineEvery = 5 * time.Second
	rateWindow       = 2 * time.Second
)

// meter is one command's progress on stderr. It is safe for concurrent
// use: the manager reports from its workers.
type meter struct {
	w     io.Writer
	tty   bool
	quiet bool
	every time.Duration // period of the plain lines

	mu         sync.Mutex
	start      time.Time
	stage      string
	stageStart time.Time
	done       int
	total      int
	drawn      bool      // a bar is on the terminal's last line
	lastDraw   time.Time // when the bar was last drawn
	lastLine   time.Time // when the last plain line was printed
	summarize  bool      // print the summary however short the command was
	clients    []usermgmt.Client
	stop       chan struct{} // ends the ticker; nil before the first update

	// The achieved rate is measured over windows of at least rateWindow
	// (from one plain line to the next): the rate of a burst at the start
	// does not linger in it.
	winStart time.Time
	winReqs  int64
	winRate  float64 // the last full window's rate; valid when winFull
	winFull  bool
}

func newMeter(w io.Writer, tty, quiet bool, every time.Duration) *meter {
	if every <= 0 {
		every = defaultLineEvery
	}
	now := time.Now()
	return &meter{w: w, tty: tty, quiet: quiet, every: every, start: now, lastLine: now}
}

// track adds a client whose requests and rate limit the lines show.
func (m *meter) track(c usermgmt.Client) {
	if m == nil || c == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.clients {
		if t == c {
			return
		}
	}
	m.clients = append(m.clients, c)
}

// update says how far the command is: done of total (0: unknown) in
// stage, e.g. "snapshot" or "apply".
func (m *meter) update(stage string, done, total int) {
	if m == nil || m.quiet {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if stage != m.stage {
		m.stage, m.stageStart = stage, now
	}
	m.done, m.total = done, total
	if m.stop == nil {
		// Between updates (a long walk of groups yields no user for a
		// while) the ticker keeps the lines coming.
		m.stop = make(chan struct{})
		go m.tick(m.stop)
	}
	m.showLocked(now)
}

// showLocked draws the bar or prints a plain line when it is time to.
func (m *meter) showLocked(now time.Time) {
	switch {
	case m.tty && now.Sub(m.lastDraw) >= barEvery:
		m.lastDraw, m.drawn = now, true
		fmt.Fprint(m.w, "\r\033[K"+m.bar(now))
	case !m.tty && now.Sub(m.lastLine) >= m.every:
		m.lastLine = now
		fmt.Fprintf(m.w, "%s: %s\n", prog, m.line(now))
	}
}

// tick shows the progress every m.every until stop is closed.
func (m *meter) tick(stop chan struct{}) {
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			m.mu.Lock()
			// The bar is redrawn by the updates; the ticker redraws
			// only one that no update has redrawn for a period.
			if !m.tty || now.Sub(m.lastDraw) >= m.every {
				m.showLocked(now)
			}
			m.mu.Unlock()
		}
	}
}

// clear removes the bar from the terminal, before stdout is written.
func (m *meter) clear() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearLocked()
}

func (m *meter) clearLocked() {
	if m.drawn {
		fmt.Fprint(m.w, "\r\033[K")
		m.drawn = false // redrawn by the next update at least barEvery after the last draw
	}
}

// finish clears the bar and prints the summary line of a long command or
// of one that applied changes.
func (m *meter) finish() {
	if m == nil || m.quiet {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stop != nil {
		close(m.stop)
		m.stop = nil
	}
	m.clearLocked()
	now := time.Now()
	if !m.summarize && now.Sub(m.start) < m.every {
		return
	}
	reqs, st, ok := m.rate()
	if !ok {
		return
	}
	elapsed := now.Sub(m.start)
	fmt.Fprintf(m.w, "%s: %d requests in %s (%.1f req/s); rate limit %s\n",
		prog, reqs, elapsed.Round(100*time.Millisecond), perSecond(reqs, elapsed), st)
}

// rate sums the tracked clients' requests and returns the first one's
// rate limit; ok is false when no client says.
func (m *meter) rate() (requests int64, first jira.RateStatus, ok bool) {
	for _, c := range m.clients {
		st, known := usermgmt.RateStatusOf(c)
		if !known {
			continue
		}
		if !ok {
			first, ok = st, true
		}
		requests += st.Requests
	}
	return requests, first, ok
}

// line is a plain progress line: "apply: 120/500 users, 260 requests,
// 49.8 req/s (limit 50 req/s, burst 100 (server)), ETA 8s".
func (m *meter) line(now time.Time) string {
	var b strings.Builder
	b.WriteString(m.stage + ": ")
	if m.total > 0 {
		fmt.Fprintf(&b, "%d/%d users", m.done, m.total)
	} else {
		fmt.Fprintf(&b, "%d users", m.done)
	}
	if reqs, st, ok := m.rate(); ok {
		fmt.Fprintf(&b, ", %d requests, %.1f req/s (limit %s)", reqs, m.recentRate(now, reqs), st)
	}
	if eta, ok := m.eta(now); ok {
		fmt.Fprintf(&b, ", ETA %s", eta)
	}
	return b.String()
}

// bar is the terminal's progress bar.
func (m *meter) bar(now time.Time) string {
	var b strings.Builder
	if m.total > 0 {
		const width = 30
		n := width * min(m.done, m.total) / m.total
		fmt.Fprintf(&b, "%-8s [%s%s] %d/%d", m.stage, strings.Repeat("#", n), strings.Repeat(".", width-n), m.done, m.total)
	} else {
		fmt.Fprintf(&b, "%-8s %d users", m.stage, m.done)
	}
	if reqs, _, ok := m.rate(); ok {
		fmt.Fprintf(&b, "  %d req, %.1f/s", reqs, m.recentRate(now, reqs))
	}
	if eta, ok := m.eta(now); ok {
		fmt.Fprintf(&b, "  ETA %s", eta)
	}
	return b.String()
}

// recentRate is the achieved rate over the current window, or the last
// full window's while the current one is under a second old.
func (m *meter) recentRate(now time.Time, reqs int64) float64 {
	if m.winStart.IsZero() {
		m.winStart = m.start
	}
	d := now.Sub(m.winStart)
	switch {
	case d >= rateWindow:
		m.winRate, m.winFull = perSecond(reqs-m.winReqs, d), true
		m.winStart, m.winReqs = now, reqs
		return m.winRate
	case m.winFull && d < time.Second:
		return m.winRate
	}
	return perSecond(reqs-m.winReqs, d)
}

// eta extrapolates the stage's pace to its total.
func (m *meter) eta(now time.Time) (time.Duration, bool) {
	spent := now.Sub(m.stageStart)
	if m.total <= 0 || m.done <= 0 || m.done >= m.total || spent <= 0 {
		return 0, false
	}
	left := time.Duration(float64(spent) * float64(m.total-m.done) / float64(m.done))
	return left.Round(time.Second), true
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// clearingWriter is stdout on a terminal whose stderr shows a bar: it
// clears the bar before each write, so that output never lands after
// it on the same line.
type clearingWriter struct {
	w io.Writer
	m *meter
}

func (c clearingWriter) Write(p []byte) (int, error) {
	c.m.clear()
	return c.w.Write(p)
}

// summarizeAlways makes finish print the summary line however short the
// command was (an apply's requests and rate limit are worth a line).
func (m *meter) summarizeAlways() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.summarize = true
	m.mu.Unlock()
}
