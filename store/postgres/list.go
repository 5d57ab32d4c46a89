package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// listFields is what a collection may be sorted and filtered by.
type listFields struct {
	sort, filter           map[string]string // field -> expression; "" is the default
	sortNames, filterNames string            // for Validation messages
}

// namedFields are the fields of collections sorted and filtered by name.
// Names sort case-insensitively and byte-wise, as SQLite's NOCASE does,
// whatever the database's collation.
var namedFields = listFields{
	sort: map[string]string{
		"":             `lower(name) COLLATE "C"`,
		"name":         `lower(name) COLLATE "C"`,
		"id":           `id COLLATE "C"`,
		"creationDate": "creation_date",
		"lastUpdated":  "last_updated",
	},
	filter:      map[string]string{"": "name", "name": "name"},
	sortNames:   "name, id, creationDate, lastUpdated",
	filterNames: "name",
}

// listQuery selects one page of a table: the rows matching every condition
// of where (whose arguments are in args) and the filter of opts, sorted and
// paged as opts says. fields defaults to namedFields.
type listQuery struct {
	table   string
	columns string
	where   []string
	args    placeholders
	opts    weir.ListOptions
	fields  *listFields
}

// findList runs q, returning its page of rows decoded by scan and the number
// of matching rows across all pages. Both queries share one round trip. It
// returns Validation for an unknown sort or filter field.
func findList[T any](ctx context.Context, db *DB, q listQuery, scan pgx.RowToFunc[T]) ([]T, int, error) {
	fields := q.fields
	if fields == nil {
		fields = &namedFields
	}
	sortCol, ok := fields.sort[q.opts.SortField]
	if !ok {
		return nil, 0, weir.Errorf(weir.Validation, "sortField must be one of %s", fields.sortNames)
	}
	if q.opts.Filter != "" {
		col, ok := fields.filter[q.opts.FilterField]
		if !ok {
			return nil, 0, weir.Errorf(weir.Validation, "filterField must be %s", fields.filterNames)
		}
		q.where = append(q.where, col+` ILIKE `+q.args.add(likePattern(q.opts.Filter))+` ESCAPE '\'`)
	}
	where := "TRUE"
	if len(q.where) > 0 {
		where = strings.Join(q.where, " AND ")
	}
	countArgs := q.args
	dir := "ASC"
	switch strings.ToLower(q.opts.SortDirection) {
	case "desc", "descending", "-1":
		dir = "DESC"
	}
	tail := " ORDER BY " + sortCol + " " + dir + `, id COLLATE "C" ` + dir
	if q.opts.PerPage > 0 {
		tail += " LIMIT " + q.args.add(q.opts.PerPage) + " OFFSET " + q.args.add(max(q.opts.Page, 0)*q.opts.PerPage)
	}

	var (
		n     int
		items []T
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT count(*) FROM `+q.table+` WHERE `+where, countArgs...).QueryRow(func(row pgx.Row) error {
		return row.Scan(&n)
	})
	b.Queue(`SELECT `+q.columns+` FROM `+q.table+` WHERE `+where+tail, q.args...).Query(func(rows pgx.Rows) (err error) {
		items, err = pgx.CollectRows(rows, scan)
		return err
	})
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, err
	}
	if items == nil {
		items = []T{}
	}
	return items, n, nil
}

// likePattern turns a filter, a substring in which '*' matches any run of
// characters, into a LIKE pattern escaped with '\'.
func likePattern(filter string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`)
	return "%" + r.Replace(filter) + "%"
}
