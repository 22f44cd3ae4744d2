package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// The human-readable pages a person opens from a Jira comment, without
// the API's bearer token, through a signed expiring link (links.go):
//
//	GET /pages/plans/{id}?exp=…&sig=…     a plan: who, what, why, limits, approval
//	GET /pages/insights?site=…&exp=…&sig=… the site's insights page
//
// A missing, changed or expired link is answered 403 with a page that says
// which. The pages are plain HTML (html/template) without scripts or
// external assets.

//go:embed pages.html.tmpl
var pagesTemplate string

var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"when": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 MST") },
}).Parse(pagesTemplate))

// pageUsers is how many users a plan page lists; the plan's JSON has all.
const pageUsers = 500

// pageRoutes adds the pages' routes to mux (outside the bearer auth).
func (s *server) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /pages/plans/{id}", s.planPage)
	mux.HandleFunc("GET /pages/insights", s.insightsPage)
	// Browsers ask for it; an empty answer, not a 404 in their console.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

// planPageURL returns a signed link to the plan's page, valid for the
// configured time: what the approval issue's comment carries.
func (s *server) planPageURL(id string) string {
	return s.cfg.publicURL + "/pages/plans/" + url.PathEscape(id) + "?" + s.cfg.links.sign(linkPlan, id, s.cfg.links.expiry(), nil)
}

// insightsPageURL returns a signed link to the insights page of the site
// named (empty: the only one), valid until exp.
func (s *server) insightsPageURL(site string, exp time.Time) string {
	var extra url.Values
	if site != "" {
		extra = url.Values{"site": {site}}
	}
	return s.cfg.publicURL + "/pages/insights?" + s.cfg.links.sign(linkInsights, site, exp, extra)
}

// pageHeaders are the pages' headers: no scripts, nothing fetched, the
// link (a credential) not sent on as a referrer nor cached.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// problemPage answers code with a page saying what is wrong.
func (s *server) problemPage(w http.ResponseWriter, r *http.Request, code int, title, msg string) {
	pageHeaders(w)
	w.WriteHeader(code)
	if err := pages.ExecuteTemplate(w, "problem", map[string]string{"Title": title + " — Seatwarden", "Message": msg}); err != nil {
		s.cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "page not written", slog.String("error", err.Error()))
	}
}

// checkLink answers 403 and returns false unless the request's link is
// valid for the page kind of subject; it returns the link's expiry.
func (s *server) checkLink(w http.ResponseWriter, r *http.Request, kind, subject string) (time.Time, bool) {
	exp, err := s.cfg.links.check(kind, subject, r.URL.Query())
	if err == nil {
		return exp, true
	}
	title := "Link not valid"
	if errors.As(err, new(linkExpiredError)) {
		title = "Link expired"
	}
	// The path says which page; never the signature.
	s.cfg.log.LogAttrs(r.Context(), slog.LevelInfo, "page link refused", slog.String("path", r.URL.Path), slog.String("reason", title))
	s.problemPage(w, r, http.StatusForbidden, title, err.Error())
	return time.Time{}, false
}

// planPageView is what the plan page shows.
type planPageView struct {
	Title       string
	Rec         history.PlanRecord
	Plan        actions.Plan
	Expires     time.Time
	IssueURL    string
	InsightsURL string
	Counts      []stepCount
	Limits      []limitView
	Users       []actions.UserPlan
	More        int
	Exempt      []actions.Exempted
}

type stepCount struct {
	Kind actions.StepKind
	N    int
}

type limitView struct {
	actions.LimitCheck
	Over bool
}

// GET /pages/plans/{id}?exp=…&sig=…
func (s *server) planPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	exp, ok := s.checkLink(w, r, linkPlan, id)
	if !ok {
		return
	}
	rec, err := s.cfg.store.Plan(r.Context(), id)
	switch {
	case errors.Is(err, history.ErrNoPlan):
		s.problemPage(w, r, http.StatusNotFound, "No such plan", fmt.Sprintf("This server has no plan %s (its history may have been reset).", id))
		return
	case err != nil:
		s.problemPage(w, r, http.StatusInternalServerError, "History unavailable", "The server could not read its history; try again later.")
		return
	}
	v := planPageView{Title: fmt.Sprintf("Plan %s (%s) — Seatwarden", rec.ID, rec.Status), Rec: rec, Expires: exp}
	if err := json.Unmarshal(rec.Plan, &v.Plan); err != nil {
		s.problemPage(w, r, http.StatusInternalServerError, "Plan unreadable", "The plan in the server's history cannot be read.")
		return
	}
	if rec.IssueKey != "" && v.Plan.Site != "" {
		v.IssueURL = strings.TrimRight(v.Plan.Site, "/") + "/browse/" + url.PathEscape(rec.IssueKey)
	}
	site := ""
	if len(rec.Policies) > 0 {
		if p := s.policy(rec.Policies[0]); p != nil {
			site = p.Site
		}
	}
	v.InsightsURL = s.insightsPageURL(site, exp)
	for k, n := range v.Plan.Counts {
		v.Counts = append(v.Counts, stepCount{k, n})
	}
	slices.SortFunc(v.Counts, func(a, b stepCount) int { return cmp.Compare(a.Kind, b.Kind) })
	for _, l := range v.Plan.Limits {
		if l.MaxUsers == 0 && l.MaxPercent == 0 {
			continue // no limit of either kind
		}
		if l.Policy == "" {
			l.Policy = "(the whole plan)"
		}
		over := l.MaxUsers > 0 && l.Users > l.MaxUsers ||
			l.MaxPercent > 0 && v.Plan.ActiveUsers > 0 && float64(l.Users)*100/float64(v.Plan.ActiveUsers) > l.MaxPercent
		v.Limits = append(v.Limits, limitView{l, over})
	}
	v.Users = v.Plan.Users
	if len(v.Users) > pageUsers {
		v.Users, v.More = v.Users[:pageUsers], len(v.Users)-pageUsers
	}
	v.Exempt = v.Plan.Exempt[:min(len(v.Plan.Exempt), pageUsers)]
	pageHeaders(w)
	if err := pages.ExecuteTemplate(w, "plan", v); err != nil {
		s.cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "plan page not written", slog.String("error", err.Error()))
	}
}

// GET /pages/insights?site=NAME&exp=…&sig=…
func (s *server) insightsPage(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("site")
	if _, ok := s.checkLink(w, r, linkInsights, name); !ok {
		return
	}
	in, site, flavor, fail := s.insightsOf(r.Context(), name)
	if fail != nil {
		code, msg := fail.status()
		s.problemPage(w, r, code, "Insights unavailable", msg)
		return
	}
	rep := &report.Report{Site: site.URL, Flavor: flavor, Started: in.Now, Finished: in.Now, Insights: in, Counts: map[actions.Outcome]int{}}
	pageHeaders(w)
	if err := report.WriteHTML(w, rep); err != nil {
		s.cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "insights page not written", slog.String("error", err.Error()))
	}
}

// insightsFailure is why the insights could not be built: a bad request
// (code set) or Jira's failure at what.
type insightsFailure struct {
	code int
	what string
	err  error
}

// status returns the HTTP status and message of a page answering f.
func (f *insightsFailure) status() (int, string) {
	switch {
	case f.code != 0:
		return f.code, f.err.Error()
	case errors.Is(f.err, jira.ErrRateLimited) || errors.Is(f.err, jira.ErrRateLimitWait) || errors.Is(f.err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, f.what + ": the Jira site is busy; try again in a minute."
	}
	return http.StatusBadGateway, f.what + ": Jira failed."
}

// writeJSON answers f as the API does.
func (f *insightsFailure) writeJSON(w http.ResponseWriter) {
	if f.code != 0 {
		writeError(w, f.code, "%v", f.err)
		return
	}
	jiraFailed(w, f.what, f.err)
}

// insightsOf builds the insights of the named site (empty: the only one)
// now: its users, history and the seats the site reports.
func (s *server) insightsOf(ctx context.Context, name string) (*insights.Insights, usermgmt.Site, jira.Flavor, *insightsFailure) {
	site, err := s.siteFor(name)
	if err != nil {
		return nil, site, 0, &insightsFailure{code: http.StatusBadRequest, err: err}
	}
	snap, err := s.snapshot(ctx, site, jira.SnapshotOptions{LastLogin: true, Licences: true})
	if err != nil {
		return nil, site, 0, &insightsFailure{what: "reading the users", err: err}
	}
	c, err := s.clients.Client(ctx, site)
	if err != nil {
		return nil, site, 0, &insightsFailure{what: "connecting to the site", err: err}
	}
	now := s.cfg.now()
	label := cmp.Or(site.Name, site.URL)
	history, err := s.cfg.store.Snapshots(ctx, label, now.AddDate(-2, 0, 0), now)
	if err != nil {
		s.cfg.log.LogAttrs(ctx, slog.LevelWarn, "insights: no history", slog.String("error", err.Error()))
	}
	in, err := insights.New(ctx, insights.Options{Site: site.URL, Flavor: c.Flavor(), Now: now, Users: snap.Users, History: history,
		Seats: s.siteSeats(ctx, c)})
	if err != nil {
		return nil, site, 0, &insightsFailure{code: http.StatusInternalServerError, err: fmt.Errorf("insights: %w", err)}
	}
	return in, site, c.Flavor(), nil
}

// siteSeats returns the licences' seats as the site reports them, or nil
// (seats counted from the users) when it cannot say.
func (s *server) siteSeats(ctx context.Context, c usermgmt.Client) []insights.Seats {
	seats, err := insights.SiteSeats(ctx, c)
	if err != nil {
		s.cfg.log.LogAttrs(ctx, slog.LevelWarn, "insights: the site's licences not read; seats counted from the users", slog.String("error", err.Error()))
	}
	return seats
}
