package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// KindMoveDirectory moves a DC user to another user directory (Step's
// Directory). Jira's REST API cannot do it: apply refuses the step unless
// the site is a [DirectoryMover]; the plan's move-directory steps are
// carried out by jira/datacenter/dirmove (the CLI's "migrate plan
// --from-plan").
const KindMoveDirectory StepKind = "move-directory"

// DirectoryMover is a site that can move a user to another directory.
type DirectoryMover interface {
	MoveDirectory(ctx context.Context, ref jira.UserRef, directory string) error
}

// MoveDirectory moves the user to the user directory named to (DC only).
// A user already in it is a no-op. The user's directory comes from the
// site's login source (Jira's database or a login export): without it the
// plan fails, naming the user.
func MoveDirectory(to string) Action {
	return &action{name: "move-directory(" + to + ")", req: jira.SnapshotOptions{LastLogin: true},
		plan: func(_ context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
			if env.Flavor != jira.DataCenter {
				return nil, fmt.Errorf("actions: move-directory on %s: %w", env.Flavor, jira.ErrUnsupported)
			}
			s := Step{Kind: KindMoveDirectory, Directory: to}
			switch {
			case u.Directory == "":
				return nil, fmt.Errorf("actions: move-directory for %s: the user's directory is unknown; give the site a login source (Jira's database) so the snapshot has it", u.ID())
			case strings.EqualFold(u.Directory, to):
				return []Step{noop(s, "already in "+to)}, nil
			}
			s.FromDirectory = u.Directory
			return []Step{s}, nil
		}}
}

// moveDirectory applies a move-directory step.
func moveDirectory(ctx context.Context, site any, ref jira.UserRef, s Step) error {
	if m, ok := site.(DirectoryMover); ok {
		return m.MoveDirectory(ctx, ref, s.Directory)
	}
	return fmt.Errorf("actions: move-directory to %s: %w: Jira's REST API cannot move a user between directories; "+
		"carry this plan's moves out with 'seatwarden migrate plan --from-plan' (jira/datacenter/dirmove)", s.Directory, jira.ErrUnsupported)
}
