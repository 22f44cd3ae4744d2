package dirmove_test

import (
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/datacenter/dirmove"
)

// A plan from what Inspect read (here written out), and its migration for
// PostgreSQL: one transaction, each statement guarded by the row's id and
// current directory. A name the target has already is a conflict.
func ExampleRender() {
	st := &dirmove.State{
		Directories: []dirmove.Directory{
			{ID: 10000, Name: "Jira Internal Directory", Type: "INTERNAL", Position: 0, Active: true, Writable: true},
			{ID: 10200, Name: "Old LDAP", Type: "CONNECTOR", Position: 1, Active: true},
		},
		Source: []dirmove.SourceUser{
			{UserRecord: dirmove.UserRecord{ID: 20001, Directory: 10200, Name: "alice", Active: true}, Key: "JIRAUSER20001",
				Attributes:  []dirmove.Attribute{{ID: 500, Name: "login.count", Value: "12"}},
				Memberships: []dirmove.Membership{{ID: 700, FromGroup: "jira-software-users", FromGroupID: 10020}}},
			{UserRecord: dirmove.UserRecord{ID: 20002, Directory: 10200, Name: "erin", Active: true}, Key: "JIRAUSER20002"},
		},
		Target: map[string]dirmove.UserRecord{"erin": {ID: 20006, Directory: 10000, Name: "erin", Active: true}},
		Groups: map[string]int64{"jira-software-users": 10010},
	}
	p, err := dirmove.NewPlan(st, dirmove.Request{From: "Old LDAP", To: "Jira Internal Directory"}, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range p.Moves {
		fmt.Println("move", m.User.Name+":", m.Reason)
	}
	for _, c := range p.Conflicts {
		fmt.Printf("conflict %s: ids %d and %d\n", c.Source.Name, c.Source.ID, c.Target.ID)
	}
	sc, err := dirmove.Render(p, datacenter.PostgreSQL)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sc.Migrate {
		fmt.Println(s.SQL)
	}
	// Output:
	// move alice: in Old LDAP, not in Jira Internal Directory; offline (SQL): keeps id 20001, key JIRAUSER20001, 1 attribute, 1 membership
	// conflict erin: ids 20002 and 20006
	// UPDATE cwd_user SET directory_id = 10000 WHERE id = 20001 AND directory_id = 10200 AND lower_user_name = 'alice'
	// UPDATE cwd_user_attributes SET directory_id = 10000 WHERE user_id = 20001 AND directory_id = 10200 AND id IN (500)
	// UPDATE cwd_membership SET parent_id = 10010, parent_name = 'jira-software-users', lower_parent_name = 'jira-software-users', directory_id = 10000 WHERE id = 700 AND child_id = 20001 AND parent_id = 10020 AND directory_id = 10200
}
