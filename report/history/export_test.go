package history

import "context"

// OpenSQLiteVersion opens a history migrated only up to version v.
func OpenSQLiteVersion(ctx context.Context, path string, v int) (*SQLite, error) {
	return openSQLite(ctx, path, v)
}

// Exec runs a statement on the history, for tests that write old schemas.
func (s *SQLite) Exec(ctx context.Context, q string, args ...any) error {
	_, err := s.db.ExecContext(ctx, q, args...)
	return err
}

// Migrations is the number of schema versions.
var Migrations = len(migrations)
