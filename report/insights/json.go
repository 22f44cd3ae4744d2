package insights

import (
	"encoding/json"
	"io"
	"time"
)

// JSON is the one JSON shape of insights: what the CLI's
// 'insights --output json' prints and the server's GET /api/v1/insights
// answers (both through [WriteJSON]). Charts are listed by id, title and
// description; their images are in the HTML report.
type JSON struct {
	Site       string      `json:"site"`
	Now        time.Time   `json:"now"`
	RecentDays int         `json:"recentDays"`
	Summary    JSONSummary `json:"summary"`
	// Recommendations are what an admin can do, most pressing first.
	Recommendations []JSONRecommendation `json:"recommendations"`
	// SeatsFromSite says whether the licences' seats are the site's own
	// numbers (else counted from the users).
	SeatsFromSite bool           `json:"seatsFromSite"`
	Levels        []JSONLevel    `json:"levels"`
	Recency       []JSONRecency  `json:"recency"`
	Licences      []JSONLicence  `json:"licences"`
	Simulation    *JSONSimulated `json:"simulation,omitempty"`
	Charts        []JSONChart    `json:"charts"`
}

// JSONSummary counts the site's people now.
type JSONSummary struct {
	Total         int            `json:"total"`
	Active        int            `json:"active"`
	Inactive      int            `json:"inactive"`
	NeverLoggedIn int            `json:"neverLoggedIn"`
	LoginUnknown  int            `json:"loginUnknown"`
	LastLogin     map[string]int `json:"lastLogin"`
	Licensed      map[string]int `json:"licensed"`
}

// JSONRecommendation is one recommendation (see [Recommendation]).
type JSONRecommendation struct {
	Kind        string `json:"kind"`
	Application string `json:"application,omitempty"`
	Users       int    `json:"users"`
	Text        string `json:"text"`
}

// JSONLevel is one week of the levels chart.
type JSONLevel struct {
	Week        time.Time `json:"week"`
	Recent      int       `json:"recent"`
	NotRecent   int       `json:"notRecent"`
	Never       int       `json:"never"`
	Unknown     int       `json:"unknown"`
	FromHistory bool      `json:"fromHistory"`
}

// JSONRecency is one bar of the login-recency histogram.
type JSONRecency struct {
	Label string `json:"label"`
	Users int    `json:"users"`
}

// JSONLicence is a licence's seats against its tier, with the sentence the
// report prints.
type JSONLicence struct {
	Application string `json:"application"`
	Used        int    `json:"used"`
	Limit       int    `json:"limit"`
	Tier        int    `json:"tier"`
	Headroom    int    `json:"headroom"`
	Freed       int    `json:"freed"`
	UsedAfter   int    `json:"usedAfter"`
	TierAfter   int    `json:"tierAfter"`
	Indicative  bool   `json:"indicative"`
	Sentence    string `json:"sentence"`
}

// JSONSimulated is the simulation of a policy over the past year.
type JSONSimulated struct {
	Policy      string         `json:"policy"`
	Deactivated int            `json:"deactivated"`
	Points      []JSONSimPoint `json:"points"`
}

// JSONSimPoint is one week of the simulation.
type JSONSimPoint struct {
	Week       time.Time `json:"week"`
	Actual     int       `json:"actual"`
	WithPolicy int       `json:"withPolicy"`
}

// JSONChart names a chart of the report.
type JSONChart struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Alt   string `json:"alt"`
}

// ToJSON returns in in its JSON shape.
func (in *Insights) ToJSON() JSON {
	s := in.Summary
	out := JSON{Site: in.Site, Now: in.Now, RecentDays: in.RecentDays,
		Summary: JSONSummary{Total: s.Total, Active: s.Active, Inactive: s.Inactive, NeverLoggedIn: s.NeverLoggedIn,
			LoginUnknown: s.LoginUnknown, LastLogin: orEmpty(s.LastLogin), Licensed: orEmpty(s.Licensed)},
		Levels: []JSONLevel{}, Recency: []JSONRecency{}, Licences: []JSONLicence{}, Charts: []JSONChart{},
		Recommendations: []JSONRecommendation{}, SeatsFromSite: in.SeatsFromSite}
	for _, r := range in.Recommendations {
		out.Recommendations = append(out.Recommendations, JSONRecommendation(r))
	}
	for _, l := range in.Levels {
		out.Levels = append(out.Levels, JSONLevel(l))
	}
	for _, r := range in.Recency {
		out.Recency = append(out.Recency, JSONRecency(r))
	}
	for _, l := range in.Licences {
		out.Licences = append(out.Licences, JSONLicence{Application: l.Application, Used: l.Used, Limit: l.Limit, Tier: l.Tier,
			Headroom: l.Headroom, Freed: l.Freed, UsedAfter: l.UsedAfter, TierAfter: l.TierAfter, Indicative: l.Indicative, Sentence: l.Sentence()})
	}
	if sim := in.Simulation; sim != nil {
		js := &JSONSimulated{Policy: sim.Policy, Deactivated: sim.Deactivated, Points: []JSONSimPoint{}}
		for _, p := range sim.Points {
			js.Points = append(js.Points, JSONSimPoint(p))
		}
		out.Simulation = js
	}
	for _, c := range in.Charts {
		out.Charts = append(out.Charts, JSONChart{ID: c.ID, Title: c.Title, Alt: c.Alt})
	}
	return out
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// WriteJSON writes in as indented JSON in its one shape ([JSON]), without
// HTML escaping (a "&&" stays "&&").
func WriteJSON(w io.Writer, in *Insights) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(in.ToJSON())
}
