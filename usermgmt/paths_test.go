package usermgmt_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/usermgmt"
)

// TestPolicyPaths: users.selection and sink paths resolve inside the
// policy file's directory; anything else is refused with the field path,
// and nothing outside the directory is read.
func TestPolicyPaths(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "policies")
	outside := filepath.Join(root, "secret.csv")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "lists"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lists", "leavers.csv"), []byte("username\nuser1\n"), 0o600))
	require.NoError(t, os.WriteFile(outside, []byte("username\nJIRA_TOKEN=secret\n"), 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link-out.csv")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "lists", "leavers.csv"), filepath.Join(dir, "link-in.csv")))
	require.NoError(t, os.Symlink(root, filepath.Join(dir, "up")))
	cases := []struct {
		name, selection, sink string
		want                  string // "" when the file loads
	}{
		{name: "relative", selection: "lists/leavers.csv", sink: "runs/a.jsonl"},
		{name: "symlink inside", selection: "link-in.csv"},
		{name: "absolute", selection: outside, want: "policies[0].users.selection: " + outside + " is an absolute path"},
		{name: "proc", selection: "/proc/self/environ", want: "policies[0].users.selection: /proc/self/environ is an absolute path"},
		{name: "dot-dot", selection: "../secret.csv", want: "policies[0].users.selection: ../secret.csv leaves the policy file's directory"},
		{name: "dot-dot inside a path", selection: "lists/../../secret.csv", want: "leaves the policy file's directory"},
		{name: "symlink out", selection: "link-out.csv", want: "policies[0].users.selection: link-out.csv leads outside the policy file's directory"},
		{name: "directory symlink out", selection: "up/secret.csv", want: "leads outside the policy file's directory"},
		{name: "directory", selection: "lists", want: "is a directory, not a file"},
		{name: "device through a symlink", selection: "null", want: "leads outside the policy file's directory"},
		{name: "sink absolute", selection: "lists/leavers.csv", sink: filepath.Join(root, "x.jsonl"), want: "policies[0].reporting.sinks[0].path: " + filepath.Join(root, "x.jsonl") + " is an absolute path"},
		{name: "sink dot-dot", selection: "lists/leavers.csv", sink: "../x.jsonl", want: "policies[0].reporting.sinks[0].path: ../x.jsonl leaves"},
		{name: "sink through a symlink out", selection: "lists/leavers.csv", sink: "up/x.jsonl", want: "policies[0].reporting.sinks[0].path: up/x.jsonl leads outside"},
	}
	require.NoError(t, os.Symlink("/dev/null", filepath.Join(dir, "null")))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := "version: 1\npolicies:\n  - name: p\n    users: {selection: \"" + tc.selection + "\"}\n    actions: [{action: deactivate}]\n"
			if tc.sink != "" {
				body += "    reporting: {sinks: [{type: jsonl, path: \"" + tc.sink + "\"}]}\n"
			}
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
			f, err := usermgmt.Load(path)
			if tc.want == "" {
				require.NoError(t, err)
				_, err = f.ActionsPolicy("p")
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "JIRA_TOKEN=secret")
		})
	}
}

// TestApprovalStatusesCompareAsJira: Jira compares status names ignoring
// case, so statuses that differ only in case are one status: refused.
func TestApprovalStatusesCompareAsJira(t *testing.T) {
	t.Parallel()
	body := "version: 1\npolicies:\n  - name: p\n    users: {where: active}\n    actions: [{action: deactivate}]\n" +
		"    approval: {project: OPS, issueType: Task, approvedStatus: Done, rejectedStatus: DONE}\n"
	_, err := usermgmt.Parse([]byte(body), usermgmt.YAML)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policies[0].approval: approvedStatus and rejectedStatus must differ")
}
