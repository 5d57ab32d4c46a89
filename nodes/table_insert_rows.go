package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DataTableInsertRowNode",
		Name:     "insert-table-row",
		Category: "data",
		Summary:  "Inserts a row, or an array of rows, into a data table of the application.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{tableIDField}, append(rowInputFields,
			engine.Field{Name: "resultPath", Kind: "path", Doc: "Where to put the new row, {count, rowIds, createdAt} for an array, or {error: {type, message}}."})...),
	}, buildTableInsertRows)
}

type tableInsertRows struct {
	tableBase
	in *rowInput
}

func buildTableInsertRows(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		rowInputConfig
		DataTableIDTemplate engine.Text `json:"dataTableIdTemplate"`
		ResultPath          string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &tableInsertRows{}
	var err error
	if err = n.compile(cfg.DataTableIDTemplate, cfg.ResultPath, false); err != nil {
		return nil, err
	}
	if n.in, err = compileRowInput(cfg.rowInputConfig); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec inserts the rows, all or none, fires the dataTable triggers and
// writes the outcome at resultPath.
func (n *tableInsertRows) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	return n.exec(ctx, env, p, n.insert)
}

func (n *tableInsertRows) insert(ctx context.Context, env *engine.Env, p engine.Payload, id string) (any, error) {
	values, bulk, err := n.in.rows(p)
	if err != nil {
		return nil, err
	}
	rows, err := insertRows(ctx, env, id, values, bulk)
	if err != nil {
		return nil, err
	}
	if !bulk {
		return rows[0].Object(), nil
	}
	ids := make([]any, 0, len(rows))
	created := env.Now().UTC()
	for _, r := range rows {
		ids = append(ids, r.ID)
		created = r.CreatedAt
	}
	return map[string]any{"count": float64(len(rows)), "rowIds": ids, "createdAt": created.Format(rowTimeLayout)}, nil
}

// rowTimeLayout is how row times are written: Losant's ISO 8601 with
// milliseconds.
const rowTimeLayout = "2006-01-02T15:04:05.000Z07:00"
