// Package scan holds what both history stores (SQLite in report/history,
// PostgreSQL in report/history/postgres) do alike with the rows they read:
// their SQL differs, the decoding of a row does not.
package scan
