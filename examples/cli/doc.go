// Command seatwarden (examples/cli) is a thin command-line program over
// package usermgmt: it lists, exports and explains the users of a Jira Data
// Center or Cloud site, plans and applies policy files, undoes runs, does
// ad-hoc group work and summarises the site's users — or does all that on
// an embedded fake Jira with --demo.
//
//	go run ./examples/cli demo
//	go run ./examples/cli --demo users list --where 'active && daysSinceLastLogin > 90'
//
// Run it with --help for the commands, their flags and the exit codes.
package main
