package flowfile

import (
	"encoding/json"
	"fmt"

	"github.com/weirhq/weir"
)

// ResourceDataTable is the template envelope's resource type of data
// tables: their settings and columns (a template's rows come as CSV files
// beside it, which weir does not read).
const ResourceDataTable = "DataTable"

// addDataTableDoc adds one DataTable resource: a table whose id is the
// template's placeholder (or a 24-hex id) that the file's flows refer to.
func (f *File) addDataTableDoc(raw json.RawMessage) error {
	var t weir.DataTable
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("a data table must be an object with name, description and columns: %w", err)
	}
	t.ApplicationID = ""
	f.DataTables = append(f.DataTables, &t)
	return nil
}
