//go:build !unix

package actions

import "os"

// lockFile does not lock on systems without flock: one writer per
// journal is then the caller's care.
func lockFile(*os.File) error { return nil }
