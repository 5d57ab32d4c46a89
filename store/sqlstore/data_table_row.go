package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/weirhq/weir"
)

// FindDataTableRow returns the table's row with rowID, or NotFound.
func (s *Store) FindDataTableRow(ctx context.Context, applicationID, tableID, rowID string) (*weir.DataTableRow, error) {
	var r *weir.DataTableRow
	err := s.viewRows(ctx, func(q Querier) error {
		dt, err := s.findDataTable(ctx, q, applicationID, tableID, lockNone)
		if err != nil {
			return err
		}
		r, err = findRow(ctx, q, dt, rowID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find row %s: %w", rowID, err)
	}
	return r, nil
}

// maxStatementParams bounds the parameters of one statement: SQLite takes
// 32,766, PostgreSQL 65,535.
const maxStatementParams = 30000

// FindDataTableRows returns the rows the filter selects and how many match
// its query.
func (s *Store) FindDataTableRows(ctx context.Context, f weir.RowFilter) ([]*weir.DataTableRow, int, error) {
	var (
		rows []*weir.DataTableRow
		n    int
	)
	err := s.viewRows(ctx, func(q Querier) error {
		dt, cond, args, tail, err := s.rowClause(ctx, q, f, lockNone)
		if err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, Uncached+`SELECT COUNT(*) FROM `+dt.rowsTable()+` WHERE `+cond, args...).Scan(&n); err != nil {
			return err
		}
		rows, err = selectRows(ctx, q, dt, cond+tail, args)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find rows of data table %s: %w", f.TableID, err)
	}
	return rows, n, nil
}

// viewRows runs fn, a read of a table's columns and then its rows, in a
// read transaction, and once more if it fails with an internal error:
// PostgreSQL reads each statement as of its own start, so a column removed
// between the two reads fails the first, and the second reads the columns
// anew. (Writes lock the table's row of data_tables instead.)
func (s *Store) viewRows(ctx context.Context, fn func(q Querier) error) error {
	err := s.d.View(ctx, fn)
	if err != nil && weir.ErrorTypeOf(err) == weir.Internal && ctx.Err() == nil {
		err = s.d.View(ctx, fn)
	}
	return err
}

// InsertDataTableRows checks and inserts rows, all or none.
func (s *Store) InsertDataTableRows(ctx context.Context, applicationID, tableID string, values []map[string]any) ([]*weir.DataTableRow, error) {
	if len(values) > weir.MaxRowsPerInsert {
		return nil, weir.Errorf(weir.Validation, "at most %d rows may be inserted at once", weir.MaxRowsPerInsert)
	}
	var out []*weir.DataTableRow
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		out = out[:0]
		dt, err := s.findDataTable(ctx, q, applicationID, tableID, lockShared)
		if err != nil {
			return err
		}
		for i, v := range values {
			checked, err := dt.CheckRow(v, true)
			if err != nil {
				if len(values) > 1 {
					return weir.Errorf(weir.Validation, "row %d: %s", i, weir.ErrorMessage(err))
				}
				return err
			}
			out = append(out, &weir.DataTableRow{ID: newRowID(), CreatedAt: now, UpdatedAt: now, Values: checked})
		}
		// Several rows per statement, within the parameters both databases
		// take in one statement.
		width := 3 + len(dt.Columns)
		per := maxStatementParams / width
		row := "(" + placeholders(width) + ")"
		for start := 0; start < len(out); start += per {
			part := out[start:min(start+per, len(out))]
			args := make([]any, 0, len(part)*width)
			for _, r := range part {
				args = append(args, r.ID, millis(now), millis(now))
				for _, c := range dt.Columns {
					args = append(args, r.Values[c.Name])
				}
			}
			stmt := `INSERT INTO ` + dt.rowsTable() + ` (` + rowColumns(dt) + `) VALUES ` +
				strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")
			if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
				return s.rowError(dt, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("insert rows into data table %s: %w", tableID, err)
	}
	return out, nil
}

// UpdateDataTableRow sets the given columns of a row.
func (s *Store) UpdateDataTableRow(ctx context.Context, applicationID, tableID, rowID string, values map[string]any) (old, row *weir.DataTableRow, err error) {
	err = s.d.Update(ctx, func(q Querier, now time.Time) error {
		dt, err := s.findDataTable(ctx, q, applicationID, tableID, lockShared)
		if err != nil {
			return err
		}
		if old, err = findRow(ctx, q, dt, rowID); err != nil {
			return err
		}
		checked, err := dt.CheckRow(values, false)
		if err != nil {
			return err
		}
		set, args := []string{"updated_at = ?"}, []any{millis(now)}
		row = &weir.DataTableRow{ID: old.ID, CreatedAt: old.CreatedAt, UpdatedAt: now, Values: make(map[string]any, len(old.Values))}
		for k, v := range old.Values {
			row.Values[k] = v
		}
		for _, c := range dt.Columns {
			if v, ok := checked[c.Name]; ok {
				set = append(set, dt.refs[c.Name]+" = ?")
				args = append(args, v)
				row.Values[c.Name] = v
			}
		}
		_, err = q.ExecContext(ctx, `UPDATE `+dt.rowsTable()+` SET `+strings.Join(set, ", ")+` WHERE id = ?`,
			append(args, old.ID)...)
		if err != nil {
			return s.rowError(dt, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("update row %s: %w", rowID, err)
	}
	return old, row, nil
}

// DeleteDataTableRows deletes the rows the filter selects.
func (s *Store) DeleteDataTableRows(ctx context.Context, f weir.RowFilter) ([]*weir.DataTableRow, error) {
	if f.Limit <= 0 || f.Limit > weir.MaxRowsPerDelete {
		return nil, weir.Errorf(weir.Validation, "limit must be between 1 and %d", weir.MaxRowsPerDelete)
	}
	var rows []*weir.DataTableRow
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		dt, cond, args, tail, err := s.rowClause(ctx, q, f, lockShared)
		if err != nil {
			return err
		}
		if rows, err = selectRows(ctx, q, dt, cond+tail, args); err != nil {
			return err
		}
		const chunk = 500
		for i := 0; i < len(rows); i += chunk {
			part := rows[i:min(i+chunk, len(rows))]
			ids := make([]any, len(part))
			for j, r := range part {
				ids[j] = r.ID
			}
			if _, err := q.ExecContext(ctx, `DELETE FROM `+dt.rowsTable()+` WHERE id IN (`+placeholders(len(ids))+`)`, ids...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete rows of data table %s: %w", f.TableID, err)
	}
	return rows, nil
}

// DeleteDataTableRow deletes one row and returns it.
func (s *Store) DeleteDataTableRow(ctx context.Context, applicationID, tableID, rowID string) (*weir.DataTableRow, error) {
	var r *weir.DataTableRow
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		dt, err := s.findDataTable(ctx, q, applicationID, tableID, lockShared)
		if err != nil {
			return err
		}
		if r, err = findRow(ctx, q, dt, rowID); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `DELETE FROM `+dt.rowsTable()+` WHERE id = ?`, r.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete row %s: %w", rowID, err)
	}
	return r, nil
}

// TruncateDataTable deletes every row of the table.
func (s *Store) TruncateDataTable(ctx context.Context, applicationID, tableID string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		dt, err := s.findDataTable(ctx, q, applicationID, tableID, lockShared)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `DELETE FROM `+dt.rowsTable())
		return err
	})
	if err != nil {
		return fmt.Errorf("truncate data table %s: %w", tableID, err)
	}
	return nil
}

// rowClause reads the filter's table (locked as lock says) and checks the filter's query against
// it, and returns the table, the condition, its arguments and the ORDER BY
// … LIMIT tail. An unknown sort column or direction is Validation.
func (s *Store) rowClause(ctx context.Context, q Querier, f weir.RowFilter, lock int) (dt *dataTable, cond string, args []any, tail string, err error) {
	if dt, err = s.findDataTable(ctx, q, f.ApplicationID, f.TableID, lock); err != nil {
		return nil, "", nil, "", err
	}
	tq, err := weir.ParseTableQuery(f.Query, &dt.DataTable)
	if err != nil {
		return nil, "", nil, "", err
	}
	cond, args = s.compileTableQuery(tq, dt)
	var col string
	switch f.SortColumn {
	case "", weir.RowFieldID:
		col = "id"
	case weir.RowFieldCreatedAt:
		col = "created_at"
	case weir.RowFieldUpdatedAt:
		col = "updated_at"
	default:
		ref, ok := dt.refs[f.SortColumn]
		if !ok {
			return nil, "", nil, "", weir.Errorf(weir.Validation, "sortColumn %s is not a column of the table", f.SortColumn)
		}
		col = ref
	}
	dir := ""
	switch strings.ToLower(f.SortDirection) {
	case "", "asc":
		dir = " ASC NULLS FIRST"
	case "desc":
		dir = " DESC NULLS LAST"
	default:
		return nil, "", nil, "", weir.Errorf(weir.Validation, "sortDirection must be asc or desc")
	}
	tail = " ORDER BY " + col + dir
	if col != "id" {
		tail += ", id" + dir
	}
	if f.Limit > 0 {
		tail += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	if f.Offset > 0 {
		if f.Limit <= 0 {
			tail += " LIMIT 9223372036854775807" // no limit, in words both databases take
		}
		tail += fmt.Sprintf(" OFFSET %d", f.Offset)
	}
	return dt, cond, args, tail, nil
}

// rowIDRandom is the middle of this process's row ids, chosen once.
var rowIDRandom = func() [5]byte {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return b
}()

// rowIDCounter orders the row ids this process makes within a second.
var rowIDCounter atomic.Uint32

// newRowID returns a row id laid out as a MongoDB ObjectID: Unix seconds,
// 5 bytes fixed for the process and a 3-byte counter, so that the rows one
// process inserts sort by id in the order they were inserted (the default
// order of rows), unlike weir.NewID's, random in the middle.
func newRowID() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	copy(b[4:9], rowIDRandom[:])
	c := rowIDCounter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

func errRowNotFound() error { return weir.Errorf(weir.NotFound, "Data table row was not found") }

func findRow(ctx context.Context, q Querier, dt *dataTable, rowID string) (*weir.DataTableRow, error) {
	if !weir.ValidID(rowID) {
		return nil, errRowNotFound()
	}
	rows, err := selectRows(ctx, q, dt, "id = ?", []any{strings.ToLower(rowID)})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errRowNotFound()
	}
	return rows[0], nil
}

// rowColumns lists the SQL columns of a row: id, times, then the table's
// columns in order.
func rowColumns(dt *dataTable) string {
	cols := []string{"id", "created_at", "updated_at"}
	for _, c := range dt.Columns {
		cols = append(cols, dt.refs[c.Name])
	}
	return strings.Join(cols, ", ")
}

// selectRows reads the rows matching where (with its tail) and args.
func selectRows(ctx context.Context, q Querier, dt *dataTable, where string, args []any) ([]*weir.DataTableRow, error) {
	rs, err := q.QueryContext(ctx, Uncached+`SELECT `+rowColumns(dt)+` FROM `+dt.rowsTable()+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []*weir.DataTableRow{}
	for rs.Next() {
		var created, updated int64
		var id string
		dest := []any{&id, &created, &updated}
		vals := make([]any, len(dt.Columns))
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		r := &weir.DataTableRow{ID: id, CreatedAt: fromMillis(created), UpdatedAt: fromMillis(updated),
			Values: make(map[string]any, len(dt.Columns))}
		for i, c := range dt.Columns {
			r.Values[c.Name] = fromSQL(c.DataType, vals[i])
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// fromSQL converts a scanned value to the column's Go type.
func fromSQL(dataType string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		v = string(x)
	}
	switch dataType {
	case weir.ColumnNumber:
		switch x := v.(type) {
		case int64:
			return float64(x)
		case float32:
			return float64(x)
		}
	case weir.ColumnBoolean:
		switch x := v.(type) {
		case int64:
			return x != 0
		case float64:
			return x != 0
		}
	}
	return v
}

// refPattern finds the SQL column (cN) a constraint error names.
var refPattern = regexp.MustCompile(`[._](c[0-9]+)\b`)

// rowError turns a unique violation into Validation naming the column.
func (s *Store) rowError(dt *dataTable, err error) error {
	if !s.d.IsUnique(err) {
		return err
	}
	if m := refPattern.FindStringSubmatch(err.Error()); m != nil {
		for name, ref := range dt.refs {
			if ref == m[1] {
				return weir.Errorf(weir.Validation, "column %s is unique and another row holds that value", name)
			}
		}
	}
	var e *weir.Error
	if errors.As(err, &e) {
		return err
	}
	return weir.Errorf(weir.Validation, "a unique column holds that value in another row")
}
