package http

import (
	"encoding/json"
	"sort"
)

// SchemaFields returns the top-level property names of the embedded body
// schema name (e.g. "devicePost"), sorted, and false when weir has no such
// schema. Importers use it to send a resource only the fields weir's
// routes accept.
func SchemaFields(name string) ([]string, bool) {
	if !schemas.names[name] {
		return nil, false
	}
	b, err := schemaFS.ReadFile("schemas/" + name + ".json")
	if err != nil {
		return nil, false
	}
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return nil, false
	}
	out := make([]string, 0, len(doc.Properties))
	for k := range doc.Properties {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, true
}
