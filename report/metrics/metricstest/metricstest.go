package metricstest

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Sample is one line of the exposition: a metric's name, its labels and
// its value.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Samples are the samples of one exposition, in its order.
type Samples []Sample

// Sum adds up the values of the samples named name whose labels include
// every pair of match ("label", "value", …); an empty value matches a
// missing label only. It reports whether any sample matched.
func (s Samples) Sum(name string, match ...string) (float64, bool) {
	total, found := 0.0, false
	for _, x := range s {
		if x.Name != name || !matches(x.Labels, match) {
			continue
		}
		total += x.Value
		found = true
	}
	return total, found
}

// Value is Sum without the found flag: 0 when nothing matched.
func (s Samples) Value(name string, match ...string) float64 {
	v, _ := s.Sum(name, match...)
	return v
}

// By returns the sum of the matching samples of name for each value of
// the label by, e.g. the requests by status.
func (s Samples) By(name, by string, match ...string) map[string]float64 {
	out := map[string]float64{}
	for _, x := range s {
		if x.Name == name && matches(x.Labels, match) {
			out[x.Labels[by]] += x.Value
		}
	}
	return out
}

func matches(labels map[string]string, match []string) bool {
	for i := 0; i+1 < len(match); i += 2 {
		if labels[match[i]] != match[i+1] {
			return false
		}
	}
	return true
}

// Scrape gets url with the bearer token (none when empty) and parses the
// answer, which must be 200.
func Scrape(client *http.Client, url, token string) (Samples, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return Parse(resp.Body)
}

// Parse reads the text exposition format (version 0.0.4): comments and
// blank lines are skipped, every other line is a sample, with an optional
// timestamp after its value. A line it cannot read is an error naming
// its number.
func Parse(r io.Reader) (Samples, error) {
	var out Samples
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %w: %q", n, err, line)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

func parseLine(line string) (Sample, error) {
	s := Sample{Labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, fmt.Errorf("no value")
	}
	s.Name, line = line[:i], line[i:]
	if line[0] == '{' {
		rest, err := parseLabels(line[1:], s.Labels)
		if err != nil {
			return s, err
		}
		line = rest
	}
	fields := strings.Fields(line)
	if len(fields) == 0 || len(fields) > 2 {
		return s, fmt.Errorf("want a value and an optional timestamp")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, fmt.Errorf("value: %w", err)
	}
	s.Value = v
	return s, nil
}

// parseLabels reads `name="value",…}` into labels and returns what
// follows the closing brace.
func parseLabels(s string, labels map[string]string) (string, error) {
	for {
		s = strings.TrimLeft(s, " ,")
		if strings.HasPrefix(s, "}") {
			return s[1:], nil
		}
		eq := strings.Index(s, `="`)
		if eq <= 0 {
			return "", fmt.Errorf("bad label")
		}
		name := strings.TrimSpace(s[:eq])
		s = s[eq+2:]
		var b strings.Builder
		for {
			if s == "" {
				return "", fmt.Errorf("unterminated label value")
			}
			c := s[0]
			s = s[1:]
			if c == '"' {
				break
			}
			if c == '\\' && s != "" {
				switch s[0] {
				case 'n':
					c = '\n'
				default:
					c = s[0]
				}
				s = s[1:]
			}
			b.WriteByte(c)
		}
		if _, dup := labels[name]; dup {
			return "", fmt.Errorf("label %s twice", name)
		}
		labels[name] = b.String()
	}
}
