package metricstest

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := `# HELP x_total Things.
# TYPE x_total counter
x_total{a="1",b="say \"hi\"\\"} 3
x_total{a="2"} 4.5 1700000000000
y 7

`
	s, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 3 {
		t.Fatalf("got %d samples, want 3: %+v", len(s), s)
	}
	if got := s[0].Labels["b"]; got != `say "hi"\` {
		t.Errorf("escaped label = %q", got)
	}
	if v := s.Value("x_total"); v != 7.5 {
		t.Errorf("sum = %v, want 7.5", v)
	}
	if v := s.Value("x_total", "a", "2"); v != 4.5 {
		t.Errorf("a=2: %v, want 4.5", v)
	}
	if _, ok := s.Sum("x_total", "a", "3"); ok {
		t.Error("a=3 matched")
	}
	if by := s.By("x_total", "a"); by["1"] != 3 || by["2"] != 4.5 {
		t.Errorf("by a: %v", by)
	}
	if _, err := Parse(strings.NewReader("ok 1\nbad{a=\"x} 1\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v, want an error naming line 2", err)
	}
}
