package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

func TestMoveDirectoryPlan(t *testing.T) {
	ctx := context.Background()
	a := actions.MoveDirectory("Jira Internal Directory")
	dc := actions.PlanEnv{Flavor: jira.DataCenter}
	steps, err := a.Plan(ctx, &jira.User{Name: "alice", Directory: "Old LDAP"}, dc)
	if err != nil || len(steps) != 1 || steps[0].Kind != actions.KindMoveDirectory || steps[0].NoOp != "" ||
		steps[0].Directory != "Jira Internal Directory" || steps[0].FromDirectory != "Old LDAP" {
		t.Fatalf("Plan = %+v, %v", steps, err)
	}
	if got := steps[0].String(); got != "move-directory Jira Internal Directory" {
		t.Errorf("String() = %q", got)
	}
	if !actions.KindMoveDirectory.Valid() || !actions.KindMoveDirectory.Destructive() {
		t.Error("move-directory is a known, destructive kind")
	}
	steps, err = a.Plan(ctx, &jira.User{Name: "bob", Directory: "jira internal directory"}, dc)
	if err != nil || len(steps) != 1 || steps[0].NoOp != "already in Jira Internal Directory" {
		t.Errorf("a user already there: %+v, %v", steps, err)
	}
	if _, err := a.Plan(ctx, &jira.User{Name: "carol"}, dc); err == nil || !contains(err.Error(), "carol") || !contains(err.Error(), "login source") {
		t.Errorf("unknown directory: %v", err)
	}
	if _, err := a.Plan(ctx, &jira.User{AccountID: "x", Directory: "d"}, actions.PlanEnv{Flavor: jira.Cloud}); !errors.Is(err, jira.ErrUnsupported) {
		t.Errorf("Cloud: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
