package insights_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/insights"
)

// site returns active jira-software users: recent logged in 10 days ago,
// stale 200 days ago, never never (created a year ago), unknown without a
// known last login.
func site(now time.Time, recent, stale, never, unknown int) []jira.User {
	var out []jira.User
	add := func(n int, last jira.LastLogin, prefix string) {
		for i := range n {
			out = append(out, jira.User{Key: fmt.Sprintf("%s%d", prefix, i), Name: fmt.Sprintf("%s%d", prefix, i), Active: true,
				Created: now.AddDate(-1, 0, 0), LastLogin: last, Licences: []string{"jira-software"}})
		}
	}
	add(recent, jira.LoggedInAt(now.AddDate(0, 0, -10)), "r")
	add(stale, jira.LoggedInAt(now.AddDate(0, 0, -200)), "s")
	add(never, jira.LastLogin{Known: true}, "n")
	add(unknown, jira.LastLogin{}, "u")
	return out
}

func kinds(rs []insights.Recommendation) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Kind)
	}
	return out
}

// TestRecommendations: the recommendations say in words what the numbers
// allow: a tier drop when deactivating the inactive users reaches a lower
// tier, the seats freed and how many more a drop needs when it does not,
// a licence over its seats, accounts never used, unknown logins, and the
// simulation — each computed from the users, never a fixed text.
func TestRecommendations(t *testing.T) {
	t.Parallel()
	// 472 recent + 148 stale = 620 seats: the 1,000-user DC tier; without
	// the stale ones 472, the 500-user tier.
	in, err := insights.New(t.Context(), insights.Options{Site: "https://jira.example.com", Flavor: jira.DataCenter, Now: t0,
		Users: site(t0, 472, 148, 0, 0)})
	require.NoError(t, err)
	require.NotEmpty(t, in.Recommendations)
	r := in.Recommendations[0]
	assert.Equal(t, insights.RecommendTierDrop, r.Kind)
	assert.Equal(t, 148, r.Users)
	assert.Equal(t, "Deactivating the 148 users inactive for 90+ days drops jira-software from the 1,000-user tier to the 500-user tier. (Indicative tiers: check your quote.)", r.Text)
	assert.Contains(t, kinds(in.Recommendations), insights.RecommendSimulation, "the default simulation is recommended from")
	require.NotNil(t, in.Simulation, "a simulation by default")
	assert.Equal(t, 148, in.Simulation.Deactivated)

	// 500 recent + 100 stale: 500 left fills the 500-user tier exactly
	// (a drop); 501 recent does not, and says how many more.
	in, err = insights.New(t.Context(), insights.Options{Now: t0, Flavor: jira.DataCenter, Users: site(t0, 530, 100, 0, 0), NoSimulation: true})
	require.NoError(t, err)
	require.Len(t, in.Recommendations, 1)
	assert.Equal(t, insights.RecommendFreeSeats, in.Recommendations[0].Kind)
	assert.Equal(t, "Deactivating the 100 users inactive for 90+ days frees 100 jira-software seats: 470 to spare in the 1,000-user tier. The 500-user tier needs 30 fewer users. (Indicative tiers: check your quote.)",
		in.Recommendations[0].Text)
	assert.Nil(t, in.Simulation)

	// The site's licence of 600 seats, 630 used: over the limit first.
	own, err := insights.NewTierTable("ours", []int{500, 600, 1000})
	require.NoError(t, err)
	in, err = insights.New(t.Context(), insights.Options{Now: t0, Flavor: jira.Cloud, Users: site(t0, 500, 100, 20, 10), Tiers: &own,
		Seats: []insights.Seats{{Application: "jira-software", Used: 630, Limit: 600}}})
	require.NoError(t, err)
	assert.Equal(t, []string{insights.RecommendOverLimit, insights.RecommendNeverLogged, insights.RecommendUnknownLogin, insights.RecommendSimulation},
		kinds(in.Recommendations))
	assert.Equal(t, "jira-software uses 630 seats of its 600-seat licence. Deactivating the 120 users inactive for 90+ days brings it to 510.",
		in.Recommendations[0].Text)
	assert.Equal(t, 20, in.Recommendations[1].Users)
	assert.Equal(t, "20 active users never logged in although created more than 30 days ago: deactivating them frees their seats. 20 of them were created more than 90 days ago and are among the users inactive for 90+ days.",
		in.Recommendations[1].Text, "the overlap with the inactive users is said")
	assert.Contains(t, in.Recommendations[2].Text, "10 active users is unknown")
	assert.Contains(t, in.Recommendations[2].Text, "orgId", "Cloud's way to learn last logins")
	assert.True(t, in.SeatsFromSite)

	// The same facts in the JSON and the page.
	js := in.ToJSON()
	require.Len(t, js.Recommendations, len(in.Recommendations))
	assert.Equal(t, in.Recommendations[0].Text, js.Recommendations[0].Text)
	assert.True(t, js.SeatsFromSite)
	page, err := in.PageHTML()
	require.NoError(t, err)
	assert.Contains(t, string(page), `<section id="recommendations">`)
	assert.Contains(t, string(page), "brings it to 510.")
	assert.Contains(t, string(page), "Seats as the site reports them")
	assert.Contains(t, in.Text(), "brings it to 510.")
}

// TestSiteSeatsBothFlavours: the licences' seats are the site's own on
// both flavours (the fake's application roles), so the insights say "of
// 2,000" where the site's licence has 2,000 seats, not the tier the
// users counted would give.
func TestSiteSeatsBothFlavours(t *testing.T) {
	t.Parallel()
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 300, Now: t0})
			org.Seats["jira-software"] = 2000
			fake := jiratest.NewServer(t, jiratest.WithOrg(org), jiratest.WithFlavor(f))
			cr := fake.Credentials()
			var c jira.Site
			var err error
			if f == jira.Cloud {
				c, err = cloud.New(fake.URL, cloud.APITokenAuth(cr.CloudEmail, jira.Secret(cr.CloudToken)), cloud.WithTransport(fake.Transport()))
			} else {
				c, err = datacenter.New(fake.URL, datacenter.TokenAuth(jira.Secret(cr.DCToken)), datacenter.WithTransport(fake.Transport()))
			}
			require.NoError(t, err)
			seats, err := insights.SiteSeats(t.Context(), c)
			require.NoError(t, err)
			var sw *insights.Seats
			for i := range seats {
				if seats[i].Application == "jira-software" {
					sw = &seats[i]
				}
			}
			require.NotNil(t, sw, "jira-software in %v", seats)
			assert.Equal(t, 2000, sw.Limit)
			used, _ := fake.SeatsUsed("jira-software")
			assert.Equal(t, used, sw.Used)

			in, err := insights.New(t.Context(), insights.Options{Flavor: f, Now: t0, Seats: seats, NoSimulation: true})
			require.NoError(t, err)
			var line string
			for _, l := range in.Licences {
				if l.Application == "jira-software" {
					line = l.Sentence()
				}
			}
			assert.True(t, strings.HasSuffix(line, fmt.Sprintf("%s of 2,000 seats used, %s to spare.", thousandsOf(used), thousandsOf(2000-used))), line)
		})
	}
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	if len(s) > 3 {
		return s[:len(s)-3] + "," + s[len(s)-3:]
	}
	return s
}
