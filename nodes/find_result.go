package nodes

import (
	"strconv"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

// findConfig are the config fields of the Get nodes (devices, users,
// groups) that say how many matches to put and how.
type findConfig struct {
	FindMultiple   bool        `json:"findMultiple"`
	FindMetadata   bool        `json:"findMetadata"`
	ResultsPerPage engine.Text `json:"resultsPerPage"`
	ResultsPage    engine.Text `json:"resultsPage"`
	SortField      string      `json:"sortField"`
	SortDirection  string      `json:"sortDirection"`
}

// findFieldSpecs document findConfig; sortFields are the sort field's
// values, the first its default.
func findFieldSpecs(sortFields ...string) []engine.Field {
	return []engine.Field{
		{Name: "findMultiple", Kind: "bool", Default: "false", Doc: "Put an array of every match (sorted and paged) instead of the first match or null."},
		{Name: "findMetadata", Kind: "bool", Default: "false", Doc: "With findMultiple, put {count, totalCount, page, perPage, sortField, sortDirection, items}."},
		{Name: "resultsPerPage", Kind: "template", Default: "100", Doc: "Page size with findMultiple, 1 to 1000; blank, 0 or not a number: 100."},
		{Name: "resultsPage", Kind: "template", Default: "0", Doc: "Page (0-based) with findMultiple; blank or not a number: 0."},
		{Name: "sortField", Kind: "enum", Enum: sortFields, Default: sortFields[0], Doc: "Order of the matches."},
		{Name: "sortDirection", Kind: "enum", Enum: []string{"asc", "desc"}, Default: "asc", Doc: "Direction of the order."},
	}
}

// findOptions is a compiled findConfig.
type findOptions struct {
	multiple      bool
	metadata      bool
	perPage, page *template.Template
	sortField     string
	sortDir       string
}

// compile compiles c; defaultSort is the sort field when none is set.
func (c findConfig) compile(defaultSort string) (findOptions, error) {
	f := findOptions{multiple: c.FindMultiple, metadata: c.FindMetadata, sortField: c.SortField, sortDir: c.SortDirection}
	if f.sortField == "" {
		f.sortField = defaultSort
	}
	if f.sortDir == "" {
		f.sortDir = "asc"
	}
	var err error
	if f.perPage, err = engine.CompileTemplate("resultsPerPage", string(c.ResultsPerPage)); err != nil {
		return f, err
	}
	f.page, err = engine.CompileTemplate("resultsPage", string(c.ResultsPage))
	return f, err
}

// paging renders the page and page size (renderPaging).
func (f *findOptions) paging(p engine.Payload) (page, perPage int) {
	return renderPaging(f.page, f.perPage, p)
}

// renderPaging renders a node's resultsPage and resultsPerPage templates:
// page 0 and 100 per page unless they render a number in range.
func renderPaging(pageT, perPageT *template.Template, p engine.Payload) (page, perPage int) {
	page, perPage = 0, 100
	if s, err := pageT.Render(p); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && v >= 0 {
			page = v
		}
	}
	if s, err := perPageT.Render(p); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && v >= 1 && v <= 1000 {
			perPage = v
		}
	}
	return page, perPage
}

// result is what a Get node puts (findResult).
func (f *findOptions) result(items []any, total, page, perPage int) any {
	return findResult(items, total, page, perPage, f.multiple, f.metadata, f.sortField, f.sortDir)
}

// findResult is what a lookup node (findMultiple, findMetadata) writes: the
// first item or nil, every item of the page, or the page with its metadata.
func findResult(items []any, total, page, perPage int, multiple, metadata bool, sortField, sortDir string) any {
	switch {
	case !multiple && len(items) == 0:
		return nil
	case !multiple:
		return items[0]
	case metadata:
		return map[string]any{"count": float64(len(items)), "totalCount": float64(total), "page": float64(page),
			"perPage": float64(perPage), "sortField": sortField, "sortDirection": sortDir, "items": items}
	}
	return items
}
