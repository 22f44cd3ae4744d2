package postgres_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/internal/pgtest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/postgres"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

// BenchmarkSaveRun saves a run of n results in PostgreSQL (one INSERT …
// SELECT FROM unnest for the results) and, for comparison, in SQLite (one
// prepared INSERT per result), and reports results saved per second.
func BenchmarkSaveRun(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		r, _ := reporttest.Fixture()
		base := r.Results
		r.Results = make([]actions.Result, n)
		for i := range r.Results {
			r.Results[i] = base[i%len(base)]
		}
		for _, store := range []string{"postgres", "sqlite"} {
			b.Run(fmt.Sprintf("%s/results=%d", store, n), func(b *testing.B) {
				var s history.Store
				if store == "postgres" {
					ps, err := postgres.Open(b.Context(), pgtest.Schema(b))
					if err != nil {
						b.Fatal(err)
					}
					s = ps
				} else {
					ss, err := history.OpenSQLite(b.Context(), filepath.Join(b.TempDir(), "h.db"))
					if err != nil {
						b.Fatal(err)
					}
					s = ss
				}
				defer s.Close()
				for b.Loop() {
					if err := s.SaveRun(b.Context(), r); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "results/s")
			})
		}
	}
}
