// Command example-report writes the example report of the README: a dry
// run of an inactivity policy over the demo organisation on the fake Jira
// (jira/jiratest), with its insights and charts.
//
//	go run ./report/internal/cmd/example-report -out docs/report-example.html -charts docs
//
// The organisation and the clock are fixed, so the output is the same on
// every run.
package main
