package jira

import "fmt"

// Flavor says which kind of Jira a site is: Data Center (REST v2) or Cloud
// (REST v3 plus the Atlassian Admin API).
type Flavor int

// The flavours of Jira. The zero value is no flavour, so a forgotten field is
// detected rather than silently treated as one of them.
const (
	DataCenter Flavor = iota + 1
	Cloud
)

// String returns "dc" or "cloud", the spelling used in flags and policy files.
func (f Flavor) String() string {
	switch f {
	case DataCenter:
		return "dc"
	case Cloud:
		return "cloud"
	default:
		return fmt.Sprintf("Flavor(%d)", int(f))
	}
}

// ParseFlavor reads a flavour as written in flags and files: "dc" (also
// "datacenter", "server") or "cloud".
func ParseFlavor(s string) (Flavor, error) {
	switch s {
	case "dc", "datacenter", "data-center", "server":
		return DataCenter, nil
	case "cloud":
		return Cloud, nil
	}
	return 0, fmt.Errorf("jira: unknown flavor %q (want dc or cloud)", s)
}

// MarshalText implements [encoding.TextMarshaler].
func (f Flavor) MarshalText() ([]byte, error) {
	if f != DataCenter && f != Cloud {
		return nil, fmt.Errorf("jira: cannot marshal %v", f)
	}
	return []byte(f.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (f *Flavor) UnmarshalText(b []byte) error {
	v, err := ParseFlavor(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}
