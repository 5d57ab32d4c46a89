package http_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memTables is an in-memory weir.DataTableService for the HTTP tests. It
// checks tables, rows and queries as the stores do, but does not filter or
// sort rows (the conformance suite judges that on the real stores).
type memTables struct {
	mu     sync.Mutex
	now    func() time.Time
	Tables map[string]weir.DataTable
	Rows   map[string][]weir.DataTableRow // by table id, in insertion order
}

func newMemTables(now func() time.Time) *memTables {
	return &memTables{now: now, Tables: map[string]weir.DataTable{}, Rows: map[string][]weir.DataTableRow{}}
}

// clone returns a deep enough copy for snapshots.
func (m *memTables) clone() *memTables {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := newMemTables(m.now)
	for k, t := range m.Tables {
		t.Columns = slices.Clone(t.Columns)
		c.Tables[k] = t
	}
	for k, rows := range m.Rows {
		out := make([]weir.DataTableRow, len(rows))
		for i, r := range rows {
			r.Values = maps.Clone(r.Values)
			out[i] = r
		}
		c.Rows[k] = out
	}
	return c
}

func (m *memTables) table(appID, id string) (weir.DataTable, error) {
	t, ok := m.Tables[strings.ToLower(id)]
	if !ok || t.ApplicationID != appID {
		return weir.DataTable{}, weir.Errorf(weir.NotFound, "Data table was not found")
	}
	return t, nil
}

func (m *memTables) FindDataTableByID(_ context.Context, appID, id string) (*weir.DataTable, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(appID, id)
	return &t, err
}

func (m *memTables) FindDataTables(_ context.Context, f weir.DataTableFilter) ([]*weir.DataTable, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []*weir.DataTable{}
	for _, t := range m.Tables {
		if t.ApplicationID == f.ApplicationID {
			out = append(out, &t)
		}
	}
	return out, len(out), nil
}

func (m *memTables) CreateDataTable(_ context.Context, t *weir.DataTable) error {
	if err := t.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.ID, t.CreationDate, t.LastUpdated = weir.NewID(), m.now(), m.now()
	t.Columns = slices.Clone(t.Columns)
	m.Tables[t.ID] = *t
	return nil
}

func (m *memTables) UpdateDataTable(_ context.Context, t *weir.DataTable) (*weir.DataTable, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, err := m.table(t.ApplicationID, t.ID)
	if err != nil {
		return nil, err
	}
	old.Name, old.Description = t.Name, t.Description
	if err := old.Validate(); err != nil {
		return nil, err
	}
	m.Tables[old.ID] = old
	return &old, nil
}

func (m *memTables) AddDataTableColumn(_ context.Context, appID, id string, c weir.DataTableColumn) (*weir.DataTable, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(appID, id)
	if err != nil {
		return nil, err
	}
	if _, ok := t.Column(c.Name); ok {
		return nil, weir.Errorf(weir.Validation, "column %s already exists", c.Name)
	}
	t.Columns = append(slices.Clone(t.Columns), c)
	m.Tables[t.ID] = t
	return &t, nil
}

func (m *memTables) RemoveDataTableColumn(_ context.Context, appID, id, column string) (*weir.DataTable, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(appID, id)
	if err != nil {
		return nil, err
	}
	if _, ok := t.Column(column); !ok {
		return nil, weir.Errorf(weir.NotFound, "Column %s was not found", column)
	}
	t.Columns = slices.DeleteFunc(slices.Clone(t.Columns), func(c weir.DataTableColumn) bool { return c.Name == column })
	m.Tables[t.ID] = t
	return &t, nil
}

func (m *memTables) DeleteDataTable(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(appID, id)
	if err != nil {
		return err
	}
	delete(m.Tables, t.ID)
	delete(m.Rows, t.ID)
	return nil
}

func (m *memTables) row(appID, tableID, rowID string) (weir.DataTable, int, error) {
	t, err := m.table(appID, tableID)
	if err != nil {
		return t, -1, err
	}
	i := slices.IndexFunc(m.Rows[t.ID], func(r weir.DataTableRow) bool { return r.ID == strings.ToLower(rowID) })
	if i < 0 {
		return t, -1, weir.Errorf(weir.NotFound, "Data table row was not found")
	}
	return t, i, nil
}

func (m *memTables) FindDataTableRow(_ context.Context, appID, tableID, rowID string) (*weir.DataTableRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, i, err := m.row(appID, tableID, rowID)
	if err != nil {
		return nil, err
	}
	r := m.Rows[t.ID][i]
	return &r, nil
}

func (m *memTables) FindDataTableRows(_ context.Context, f weir.RowFilter) ([]*weir.DataTableRow, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(f.ApplicationID, f.TableID)
	if err != nil {
		return nil, 0, err
	}
	if _, err := weir.ParseTableQuery(f.Query, &t); err != nil {
		return nil, 0, err
	}
	out := []*weir.DataTableRow{}
	for _, r := range m.Rows[t.ID] {
		out = append(out, &r)
	}
	return out, len(out), nil
}

func (m *memTables) InsertDataTableRows(_ context.Context, appID, tableID string, values []map[string]any) ([]*weir.DataTableRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(appID, tableID)
	if err != nil {
		return nil, err
	}
	if len(values) > weir.MaxRowsPerInsert {
		return nil, weir.Errorf(weir.Validation, "too many rows")
	}
	var out []*weir.DataTableRow
	for _, v := range values {
		checked, err := t.CheckRow(v, true)
		if err != nil {
			return nil, err
		}
		out = append(out, &weir.DataTableRow{ID: weir.NewID(), CreatedAt: m.now(), UpdatedAt: m.now(), Values: checked})
	}
	for _, r := range out {
		m.Rows[t.ID] = append(m.Rows[t.ID], *r)
	}
	return out, nil
}

func (m *memTables) UpdateDataTableRow(_ context.Context, appID, tableID, rowID string, values map[string]any) (*weir.DataTableRow, *weir.DataTableRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, i, err := m.row(appID, tableID, rowID)
	if err != nil {
		return nil, nil, err
	}
	checked, err := t.CheckRow(values, false)
	if err != nil {
		return nil, nil, err
	}
	old := m.Rows[t.ID][i]
	nr := old
	nr.Values = maps.Clone(old.Values)
	maps.Copy(nr.Values, checked)
	nr.UpdatedAt = m.now()
	m.Rows[t.ID][i] = nr
	return &old, &nr, nil
}

func (m *memTables) DeleteDataTableRows(_ context.Context, f weir.RowFilter) ([]*weir.DataTableRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(f.ApplicationID, f.TableID)
	if err != nil {
		return nil, err
	}
	if _, err := weir.ParseTableQuery(f.Query, &t); err != nil {
		return nil, err
	}
	rows := m.Rows[t.ID]
	n := min(f.Limit, len(rows))
	var out []*weir.DataTableRow
	for _, r := range rows[:n] {
		out = append(out, &r)
	}
	m.Rows[t.ID] = slices.Clone(rows[n:])
	return out, nil
}

func (m *memTables) DeleteDataTableRow(_ context.Context, appID, tableID, rowID string) (*weir.DataTableRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, i, err := m.row(appID, tableID, rowID)
	if err != nil {
		return nil, err
	}
	r := m.Rows[t.ID][i]
	m.Rows[t.ID] = slices.Delete(slices.Clone(m.Rows[t.ID]), i, i+1)
	return &r, nil
}

func (m *memTables) TruncateDataTable(_ context.Context, appID, tableID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(appID, tableID)
	if err != nil {
		return err
	}
	delete(m.Rows, t.ID)
	return nil
}
