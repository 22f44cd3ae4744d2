// Package jiratest is a fake Jira, like net/http/httptest for Jira: Data
// Center (REST v2), Cloud (REST v3) and the Atlassian Admin API, in memory,
// behaving like Jira on the wire.
package jiratest
