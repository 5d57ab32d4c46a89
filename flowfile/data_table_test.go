package flowfile_test

import (
	"strings"
	"testing"

	"github.com/weirhq/weir/flowfile"
)

// TestDataTableResource: a template's DataTable resource parses into
// DataTables (no workflows), and Remap gives each table a new id and writes
// it wherever the flows of the same import name its placeholder.
func TestDataTableResource(t *testing.T) {
	res, err := flowfile.Parse([]byte(`resourceType: DataTable
resources:
  - id: ~exportplaceholderid-dataTable-stock~
    name: stock
    description: Parts
    localFilename: ./stock.csv
    columns:
      - {name: sku, dataType: string, constraint: unique}
      - {name: qty, dataType: number, constraint: required, defaultValue: 0}
version: 1
`))
	if err != nil {
		t.Fatal(err)
	}
	if res.NoWorkflows == "" || len(res.DataTables) != 1 || res.DataTables[0].Name != "stock" || len(res.DataTables[0].Columns) != 2 ||
		res.DataTables[0].Columns[1].DefaultValue != 0.0 {
		t.Fatalf("parsed %+v", res)
	}
	flow, err := flowfile.Parse([]byte(`{"name": "f", "triggers": [], "nodes": [{"id": "q", "type": "DataTableQueryNode",
		"config": {"dataTableIdTemplate": "~exportplaceholderid-dataTable-stock~", "resultPath": "working.rows"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	flow.Merge(res)
	ids := []string{"5a1b2c3d4e5f60718293a4b1", "5a1b2c3d4e5f60718293a4b2"}
	m, err := flow.Remap("", func() string { id := ids[0]; ids = ids[1:]; return id })
	if err != nil {
		t.Fatal(err)
	}
	if got := m.DataTables["~exportplaceholderid-dataTable-stock~"]; got != "5a1b2c3d4e5f60718293a4b1" || flow.DataTables[0].ID != got {
		t.Fatalf("data table ids %v, table %s", m.DataTables, flow.DataTables[0].ID)
	}
	if cfg := string(flow.Flows[0].Nodes[0].Config); !strings.Contains(cfg, `"5a1b2c3d4e5f60718293a4b1"`) {
		t.Fatalf("node config %s does not name the new table id", cfg)
	}
}
