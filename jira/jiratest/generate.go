package jiratest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// OrgOptions configures [GenerateOrg].
type OrgOptions struct {
	// Seed seeds the generator: the same options give the same Org.
	Seed uint64
	// Users is the number of users to generate, app and customer accounts
	// included (default 500).
	Users int
	// Now is the time the history is generated up to: creation dates and
	// logins all lie before it. The default is today at 00:00 UTC, so a
	// seed gives the same Org all day long; set Now for an Org that is the
	// same on every day.
	Now time.Time
	// Projects is the number of projects (default one per 100 users, at
	// least 3 and at most 300).
	Projects int
}

// The generated organisation's directory, domains and groups.
const (
	// LDAPDirectoryID and LDAPDirectoryName name the read-only directory
	// that holds about half of the employees on example.com.
	LDAPDirectoryID   = "10000"
	LDAPDirectoryName = "Corporate LDAP"
	// ClaimedDomain is the organisation's verified domain: its Cloud
	// accounts are managed.
	ClaimedDomain = "example.com"
	// SubsidiaryDomain is a subsidiary's domain, not claimed.
	SubsidiaryDomain = "example.org"
	// ContractorDomain is the contractors' domain.
	ContractorDomain = "contractor.example.net"
	// ContractorsGroup holds every contractor.
	ContractorsGroup = "contractors"
)

// department is a department group with the chance that one of its
// people has each licence.
type department struct {
	group       string
	name        string
	weight      int     // share of the employees
	software    float64 // chance of jira-software
	serviceDesk float64 // chance of jira-servicedesk
}

var departments = []department{
	{"engineering", "Engineering", 34, 0.98, 0.05},
	{"product", "Product", 6, 0.95, 0.05},
	{"support", "Customer Support", 14, 0.30, 0.95},
	{"it", "IT", 5, 0.90, 0.70},
	{"operations", "Operations", 8, 0.60, 0.20},
	{"sales", "Sales", 13, 0.50, 0.05},
	{"marketing", "Marketing", 8, 0.55, 0.02},
	{"finance", "Finance", 5, 0.50, 0.15},
	{"hr", "Human Resources", 4, 0.45, 0.30},
	{"legal", "Legal", 3, 0.40, 0.05},
}

// contractorDepts are the departments contractors work in, with weights.
var contractorDepts = []struct {
	dept   int // index in departments
	weight int
}{{0, 60}, {2, 20}, {6, 10}, {3, 10}}

// appAccounts are the Cloud app and bot accounts, with the DC login the
// matching service account has.
var appAccounts = []struct{ name, display string }{
	{"automation", "Automation for Jira"},
	{"slack", "Slack"},
	{"jsm-widget", "Jira Service Management Widget"},
	{"github", "GitHub for Jira"},
	{"msteams", "Microsoft Teams for Jira Cloud"},
	{"opsgenie", "Opsgenie"},
	{"statuspage", "Statuspage"},
	{"confluence", "Confluence Cloud"},
	{"tempo", "Tempo Timesheets"},
	{"scriptrunner", "ScriptRunner for Jira"},
	{"zoom", "Zoom for Jira"},
	{"trello", "Trello"},
}

var customerDomains = []string{"mail.example", "acme.example", "globex.example", "initech.example", "umbrella.example", "hooli.example"}

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Sandra", "Anthony", "Ashley", "Mark", "Emily",
	"Paul", "Michelle", "Steven", "Amanda", "Andrew", "Melissa", "Joshua", "Stephanie", "Kevin", "Rebecca",
	"Brian", "Laura", "George", "Sharon", "Edward", "Cynthia", "Ronald", "Kathleen", "Timothy", "Amy",
	"Jason", "Angela", "Ryan", "Anna", "Jacob", "Ruth", "Gary", "Olivia", "Nicholas", "Emma",
	"Eric", "Sophie", "Jonathan", "Hannah", "Stephen", "Chloé", "Larry", "Zoë", "Justin", "Ingrid",
	"Björn", "Søren", "José", "María", "François", "Amélie", "Jürgen", "Lena", "Mateo", "Lucía",
	"Wei", "Mei", "Hiroshi", "Yuki", "Arjun", "Priya", "Ravi", "Ananya", "Kwame", "Amara",
	"Olumide", "Chiara", "Luca", "Giulia", "Mohammed", "Fatima", "Omar", "Leila", "Ivan", "Olga",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer",
	"Dubois", "Lefèvre", "Moreau", "Laurent", "Rossi", "Russo", "Bianchi", "Romano", "Kowalski", "Nowak",
	"Andersson", "Johansson", "Nielsen", "Hansen", "Jensen", "Larsen", "Novák", "Horváth", "Ivanov", "Petrov",
	"Wang", "Li", "Zhang", "Liu", "Chen", "Tanaka", "Suzuki", "Sato", "Kim", "Park",
	"Patel", "Sharma", "Singh", "Kumar", "Okafor", "Mensah", "O'Brien", "Murphy", "da Silva", "Santos",
}

var notes = []string{
	"Keep: on parental leave",
	"Keep: long-term sick leave",
	"Keep: seasonal staff, back in spring",
	"Review: moved to the subsidiary",
	"Keep: service owner for the payment gateway",
}

var projectNames = []struct{ key, name string }{
	{"PLAT", "Platform"}, {"MOB", "Mobile App"}, {"WEB", "Web Store"}, {"PAY", "Payments"},
	{"ITSD", "IT Service Desk"}, {"CS", "Customer Support"}, {"HRSD", "HR Service Desk"},
	{"DWH", "Data Warehouse"}, {"SEC", "Security"}, {"INFRA", "Infrastructure"},
	{"MKT", "Marketing Campaigns"}, {"FIN", "Finance Operations"}, {"LEG", "Legal Requests"},
	{"SALES", "Sales Enablement"}, {"DISC", "Product Discovery"}, {"QA", "Quality Assurance"},
}

// licenceTiers are the user tiers licences are sold in; above the last,
// tiers go up in steps of 50,000.
var licenceTiers = []int{10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 15000, 20000, 25000, 30000, 40000, 50000}

// tierAbove returns the smallest licence tier above n.
func tierAbove(n int) int {
	for _, t := range licenceTiers {
		if t > n {
			return t
		}
	}
	return (n/50000 + 1) * 50000
}

type accountKind int

const (
	kindEmployee accountKind = iota
	kindContractor
	kindCustomer
	kindApp
)

// draft is a user being generated, with what naming needs.
type draft struct {
	spec  UserSpec
	kind  accountKind
	dept  int // index in departments; -1 for customers and apps
	first string
	last  string
	app   int // index in appAccounts
}

// GenerateOrg makes a realistic organisation from o.Seed; the same options
// give the same Org, which loads on both flavours (see [WithOrg]).
//
// About 8% of the users are Service Management customers (never licensed,
// on outside domains) and up to a dozen are app or bot accounts (no email).
// The people are employees in department groups (engineering, support,
// sales, …) on [ClaimedDomain] or, for about 15%, [SubsidiaryDomain], and
// contractors (about 10%, group [ContractorsGroup], [ContractorDomain]).
// About half of the employees on the claimed domain live in the read-only
// directory [LDAPDirectoryName] and are synced from an identity provider on
// Cloud. Users were created over nine years; about 9% of the people never
// logged in (some created in the last 30 days, some long ago), 10% are
// inactive, and the rest last logged in years, months or days ago, with
// login counts to match. A few people are administrators ([UserSpec].Admin),
// some have user properties ("department", "seatwarden.note"), a few hide
// their email. Projects have leads, some of them inactive. Seats are set to
// the licence tier just above the seats in use, counting the fake's own
// administrator.
func GenerateOrg(o OrgOptions) *Org {
	n := o.Users
	if n <= 0 {
		n = 500
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	g := &generator{
		rng:   rand.New(rand.NewPCG(o.Seed, o.Seed^0x5ea7_3a2d_e4f0_1c9b)),
		now:   now.UTC(),
		start: now.UTC().AddDate(-9, 0, 0),
		used:  map[string]bool{DefaultDCUser: true, DefaultCloudEmail: true},
		next:  map[string]int{},
	}
	for _, a := range appAccounts {
		g.used[a.name] = true
	}
	drafts := g.drafts(n)
	// Users are in creation order; names go to them in that order, so the
	// second J. Smith to join is jsmith2.
	slices.SortStableFunc(drafts, func(a, b *draft) int { return a.spec.Created.Compare(b.spec.Created) })
	org := &Org{
		Name:           "Example Corporation",
		ClaimedDomains: []string{ClaimedDomain},
		Directories:    []Directory{{ID: LDAPDirectoryID, Name: LDAPDirectoryName, ReadOnly: true}},
		Users:          make([]UserSpec, len(drafts)),
	}
	for _, d := range departments {
		org.Groups = append(org.Groups, d.group)
	}
	org.Groups = append(org.Groups, ContractorsGroup)
	for i, d := range drafts {
		g.name(d)
		org.Users[i] = d.spec
	}
	g.admins(org.Users, drafts)
	org.Projects = g.projects(org.Users, o.Projects)
	org.Seats = seatsFor(org.Users)
	return org
}

type generator struct {
	rng   *rand.Rand
	now   time.Time
	start time.Time       // when the organisation began
	used  map[string]bool // logins and emails taken, lower-cased
	next  map[string]int  // the next number suffix to try, by name wanted
}

// drafts makes n users of every kind, in no particular order.
func (g *generator) drafts(n int) []*draft {
	apps := min(len(appAccounts), max(3, n/100), max(1, n/10))
	customers := n * 8 / 100
	contractors := (n - apps - customers) / 10
	kinds := make([]accountKind, 0, n)
	for range apps {
		kinds = append(kinds, kindApp)
	}
	for range customers {
		kinds = append(kinds, kindCustomer)
	}
	for range contractors {
		kinds = append(kinds, kindContractor)
	}
	for len(kinds) < n {
		kinds = append(kinds, kindEmployee)
	}
	drafts := make([]*draft, n)
	app := 0
	for i, k := range kinds {
		d := &draft{kind: k, dept: -1}
		switch k {
		case kindApp:
			d.app = app
			app++
			g.appAccount(d)
		case kindCustomer:
			g.customer(d)
		default:
			g.person(d)
		}
		drafts[i] = d
	}
	return drafts
}

// between returns a time in [lo, hi), skewed towards hi by skew (1 is
// uniform; more is more recent), to the second.
func (g *generator) between(lo, hi time.Time, skew float64) time.Time {
	if !hi.After(lo) {
		return lo
	}
	x := math.Pow(g.rng.Float64(), skew)
	return hi.Add(-time.Duration(x * float64(hi.Sub(lo)))).Truncate(time.Second)
}

// ago returns the time between lo and hi days before now.
func (g *generator) ago(lo, hi int) time.Time {
	return g.between(g.now.AddDate(0, 0, -hi), g.now.AddDate(0, 0, -lo), 1)
}

func (g *generator) appAccount(d *draft) {
	a := appAccounts[d.app]
	d.spec = UserSpec{
		Name: a.name, DisplayName: a.display, AccountType: jira.AccountApp,
		AccountID: "557058:" + stableUUID("app", a.name),
		Created:   g.between(g.start, g.now.AddDate(0, 0, -7), 0.7),
	}
}

func (g *generator) customer(d *draft) {
	d.first, d.last = g.pick(firstNames), g.pick(lastNames)
	created := g.between(g.now.AddDate(-3, 0, 0), g.now, 0.8)
	d.spec = UserSpec{AccountType: jira.AccountCustomer, Created: created, Inactive: g.rng.Float64() < 0.03}
	if g.rng.Float64() < 0.6 { // used the portal
		d.spec.LastLogin = g.between(created, g.now, 0.5)
		d.spec.LoginCount = 1 + g.rng.IntN(20)
	}
}

func (g *generator) person(d *draft) {
	d.first, d.last = g.pick(firstNames), g.pick(lastNames)
	if d.kind == kindContractor {
		d.dept = contractorDepts[g.weighted(len(contractorDepts), func(i int) int { return contractorDepts[i].weight })].dept
	} else {
		d.dept = g.weighted(len(departments), func(i int) int { return departments[i].weight })
	}
	sp := &d.spec
	sp.AccountType = jira.AccountAtlassian
	// The login history: when the user last logged in, and so when the
	// user can have been created.
	switch r := g.rng.Float64(); {
	case r < 0.04: // new, not yet logged in
		sp.Created = g.ago(0, 30)
	case r < 0.09: // invited long ago, never came
		sp.Created = g.between(g.start, g.now.AddDate(0, 0, -60), 1)
	case r < 0.19: // left: deactivated after the last login
		sp.Inactive = true
		sp.LastLogin = g.between(g.start.AddDate(0, 1, 0), g.now.AddDate(0, 0, -90), 0.8)
	case r < 0.29: // still active, last seen years ago
		sp.LastLogin = g.between(g.start.AddDate(0, 1, 0), g.now.AddDate(-1, 0, 0), 1)
	case r < 0.45: // months ago
		sp.LastLogin = g.ago(30, 365)
	default: // days ago
		sp.LastLogin = g.ago(0, 30)
	}
	if !sp.LastLogin.IsZero() {
		sp.Created = g.between(g.start, sp.LastLogin, 1.6)
		days := sp.LastLogin.Sub(sp.Created).Hours() / 24
		perDay := 0.02 * math.Pow(45, g.rng.Float64()) // from every 50 days to most days
		sp.LoginCount = 1 + int(days*perDay)
		if g.rng.Float64() < 0.05 {
			sp.LoginCount = 1 // logged in once
		}
	}
	dep := departments[d.dept]
	sp.Groups = []string{dep.group}
	if d.kind == kindContractor {
		sp.Groups = append(sp.Groups, ContractorsGroup)
	}
	if g.rng.Float64() < dep.software {
		sp.Licences = append(sp.Licences, "jira-software")
	}
	if g.rng.Float64() < dep.serviceDesk {
		sp.Licences = append(sp.Licences, "jira-servicedesk")
	}
	sp.EmailHidden = g.rng.Float64() < 0.03
	if d.kind == kindEmployee && g.rng.Float64() < 0.3 {
		sp.Properties = map[string]json.RawMessage{"department": json.RawMessage(
			`{"name":` + strconv.Quote(dep.name) + `,"costCentre":"CC-` + strconv.Itoa(1000+100*d.dept+g.rng.IntN(20)) + `"}`)}
	}
	if g.rng.Float64() < 0.02 {
		if sp.Properties == nil {
			sp.Properties = map[string]json.RawMessage{}
		}
		sp.Properties["seatwarden.note"] = json.RawMessage(strconv.Quote(g.pick(notes)))
	}
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// weighted returns an index in [0, n) chosen with the given weights.
func (g *generator) weighted(n int, weight func(int) int) int {
	total := 0
	for i := range n {
		total += weight(i)
	}
	r := g.rng.IntN(total)
	for i := range n {
		if r -= weight(i); r < 0 {
			return i
		}
	}
	return n - 1
}

// name gives d its login, display name, email and directory.
func (g *generator) name(d *draft) {
	sp := &d.spec
	if d.kind == kindApp {
		return // named already
	}
	first, last := asciiFold(d.first), asciiFold(d.last)
	sp.DisplayName = d.first + " " + d.last
	var domain string
	switch {
	case d.kind == kindCustomer:
		domain = g.pick(customerDomains)
	case d.kind == kindContractor:
		domain = ContractorDomain
	case g.rng.Float64() < 0.15:
		domain = SubsidiaryDomain
	default:
		domain = ClaimedDomain
	}
	sp.Email = g.unique(first+"."+last, "@"+domain)
	if d.kind == kindCustomer {
		// Service Management on DC makes a portal customer's login their
		// email; Cloud gives customers accountIds of their own kind.
		sp.Name = sp.Email
		sp.AccountID = "qm:" + stableUUID("customer", sp.Email) + ":" + stableUUID("portal", sp.Email)
		return
	}
	sp.Name = g.unique(first[:1]+last, "")
	if domain == ClaimedDomain && g.rng.Float64() < 0.5 {
		sp.Directory = LDAPDirectoryID
		sp.Synced = true // the directory is fed from the identity provider
	}
}

// unique returns base+suffix, or base2+suffix, base3+suffix, … if taken.
func (g *generator) unique(base, suffix string) string {
	s := base + suffix
	i := g.next[s]
	if i == 0 {
		i = 2
	}
	orig := s
	for g.used[s] {
		s = base + strconv.Itoa(i) + suffix
		i++
	}
	g.next[orig] = i
	g.used[s] = true
	return s
}

// asciiFold lower-cases s and spells it in ASCII letters, for logins and
// emails.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case strings.ContainsRune("àáâãäå", r):
			b.WriteByte('a')
		case strings.ContainsRune("èéêë", r):
			b.WriteByte('e')
		case strings.ContainsRune("ìíîï", r):
			b.WriteByte('i')
		case strings.ContainsRune("òóôõöø", r):
			b.WriteByte('o')
		case strings.ContainsRune("ùúûü", r):
			b.WriteByte('u')
		case r == 'ñ':
			b.WriteByte('n')
		case r == 'ç':
			b.WriteByte('c')
		case r == 'ß':
			b.WriteString("ss")
		}
	}
	return b.String()
}

// admins makes a few IT and engineering employees administrators.
func (g *generator) admins(users []UserSpec, drafts []*draft) {
	var it, eng []int
	for i, d := range drafts {
		if d.kind != kindEmployee {
			continue
		}
		switch departments[d.dept].group {
		case "it":
			it = append(it, i)
		case "engineering":
			eng = append(eng, i)
		}
	}
	g.rng.Shuffle(len(it), func(i, j int) { it[i], it[j] = it[j], it[i] })
	g.rng.Shuffle(len(eng), func(i, j int) { eng[i], eng[j] = eng[j], eng[i] })
	want := min(max(2, len(drafts)/300), 25)
	for _, i := range append(it, eng...)[:min(want, len(it)+len(eng))] {
		users[i].Admin = true
	}
}

// projects makes n projects (0: the default number), led by licensed
// people, about one in six of them inactive.
func (g *generator) projects(users []UserSpec, n int) []ProjectSpec {
	if n <= 0 {
		n = min(max(3, len(users)/100), 300)
	}
	var active, inactive []string
	for _, u := range users {
		if u.AccountType != jira.AccountAtlassian || len(u.Licences) == 0 {
			continue
		}
		if u.Inactive {
			inactive = append(inactive, u.Name)
		} else {
			active = append(active, u.Name)
		}
	}
	out := make([]ProjectSpec, 0, n)
	for i := range n {
		p := projectNames[i%len(projectNames)]
		key, name := p.key, p.name
		if round := i / len(projectNames); round > 0 {
			key += strconv.Itoa(round + 1)
			name += " " + strconv.Itoa(round+1)
		}
		ps := ProjectSpec{Key: key, Name: name}
		switch {
		case len(inactive) > 0 && (g.rng.IntN(6) == 0 || len(active) == 0):
			ps.Lead = inactive[g.rng.IntN(len(inactive))]
		case len(active) > 0:
			ps.Lead = active[g.rng.IntN(len(active))]
		}
		out = append(out, ps)
	}
	return out
}

// seatsFor sets each licence's seats to the tier above its use: the active
// users who have it, plus the fake's own administrator for jira-software.
func seatsFor(users []UserSpec) map[string]int {
	used := map[string]int{"jira-software": 1, "jira-servicedesk": 0}
	for _, u := range users {
		if u.Inactive {
			continue
		}
		for _, l := range u.Licences {
			used[l]++
		}
	}
	seats := make(map[string]int, len(used))
	for k, n := range used {
		seats[k] = tierAbove(n)
	}
	return seats
}

// String summarises the organisation: users of each kind, groups,
// projects, seats. It is meant for people (the fakejira program prints it).
func (o *Org) String() string {
	var people, apps, customers, inactive, never int
	for _, u := range o.Users {
		switch u.AccountType {
		case jira.AccountApp:
			apps++
		case jira.AccountCustomer:
			customers++
		default:
			people++
		}
		if u.Inactive {
			inactive++
		}
		if u.LastLogin.IsZero() && u.AccountType != jira.AccountApp {
			never++
		}
	}
	seats := make([]string, 0, len(o.Seats))
	for _, k := range sortedKeys(o.Seats) {
		seats = append(seats, fmt.Sprintf("%s %d", k, o.Seats[k]))
	}
	return fmt.Sprintf("%d users (%d people, %d apps, %d customers; %d inactive, %d never logged in), %d groups, %d projects, seats: %s",
		len(o.Users), people, apps, customers, inactive, never, len(o.Groups), len(o.Projects), cmp.Or(strings.Join(seats, ", "), "unlimited"))
}
