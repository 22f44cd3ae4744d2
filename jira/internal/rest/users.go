package rest

import (
	"slices"
	"strings"
)

// ItemList is Jira's legacy list wrapper inside a user or group.
type ItemList[T any] struct {
	Size  int `json:"size"`
	Items []T `json:"items"`
}

// Names returns what name gives for each item of l, sorted; nil for a
// missing or empty list.
func Names[T any](l *ItemList[T], name func(T) string) []string {
	if l == nil || len(l.Items) == 0 {
		return nil
	}
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = name(it)
	}
	slices.Sort(out)
	return out
}

// GetOptions says what a user read expands.
type GetOptions struct {
	Groups           bool // expand=groups
	ApplicationRoles bool // expand=applicationRoles
}

// Expand returns the expand parameter, empty for none.
func (o *GetOptions) Expand() string {
	var e []string
	if o != nil && o.Groups {
		e = append(e, "groups")
	}
	if o != nil && o.ApplicationRoles {
		e = append(e, "applicationRoles")
	}
	return strings.Join(e, ",")
}
