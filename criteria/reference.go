package criteria

// Symbol documents one variable or function of the criteria language.
type Symbol struct {
	// Name is the name as written in a criterion, e.g. "daysSinceLastLogin".
	Name string
	// Kind is "variable", "function" or "operator".
	Kind string
	// Type is the Go type of a variable, or the signature of a function.
	Type string
	// Doc says what the symbol means, including when it is unknown.
	Doc string
}

// Reference returns every variable, function and operator that the
// criteria language adds to expr, in a fixed order: variables first, as in
// [Env]. It is built from the vocabulary, as are the package
// documentation's tables and testdata/env.golden.
func Reference() []Symbol {
	v := vocabulary()
	out := make([]Symbol, 0, len(variables)+len(functions))
	for _, r := range variables {
		out = append(out, Symbol{Name: r.name, Kind: "variable", Type: v.types[r.name], Doc: r.doc})
	}
	for _, f := range functions {
		kind := f.kind
		if kind == "" {
			kind = "function"
		}
		out = append(out, Symbol{Name: f.name, Kind: kind, Type: f.typ, Doc: f.doc})
	}
	return out
}
