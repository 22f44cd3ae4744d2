package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lines reads r line by line: the first line goes to the channel, all of
// them into the returned buffer (read it after the writer is done).
func lines(r io.Reader) (first <-chan string, all func() string) {
	ch := make(chan string, 1)
	var mu sync.Mutex
	var buf strings.Builder
	go func() {
		sc := bufio.NewScanner(r)
		for n := 0; sc.Scan(); n++ {
			if n == 0 {
				ch <- sc.Text()
			}
			mu.Lock()
			buf.WriteString(sc.Text() + "\n")
			mu.Unlock()
		}
		close(ch)
	}()
	return ch, func() string {
		mu.Lock()
		defer mu.Unlock()
		return buf.String()
	}
}

// baseURL waits for the first line, which must be the base URL alone.
func baseURL(t *testing.T, first <-chan string) string {
	t.Helper()
	select {
	case line, ok := <-first:
		if !ok {
			t.Fatal("the program printed nothing")
		}
		if !strings.HasPrefix(line, "http://127.0.0.1:") || strings.ContainsAny(line, " \t") {
			t.Fatalf("first line %q is not a base URL", line)
		}
		return line
	case <-time.After(30 * time.Second):
		t.Fatal("no base URL within 30 s")
	}
	return ""
}

// get fetches url with the DC administrator's credentials and decodes
// the JSON answer.
func get(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "admin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int)
	go func() {
		code := run(ctx, []string{"-addr", "127.0.0.1:0", "-users", "200", "-seed", "3", "-dc-version", "9.12"}, pw, &stderr)
		pw.Close()
		done <- code
	}()
	first, all := lines(pr)
	url := baseURL(t, first)

	var info struct {
		Version string `json:"version"`
	}
	get(t, url+"/rest/api/2/serverInfo", &info)
	if info.Version != "9.12" {
		t.Errorf("serverInfo version = %q, want 9.12", info.Version)
	}
	var users []struct {
		Name string `json:"name"`
	}
	get(t, url+"/rest/api/2/user/search?username=.&maxResults=1000&includeInactive=true", &users)
	if len(users) != 201 {
		t.Errorf("user search found %d users, want 200 generated and the administrator", len(users))
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr.String())
	}
	out := all()
	for _, want := range []string{"admin:admin", "demo-token", "directory 10000: Corporate LDAP (read-only)", "200 users", "curl "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-flavor", "server-ish"},
		{"-users", "-1"},
		{"-rate", "-2"},
		{"-latency", "-1s"},
		{"-faults", "429=2"},
		{"-faults", "teapot=0.1"},
		{"-dc-version", "ten"},
		{"-nosuchflag"},
		{"extra"},
		// The Automation for Jira account is always generated.
		{"-users", "5", "-dc-user", "automation"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), append(args, "-addr", "127.0.0.1:0"), &stdout, &stderr)
		if code != 2 {
			t.Errorf("%q: exit code %d, want 2", args, code)
		}
		if stdout.Len() > 0 || !strings.Contains(stderr.String(), "Usage: fakejira") {
			t.Errorf("%q: want usage on stderr and nothing on stdout; got stdout %q, stderr %q", args, stdout.String(), stderr.String())
		}
	}
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"-h"}, io.Discard, &stderr); code != 0 || !strings.Contains(stderr.String(), "-faults") {
		t.Errorf("-h: exit code %d, usage %q; want 0 and the flags", code, stderr.String())
	}
}

// buildProgram builds the program into a temporary directory.
func buildProgram(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the test stops the program with SIGTERM")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the program with")
	}
	bin := filepath.Join(t.TempDir(), "fakejira")
	if out, err := exec.Command(goCmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestProgram(t *testing.T) {
	t.Parallel()
	bin := buildProgram(t)
	t.Run("serves and stops on SIGTERM", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-users", "200", "-faults", "500=0")
		pr, pw := io.Pipe()
		cmd.Stdout = pw
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		first, _ := lines(pr)
		url := baseURL(t, first)

		var info struct {
			DeploymentType string `json:"deploymentType"`
		}
		get(t, url+"/rest/api/2/serverInfo", &info)
		if info.DeploymentType != "Server" {
			t.Errorf("serverInfo deploymentType = %q, want Server", info.DeploymentType)
		}
		var stats struct {
			Total  int            `json:"total"`
			Routes map[string]int `json:"routes"`
		}
		get(t, url+"/_fake/stats", &stats)
		if stats.Total != 1 || stats.Routes["GET /rest/api/2/serverInfo"] != 1 {
			t.Errorf("stats = %+v, want the one serverInfo request", stats)
		}

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		pw.Close()
		if err != nil {
			t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	})
	t.Run("bad flags exit 2", func(t *testing.T) {
		t.Parallel()
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "-flavor", "mainframe")
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Fatalf("exit: %v, want status 2", err)
		}
		if !strings.Contains(stderr.String(), "Usage: fakejira") {
			t.Errorf("stderr lacks the usage:\n%s", stderr.String())
		}
	})
}
