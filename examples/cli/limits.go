package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"

	"github.com/seatwarden/seatwarden/actions"
)

// overLimit says, after a plan or a dry run, whether applying the plan
// would be refused by a blast-radius limit: which limit, by how much and
// what to do next. It returns the *actions.LimitError (exit code 3, so
// that CI can gate on 'plan'), or nil when apply would go ahead.
func (a *app) overLimit(plan *actions.Plan, files []string) error {
	le, ok := errors.AsType[*actions.LimitError](plan.CheckLimits())
	if !ok {
		return nil
	}
	who := "the plan"
	if le.Policy != "" {
		who = fmt.Sprintf("policy %q", le.Policy)
	}
	var over []string
	if m := le.Limits.MaxUsers; m > 0 && le.Users > m {
		over = append(over, fmt.Sprintf("limits.maxUsers is %d: %d users over", m, le.Users-m))
	}
	if m := le.Limits.MaxPercent; m > 0 && le.Percent > m {
		allowed := int(math.Floor(m * float64(le.ActiveUsers) / 100))
		over = append(over, fmt.Sprintf("limits.maxPercent is %.4g%% (%d of %d active users): %d users over", m, allowed, le.ActiveUsers, le.Users-allowed))
	}
	where := "the policy file"
	if len(files) > 0 {
		where = strings.Join(files, ", ")
	}
	fmt.Fprintf(a.stdout, `
Over a limit: %s changes %d users (%.4g%% of %d active users); %s.
Apply would refuse this plan before any change (exit code 3).
Next: narrow the policy's criterion, or raise its limits in %s,
or run it in several smaller batches (e.g. add a condition on lastLogin);
the plan above lists who would change. If this many is intended, apply it
with %s (recorded in the journal and the report).
`, who, le.Users, le.Percent, le.ActiveUsers, strings.Join(over, "; "), where, overrideHint)
	return explainedLimit{le}
}

// explainedLimit is a refusal by a limit whose next step was printed
// already (overLimit): fail does not repeat it.
type explainedLimit struct{ *actions.LimitError }

func (e explainedLimit) Unwrap() error { return e.LimitError }

// overrideHint is how to apply a plan over its limits, as the messages
// show it.
const overrideHint = `--override-limits "REASON"`

// overrideFlag registers --override-limits.
func overrideFlag(fs *flag.FlagSet) *string {
	return fs.String("override-limits", "", "apply a plan over its blast-radius limits, for this `REASON`\n(recorded in the journal, the report and the summary)")
}

// checkOverride refuses --override-limits without a reason, or without
// an apply.
func checkOverride(cmd string, fs *flag.FlagSet, reason string, apply bool) error {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "override-limits" })
	switch {
	case !given:
		return nil
	case strings.TrimSpace(reason) == "":
		return usagef(cmd, "--override-limits needs a reason, e.g. %s", overrideHint)
	case !apply:
		return usagef(cmd, "--override-limits applies: give --apply too")
	}
	return nil
}

// limitNextStep is what fail adds to a refusal by a limit: the way on.
func limitNextStep(err error) string {
	if _, ok := errors.AsType[explainedLimit](err); ok {
		return ""
	}
	if _, ok := errors.AsType[*actions.LimitError](err); !ok {
		return ""
	}
	return "Next: narrow the policy's criterion or raise its limits, or apply anyway with " + overrideHint +
		" (recorded in the journal and the report).\n"
}
