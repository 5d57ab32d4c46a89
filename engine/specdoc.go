package engine

import (
	"bytes"
	"fmt"
	"strings"
)

// SpecDoc renders the reference page of a node type from its spec, in
// Markdown. Pages are generated, never written by hand, so they cannot drift
// from what the engine accepts.
func SpecDoc(s Spec) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", s.Type)
	fmt.Fprintf(&b, "%s\n\n", s.Summary)
	fmt.Fprintf(&b, "- Editor palette: `%s` in category `%s`\n", s.Name, s.Category)
	switch len(s.Outputs) {
	case 0:
		b.WriteString("- Outputs: none (the path ends here)\n")
	default:
		b.WriteString("- Outputs, by `outputIds` index:\n")
		for i, o := range s.Outputs {
			fmt.Fprintf(&b, "  %d. %s\n", i, o)
		}
	}
	if len(s.Fields) == 0 {
		b.WriteString("\nNo config fields.\n")
		return b.Bytes()
	}
	b.WriteString("\n## Config\n\n| Field | Kind | Default | Description |\n|---|---|---|---|\n")
	for _, f := range s.Fields {
		name := "`" + f.Name + "`"
		if f.Required {
			name += " (required)"
		}
		kind := f.Kind
		if len(f.Enum) > 0 {
			kind += ": " + strings.Join(quoteAll(f.Enum), ", ")
		}
		def := ""
		if f.Default != "" {
			def = "`" + f.Default + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, kind, def, cell(f.Doc))
	}
	return b.Bytes()
}

// SpecIndex renders the index page listing every node type.
func SpecIndex(specs []Spec) []byte {
	var b bytes.Buffer
	b.WriteString("# Node reference\n\nGenerated from the node specs by `go test ./nodes -run TestNodeDocs -update`; do not edit.\n\n")
	b.WriteString("| Node | Category | Summary |\n|---|---|---|\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s |\n", s.Type, s.Type, s.Category, cell(s.Summary))
	}
	return b.Bytes()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
