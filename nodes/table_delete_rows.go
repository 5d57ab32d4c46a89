package nodes

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DataTableDeleteRowNode",
		Name:     "delete-table-row",
		Category: "data",
		Summary:  "Deletes one row of a data table by id, or the rows a query matches.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{tableIDField,
			{Name: "rowIdTemplate", Kind: "template", Doc: "When set, the one row with this id goes."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "Otherwise, the rows this advanced query matches go (blank: every row), oldest first."},
			{Name: "limitTemplate", Kind: "template", Doc: "With a query, at most this many rows (1 to 10000; blank is 1000)."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put {result: true, count}, or {error: {type, message}}."},
		},
	}, buildTableDeleteRows)
}

type tableDeleteRows struct {
	tableBase
	rowID, query, limit *template.Template
}

func buildTableDeleteRows(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DataTableIDTemplate engine.Text `json:"dataTableIdTemplate"`
		RowIDTemplate       engine.Text `json:"rowIdTemplate"`
		QueryTemplate       engine.Text `json:"queryTemplate"`
		LimitTemplate       engine.Text `json:"limitTemplate"`
		ResultPath          string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &tableDeleteRows{}
	var err error
	if err = n.compile(cfg.DataTableIDTemplate, cfg.ResultPath, false); err != nil {
		return nil, err
	}
	if n.rowID, err = compileOptionalTemplate("rowIdTemplate", cfg.RowIDTemplate); err != nil {
		return nil, err
	}
	if n.query, err = compileOptionalTemplate("queryTemplate", cfg.QueryTemplate); err != nil {
		return nil, err
	}
	if n.limit, err = compileOptionalTemplate("limitTemplate", cfg.LimitTemplate); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec deletes the rows, fires the dataTable triggers and writes
// {result: true, count}, or the error, at resultPath.
func (n *tableDeleteRows) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	return n.exec(ctx, env, p, n.delete)
}

func (n *tableDeleteRows) delete(ctx context.Context, env *engine.Env, p engine.Payload, id string) (any, error) {
	rowID, err := renderText("rowIdTemplate", n.rowID, p)
	if err != nil {
		return nil, err
	}
	var rows []*weir.DataTableRow
	if rowID != "" {
		row, err := env.Tables.Tables.DeleteDataTableRow(ctx, env.ApplicationID, id, rowID)
		if err != nil {
			return nil, err
		}
		rows = []*weir.DataTableRow{row}
	} else {
		f := weir.RowFilter{ApplicationID: env.ApplicationID, TableID: id}
		if f.Query, err = renderQuery(n.query, p); err != nil {
			return nil, err
		}
		if f.Limit, err = renderInt("limitTemplate", n.limit, p, weir.DefaultRowsPerDelete, 1, weir.MaxRowsPerDelete); err != nil {
			return nil, err
		}
		if rows, err = env.Tables.Tables.DeleteDataTableRows(ctx, f); err != nil {
			return nil, err
		}
	}
	if env.Tables.Events != nil && len(rows) > 0 {
		if err := env.Tables.Events.RowsDeleted(ctx, env.ApplicationID, id, rows); err != nil {
			return nil, err
		}
	}
	return map[string]any{"result": true, "count": float64(len(rows))}, nil
}
