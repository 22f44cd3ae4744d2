package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
)

// column is a field of a user in the output.
type column struct {
	name string
	// value returns the field for JSON: a string, bool or []string.
	value func(u *jira.User) any
	// table shortens the value for the table, when set.
	table func(u *jira.User) string
	// needs says what the snapshot must fetch for the column.
	needs func(o *jira.SnapshotOptions)
}

func str(f func(u *jira.User) string) func(u *jira.User) any {
	return func(u *jira.User) any { return f(u) }
}

func dateOf(s string) string {
	if len(s) >= 10 && s[4] == '-' {
		return s[:10]
	}
	return s
}

var columns = []column{
	{name: "key", value: str(func(u *jira.User) string { return u.Key })},
	{name: "name", value: str(func(u *jira.User) string { return u.Name })},
	{name: "accountId", value: str(func(u *jira.User) string { return u.AccountID })},
	{name: "email", value: str(func(u *jira.User) string { return u.Email })},
	{name: "displayName", value: str(func(u *jira.User) string { return u.DisplayName })},
	{name: "active", value: func(u *jira.User) any { return u.Active }},
	{name: "accountType", value: str(func(u *jira.User) string { return string(u.AccountType) })},
	{name: "directory", value: str(func(u *jira.User) string { return u.Directory })},
	{name: "lastLogin", value: str(func(u *jira.User) string { return report.LastLoginText(u.LastLogin) }),
		table: func(u *jira.User) string { return dateOf(report.LastLoginText(u.LastLogin)) },
		needs: func(o *jira.SnapshotOptions) { o.LastLogin = true }},
	{name: "created", value: str(func(u *jira.User) string { return report.CreatedText(u.Created) }),
		table: func(u *jira.User) string { return dateOf(report.CreatedText(u.Created)) },
		needs: func(o *jira.SnapshotOptions) { o.LastLogin = true }},
	{name: "groups", value: func(u *jira.User) any { return nonNil(u.Groups) },
		needs: func(o *jira.SnapshotOptions) { o.AllGroups = true }},
	{name: "licences", value: func(u *jira.User) any { return nonNil(u.Licences) },
		needs: func(o *jira.SnapshotOptions) { o.Licences = true }},
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func columnNames() string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.name
	}
	return strings.Join(names, ",")
}

// defaultColumns are the columns shown unless --columns says otherwise:
// a compact set for the table, every identity and the memberships for
// JSON and CSV.
func defaultColumns(f jira.Flavor, format string) string {
	id := "name"
	if f == jira.Cloud {
		id = "accountId"
	}
	if format == "table" {
		return id + ",displayName,email,active,lastLogin,licences"
	}
	if f == jira.Cloud {
		return "accountId,email,displayName,active,lastLogin,groups,licences"
	}
	return "key,name,email,displayName,active,lastLogin,groups,licences"
}

// parseColumns reads a comma-separated list of column names.
func parseColumns(list string) ([]column, error) {
	var out []column
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(columns, func(c column) bool { return strings.EqualFold(c.name, name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown column %q; the columns are %s", name, columnNames())
		}
		out = append(out, columns[i])
	}
	return out, nil
}

// text renders a value for a table or CSV cell.
func text(v any, sep string) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case []string:
		return strings.Join(v, sep)
	}
	return fmt.Sprint(v)
}

// spreadsheetSafe defuses a CSV cell that a spreadsheet would read as a
// formula (CSV injection): a cell starting with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writer writes users in one format, row by row. A table is written
// only by close, with its header: a command that fails before then
// prints no table (not even its header) before its error; the CSV header
// comes with the first row or at close.
type writer interface {
	write(u *jira.User) error
	close() error
}

// With full, JSON has every fact read (opts), in the shape of
// report.User that the server's API shares, rather than the columns.
func newWriter(w io.Writer, format string, cols []column, full bool, opts jira.SnapshotOptions) (writer, error) {
	switch format {
	case "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := make([]string, len(cols))
		for i, c := range cols {
			head[i] = strings.ToUpper(c.name)
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")) // buffered until close
		return &tableWriter{tw: tw, cols: cols}, nil
	case "json":
		return &jsonWriter{w: w, cols: cols, full: full, opts: opts}, nil
	case "csv":
		return &csvWriter{cw: csv.NewWriter(w), cols: cols}, nil
	}
	return nil, fmt.Errorf("unknown output %q; want table, json or csv", format)
}

type tableWriter struct {
	tw   *tabwriter.Writer
	cols []column
	n    int
}

func (t *tableWriter) write(u *jira.User) error {
	cells := make([]string, len(t.cols))
	for i, c := range t.cols {
		if c.table != nil {
			cells[i] = c.table(u)
		} else {
			cells[i] = text(c.value(u), ", ")
		}
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(cells[i])
	}
	t.n++
	_, err := fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	return err
}

// close writes the table; an empty one is not written (the command says
// "0 users" instead of a lone header).
func (t *tableWriter) close() error {
	if t.n == 0 {
		return nil
	}
	return t.tw.Flush()
}

type jsonWriter struct {
	w    io.Writer
	cols []column
	n    int
	full bool
	opts jira.SnapshotOptions
}

func (j *jsonWriter) write(u *jira.User) error {
	var b strings.Builder
	if j.n == 0 {
		b.WriteString("[\n  ")
	} else {
		b.WriteString(",\n  ")
	}
	j.n++
	if j.full {
		v, err := report.MarshalCompact(report.NewUser(u, j.opts))
		if err != nil {
			return err
		}
		b.Write(v)
		_, err = io.WriteString(j.w, b.String())
		return err
	}
	b.WriteString("{")
	for i, c := range j.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := report.MarshalCompact(c.name)
		v, err := report.MarshalCompact(c.value(u))
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteString("}")
	_, err := io.WriteString(j.w, b.String())
	return err
}

func (j *jsonWriter) close() error {
	if j.n == 0 {
		_, err := io.WriteString(j.w, "[]\n")
		return err
	}
	_, err := io.WriteString(j.w, "\n]\n")
	return err
}

type csvWriter struct {
	cw     *csv.Writer
	cols   []column
	header bool // written
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	head := make([]string, len(c.cols))
	for i, col := range c.cols {
		head[i] = col.name
	}
	return c.cw.Write(head)
}

func (c *csvWriter) write(u *jira.User) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	row := make([]string, len(c.cols))
	for i, col := range c.cols {
		row[i] = spreadsheetSafe(text(col.value(u), ";"))
	}
	return c.cw.Write(row)
}

// close writes the header of an empty file too: a CSV file of no users
// still names its columns.
func (c *csvWriter) close() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.cw.Flush()
	return c.cw.Error()
}
