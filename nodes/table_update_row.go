package nodes

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DataTableUpdateRowNode",
		Name:     "update-table-row",
		Category: "data",
		Summary:  "Changes one row of a data table of the application, found by id or by query.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{tableIDField,
			{Name: "rowSelectType", Kind: "enum", Enum: []string{"id", "query"}, Default: "id", Doc: "How the row is found."},
			{Name: "rowIdTemplate", Kind: "template", Doc: "id: the row's id."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "query: an advanced query; the first matching row (by id) changes."},
			{Name: "upsertCheck", Kind: "bool", Doc: "query: insert the row when none matches."},
		}, append(rowInputFields,
			engine.Field{Name: "resultPath", Kind: "path", Doc: "Where to put the row as changed (or inserted), or {error: {type, message}}."})...),
	}, buildTableUpdateRow)
}

type tableUpdateRow struct {
	tableBase
	rowID, query    *template.Template
	byQuery, upsert bool
	in              *rowInput
}

func buildTableUpdateRow(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		rowInputConfig
		DataTableIDTemplate engine.Text `json:"dataTableIdTemplate"`
		RowSelectType       string      `json:"rowSelectType"`
		RowIDTemplate       engine.Text `json:"rowIdTemplate"`
		QueryTemplate       engine.Text `json:"queryTemplate"`
		UpsertCheck         bool        `json:"upsertCheck"`
		ResultPath          string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &tableUpdateRow{upsert: cfg.UpsertCheck}
	var err error
	if err = n.compile(cfg.DataTableIDTemplate, cfg.ResultPath, false); err != nil {
		return nil, err
	}
	switch cfg.RowSelectType {
	case "", "id":
		if cfg.RowIDTemplate == "" {
			return nil, engine.Errorf("Validation", "rowIdTemplate is required")
		}
		n.rowID, err = engine.CompileTemplate("rowIdTemplate", string(cfg.RowIDTemplate))
	case "query":
		n.byQuery = true
		n.query, err = compileOptionalTemplate("queryTemplate", cfg.QueryTemplate)
	default:
		err = engine.Errorf("Validation", "rowSelectType must be id or query")
	}
	if err != nil {
		return nil, err
	}
	if n.in, err = compileRowInput(cfg.rowInputConfig); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec changes (or, with upsertCheck, inserts) the row, fires the
// dataTable triggers and writes the row, or the error, at resultPath.
func (n *tableUpdateRow) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	return n.exec(ctx, env, p, n.update)
}

func (n *tableUpdateRow) update(ctx context.Context, env *engine.Env, p engine.Payload, id string) (any, error) {
	values, bulk, err := n.in.rows(p)
	if err != nil {
		return nil, err
	}
	if bulk {
		return nil, weir.Errorf(weir.Validation, "the row must be an object")
	}
	rowID, err := n.findRow(ctx, env, p, id)
	if err != nil {
		return nil, err
	}
	ts := env.Tables
	if rowID == "" {
		rows, err := insertRows(ctx, env, id, values, false)
		if err != nil {
			return nil, err
		}
		return rows[0].Object(), nil
	}
	old, row, err := ts.Tables.UpdateDataTableRow(ctx, env.ApplicationID, id, rowID, values[0])
	if err != nil {
		return nil, err
	}
	if ts.Events != nil {
		if err := ts.Events.RowUpdated(ctx, env.ApplicationID, id, old, row); err != nil {
			return nil, err
		}
	}
	return row.Object(), nil
}

// findRow returns the id of the row to change: the rendered id, or the
// first row the query matches; "" when none matches and upsertCheck asks
// for an insert.
func (n *tableUpdateRow) findRow(ctx context.Context, env *engine.Env, p engine.Payload, tableID string) (string, error) {
	if !n.byQuery {
		return renderText("rowIdTemplate", n.rowID, p)
	}
	q, err := renderQuery(n.query, p)
	if err != nil {
		return "", err
	}
	rows, _, err := env.Tables.Tables.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: env.ApplicationID, TableID: tableID,
		Query: q, Limit: 1})
	switch {
	case err != nil:
		return "", err
	case len(rows) > 0:
		return rows[0].ID, nil
	case n.upsert:
		return "", nil
	}
	return "", weir.Errorf(weir.NotFound, "Data table row was not found")
}
