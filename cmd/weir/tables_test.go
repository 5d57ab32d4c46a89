package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir/flowfile"
)

// tableExport is a flow export in Losant's format whose data table nodes
// carry the config Losant's own templates write (the connected product
// foundation's navigation admin page, Get Rows of its nav element and the
// dashboards page's upsert): delete every row with {"$or":[]}, insert the
// rows a payload path holds, update-or-insert the row a JSON query finds,
// and Get Rows with blank templates. TABLE stands for the data table's
// id, as Losant's application import writes it in place of the template's
// placeholder.
const tableExport = `resourceType: Flow
resources:
  - id: ~exportplaceholderid-flow-nav~
    name: Navigation
    nodes:
      - config:
          dataTableIdTemplate: TABLE
          limitTemplate: ''
          queryTemplate: '{"$or":[]}'
          resultPath: ''
        id: bvT5VEwMUG
        meta:
          category: data
          label: Delete Nav
          name: delete-table-row
        outputIds:
          - - LzrnVgbNR3
        type: DataTableDeleteRowNode
      - config:
          dataMethod: payloadPath
          dataTableIdTemplate: TABLE
          resultPath: working.insertResult
          rowPayloadPath: data.nav
        id: LzrnVgbNR3
        meta:
          category: data
          label: 'Table: Insert Rows'
          name: insert-table-row
        outputIds:
          - - DUfwj7juHK
        type: DataTableInsertRowNode
      - config:
          dataMethod: jsonTemplate
          dataTableIdTemplate: TABLE
          queryTemplate: |-
            {
              "$or": [
                {
                  "nav_id": {
                    "$eq": "{{data.upsert.id}}"
                  }
                }
              ]
            }
          resultPath: working.thisResult
          rowJsonTemplate: |-
            {
              "nav_id": "{{data.upsert.id}}",
              "nav_label": "{{data.upsert.label}}",
              "nav_order": {{data.upsert.order}}
            }
          rowSelectType: query
          upsertCheck: true
        id: DUfwj7juHK
        meta:
          category: data
          label: 'Table: Update Row'
          name: update-table-row
        outputIds:
          - - d0Kfll0JPZ
        type: DataTableUpdateRowNode
      - config:
          dataTableIdTemplate: TABLE
          includeFieldsTemplate: ''
          limitTemplate: ''
          offsetTemplate: ''
          queryTemplate: ''
          resultPath: pageData.navItems
          sortColumnTemplate: 'nav_order'
          sortDirectionTemplate: ''
        id: d0Kfll0JPZ
        meta:
          category: data
          label: 'Table: Get Rows'
          name: get-table-rows
        outputIds:
          - - keep
        type: DataTableQueryNode
      - config:
          keyName: labels
          valueType: template
          value: '{{#each pageData.navItems.items}}{{nav_label}}@{{nav_location}};{{/each}} {{working.insertResult.count}}'
        id: keep
        meta:
          label: Keep
        type: StoreValueNode
    triggers:
      - key: ~exportplaceholderid-flow-nav~-navbutton
        type: virtualButton
        config: {}
        meta:
          label: Save
        outputIds:
          - - bvT5VEwMUG
version: 1
`

// TestTableFlowImportRunExport imports a Losant export that uses the data
// table nodes with the config Losant's templates write, runs it from its
// virtual button against a real table, and exports it unchanged.
func TestTableFlowImportRunExport(t *testing.T) {
	dir := t.TempDir()
	m, out := startMain(t, dir)
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app, table struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "cpf"}, &app)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/data-tables", map[string]any{"name": "cpf_navigation", "columns": []any{
		map[string]any{"name": "nav_label", "dataType": "string", "constraint": "required"},
		map[string]any{"name": "nav_id", "dataType": "string", "constraint": "unique"},
		map[string]any{"name": "nav_order", "dataType": "number", "constraint": "required"},
		map[string]any{"name": "nav_location", "dataType": "string", "constraint": "optional", "defaultValue": "top"},
	}}, &table)
	rows := "/applications/" + app.ID + "/data-tables/" + table.ID + "/rows"
	c.mustDo(201, "POST", rows, map[string]any{"nav_label": "Stale", "nav_id": "stale", "nav_order": 9}, nil)

	text := strings.ReplaceAll(tableExport, "TABLE", table.ID)
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"flow", "import", mustWrite(t, "nav.yaml", text), "--application", app.ID, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("flow import: %v (%s)", err, stderr.String())
	}
	id := strings.Split(strings.TrimSpace(stdout.String()), "\t")[0]
	flowPath := "/applications/" + app.ID + "/flows/" + id
	c.mustDo(200, "PATCH", flowPath, map[string]any{"enabled": true}, nil)
	c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": id + "-navbutton", "payload": map[string]any{
		"nav": []any{
			map[string]any{"nav_label": "Home", "nav_id": "home", "nav_order": 1},
			map[string]any{"nav_label": "Devices", "nav_id": "devices", "nav_order": 3, "nav_location": "bottom"},
		},
		"upsert": map[string]any{"id": "help", "label": "Help", "order": 2},
	}}, nil)
	want := "Home@top;Help@top;Devices@bottom; 2"
	waitFor(t, 10*time.Second, "the run", func() bool {
		var s map[string]any
		c.mustDo(200, "GET", flowPath+"/storage", nil, &s)
		return s["labels"] == want
	})
	var page struct {
		TotalCount int
		Items      []map[string]any
	}
	c.mustDo(200, "POST", rows+"/query?sortColumn=nav_order", map[string]any{"nav_id": map[string]any{"$ne": "stale"}}, &page)
	if page.TotalCount != 3 || page.Items[1]["nav_id"] != "help" {
		t.Fatalf("rows after the run = %+v, want home, help, devices (and stale deleted)", page)
	}

	stdout.Reset()
	if err := run(t.Context(), []string{"flow", "export", "--application", app.ID, "--flow", id, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("flow export: %v (%s)", err, stderr.String())
	}
	got, err := flowfile.Parse(stdout.Bytes())
	if err != nil {
		t.Fatalf("Parse(export): %v", err)
	}
	orig, _ := flowfile.Parse([]byte(text))
	if _, err := orig.Remap(app.ID, func() string { return id }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orig.Flows[0].Definition, got.Flows[0].Definition); diff != "" {
		t.Errorf("exported definition (-want +got):\n%s", diff)
	}
}

// TestTableButtonFlow: a virtual button's flow inserts a row and queries it
// back, and a dataTable trigger hears of the insert and of a REST update.
func TestTableButtonFlow(t *testing.T) {
	_, c := openMain(t, DefaultConfig())
	testTableButtonFlow(t, c)
}

// TestTableButtonFlowScaledOut is TestTableButtonFlow on PostgreSQL with the
// NATS JetStream run queue, across two processes.
func TestTableButtonFlowScaledOut(t *testing.T) {
	ms, token := startCluster(t, 2, nil)
	testTableButtonFlow(t, &client{t: t, base: "http://" + ms[1].Addr(), token: token})
}

func testTableButtonFlow(t *testing.T, c *client) {
	t.Helper()
	var app, table struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "tables"}, &app)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/data-tables", map[string]any{"name": "orders", "columns": []any{
		map[string]any{"name": "sku", "dataType": "string", "constraint": "unique"},
		map[string]any{"name": "qty", "dataType": "number", "constraint": "required"},
	}}, &table)
	node := func(id, typ string, cfg map[string]any, next ...string) map[string]any {
		n := map[string]any{"id": id, "type": typ, "config": cfg}
		if len(next) > 0 {
			n["outputIds"] = []any{next}
		}
		return n
	}
	var button, watcher struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "order", "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"ins"}}}},
		"nodes": []any{
			node("ins", "DataTableInsertRowNode", map[string]any{"dataTableIdTemplate": table.ID, "dataMethod": "jsonTemplate",
				"rowJsonTemplate": `{"sku": "{{data.sku}}", "qty": {{data.qty}}}`, "resultPath": "working.row"}, "get"),
			node("get", "DataTableQueryNode", map[string]any{"dataTableIdTemplate": table.ID,
				"queryTemplate": `{"sku": {"$eq": "{{data.sku}}"}}`, "resultPath": "working.found"}, "keep"),
			node("keep", "StoreValueNode", map[string]any{"keyName": "found", "valueType": "template",
				"value": "{{working.found.totalCount}} {{working.found.items.[0].id}} {{working.found.items.[0].qty}}"}),
		},
	}, &button)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "watch", "enabled": true,
		"triggers": []any{map[string]any{"type": "dataTable", "key": table.ID,
			"config": map[string]any{"insert": true, "update": true}, "outputIds": []any{[]any{"seen"}}}},
		"nodes": []any{node("seen", "StoreValueNode", map[string]any{"keyName": "{{data.action}}", "valueType": "template",
			"value": "{{triggerId}} {{data.newRow.sku}} {{data.newRow.qty}} {{data.oldRow.qty}}"})},
	}, &watcher)
	storage := func(flow string) map[string]any {
		var s map[string]any
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+flow+"/storage", nil, &s)
		return s
	}

	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+button.ID+"/virtualButton",
		map[string]any{"key": button.Triggers[0].Key, "payload": map[string]any{"sku": "A-1", "qty": 3}}, nil)
	var rowID string
	waitFor(t, 10*time.Second, "the button's run", func() bool {
		found, _ := storage(button.ID)["found"].(string)
		f := strings.Fields(found)
		if len(f) == 3 && f[0] == "1" && f[2] == "3" {
			rowID = f[1]
			return true
		}
		return false
	})
	waitFor(t, 10*time.Second, "the insert trigger's run", func() bool { return storage(watcher.ID)["insert"] == table.ID+" A-1 3 " })
	rows := "/applications/" + app.ID + "/data-tables/" + table.ID + "/rows/"
	c.mustDo(200, "PATCH", rows+rowID, map[string]any{"qty": 5}, nil)
	waitFor(t, 10*time.Second, "the update trigger's run", func() bool { return storage(watcher.ID)["update"] == table.ID+" A-1 5 3" })
}
