// Package rest holds the bodies of the REST calls that Jira Data Center
// and Jira Cloud share, parameterised by the flavour's API prefix and the
// way it names a user ([API]): user properties, issues with their
// transitions and comments, application roles, the user model's list
// wrappers, and the bounded parallel reads of a snapshot. jira/datacenter
// and jira/cloud expose these services under their own names (type
// aliases), so the two flavours cannot drift apart.
package rest
