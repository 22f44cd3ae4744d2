// Package textdist measures how far apart two strings are, for the "did
// you mean …?" suggestions of the criteria language and the policy files.
package textdist
