package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// Querier runs the statements of one transaction. *sql.Tx satisfies it, and
// so does SQLite's write transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Dialect is what one SQL database supplies to the shared logic.
type Dialect struct {
	// View runs fn in a read-only transaction.
	View func(ctx context.Context, fn func(q Querier) error) error
	// Update runs fn in a write transaction, committed when fn returns nil
	// and rolled back otherwise; now is the transaction's time, truncated to
	// milliseconds.
	Update func(ctx context.Context, fn func(q Querier, now time.Time) error) error
	// Fold returns an expression ordering expr case-insensitively and
	// byte-wise ("NOCASE" in SQLite, lower() COLLATE "C" in PostgreSQL).
	Fold func(expr string) string
	// Bytewise returns an expression ordering expr byte-wise.
	Bytewise func(expr string) string
	// IsUnique reports whether err is a unique or primary key violation.
	IsUnique func(err error) bool
	// IsForeignKey reports whether err is a foreign key violation.
	IsForeignKey func(err error) bool

	// ColumnType returns the SQL type of a data table column of a weir
	// data type (weir.ColumnString, ColumnNumber, ColumnBoolean); text
	// orders byte-wise.
	ColumnType func(dataType string) string
	// Position returns an expression of the 1-based position of needle in
	// text, 0 when absent (instr in SQLite, strpos in PostgreSQL).
	Position func(text, needle string) string
	// Lock returns the clause a SELECT in a write transaction ends with to
	// lock the rows it reads, exclusive or shared (FOR UPDATE / FOR SHARE
	// in PostgreSQL; "" in SQLite, whose write transactions run one at a
	// time).
	Lock func(exclusive bool) string
	// Serialize is a statement taking one key that makes a write
	// transaction wait until the others that ran it with the same key end
	// (an advisory transaction lock in PostgreSQL); "" in SQLite, whose
	// write transactions run one at a time.
	Serialize string
}

// Uncached starts the statements whose text varies with the data (the
// queries of data table rows: a table's own SQL table, a query document's
// shape): a store that keeps statements prepared should not keep these,
// which would crowd out the statements it runs every time.
const Uncached = "/* uncached */ "

// Store implements the platform resources over a Dialect. It is safe for
// concurrent use.
type Store struct {
	d Dialect
	// MaxDataScan caps the state reports one data query reads; 0 is
	// weir.MaxDataScan (tests lower it).
	MaxDataScan int
}

// New returns a Store over d.
func New(d Dialect) *Store { return &Store{d: d} }

// listSpec is what a collection may be sorted and filtered by: field ->
// column ("" is the default), and the names for Validation messages.
type listSpec struct {
	sort, filter           map[string]string
	fold                   map[string]bool // sort columns ordered case-insensitively
	plain                  map[string]bool // sort columns that are not text (no collation)
	sortNames, filterNames string
}

// listClause turns opts into a condition (appended to where with its
// arguments) and an ORDER BY … LIMIT tail with its arguments. It returns
// Validation for an unknown sort or filter field.
func (s *Store) listClause(opts weir.ListOptions, spec listSpec, where []string, args []any) (string, []any, string, []any, error) {
	col, ok := spec.sort[opts.SortField]
	if !ok {
		return "", nil, "", nil, weir.Errorf(weir.Validation, "sortField must be one of %s", spec.sortNames)
	}
	order := s.d.Bytewise(col)
	if spec.fold[col] {
		order = s.d.Fold(col)
	} else if spec.plain[col] {
		order = col
	}
	if opts.Filter != "" {
		fcol, ok := spec.filter[opts.FilterField]
		if !ok {
			return "", nil, "", nil, weir.Errorf(weir.Validation, "filterField must be %s", spec.filterNames)
		}
		where = append(where, `lower(`+fcol+`) LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(opts.Filter))
	}
	dir := "ASC"
	switch strings.ToLower(opts.SortDirection) {
	case "desc", "descending", "-1":
		dir = "DESC"
	}
	tail := " ORDER BY " + order + " " + dir + ", " + s.d.Bytewise("id") + " " + dir
	var tailArgs []any
	if opts.PerPage > 0 {
		tail += " LIMIT ? OFFSET ?"
		tailArgs = []any{opts.PerPage, max(opts.Page, 0) * opts.PerPage}
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	return cond, args, tail, tailArgs, nil
}

// likePattern turns a filter, a substring in which '*' matches any run of
// characters, into a lower-case LIKE pattern escaped with '\'.
func likePattern(filter string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`)
	return "%" + strings.ToLower(r.Replace(filter)) + "%"
}

// placeholders returns n comma-separated ? placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// marshal encodes v as compact JSON text without HTML escaping.
func marshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// millis converts t to stored Unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis converts stored Unix milliseconds to a UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// scanner is a row or rows.
type scanner interface{ Scan(dest ...any) error }

// execOne runs a statement that must change one row, and returns notFound()
// when it changed none.
func execOne(ctx context.Context, q Querier, notFound func() error, query string, args ...any) error {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound()
	}
	return nil
}

// findPage reads, in one read transaction, how many rows of table match cond
// and the page of them that tail (ORDER BY … LIMIT) selects, as listClause
// built them, each row's columns read by scan.
func findPage[T any](ctx context.Context, s *Store, table, columns, cond string, args []any, tail string, tailArgs []any,
	scan func(scanner) (T, error)) ([]T, int, error) {
	var (
		page = []T{}
		n    int
	)
	err := s.d.View(ctx, func(q Querier) error {
		page, n = page[:0], 0
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+cond, args...).Scan(&n); err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM `+table+` WHERE `+cond+tail, append(args, tailArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			page = append(page, v)
		}
		return rows.Err()
	})
	return page, n, err
}

// matchPage keeps the items match accepts (every one when match is nil)
// and returns the page of them opts selects (PerPage 0: all) and how many
// there are: the page of a list whose query is matched after the SQL
// conditions.
func matchPage[T any](items []T, match func(T) bool, opts weir.ListOptions) ([]T, int) {
	kept := items[:0]
	for _, v := range items {
		if match == nil || match(v) {
			kept = append(kept, v)
		}
	}
	n := len(kept)
	start := min(max(opts.Page, 0)*opts.PerPage, n)
	end := n
	if opts.PerPage > 0 {
		end = min(start+opts.PerPage, n)
	}
	return kept[start:end], n
}

// viewOne runs find in a read transaction and returns what it found.
func viewOne[T any](ctx context.Context, s *Store, find func(q Querier) (T, error)) (T, error) {
	var v T
	err := s.d.View(ctx, func(q Querier) (err error) {
		v, err = find(q)
		return err
	})
	return v, err
}
