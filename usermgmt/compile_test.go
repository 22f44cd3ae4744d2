package usermgmt_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/usermgmt"
)

// A File built in Go is data: Compile is the only way to a runnable set,
// and an invalid File gives errors with field paths, never a panic (the
// old path: New accepted an unvalidated File and Plan panicked on
// "unvalidated action").
func TestCompileGoValues(t *testing.T) {
	t.Parallel()
	valid := func() *usermgmt.File {
		return &usermgmt.File{Version: 1, Policies: []usermgmt.Policy{{
			Name:    "inactive",
			Users:   usermgmt.Users{Where: "active && daysSinceLastLogin > 90"},
			Actions: []usermgmt.ActionSpec{{Action: usermgmt.RemoveGroups, Groups: []string{"staff"}}},
		}}}
	}
	f := valid()
	set, err := f.Compile()
	require.NoError(t, err)
	assert.NotNil(t, set.Policies()[0].Criterion())

	// The set is a copy: changing the File or a returned policy later
	// changes nothing in it.
	f.Policies[0].Actions[0] = usermgmt.ActionSpec{Action: "explode"}
	set.Policies()[0].Actions[0].Groups[0] = "admins"
	ap, err := set.ActionsPolicy("inactive")
	require.NoError(t, err)
	assert.Contains(t, ap.Action.Name(), "staff")
	assert.Equal(t, []string{"staff"}, set.Policies()[0].Actions[0].Groups)
	assert.Equal(t, []string{"staff"}, set.File().Policies[0].Actions[0].Groups)

	for _, tc := range []struct {
		name string
		edit func(*usermgmt.File)
		want string
	}{
		{"unknown action", func(f *usermgmt.File) { f.Policies[0].Actions[0].Action = "explode" },
			`policies[0].actions[0].action: unknown action "explode"`},
		{"negative limit", func(f *usermgmt.File) { f.Policies[0].Limits.MaxUsers = -1 },
			"policies[0].limits.maxUsers: must not be negative (0 means no limit)"},
		{"bad criterion", func(f *usermgmt.File) { f.Policies[0].Users.Where = "active &&" },
			"policies[0].users.where:"},
		{"no version", func(f *usermgmt.File) { f.Version = 0 }, "version: missing"},
		{"no policies", func(f *usermgmt.File) { f.Policies = nil }, "policies: no policies"},
		{"no actions", func(f *usermgmt.File) { f.Policies[0].Actions = nil }, "policies[0].actions"},
		{"every 0s", func(f *usermgmt.File) { f.Policies[0].When.Schedule = "@every 0s" }, "policies[0].when.schedule"},
		{"value not JSON", func(f *usermgmt.File) {
			f.Policies[0].Actions = []usermgmt.ActionSpec{{Action: usermgmt.SetProperty, Key: "k", Value: []byte("{oops")}}
		}, "policies[0].actions[0].value: not valid JSON"},
		{"literal secret", func(f *usermgmt.File) {
			f.Sites = map[string]usermgmt.SiteSpec{"dc": {URL: "https://jira.example.com", Token: "s3cr3t"}}
		}, "sites.dc.token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := valid()
			tc.edit(f)
			var set *usermgmt.PolicySet
			var err error
			require.NotPanics(t, func() { set, err = f.Compile() })
			assert.Nil(t, set)
			le, ok := errors.AsType[*usermgmt.LoadError](err)
			require.True(t, ok, "%v", err)
			assert.Contains(t, le.Error(), tc.want)
			assert.NotContains(t, le.Error(), "s3cr3t")
		})
	}

	var nilFile *usermgmt.File
	_, err = nilFile.Compile()
	assert.Error(t, err)
	_, err = usermgmt.New(usermgmt.Config{})
	assert.ErrorContains(t, err, "policies or a site are required")
}
