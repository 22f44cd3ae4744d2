package main

import (
	"flag"

	"github.com/seatwarden/seatwarden/report"
)

// runOutputFlag adds --output to apply, run and undo.
func runOutputFlag(fs *flag.FlagSet) *string {
	return fs.String("output", "text", "print the result as `FORMAT`: text, or json: the run document (the server's "+
		"run JSON; the plan's JSON for a dry run) on stdout, the summary on stderr")
}

// startOutput checks --output; with json it sends what the command
// prints for a person to stderr and keeps stdout for the JSON document
// ([app.writeJSON]). The returned function restores stdout.
func (a *app) startOutput(cmd, output string) (func(), error) {
	switch output {
	case "text":
		return func() {}, nil
	case "json":
		stdout := a.stdout
		a.json, a.stdout = stdout, a.stderr
		return func() { a.stdout, a.json = stdout, nil }, nil
	}
	return nil, usagef(cmd, "--output %q: want text or json", output)
}

// writeJSON writes v, the command's document, with --output json
// (report.WriteJSON: the server's encoder); with text it does nothing.
func (a *app) writeJSON(v any) error {
	if a.json == nil {
		return nil
	}
	return report.WriteJSON(a.json, v)
}
