package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// Data tables keep their settings in data_tables and their rows in a table
// of their own, dt_<table id>: id, created_at and updated_at, and one SQL
// column per data table column (c1, c2, … in the order they were added,
// so that a column's name, up to 255 characters, never becomes an SQL
// identifier). Every column has an index of its own (a unique one for a
// unique column), so that a query on any column, or a sort by it, uses an
// index; adding a column adds its index, and removing it drops both.

const dataTableColumns = `id, application_id, name, description, columns, next_ref, creation_date, last_updated`

// dataTableList is what data tables may be sorted and filtered by.
var dataTableList = listSpec{
	sort: map[string]string{"": "name", "name": "name", "id": "id", "creationDate": "creation_date",
		"lastUpdated": "last_updated"},
	filter:      map[string]string{"": "name", "name": "name"},
	fold:        map[string]bool{"name": true},
	sortNames:   "name, id, creationDate, lastUpdated",
	filterNames: "name",
}

// storedColumn is a column as data_tables keeps it: with the SQL column
// that holds its values.
type storedColumn struct {
	weir.DataTableColumn
	Ref string `json:"ref"`
}

// dataTable is a table with what the store needs of it.
type dataTable struct {
	weir.DataTable
	refs    map[string]string // column name -> SQL column
	nextRef int
}

// rowsTable is the SQL table of the table's rows.
func (t *dataTable) rowsTable() string { return rowsTableName(t.ID) }

// rowsTableName is the SQL table of the rows of the data table id, which
// must be a valid id (the store made it).
func rowsTableName(id string) string {
	if !weir.ValidID(id) {
		panic("sqlstore: data table id " + strconv.Quote(id) + " is not an id")
	}
	return "dt_" + id
}

// FindDataTableByID returns the application's table with id, or NotFound.
func (s *Store) FindDataTableByID(ctx context.Context, applicationID, id string) (*weir.DataTable, error) {
	t, err := viewOne(ctx, s, func(q Querier) (*dataTable, error) { return s.findDataTable(ctx, q, applicationID, id, lockNone) })
	if err != nil {
		return nil, fmt.Errorf("find data table %s: %w", id, err)
	}
	return &t.DataTable, nil
}

// FindDataTables returns one page of the application's tables and how many
// it has.
func (s *Store) FindDataTables(ctx context.Context, filter weir.DataTableFilter) ([]*weir.DataTable, int, error) {
	cond, args, tail, tailArgs, err := s.listClause(filter.ListOptions, dataTableList, []string{"application_id = ?"},
		[]any{filter.ApplicationID})
	if err != nil {
		return nil, 0, err
	}
	ts, n, err := findPage(ctx, s, "data_tables", dataTableColumns, cond, args, tail, tailArgs,
		func(sc scanner) (*weir.DataTable, error) {
			t, err := scanDataTable(sc)
			if err != nil {
				return nil, err
			}
			return &t.DataTable, nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("find data tables: %w", err)
	}
	return ts, n, nil
}

// CreateDataTable stores t and creates the SQL table of its rows.
func (s *Store) CreateDataTable(ctx context.Context, t *weir.DataTable) error {
	if err := t.Validate(); err != nil {
		return err
	}
	dt := &dataTable{DataTable: *t, refs: map[string]string{}, nextRef: 1}
	switch {
	case dt.ID == "":
		dt.ID = weir.NewID()
	case !weir.ValidID(dt.ID):
		return weir.Errorf(weir.Validation, "dataTableId pattern mismatch")
	}
	dt.ID = strings.ToLower(dt.ID)
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_tables WHERE application_id = ?`,
			t.ApplicationID).Scan(&n); err != nil {
			return err
		}
		if n >= weir.MaxDataTablesPerApp {
			return weir.Errorf(weir.Validation, "the application has the most data tables it may have (%d)", weir.MaxDataTablesPerApp)
		}
		dt.CreationDate, dt.LastUpdated = now, now
		cols, err := dt.encodeColumns()
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO data_tables (`+dataTableColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			dt.ID, dt.ApplicationID, dt.Name, dt.Description, cols, 1, millis(now), millis(now))
		switch {
		case s.d.IsForeignKey(err):
			return weir.Errorf(weir.NotFound, "Application was not found")
		case s.d.IsUnique(err):
			return weir.Errorf(weir.Validation, "Data table id %s is already in use", dt.ID)
		}
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `CREATE TABLE `+dt.rowsTable()+` (id `+s.d.ColumnType(weir.ColumnString)+
			` PRIMARY KEY, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `CREATE INDEX `+dt.rowsTable()+`_created_at ON `+dt.rowsTable()+` (created_at)`); err != nil {
			return err
		}
		cols0 := dt.Columns
		dt.Columns = nil
		for _, c := range cols0 {
			if err := s.addColumn(ctx, q, dt, c); err != nil {
				return err
			}
		}
		return s.saveColumns(ctx, q, dt, now)
	})
	if err != nil {
		return fmt.Errorf("create data table: %w", err)
	}
	*t = dt.DataTable
	return nil
}

// UpdateDataTable sets the table's name and description.
func (s *Store) UpdateDataTable(ctx context.Context, t *weir.DataTable) (*weir.DataTable, error) {
	var out *dataTable
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		dt, err := s.findDataTable(ctx, q, t.ApplicationID, t.ID, lockExclusive)
		if err != nil {
			return err
		}
		dt.Name, dt.Description, dt.LastUpdated = t.Name, t.Description, now
		if err := dt.Validate(); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE data_tables SET name = ?, description = ?, last_updated = ? WHERE id = ?`,
			dt.Name, dt.Description, millis(now), dt.ID)
		out = dt
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update data table %s: %w", t.ID, err)
	}
	return &out.DataTable, nil
}

// AddDataTableColumn adds a column to the table.
func (s *Store) AddDataTableColumn(ctx context.Context, applicationID, id string, c weir.DataTableColumn) (*weir.DataTable, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return s.changeColumns(ctx, applicationID, id, func(q Querier, dt *dataTable) error {
		if _, ok := dt.Column(c.Name); ok {
			return weir.Errorf(weir.Validation, "column %s already exists", c.Name)
		}
		if len(dt.Columns) >= weir.MaxDataTableColumns {
			return weir.Errorf(weir.Validation, "columns has more than %d items", weir.MaxDataTableColumns)
		}
		return s.addColumn(ctx, q, dt, c)
	})
}

// RemoveDataTableColumn drops a column of the table.
func (s *Store) RemoveDataTableColumn(ctx context.Context, applicationID, id, column string) (*weir.DataTable, error) {
	return s.changeColumns(ctx, applicationID, id, func(q Querier, dt *dataTable) error {
		ref, ok := dt.refs[column]
		if !ok {
			return weir.Errorf(weir.NotFound, "Column %s was not found", column)
		}
		if _, err := q.ExecContext(ctx, `DROP INDEX `+dt.rowsTable()+`_`+ref); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `ALTER TABLE `+dt.rowsTable()+` DROP COLUMN `+ref); err != nil {
			return err
		}
		for i, c := range dt.Columns {
			if c.Name == column {
				dt.Columns = append(dt.Columns[:i], dt.Columns[i+1:]...)
				break
			}
		}
		delete(dt.refs, column)
		return nil
	})
}

// changeColumns runs change on the stored table and saves its columns.
func (s *Store) changeColumns(ctx context.Context, applicationID, id string, change func(q Querier, dt *dataTable) error) (*weir.DataTable, error) {
	var out *dataTable
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		dt, err := s.findDataTable(ctx, q, applicationID, id, lockExclusive)
		if err != nil {
			return err
		}
		if err := change(q, dt); err != nil {
			return err
		}
		out = dt
		return s.saveColumns(ctx, q, dt, now)
	})
	if err != nil {
		return nil, fmt.Errorf("change columns of data table %s: %w", id, err)
	}
	return &out.DataTable, nil
}

// addColumn adds the SQL column and index of c to the rows table.
func (s *Store) addColumn(ctx context.Context, q Querier, dt *dataTable, c weir.DataTableColumn) error {
	ref := "c" + strconv.Itoa(dt.nextRef)
	dt.nextRef++
	if _, err := q.ExecContext(ctx, `ALTER TABLE `+dt.rowsTable()+` ADD COLUMN `+ref+` `+s.d.ColumnType(c.DataType)); err != nil {
		return err
	}
	index := "CREATE INDEX "
	if c.Constraint == weir.ColumnUnique {
		index = "CREATE UNIQUE INDEX "
	}
	if _, err := q.ExecContext(ctx, index+dt.rowsTable()+`_`+ref+` ON `+dt.rowsTable()+` (`+ref+`)`); err != nil {
		return err
	}
	dt.Columns = append(dt.Columns, c)
	dt.refs[c.Name] = ref
	return nil
}

// saveColumns writes the table's columns and LastUpdated.
func (s *Store) saveColumns(ctx context.Context, q Querier, dt *dataTable, now time.Time) error {
	cols, err := dt.encodeColumns()
	if err != nil {
		return err
	}
	dt.LastUpdated = now
	_, err = q.ExecContext(ctx, `UPDATE data_tables SET columns = ?, next_ref = ?, last_updated = ? WHERE id = ?`,
		cols, dt.nextRef, millis(now), dt.ID)
	return err
}

// DeleteDataTable removes the table and the SQL table of its rows.
func (s *Store) DeleteDataTable(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		dt, err := s.findDataTable(ctx, q, applicationID, id, lockExclusive)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM data_tables WHERE id = ?`, dt.ID); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `DROP TABLE `+dt.rowsTable())
		return err
	})
	if err != nil {
		return fmt.Errorf("delete data table %s: %w", id, err)
	}
	return nil
}

// DropApplicationDataTables drops the SQL tables of the rows of the
// application's data tables; the store calls it in the transaction that
// deletes the application, whose data_tables rows go by cascade.
func DropApplicationDataTables(ctx context.Context, q Querier, applicationID string) error {
	rows, err := q.QueryContext(ctx, `SELECT id FROM data_tables WHERE application_id = ?`, applicationID)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := q.ExecContext(ctx, `DROP TABLE IF EXISTS `+rowsTableName(id)); err != nil {
			return err
		}
	}
	return nil
}

func errDataTableNotFound() error { return weir.Errorf(weir.NotFound, "Data table was not found") }

// Lock modes of findDataTable: none (reads), shared (row changes, which
// must not meet a column being added or removed) and exclusive (changes of
// the table's columns, name or existence).
const (
	lockNone = iota
	lockShared
	lockExclusive
)

func (s *Store) findDataTable(ctx context.Context, q Querier, applicationID, id string, lock int) (*dataTable, error) {
	if !weir.ValidID(id) {
		return nil, errDataTableNotFound()
	}
	clause := ""
	if lock != lockNone {
		clause = s.d.Lock(lock == lockExclusive)
	}
	t, err := scanDataTable(q.QueryRowContext(ctx, `SELECT `+dataTableColumns+` FROM data_tables WHERE id = ? AND application_id = ?`+clause,
		id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errDataTableNotFound()
	}
	return t, err
}

func (t *dataTable) encodeColumns() (string, error) {
	cols := make([]storedColumn, 0, len(t.Columns))
	for _, c := range t.Columns {
		cols = append(cols, storedColumn{DataTableColumn: c, Ref: t.refs[c.Name]})
	}
	return marshal(cols)
}

func scanDataTable(sc scanner) (*dataTable, error) {
	var (
		t                dataTable
		cols             string
		created, updated int64
	)
	if err := sc.Scan(&t.ID, &t.ApplicationID, &t.Name, &t.Description, &cols, &t.nextRef, &created, &updated); err != nil {
		return nil, err
	}
	var stored []storedColumn
	if err := json.Unmarshal([]byte(cols), &stored); err != nil {
		return nil, fmt.Errorf("decode columns: %w", err)
	}
	t.Columns = make([]weir.DataTableColumn, 0, len(stored))
	t.refs = make(map[string]string, len(stored))
	for _, c := range stored {
		t.Columns = append(t.Columns, c.DataTableColumn)
		t.refs[c.Name] = c.Ref
	}
	t.CreationDate, t.LastUpdated = fromMillis(created), fromMillis(updated)
	return &t, nil
}

var _ weir.DataTableService = (*Store)(nil)
