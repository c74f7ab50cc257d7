package provenance

import "strings"

// SplitBuilderID splits "name@ref" at its last "@": the builder_name and
// builder_ref facts Rego matches the registry's builders against.
func SplitBuilderID(id string) (name, ref string) {
	if i := strings.LastIndex(id, "@"); i >= 0 {
		return id[:i], id[i+1:]
	}
	return id, ""
}
