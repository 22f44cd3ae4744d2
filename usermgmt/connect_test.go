package usermgmt_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

func TestConnect(t *testing.T) {
	t.Parallel()
	for _, flavor := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		for _, given := range []bool{true, false} {
			name := flavor.String() + "/detected"
			if given {
				name = flavor.String() + "/given"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				fake := jiratest.New(jiratest.WithFlavor(flavor))
				cr := fake.Credentials()
				s := usermgmt.Site{URL: fake.URL, Transport: fake.Transport(), Token: jira.Secret(cr.DCToken)}
				if flavor == jira.Cloud {
					s.User, s.Token, s.OrgID, s.OrgKey, s.AdminURL = cr.CloudEmail, jira.Secret(cr.CloudToken), cr.OrgID, jira.Secret(cr.OrgKey), fake.URL
				}
				if given {
					s.Flavor = flavor
				}
				c, err := usermgmt.Connect(t.Context(), s)
				require.NoError(t, err)
				assert.Equal(t, flavor, c.Flavor())
				me, err := c.Myself(t.Context())
				require.NoError(t, err)
				assert.True(t, me.Active)
				if given && flavor == jira.Cloud { // (the DC client reads serverInfo itself, for the version)
					assert.Zero(t, fake.Count("GET /rest/api/3/serverInfo"), "no detection when the flavour is given")
				}
			})
		}
	}
}

func TestConnectDCBasic(t *testing.T) {
	t.Parallel()
	fake := jiratest.New()
	cr := fake.Credentials()
	c, err := usermgmt.Connect(t.Context(), usermgmt.Site{URL: fake.URL, Transport: fake.Transport(), User: cr.DCUser, Token: jira.Secret(cr.DCPassword)})
	require.NoError(t, err)
	me, err := c.Myself(t.Context())
	require.NoError(t, err)
	assert.Equal(t, cr.DCUser, me.Name)
}

func TestConnectErrors(t *testing.T) {
	t.Parallel()
	notJira := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	t.Cleanup(notJira.Close)
	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"deploymentType":"Mainframe"}`))
	}))
	t.Cleanup(odd.Close)
	cases := []struct {
		name string
		site usermgmt.Site
		want string
	}{
		{"bad url", usermgmt.Site{URL: "jira.example.com", Token: "t"}, `usermgmt: site "jira.example.com": want an http or https URL such as https://jira.example.com`},
		{"no token", usermgmt.Site{URL: "https://jira.example.com"}, "usermgmt: connect: no token"},
		{"cloud without user", usermgmt.Site{URL: "https://x.atlassian.net", Flavor: jira.Cloud, Token: "t"}, "usermgmt: a Cloud site needs the account's email as the user"},
		{"cloud half admin", usermgmt.Site{URL: "https://x.atlassian.net", Flavor: jira.Cloud, User: "a@b.c", Token: "t", OrgID: "o"}, "usermgmt: the Admin API needs both the organisation id and its API key"},
		{"dc with org", usermgmt.Site{URL: "https://jira.example.com", Flavor: jira.DataCenter, Token: "t", OrgKey: "k"}, "usermgmt: an organisation (orgId, orgKey) is for Cloud sites; this one is dc"},
		{"not jira", usermgmt.Site{URL: notJira.URL, Token: "t"}, "usermgmt: detect flavor of " + notJira.URL + ": serverInfo answered 404; is this a Jira site? Give the flavor to skip detection"},
		{"unknown deployment", usermgmt.Site{URL: odd.URL, Token: "t"}, "usermgmt: detect flavor of " + odd.URL + `: unknown deploymentType "Mainframe"; give the flavor`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := usermgmt.Connect(t.Context(), c.site)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

// TestDetectFlavorRetries: one 429, 500 or dropped connection on
// serverInfo does not stop the detection; it is retried like every read.
func TestDetectFlavorRetries(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]jiratest.Fault{
		"429":   {Status: http.StatusTooManyRequests, RetryAfter: 1},
		"500":   {Status: http.StatusInternalServerError},
		"reset": {Reset: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := jiratest.New(jiratest.WithFlavor(jira.Cloud))
				fake.Script("GET /rest/api/2/serverInfo", f, f)
				s := usermgmt.Site{URL: fake.URL, Transport: fake.Transport()}
				fl, err := usermgmt.DetectFlavor(t.Context(), s)
				require.NoError(t, err)
				assert.Equal(t, jira.Cloud, fl)
				assert.Equal(t, 3, fake.Stats()["GET /rest/api/2/serverInfo"], "two faults, then the answer")
			})
		})
	}
}
