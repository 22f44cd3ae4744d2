// Command fakejira serves a fake Jira Data Center or Cloud site (package
// jiratest) loaded with a generated organisation, for trying Seatwarden's
// programs and for testing other tools against.
//
//	go run ./examples/fakejira -flavor cloud -addr 127.0.0.1:0 -users 5000 -seed 7
//
// The first line it prints is the base URL and nothing else, so a script
// can read it; then come the credentials, the directories, what was
// generated and a curl example. It stops on SIGINT or SIGTERM. Run it with
// -h for the flags.
package main
