package jiratest_test

import (
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

var genNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestGenerateOrgDeterministic(t *testing.T) {
	t.Parallel()
	a := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 2000, Now: genNow})
	b := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 2000, Now: genNow})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same options gave different organisations")
	}
	c := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 8, Users: 2000, Now: genNow})
	if reflect.DeepEqual(a.Users, c.Users) {
		t.Fatal("different seeds gave the same users")
	}
}

func TestGenerateOrgDefaults(t *testing.T) {
	t.Parallel()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1})
	if !time.Now().UTC().Truncate(24 * time.Hour).Equal(today) {
		t.Skip("the day changed during the test")
	}
	if len(org.Users) != 500 {
		t.Errorf("default users = %d, want 500", len(org.Users))
	}
	if want := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 500, Now: today}); !reflect.DeepEqual(org, want) {
		t.Error("the default Now is not today at 00:00 UTC")
	}
	if len(org.Projects) != 5 {
		t.Errorf("default projects = %d, want 5 (one per 100 users)", len(org.Projects))
	}
}

// share reports an error unless n/total is within [lo, hi].
func share(t *testing.T, what string, n, total int, lo, hi float64) {
	t.Helper()
	if f := float64(n) / float64(total); f < lo || f > hi {
		t.Errorf("%s: %d of %d = %.3f, want %.2f–%.2f", what, n, total, f, lo, hi)
	}
}

func TestGenerateOrgDistribution(t *testing.T) {
	t.Parallel()
	const n = 10000
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 42, Users: n, Now: genNow})
	if len(org.Users) != n {
		t.Fatalf("got %d users, want %d", len(org.Users), n)
	}
	var people, apps, customers, contractors, ldap, synced, hidden, admins, props int
	var never, neverNew, neverOld, inactive, days, months, years, once int
	licensed := map[string]int{}
	names, emails := map[string]bool{}, map[string]bool{}
	domains := map[string]int{}
	for i, u := range org.Users {
		if i > 0 && u.Created.Before(org.Users[i-1].Created) {
			t.Fatalf("users[%d] %s: not in creation order", i, u.Name)
		}
		if u.Created.After(genNow) || u.Created.Before(genNow.AddDate(-9, 0, 0)) {
			t.Errorf("%s: created %v, outside the last nine years", u.Name, u.Created)
		}
		if u.Name == "" || names[strings.ToLower(u.Name)] {
			t.Errorf("users[%d]: missing or duplicate name %q", i, u.Name)
		}
		names[strings.ToLower(u.Name)] = true
		if u.Email != "" {
			if emails[strings.ToLower(u.Email)] {
				t.Errorf("duplicate email %q", u.Email)
			}
			emails[strings.ToLower(u.Email)] = true
			_, d, _ := strings.Cut(u.Email, "@")
			domains[d]++
		}
		if u.LastLogin.IsZero() != (u.LoginCount == 0) {
			t.Errorf("%s: last login %v with %d logins", u.Name, u.LastLogin, u.LoginCount)
		}
		if !u.LastLogin.IsZero() && (u.LastLogin.Before(u.Created) || u.LastLogin.After(genNow)) {
			t.Errorf("%s: last login %v outside [created %v, now]", u.Name, u.LastLogin, u.Created)
		}
		if u.Synced && !strings.HasSuffix(u.Email, "@"+jiratest.ClaimedDomain) {
			t.Errorf("%s: synced but not on the claimed domain", u.Email)
		}
		if u.Inactive {
			inactive++
		}
		switch u.AccountType {
		case jira.AccountApp:
			apps++
			if u.Email != "" || len(u.Licences) > 0 || u.LoginCount > 0 || u.Admin {
				t.Errorf("app %s: has an email, licences, logins or admin rights", u.DisplayName)
			}
			continue
		case jira.AccountCustomer:
			customers++
			if len(u.Licences) > 0 || len(u.Groups) > 0 || u.Admin {
				t.Errorf("customer %s: has licences, groups or admin rights", u.Email)
			}
			continue
		}
		people++
		if slices.Contains(u.Groups, jiratest.ContractorsGroup) {
			contractors++
			if !strings.HasSuffix(u.Email, "@"+jiratest.ContractorDomain) {
				t.Errorf("contractor %s: not on %s", u.Email, jiratest.ContractorDomain)
			}
		}
		if u.Directory == jiratest.LDAPDirectoryID {
			ldap++
		}
		if u.Synced {
			synced++
		}
		if u.EmailHidden {
			hidden++
		}
		if u.Admin {
			admins++
		}
		if len(u.Properties) > 0 {
			props++
		}
		for _, l := range u.Licences {
			if !u.Inactive {
				licensed[l]++
			}
		}
		age := genNow.Sub(u.LastLogin)
		switch {
		case u.LastLogin.IsZero():
			never++
			if genNow.Sub(u.Created) <= 30*24*time.Hour {
				neverNew++
			} else if genNow.Sub(u.Created) > 60*24*time.Hour {
				neverOld++
			}
		case u.Inactive:
		case age <= 30*24*time.Hour:
			days++
		case age <= 365*24*time.Hour:
			months++
		default:
			years++
		}
		if u.LoginCount == 1 {
			once++
		}
	}
	if apps < 3 || apps > 12 {
		t.Errorf("apps = %d, want 3–12", apps)
	}
	share(t, "customers", customers, n, 0.07, 0.09)
	share(t, "contractors among people", contractors, people, 0.08, 0.12)
	share(t, "never logged in among people", never, people, 0.07, 0.11)
	share(t, "never logged in, created in the last 30 days", neverNew, people, 0.03, 0.05)
	share(t, "never logged in, created long ago", neverOld, people, 0.04, 0.06)
	share(t, "inactive", inactive, n, 0.08, 0.12)
	share(t, "active, last login in the last 30 days", days, people, 0.50, 0.60)
	share(t, "active, last login months ago", months, people, 0.13, 0.19)
	share(t, "active, last login years ago", years, people, 0.08, 0.12)
	share(t, "logged in once", once, people, 0.03, 0.10)
	share(t, "people in the LDAP directory", ldap, people, 0.25, 0.45)
	share(t, "synced people", synced, people, 0.25, 0.45)
	share(t, "people with hidden emails", hidden, people, 0.01, 0.05)
	share(t, "people with properties", props, people, 0.2, 0.35)
	if admins < 2 || admins > 25 {
		t.Errorf("admins = %d, want 2–25", admins)
	}
	for _, d := range []string{jiratest.ClaimedDomain, jiratest.SubsidiaryDomain, jiratest.ContractorDomain} {
		if domains[d] == 0 {
			t.Errorf("no users on %s", d)
		}
	}
	for _, role := range []string{"jira-software", "jira-servicedesk"} {
		used := licensed[role]
		if role == "jira-software" {
			used++ // the fake's administrator
		}
		if seats := org.Seats[role]; seats <= used || float64(seats) > 2.5*float64(used)+10 {
			t.Errorf("seats[%s] = %d for %d in use, want the tier just above", role, seats, used)
		}
	}
	if len(org.Projects) != 100 {
		t.Errorf("projects = %d, want 100", len(org.Projects))
	}
	leads := 0
	for _, p := range org.Projects {
		i := slices.IndexFunc(org.Users, func(u jiratest.UserSpec) bool { return u.Name == p.Lead })
		if i < 0 {
			t.Fatalf("project %s: lead %q is not a user", p.Key, p.Lead)
		}
		if org.Users[i].Inactive {
			leads++
		}
	}
	if leads == 0 || leads == len(org.Projects) {
		t.Errorf("%d of %d project leads are inactive, want some", leads, len(org.Projects))
	}
}

func TestGenerateOrgLoads(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 12, 200, 3000} {
		org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: uint64(n), Users: n, Now: genNow})
		dc := jiratest.New(jiratest.WithOrg(org))
		cloud := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(org))
		dcUsers, cloudUsers := dc.Users(), cloud.Users()
		if len(dcUsers) != n+1 || len(cloudUsers) != n+1 {
			t.Fatalf("n=%d: loaded %d DC and %d Cloud users, want %d (with the administrator)", n, len(dcUsers), len(cloudUsers), n+1)
		}
		for i, sp := range org.Users {
			d, c := dcUsers[i+1], cloudUsers[i+1]
			if d.Name != sp.Name || d.Email != sp.Email || c.Email != sp.Email {
				t.Fatalf("users[%d]: DC %s <%s>, Cloud <%s>; want %s <%s> on both", i, d.Name, d.Email, c.Email, sp.Name, sp.Email)
			}
			if d.AccountType != jira.AccountAtlassian || c.AccountType != sp.AccountType {
				t.Errorf("%s: account type DC %q Cloud %q, want atlassian and %q", sp.Name, d.AccountType, c.AccountType, sp.AccountType)
			}
			if !slices.Equal(d.Licences, c.Licences) || len(d.Licences) != len(sp.Licences) {
				t.Errorf("%s: licences DC %v Cloud %v, want %v", sp.Name, d.Licences, c.Licences, sp.Licences)
			}
			if want := sp.Directory == jiratest.LDAPDirectoryID; (d.Directory == jiratest.LDAPDirectoryName) != want || (c.Directory == jiratest.LDAPDirectoryName) != want {
				t.Errorf("%s: directory DC %q Cloud %q", sp.Name, d.Directory, c.Directory)
			}
			if d.Active == sp.Inactive || c.Active == sp.Inactive {
				t.Errorf("%s: active DC %v Cloud %v, want %v", sp.Name, d.Active, c.Active, !sp.Inactive)
			}
			for _, admin := range []struct {
				u     jira.User
				group string
			}{{d, "jira-administrators"}, {d, "jira-system-administrators"}, {c, "site-admins"}, {c, "jira-admins"}} {
				if admin.u.InGroup(admin.group) != sp.Admin {
					t.Errorf("%s: in %s = %v, want %v", sp.Name, admin.group, !sp.Admin, sp.Admin)
				}
			}
		}
		for role, seats := range org.Seats {
			for _, s := range []*jiratest.Server{dc, cloud} {
				if used, ok := s.SeatsUsed(role); !ok || used >= seats {
					t.Errorf("n=%d %v: %s uses %d of %d seats", n, s.Flavor(), role, used, seats)
				}
			}
		}
	}
}

// TestGenerateOrgLeadsOnDC checks that an inactive project lead cannot be
// deleted on DC.
func TestGenerateOrgLeadsOnDC(t *testing.T) {
	t.Parallel()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 3000, Now: genNow})
	s := jiratest.New(jiratest.WithOrg(org))
	lead := ""
	for _, p := range org.Projects {
		if i := slices.IndexFunc(org.Users, func(u jiratest.UserSpec) bool { return u.Name == p.Lead }); org.Users[i].Inactive {
			lead = p.Lead
			break
		}
	}
	if lead == "" {
		t.Fatal("no inactive project lead")
	}
	req, _ := http.NewRequest(http.MethodDelete, jiratest.InMemoryURL+"/rest/api/2/user?username="+lead, nil)
	req.SetBasicAuth(jiratest.DefaultDCUser, jiratest.DefaultDCPassword)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("DELETE user %s (an inactive project lead): status %d, want 400", lead, resp.StatusCode)
	}
}

// BenchmarkLoad100k loads a generated organisation of 100,000 users and
// reports the heap the server holds and how many users a second it loads.
func BenchmarkLoad100k(b *testing.B) {
	const n = 100_000
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: n, Now: genNow})
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		b.Run(f.String(), func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var s *jiratest.Server
			start := time.Now()
			loads := 0
			for b.Loop() {
				s = jiratest.New(jiratest.WithFlavor(f), jiratest.WithOrg(org))
				loads++
			}
			elapsed := time.Since(start)
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(s)
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "MB-heap")
			b.ReportMetric(float64(n*loads)/elapsed.Seconds(), "users/s")
		})
	}
}

// BenchmarkGenerateOrg100k generates an organisation of 100,000 users.
func BenchmarkGenerateOrg100k(b *testing.B) {
	for b.Loop() {
		jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 100_000, Now: genNow})
	}
}
