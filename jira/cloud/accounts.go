package cloud

import (
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// accounts is what a snapshot learns about the site's accounts before
// Jira lists them: the groups each is in (among those read) and what the
// Admin API says of it. It is kept for every account of the organisation
// while the users stream by, so it is compact — a plan of 100,000 users
// holds it next to the users it keeps (see BenchmarkSnapshotMemory):
//
//   - one index entry and one fixed-size record per account, in slices
//     rather than a map of structs, without a pointer to chase;
//   - the account id is stored once and handed to the [jira.User] that
//     Jira's list yields, whose own copy is dropped; so is the email when
//     both say the same;
//   - groups are bits over the groups read, product keys and directories
//     small numbers over the few distinct ones, times Unix nanoseconds in
//     one shared array.
type accounts struct {
	index   map[string]int32
	records []account
	words   int      // bitset words per account: ⌈groups/64⌉
	bits    []uint64 // records[i]'s groups: bits[i*words:(i+1)*words]
	groups  []string // group names by bit
	times   []productTime
	keys    []string // product keys by productTime.key
	dirs    []string // directory names by account.dir
}

// account is what [accounts] knows of one account.
type account struct {
	id      string
	email   string
	created int64 // Unix nanoseconds; 0 when unknown
	first   int32 // its product times: times[first:first+n]
	n       uint16
	dir     uint16 // dirs[dir-1]; 0: in no directory read
	// activity: the directory search sent productAccess (else last active
	// is unknown, never "never").
	activity bool
}

// productTime is when an account was last active in a product.
type productTime struct {
	t   int64 // Unix nanoseconds
	key uint16
}

// newAccounts returns an empty index for accounts in the given groups.
func newAccounts(groups []string) *accounts {
	return &accounts{index: map[string]int32{}, groups: groups, words: (len(groups) + 63) / 64}
}

// add returns the index of the account id's record, adding it when new.
func (a *accounts) add(id string) int {
	i, ok := a.index[id]
	if !ok {
		i = int32(len(a.records))
		a.index[id] = i
		a.records = append(a.records, account{id: id})
		for range a.words {
			a.bits = append(a.bits, 0)
		}
	}
	return int(i)
}

// lookup returns the index of the account id, or -1.
func (a *accounts) lookup(id string) int {
	i, ok := a.index[id]
	if !ok {
		return -1
	}
	return int(i)
}

// join records that the account is in group number g.
func (a *accounts) join(id string, g int) {
	a.bits[a.add(id)*a.words+g/64] |= 1 << (g % 64)
}

// in reports whether account i is in group number g.
func (a *accounts) in(i, g int) bool {
	return a.bits[i*a.words+g/64]&(1<<(g%64)) != 0
}

// addDirUser records what a directory search says of an account, unless
// an earlier directory did.
func (a *accounts) addDirUser(du *dirActivity, dir string) {
	r := &a.records[a.add(du.AccountID)]
	if r.dir != 0 {
		return
	}
	r.dir = uint16(intern(&a.dirs, dir) + 1)
	r.email = du.Email
	if t, err := time.Parse(time.RFC3339Nano, du.AddedToOrg); err == nil {
		r.created = t.UnixNano()
	}
	r.activity = du.ProductAccess != nil
	r.first = int32(len(a.times))
	for _, p := range du.ProductAccess {
		if p.LastActiveTimestamp == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, p.LastActiveTimestamp)
		if err != nil {
			continue
		}
		a.times = append(a.times, productTime{t: t.UnixNano(), key: uint16(intern(&a.keys, p.Key))})
		r.n++
	}
}

// intern returns the index of s in *list, adding it when missing.
func intern(list *[]string, s string) int {
	if i := slices.Index(*list, s); i >= 0 {
		return i
	}
	*list = append(*list, s)
	return len(*list) - 1
}

// fill adds what the directory said of account i to m: last login (the
// latest product activity; unknown without productAccess, never when it
// lists no activity), last active per product, when the user joined the
// organisation, the directory, and the email when Jira hides it. m takes
// the record's strings, so that the snapshot keeps one copy of each.
func (a *accounts) fill(i int, m *jira.User) {
	r := &a.records[i]
	m.AccountID = r.id
	if r.dir == 0 {
		return
	}
	m.Directory = a.dirs[r.dir-1]
	if m.Email == "" || m.Email == r.email {
		m.Email = r.email
	}
	if r.created != 0 {
		m.Created = time.Unix(0, r.created).UTC()
	}
	if !r.activity {
		return
	}
	m.LastLogin = jira.NeverLoggedIn()
	if r.n == 0 {
		return
	}
	m.LastActive = make(map[string]time.Time, r.n)
	var latest int64
	for _, p := range a.times[r.first : r.first+int32(r.n)] {
		m.LastActive[a.keys[p.key]] = time.Unix(0, p.t).UTC()
		latest = max(latest, p.t)
	}
	m.LastLogin = jira.LoggedInAt(time.Unix(0, latest).UTC())
}

// dirActivity is what a snapshot reads of a directory user: the fields of
// [DirectoryUser] it keeps, and no others, which the decoder skips.
type dirActivity struct {
	AccountID     string `json:"accountId"`
	Email         string `json:"email"`
	AddedToOrg    string `json:"addedToOrg,omitempty"`
	ProductAccess []struct {
		Key                 string `json:"key"`
		LastActiveTimestamp string `json:"lastActiveTimestamp,omitempty"`
	} `json:"productAccess,omitempty"`
}

// listedUser is what a snapshot reads of a user Jira lists: the fields of
// [User] the model keeps.
type listedUser struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	Active       bool   `json:"active"`
}

// model converts u to the model, with the account type as one of the
// model's constants (not a string of its own per user).
func (u *listedUser) model() jira.User {
	return jira.User{AccountID: u.AccountID, DisplayName: u.DisplayName, Email: u.EmailAddress,
		Active: u.Active, AccountType: accountType(u.AccountType)}
}

// accountType returns the model's constant for a Cloud account type.
func accountType(s string) jira.AccountType {
	for _, t := range [...]jira.AccountType{jira.AccountAtlassian, jira.AccountApp, jira.AccountCustomer} {
		if s == string(t) {
			return t
		}
	}
	if s == "" {
		return jira.AccountUnknown
	}
	return jira.AccountType(s)
}
