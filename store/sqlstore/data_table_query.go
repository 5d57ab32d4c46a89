package sqlstore

import (
	"strings"
	"unicode/utf8"

	"github.com/weirhq/weir"
)

// compileTableQuery turns a checked data table query (weir.ParseTableQuery)
// into an SQL condition over the rows table of t and its arguments, the
// same text for SQLite and PostgreSQL but for the position function the
// Dialect supplies.
//
// Each comparison names the SQL column of its field (id, created_at,
// updated_at or the column's cN), so the column's index serves equality,
// ranges, $in and $startsWith (a range on the prefix plus an exact test of
// it). Null follows MongoDB, whose query language Losant's is: {$eq: null}
// is IS NULL, $ne and $nin also match null, the ordering operators never
// match null except $gte/$lte null, which match it as equality would.
// $ci compares lower-cased text (the argument lower-cased here, the column
// by the database's lower()). Text orders byte-wise in both databases (a
// PostgreSQL text column is declared COLLATE "C").
func (s *Store) compileTableQuery(q *weir.TableQuery, t *dataTable) (string, []any) {
	c := queryCompiler{t: t, position: s.d.Position}
	var b strings.Builder
	c.node(&b, q)
	return b.String(), c.args
}

type queryCompiler struct {
	t        *dataTable
	position func(text, needle string) string
	args     []any
}

func (c *queryCompiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func (c *queryCompiler) node(b *strings.Builder, q *weir.TableQuery) {
	switch q.Op {
	case "$and", "$or", "$nor":
		if len(q.Items) == 0 {
			// An empty group filters nothing: Losant's query builder writes
			// {"$or": []} for "match any" with no lines, meaning every row.
			b.WriteString("1 = 1")
			return
		}
		join := " AND "
		if q.Op != "$and" {
			join = " OR "
		}
		if q.Op == "$nor" {
			b.WriteString("NOT ") // none of the alternatives holds
		}
		b.WriteString("(")
		for i, it := range q.Items {
			if i > 0 {
				b.WriteString(join)
			}
			if q.Op == "$nor" {
				// An item that is unknown (NULL) did not match: NOT must
				// count it as false, not keep it unknown.
				b.WriteString("COALESCE((")
				c.node(b, it)
				b.WriteString("), FALSE)")
				continue
			}
			b.WriteString("(")
			c.node(b, it)
			b.WriteString(")")
		}
		b.WriteString(")")
	default:
		c.comparison(b, q)
	}
}

// column returns the SQL expression of a comparison's field.
func (c *queryCompiler) column(q *weir.TableQuery) string {
	switch q.Field {
	case weir.RowFieldID:
		return "id"
	case weir.RowFieldCreatedAt:
		return "created_at"
	case weir.RowFieldUpdatedAt:
		return "updated_at"
	}
	return c.t.refs[q.Field]
}

func (c *queryCompiler) comparison(b *strings.Builder, q *weir.TableQuery) {
	col := c.column(q)
	val := q.Value
	if q.CI {
		col = "lower(" + col + ")"
		val = lowerValue(val)
	}
	switch q.Op {
	case "$eq":
		if val == nil {
			b.WriteString(col + " IS NULL")
			return
		}
		b.WriteString(col + " = " + c.arg(val))
	case "$ne":
		if val == nil {
			b.WriteString(col + " IS NOT NULL")
			return
		}
		b.WriteString("(" + col + " IS NULL OR " + col + " <> " + c.arg(val) + ")")
	case "$gt", "$gte", "$lt", "$lte":
		if val == nil {
			if q.Op == "$gte" || q.Op == "$lte" {
				b.WriteString(col + " IS NULL")
			} else {
				b.WriteString("1 = 0")
			}
			return
		}
		op := map[string]string{"$gt": " > ", "$gte": " >= ", "$lt": " < ", "$lte": " <= "}[q.Op]
		b.WriteString(col + op + c.arg(val))
	case "$in", "$nin":
		list, _ := val.([]any)
		if len(list) == 0 {
			if q.Op == "$in" {
				b.WriteString("1 = 0")
			} else {
				b.WriteString("1 = 1")
			}
			return
		}
		ph := make([]string, len(list))
		for i, v := range list {
			ph[i] = c.arg(v)
		}
		if q.Op == "$in" {
			b.WriteString(col + " IN (" + strings.Join(ph, ", ") + ")")
			return
		}
		b.WriteString("(" + col + " IS NULL OR " + col + " NOT IN (" + strings.Join(ph, ", ") + "))")
	case "$startsWith":
		s := val.(string)
		n := utf8.RuneCountInString(s)
		if !q.CI {
			// The range lets the column's index narrow the rows.
			b.WriteString(col + " >= " + c.arg(s) + " AND ")
		}
		b.WriteString("substr(" + col + ", 1, " + c.arg(n) + ") = " + c.arg(s))
	case "$endsWith":
		s := val.(string)
		n := utf8.RuneCountInString(s)
		b.WriteString("length(" + col + ") >= " + c.arg(n) + " AND substr(" + col + ", length(" + col + ") - " +
			c.arg(n-1) + ") = " + c.arg(s))
	case "$contains":
		b.WriteString(c.position(col, c.arg(val)) + " > 0")
	default:
		b.WriteString("1 = 0") // ParseTableQuery admits no other operator
	}
}

// lowerValue lower-cases text values for a case-insensitive comparison.
func lowerValue(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ToLower(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerValue(e)
		}
		return out
	}
	return v
}
