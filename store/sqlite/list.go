package sqlite

import (
	"strings"

	"github.com/weirhq/weir"
)

// sortColumns maps the sortField values every collection accepts to columns.
var sortColumns = map[string]string{
	"":             "name COLLATE NOCASE",
	"name":         "name COLLATE NOCASE",
	"id":           "id",
	"creationDate": "creation_date",
	"lastUpdated":  "last_updated",
}

// filterColumns maps the filterField values every collection accepts to columns.
var filterColumns = map[string]string{
	"":     "name",
	"name": "name",
}

// listFields is what a collection may be sorted and filtered by.
type listFields struct {
	sort, filter           map[string]string // field -> column; "" is the default
	sortNames, filterNames string            // for Validation messages
}

// namedFields are the fields of collections sorted and filtered by name.
var namedFields = listFields{sortColumns, filterColumns, "name, id, creationDate, lastUpdated", "name"}

// listQuery turns the filter of opts into a condition with its arguments and
// the sort and page of opts into an ORDER BY … LIMIT clause. It returns
// Validation for an unknown sort or filter field.
func listQuery(opts weir.ListOptions) (cond string, args []any, tail string, err error) {
	return listQueryOf(opts, namedFields)
}

// listQueryOf is listQuery for a collection with fields of its own.
func listQueryOf(opts weir.ListOptions, fields listFields) (cond string, args []any, tail string, err error) {
	sortCol, ok := fields.sort[opts.SortField]
	if !ok {
		return "", nil, "", weir.Errorf(weir.Validation, "sortField must be one of %s", fields.sortNames)
	}
	dir := "ASC"
	switch strings.ToLower(opts.SortDirection) {
	case "desc", "descending", "-1":
		dir = "DESC"
	}
	tail = " ORDER BY " + sortCol + " " + dir
	if sortCol != "id" {
		// Ties broken by id. Not repeated after id itself: SQLite would
		// then sort what the index already orders, through a sorter that
		// takes every row before the page's OFFSET is skipped.
		tail += ", id " + dir
	}
	if opts.PerPage > 0 {
		tail += " LIMIT ? OFFSET ?"
	}

	cond = "1"
	if opts.Filter != "" {
		col, ok := fields.filter[opts.FilterField]
		if !ok {
			return "", nil, "", weir.Errorf(weir.Validation, "filterField must be %s", fields.filterNames)
		}
		cond = col + ` LIKE ? ESCAPE '\'`
		args = append(args, likePattern(opts.Filter))
	}
	return cond, args, tail, nil
}

// pageArgs returns the LIMIT and OFFSET arguments matching listQuery's tail.
func pageArgs(opts weir.ListOptions) []any {
	if opts.PerPage <= 0 {
		return nil
	}
	return []any{opts.PerPage, max(opts.Page, 0) * opts.PerPage}
}

// likePattern turns a filter, a substring in which '*' matches any run of
// characters, into a LIKE pattern escaped with '\'.
func likePattern(filter string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`)
	return "%" + r.Replace(filter) + "%"
}
