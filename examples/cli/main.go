package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter/dirmove"
	_ "github.com/seatwarden/seatwarden/jira/datacenter/logindb" // login databases (JIRA_DB_DSN)
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// The exit codes.
const (
	exitOK      = 0 // done
	exitFailed  = 1 // failed: the site, a file, a user not found
	exitUsage   = 2 // usage: a bad command, flag, argument or criterion
	exitRefused = 3 // refused by a blast-radius limit or an approval
)

const prog = "seatwarden"

// defaultMemoryLimit is the program's soft memory limit when GOMEMLIMIT
// is not set: above it the garbage collector works harder instead of
// letting the heap double. A plan of 100,000 users peaks at about 120 MB
// of RSS with it and 150–170 MB without (README, Speed); a larger org
// simply goes above it, since the limit is soft.
const defaultMemoryLimit = 100 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the program: it runs the command args name and returns the exit
// code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now, demoUsers: 1000}
	return a.run(ctx, args)
}

// app is one run of the program, with everything it reads from outside
// injectable for tests.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	demoUsers      int
	g              globals
	fake           *jiratest.Server    // the --demo fake, once started
	pr             *meter              // the running command's progress
	lineEvery      time.Duration       // period of the plain progress lines (0: the default)
	policies       *usermgmt.PolicySet // the policy files loaded, for their sinks' paths
	// json receives the command's JSON document with --output json
	// (the real stdout; stdout is then stderr); nil for text.
	json io.Writer
}

// usageError is a mistake in the command line: exit code 2, with a hint
// to the command's help.
type usageError struct {
	cmd string // the command, e.g. "users list"
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd, format string, a ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, a...)}
}

// command is a leaf command.
type command struct {
	name     string // "users list"
	args     string // "[--where EXPR] [--output table|json|csv]"
	summary  string
	about    string
	examples []string
	// flags registers the command's own flags and returns the function
	// that runs it with the positional arguments.
	flags func(a *app, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

func (a *app) commands() []*command {
	return []*command{demoCommand(), listCommand(), exportCommand(), explainCommand(), planCommand(), applyCommand(),
		runCommand(), undoCommand(), groupsCommand(true), groupsCommand(false), insightsCommand(),
		migrateCommand(), migratePlanCommand()}
}

func (a *app) run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.g.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.rootHelp(a.stdout)
			return exitOK
		}
		return a.fail(usagef("", "%s", doubleDash(err)))
	}
	rest := fs.Args()
	if len(rest) == 0 {
		a.rootHelp(a.stderr)
		return exitUsage
	}
	if rest[0] == "help" {
		if len(rest) == 1 {
			a.rootHelp(a.stdout)
			return exitOK
		}
		rest = append(rest[1:], "--help")
	}
	// Find the longest command name the arguments start with.
	var cmd *command
	var group bool
	for _, c := range a.commands() {
		words := strings.Fields(c.name)
		if len(rest) >= len(words) && slices.Equal(rest[:len(words)], words) {
			cmd = c
		} else if rest[0] == words[0] {
			group = true
		}
	}
	switch {
	case cmd != nil:
		return a.runCommand(ctx, cmd, rest[len(strings.Fields(cmd.name)):])
	case group && (len(rest) == 1 || rest[1] == "--help" || rest[1] == "-h" || rest[1] == "-help"):
		w, code := a.stderr, exitUsage
		if len(rest) > 1 {
			w, code = a.stdout, exitOK
		}
		a.groupHelp(w, rest[0])
		return code
	case group:
		return a.fail(usagef("", "unknown command %q", rest[0]+" "+rest[1]))
	}
	return a.fail(usagef("", "unknown command %q", rest[0]))
}

func (a *app) runCommand(ctx context.Context, c *command, args []string) int {
	fs := flag.NewFlagSet(prog+" "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFn := c.flags(a, fs)
	own := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { own[f.Name] = true })
	a.g.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.commandHelp(a.stdout, c, fs, own)
			return exitOK
		}
		return a.fail(usagef(c.name, "%s", doubleDash(err)))
	}
	if err := a.checkRate(c.name); err != nil {
		return a.fail(err)
	}
	tty := isTerminal(a.stderr)
	a.pr = newMeter(a.stderr, tty, a.g.quiet, a.lineEvery)
	if tty && !a.g.quiet {
		// The bar is on stderr: clear it before anything else is written
		// there (warnings, the log, errors) and, on the same terminal,
		// to stdout, so that no line lands after the bar.
		stdout, stderr := a.stdout, a.stderr
		a.stderr = clearingWriter{w: stderr, m: a.pr}
		if isTerminal(stdout) {
			a.stdout = clearingWriter{w: stdout, m: a.pr}
		}
		defer func() { a.stdout, a.stderr = stdout, stderr }()
	}
	err = runFn(ctx, pos)
	a.pr.finish()
	if err != nil {
		return a.fail(err)
	}
	return exitOK
}

// flagNamed finds the single-dash flag names in the flag package's errors
// ("flag provided but not defined: -apply", "invalid value "x" for flag
// -rate: …", "invalid boolean value "x" for -apply: …").
var flagNamed = regexp.MustCompile(`(not defined: |needs an argument: |for flag |for )-([A-Za-z])`)

// doubleDash returns a flag parsing error with the flags as this program
// writes them, with two dashes: "flag provided but not defined: --apply".
func doubleDash(err error) string {
	return flagNamed.ReplaceAllString(err.Error(), "${1}--${2}")
}

// parseInterspersed parses flags wherever they are among the arguments
// (before "--") and returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// fail reports err and returns its exit code.
func (a *app) fail(err error) int {
	if ue, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprintf(a.stderr, "%s: %s\n", prog, ue.msg)
		help := prog + " --help"
		if ue.cmd != "" {
			help = prog + " " + ue.cmd + " --help"
		}
		fmt.Fprintf(a.stderr, "Run '%s' for usage.\n", help)
		return exitUsage
	}
	if _, ok := errors.AsType[*usermgmt.LoadError](err); ok {
		// A policy file the site does not agree with (sitecheck): a
		// usage error, with file, line and field.
		fmt.Fprintf(a.stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	if usermgmt.Refused(err) || dirmove.IsRefused(err) {
		fmt.Fprintf(a.stderr, "%s: refused: %v\n", prog, err)
		fmt.Fprint(a.stderr, limitNextStep(err)) // limits.go
		return exitRefused
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(a.stderr, "%s: interrupted\n", prog)
		return exitFailed
	}
	fmt.Fprintf(a.stderr, "%s: %v\n", prog, err)
	if errors.Is(err, jira.ErrIncomplete) {
		fmt.Fprintf(a.stderr, "%s: here, set JIRA_LOGINS (a login export, CSV) or JIRA_DB_DSN (Jira's database, read-only), or the site's logins in a policy file\n", prog)
	}
	return exitFailed
}
