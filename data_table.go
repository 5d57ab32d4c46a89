package weir

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Column data types and constraints, as Losant names them.
const (
	ColumnString  = "string"
	ColumnNumber  = "number"
	ColumnBoolean = "boolean"

	ColumnOptional = "optional"
	ColumnRequired = "required"
	ColumnUnique   = "unique"
)

// Limits of data tables. Columns per table and row ids per bulk insert are
// Losant's (its schemas' maxItems); the others are weir's.
const (
	MaxDataTableColumns   = 50
	MaxDataTablesPerApp   = 500
	MaxRowsPerInsert      = 1000
	MaxDataTableRowBytes  = 64 << 10
	MaxRowsPerQuery       = 1000  // limit of one page of rows
	MaxRowsPerDelete      = 10000 // limit of one delete by query
	DefaultRowsPerDelete  = 1000
	DefaultRowsPerQuery   = 1000
	maxDataTableNameRunes = 255
)

// Row fields every row has besides its columns.
const (
	RowFieldID        = "id"
	RowFieldCreatedAt = "createdAt"
	RowFieldUpdatedAt = "updatedAt"
)

// DataTable is a typed table of rows an application keeps: columns of
// string, number or boolean values, optionally required or unique.
type DataTable struct {
	ID            string            `json:"id"`
	ApplicationID string            `json:"applicationId"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Columns       []DataTableColumn `json:"columns"`
	CreationDate  time.Time         `json:"creationDate"`
	LastUpdated   time.Time         `json:"lastUpdated"`
}

// MarshalJSON encodes the table as Losant does, with dataTableId beside id.
func (t *DataTable) MarshalJSON() ([]byte, error) {
	type plain DataTable
	cols := t.Columns
	if cols == nil {
		cols = []DataTableColumn{}
	}
	p := plain(*t)
	p.Columns = cols
	return json.Marshal(struct {
		plain
		DataTableID string `json:"dataTableId"`
	}{p, t.ID})
}

// DataTableColumn declares one column. DefaultValue (of the column's type,
// nil for none) fills the column of a new row that leaves it out.
type DataTableColumn struct {
	Name         string `json:"name"`
	DataType     string `json:"dataType"`
	Constraint   string `json:"constraint"`
	DefaultValue any    `json:"defaultValue,omitempty"`
}

// Validate checks the table's name, description and columns as Losant's
// schema has them.
func (t *DataTable) Validate() error {
	if n := len([]rune(t.Name)); n < 1 || n > maxDataTableNameRunes {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	if len([]rune(t.Description)) > 32767 {
		return Errorf(Validation, "description is longer than 32767 characters")
	}
	if len(t.Columns) > MaxDataTableColumns {
		return Errorf(Validation, "columns has more than %d items", MaxDataTableColumns)
	}
	seen := make(map[string]bool, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		if err := c.Validate(); err != nil {
			return err
		}
		if seen[c.Name] {
			return Errorf(Validation, "column %s is declared twice", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// Validate checks the column's name, type, constraint and default, and
// converts the default to the column's type.
func (c *DataTableColumn) Validate() error {
	if !validTagKey(c.Name) {
		return Errorf(Validation, "column name %q pattern mismatch", c.Name)
	}
	if c.Name == RowFieldID || c.Name == RowFieldCreatedAt || c.Name == RowFieldUpdatedAt {
		return Errorf(Validation, "column name %s is reserved", c.Name)
	}
	switch c.DataType {
	case ColumnString, ColumnNumber, ColumnBoolean:
	default:
		return Errorf(Validation, "column %s dataType must be one of string, number, boolean", c.Name)
	}
	switch c.Constraint {
	case ColumnOptional, ColumnRequired, ColumnUnique:
	default:
		return Errorf(Validation, "column %s constraint must be one of unique, required, optional", c.Name)
	}
	if c.DefaultValue != nil {
		v, err := c.Convert(c.DefaultValue)
		if err != nil {
			return Errorf(Validation, "column %s defaultValue: %s", c.Name, ErrorMessage(err))
		}
		c.DefaultValue = v
	}
	return nil
}

// Convert returns v as a value of the column's type: a string, a float64 or
// a bool, or nil for null. Text that spells a number or a boolean converts
// to a number or boolean column, and a number or boolean to a string
// column; anything else is Validation.
func (c *DataTableColumn) Convert(v any) (any, error) {
	if n, ok := v.(json.Number); ok {
		f, err := n.Float64()
		if err != nil {
			return nil, Errorf(Validation, "value for column %s is not a number", c.Name)
		}
		v = f
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int:
		v = float64(x)
	case int64:
		v = float64(x)
	}
	switch c.DataType {
	case ColumnString:
		switch x := v.(type) {
		case string:
			return x, nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	case ColumnNumber:
		switch x := v.(type) {
		case float64:
			if !math.IsInf(x, 0) && !math.IsNaN(x) {
				return x, nil
			}
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
		}
		return nil, Errorf(Validation, "value for column %s must be a number", c.Name)
	case ColumnBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1":
				return true, nil
			case "false", "0":
				return false, nil
			}
		case float64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		}
		return nil, Errorf(Validation, "value for column %s must be a boolean", c.Name)
	}
	return nil, Errorf(Validation, "value for column %s must be a %s", c.Name, c.DataType)
}

// Column returns the table's column named name and whether it has one.
func (t *DataTable) Column(name string) (*DataTableColumn, bool) {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i], true
		}
	}
	return nil, false
}

// CheckRow checks the values of a row to insert (insert true: defaults
// fill the columns left out, and every required column must end up
// non-null) or the changes to a row (insert false: only the given
// columns, a required one not set to null). It returns the values converted to their
// columns' types; keys that name no column (id, createdAt and updatedAt
// among them) are left out, as Losant ignores them. A key that is not a
// column name, a value of the wrong type or a missing required value is
// Validation, and so is a row over MaxDataTableRowBytes.
func (t *DataTable) CheckRow(values map[string]any, insert bool) (map[string]any, error) {
	out := make(map[string]any, len(t.Columns))
	for k := range values {
		if !validTagKey(k) {
			return nil, Errorf(Validation, "row field %q pattern mismatch", k)
		}
	}
	for i := range t.Columns {
		c := &t.Columns[i]
		v, given := values[c.Name]
		if !given {
			if !insert {
				continue
			}
			v = c.DefaultValue
		}
		cv, err := c.Convert(v)
		if err != nil {
			return nil, err
		}
		if cv == nil && c.Constraint == ColumnRequired {
			return nil, Errorf(Validation, "column %s is required", c.Name)
		}
		out[c.Name] = cv
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(out); err != nil {
		return nil, Errorf(Validation, "row is not valid JSON")
	}
	if buf.Len() > MaxDataTableRowBytes {
		return nil, Errorf(Validation, "row is larger than %d bytes", MaxDataTableRowBytes)
	}
	return out, nil
}

// DataTableRow is one row: its id, times and column values (nil for null).
// Its JSON is flat, as Losant's: {"id", "createdAt", "updatedAt", column:
// value, …}.
type DataTableRow struct {
	ID        string
	CreatedAt time.Time
	UpdatedAt time.Time
	Values    map[string]any
}

// MarshalJSON encodes the row flat.
func (r *DataTableRow) MarshalJSON() ([]byte, error) {
	m := r.Object()
	return json.Marshal(m)
}

// Object returns the row as Losant's flat JSON object, times as
// RFC 3339 text with milliseconds.
func (r *DataTableRow) Object() map[string]any {
	m := make(map[string]any, len(r.Values)+3)
	for k, v := range r.Values {
		m[k] = v
	}
	m[RowFieldID] = r.ID
	m[RowFieldCreatedAt] = r.CreatedAt.UTC().Format(isoMillis)
	m[RowFieldUpdatedAt] = r.UpdatedAt.UTC().Format(isoMillis)
	return m
}

// isoMillis is the time layout of Losant's JSON dates.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// DataTableFilter selects data tables of one application.
type DataTableFilter struct {
	ApplicationID string
	ListOptions   // SortField name (default), id, creationDate, lastUpdated; FilterField name
}

// RowFilter selects rows of one table: those matching Query (a decoded
// JSON query document, checked as ParseTableQuery does; nil: all),
// sorted by SortColumn (a column, id, createdAt or updatedAt; "" is id) in
// SortDirection ("asc" or "desc"), Limit of them (0: no limit) after
// skipping Offset.
type RowFilter struct {
	ApplicationID string
	TableID       string
	Query         any
	SortColumn    string
	SortDirection string
	Limit         int
	Offset        int
}

// DataTableService manages data tables and their rows. Deleting an
// application deletes its tables; deleting a table deletes its rows.
type DataTableService interface {
	// FindDataTableByID returns NotFound ("Data table was not found")
	// unless the application has a table with that id.
	FindDataTableByID(ctx context.Context, applicationID, id string) (*DataTable, error)

	// FindDataTables returns one page of the application's tables and how
	// many it has. An unknown sort or filter field is Validation.
	FindDataTables(ctx context.Context, filter DataTableFilter) ([]*DataTable, int, error)

	// CreateDataTable stores a new table, setting its ID (when empty) and
	// dates. It returns Validation when t does not validate, its ID is
	// taken or the application has MaxDataTablesPerApp tables, NotFound
	// when the application does not exist.
	CreateDataTable(ctx context.Context, t *DataTable) error

	// UpdateDataTable sets the name and description of the stored table to
	// t's, and returns the table. NotFound like FindDataTableByID.
	UpdateDataTable(ctx context.Context, t *DataTable) (*DataTable, error)

	// AddDataTableColumn adds a column, null in the existing rows, and
	// returns the table. A second column of that name or a column over
	// MaxDataTableColumns is Validation.
	AddDataTableColumn(ctx context.Context, applicationID, id string, c DataTableColumn) (*DataTable, error)

	// RemoveDataTableColumn drops a column and its values, and returns the
	// table. An unknown column is NotFound.
	RemoveDataTableColumn(ctx context.Context, applicationID, id, column string) (*DataTable, error)

	// DeleteDataTable removes the table and its rows.
	DeleteDataTable(ctx context.Context, applicationID, id string) error

	// FindDataTableRow returns NotFound ("Data table row was not found")
	// unless the table has a row with that id.
	FindDataTableRow(ctx context.Context, applicationID, tableID, rowID string) (*DataTableRow, error)

	// FindDataTableRows returns the rows the filter selects and how many
	// match its query across pages.
	FindDataTableRows(ctx context.Context, filter RowFilter) ([]*DataTableRow, int, error)

	// InsertDataTableRows checks and inserts rows (at most
	// MaxRowsPerInsert), all or none, and returns them as stored. A value
	// already held by a unique column is Validation.
	InsertDataTableRows(ctx context.Context, applicationID, tableID string, rows []map[string]any) ([]*DataTableRow, error)

	// UpdateDataTableRow sets the given columns of a row and returns the
	// row before and after.
	UpdateDataTableRow(ctx context.Context, applicationID, tableID, rowID string, values map[string]any) (old, row *DataTableRow, err error)

	// DeleteDataTableRows deletes the rows the filter selects (Limit at most
	// MaxRowsPerDelete; its sort orders which go first) and returns them.
	DeleteDataTableRows(ctx context.Context, filter RowFilter) ([]*DataTableRow, error)

	// DeleteDataTableRow deletes one row and returns it.
	DeleteDataTableRow(ctx context.Context, applicationID, tableID, rowID string) (*DataTableRow, error)

	// TruncateDataTable deletes every row of the table.
	TruncateDataTable(ctx context.Context, applicationID, tableID string) error
}

// DataTableEventHandler hears of row changes once they are committed; the
// dataTable trigger starts runs from these calls. Truncation is not heard.
type DataTableEventHandler interface {
	// RowsInserted is called with the rows one insert added; bulk is true
	// when they came as an array.
	RowsInserted(ctx context.Context, applicationID, tableID string, rows []*DataTableRow, bulk bool) error
	// RowUpdated is called with a row before and after an update.
	RowUpdated(ctx context.Context, applicationID, tableID string, old, row *DataTableRow) error
	// RowsDeleted is called with the rows a delete removed.
	RowsDeleted(ctx context.Context, applicationID, tableID string, rows []*DataTableRow) error
}
