package jira_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// startFakeJira builds examples/fakejira and runs it with args; it returns
// the base URL the program prints first. The process ends with the test.
func startFakeJira(tb testing.TB, args ...string) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "fakejira")
	build := exec.Command("go", "build", "-o", bin, "../examples/fakejira")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil {
		tb.Fatalf("fakejira printed no URL: %v", err)
	}
	go func() { _, _ = r.WriteTo(discard{}) }()
	return strings.TrimSpace(line)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkSnapshot100kRemote snapshots 100,000 users (3 groups'
// membership and last login) from the fake running as a separate process
// (examples/fakejira, over loopback HTTP), so this process's heap is the
// client's alone, at the default GOGC. It reports the peak HeapAlloc
// sampled every 250 users (garbage included, so an upper bound on what the
// snapshot holds) in MB; the target is under 200 MB.
func BenchmarkSnapshot100kRemote(b *testing.B) {
	groups := []string{"engineering", "contractors", "sales"}
	for _, f := range flavours {
		b.Run(f.String(), func(b *testing.B) {
			url := startFakeJira(b, "-flavor", f.String(), "-users", "100000", "-seed", "1")
			var s site
			var err error
			if f == jira.DataCenter {
				s, err = datacenter.New(url, datacenter.BasicAuth("admin", "admin"), datacenter.WithRateLimit(1e6, 1e6))
			} else {
				s, err = cloud.New(url, cloud.APITokenAuth("admin@example.com", "demo-token"), cloud.WithRateLimit(1e6, 1e6),
					cloud.WithAdmin("demo-org", "demo-org-key"), cloud.WithAdminURL(url))
			}
			if err != nil {
				b.Fatal(err)
			}
			var ms runtime.MemStats
			peak := 0.0
			for b.Loop() {
				runtime.GC()
				n := 0
				for _, err := range s.Snapshot(b.Context(), jira.SnapshotOptions{Groups: groups, LastLogin: true}) {
					if err != nil {
						b.Fatal(err)
					}
					if n++; n%250 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, float64(ms.HeapAlloc)/(1<<20))
					}
				}
				if n < 100_000 {
					b.Fatalf("%d users", n)
				}
			}
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}
