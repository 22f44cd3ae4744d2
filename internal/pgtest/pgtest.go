package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the driver "pgx"
)

// Env is the variable that names the test database.
const Env = "SEATWARDEN_TEST_POSTGRES_DSN"

// DSN returns the test database's URL, or skips the test (fails it when
// CI=true) when Env is not set.
func DSN(t testing.TB) string {
	t.Helper()
	v := os.Getenv(Env)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts PostgreSQL and sets it)", Env)
		}
		t.Skipf("%s is not set: no PostgreSQL to test against (.ci/run starts one and sets it; see .ci/databases)", Env)
	}
	return v
}

// Schema creates a new, empty schema in the test database, dropped when
// the test ends, and returns a URL whose connections work in it (its
// search_path).
func Schema(t testing.TB) string {
	t.Helper()
	base := DSN(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("sw_test_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE")
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}
