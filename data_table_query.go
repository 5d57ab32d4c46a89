package weir

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Limits of a data table query document.
const (
	MaxTableQueryDepth      = 8   // nesting of $and, $or and $nor
	MaxTableQueryConditions = 500 // comparisons in one document
	MaxTableQueryItems      = 100 // items of one $and, $or, $nor, $in or $nin (Losant's maxItems)
)

// Field types of a TableQuery besides the column data types.
const (
	QueryFieldID   = "id"   // the row id, compared as text
	QueryFieldDate = "date" // createdAt and updatedAt, compared as Unix milliseconds
)

// TableQuery is a checked data table query: Losant's advanced query
// document (schema advancedQuery) bound to one table's columns.
//
// The document is an object whose keys are all required to hold: a column
// name (or id, createdAt, updatedAt) mapped to a bare value (equality; null
// means the column is null) or to an object of operators ($eq, $ne, $gt,
// $gte, $lt, $lte, $in, $nin, $startsWith, $endsWith, $contains, and $ci
// to make the text comparisons of that object case-insensitive), and
// $and, $or, $nor with arrays of nested documents. An empty document, and
// an empty $and, $or or $nor, matches every row (Losant's query builder
// writes {"$or": []} for no condition). As in MongoDB, whose syntax Losant's follows, $ne and $nin
// also match null. Values convert to the column's type as row values do
// (DataTableColumn.Convert); createdAt and updatedAt take ISO 8601 text or
// Unix milliseconds.
//
// A node is either a group (Op $and, $or or $nor, with Items) or a
// comparison (Field, its Type, Op and Value: a string, float64, bool,
// int64 milliseconds, nil, or for $in and $nin a []any of those).
type TableQuery struct {
	Op    string
	Items []*TableQuery
	Field string
	Type  string // ColumnString, ColumnNumber, ColumnBoolean, QueryFieldID or QueryFieldDate
	Value any
	CI    bool
}

// ParseTableQuery checks a decoded JSON query document against t's columns
// and returns it as a tree. A malformed document, one nested deeper than
// MaxTableQueryDepth or with more than MaxTableQueryConditions
// comparisons, an unknown column or operator, or a value the column cannot
// hold is Validation, its message naming the path of the fault (as in
// "query.$or[1].temp.$gt"). A nil document matches every row.
func ParseTableQuery(doc any, t *DataTable) (*TableQuery, error) {
	p := queryParser{table: t}
	if doc == nil {
		return &TableQuery{Op: "$and"}, nil
	}
	return p.group(doc, "query", 0)
}

type queryParser struct {
	table *DataTable
	n     int
}

func (p *queryParser) fault(path, format string, args ...any) error {
	return Errorf(Validation, "%s: %s", path, fmt.Sprintf(format, args...))
}

// group parses one document: the conjunction of its keys.
func (p *queryParser) group(doc any, path string, depth int) (*TableQuery, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, p.fault(path, "must be an object")
	}
	if depth > MaxTableQueryDepth {
		return nil, p.fault(path, "is nested deeper than %d levels", MaxTableQueryDepth)
	}
	and := &TableQuery{Op: "$and"}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		kp := path + "." + k
		switch k {
		case "$and", "$or", "$nor":
			list, ok := v.([]any)
			if !ok {
				return nil, p.fault(kp, "must be an array")
			}
			if len(list) > MaxTableQueryItems {
				return nil, p.fault(kp, "has more than %d items", MaxTableQueryItems)
			}
			g := &TableQuery{Op: k}
			for i, e := range list {
				sub, err := p.group(e, fmt.Sprintf("%s[%d]", kp, i), depth+1)
				if err != nil {
					return nil, err
				}
				g.Items = append(g.Items, sub)
			}
			and.Items = append(and.Items, g)
		default:
			field, typ, conv, err := p.field(k, kp)
			if err != nil {
				return nil, err
			}
			conds, err := p.conditions(v, field, typ, conv, kp)
			if err != nil {
				return nil, err
			}
			and.Items = append(and.Items, conds...)
		}
	}
	return and, nil
}

// field resolves a key to a field, its type and its value conversion.
func (p *queryParser) field(k, path string) (string, string, func(any) (any, error), error) {
	switch k {
	case RowFieldID:
		return k, QueryFieldID, func(v any) (any, error) {
			if s, ok := v.(string); ok {
				return s, nil
			}
			return nil, Errorf(Validation, "must be a string")
		}, nil
	case RowFieldCreatedAt, RowFieldUpdatedAt:
		return k, QueryFieldDate, queryDate, nil
	}
	c, ok := p.table.Column(k)
	if !ok {
		return "", "", nil, p.fault(path, "is not a column of the table")
	}
	return k, c.DataType, func(v any) (any, error) {
		cv, err := c.Convert(v)
		if err != nil {
			return nil, Errorf(Validation, "must be a %s", c.DataType)
		}
		return cv, nil
	}, nil
}

// conditions parses a field's condition: a bare value or an object of
// operators.
func (p *queryParser) conditions(v any, field, typ string, conv func(any) (any, error), path string) ([]*TableQuery, error) {
	ops, isOps := v.(map[string]any)
	if !isOps {
		if _, isList := v.([]any); isList {
			return nil, p.fault(path, "must be a value or an object of operators")
		}
		c, err := p.comparison(field, typ, "$eq", v, false, conv, path)
		if err != nil {
			return nil, err
		}
		return []*TableQuery{c}, nil
	}
	ci := false
	if raw, ok := ops["$ci"]; ok {
		b, isBool := raw.(bool)
		if !isBool {
			return nil, p.fault(path+".$ci", "must be a boolean")
		}
		ci = b
	}
	var out []*TableQuery
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		if op == "$ci" {
			continue
		}
		c, err := p.comparison(field, typ, op, ops[op], ci, conv, path+"."+op)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, p.fault(path, "has no operator")
	}
	return out, nil
}

// comparison parses one operator and its argument.
func (p *queryParser) comparison(field, typ, op string, arg any, ci bool, conv func(any) (any, error), path string) (*TableQuery, error) {
	p.n++
	if p.n > MaxTableQueryConditions {
		return nil, p.fault(path, "the query has more than %d conditions", MaxTableQueryConditions)
	}
	text := typ == ColumnString || typ == QueryFieldID
	c := &TableQuery{Field: field, Type: typ, Op: op, CI: ci && text}
	switch op {
	case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
		if _, bad := arg.(map[string]any); bad {
			return nil, p.fault(path, "must be a value")
		}
		if _, bad := arg.([]any); bad {
			return nil, p.fault(path, "must be a value")
		}
		v, err := conv(arg)
		if err != nil {
			return nil, p.fault(path, "%s", ErrorMessage(err))
		}
		c.Value = v
	case "$startsWith", "$endsWith", "$contains":
		s, ok := arg.(string)
		if !ok || s == "" {
			return nil, p.fault(path, "must be a non-empty string")
		}
		if !text {
			return nil, p.fault(path, "applies to text columns only")
		}
		c.Value = s
	case "$in", "$nin":
		list, ok := arg.([]any)
		if !ok {
			return nil, p.fault(path, "must be an array")
		}
		if len(list) > MaxTableQueryItems {
			return nil, p.fault(path, "has more than %d items", MaxTableQueryItems)
		}
		vals := make([]any, 0, len(list))
		for i, e := range list {
			if _, bad := e.(map[string]any); bad {
				return nil, p.fault(fmt.Sprintf("%s[%d]", path, i), "must be a value")
			}
			if _, bad := e.([]any); bad {
				return nil, p.fault(fmt.Sprintf("%s[%d]", path, i), "must be a value")
			}
			v, err := conv(e)
			if err != nil {
				return nil, p.fault(fmt.Sprintf("%s[%d]", path, i), "%s", ErrorMessage(err))
			}
			if v != nil {
				vals = append(vals, v)
			}
		}
		c.Value = vals
	default:
		return nil, p.fault(path, "is not a query operator")
	}
	return c, nil
}

// queryDate converts ISO 8601 text or Unix milliseconds to milliseconds.
func queryDate(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		return int64(x), nil
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return int64(f), nil
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UnixMilli(), nil
		}
		if ms, err := strconv.ParseInt(x, 10, 64); err == nil {
			return ms, nil
		}
	}
	return nil, Errorf(Validation, "must be a date (ISO 8601 text or milliseconds)")
}
