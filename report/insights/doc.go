// Package insights computes what a site's users look like and renders it
// as charts with gonum.org/v1/plot (SVG for the page, PNG for email). [New]
// builds an [Insights], which a report.Report carries (it is a
// report.Insights) into the HTML page and the email:
//
//   - user levels per week — logged in recently, not for a while, never —
//     as a stacked chart: from the history where a snapshot exists,
//     reconstructed from creation and last-login dates before (see
//     [LevelAt] for what the past can and cannot tell);
//   - licences: seats used per application against the licence tier
//     ([CloudTiers], [DataCenterTiers], or your own [TierTable]), the
//     headroom, and what a plan frees: "Deactivating these 212 users drops
//     jira-software from the 1,000-user tier to the 800-user tier.";
//   - a login-recency histogram;
//   - a simulation ([Simulate]): the active users of the past year had a
//     policy — any [MatcherAt], such as a compiled criterion — run weekly;
//   - the site's recent runs, from the history.
//
// The history's summaries (report/history's Store.Snapshots) feed
// [Options.History]; this package does not import the store, so charts
// cost no SQLite.
package insights
