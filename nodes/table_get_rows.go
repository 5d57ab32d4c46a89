package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DataTableQueryNode",
		Name:     "get-table-rows",
		Category: "data",
		Summary:  "Queries a data table of the application and puts a page of its rows on the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			tableIDField,
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "Losant's advanced query ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $startsWith, $endsWith, $contains, $ci, $and, $or, $nor); blank matches every row."},
			{Name: "rowIdTemplate", Kind: "template", Doc: "When set, only the row with this id (the query still applies)."},
			{Name: "sortColumnTemplate", Kind: "template", Doc: "A column, id, createdAt or updatedAt; blank is id."},
			{Name: "sortDirectionTemplate", Kind: "template", Doc: "asc (default) or desc."},
			{Name: "limitTemplate", Kind: "template", Doc: "1 to 1000 rows; blank is 1000."},
			{Name: "offsetTemplate", Kind: "template", Doc: "Rows to skip; blank is 0."},
			{Name: "includeFieldsTemplate", Kind: "template", Doc: "Comma-separated fields to keep in each row (id always); blank keeps every field."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where to put {items, count, totalCount, limit, offset, sortColumn, sortDirection, query}, or {error: {type, message}}."},
		},
	}, buildTableGetRows)
}

type tableGetRows struct {
	tableBase
	query, rowID, sort, dir, limit, offset, inc *template.Template
}

func buildTableGetRows(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DataTableIDTemplate   engine.Text `json:"dataTableIdTemplate"`
		QueryTemplate         engine.Text `json:"queryTemplate"`
		RowIDTemplate         engine.Text `json:"rowIdTemplate"`
		SortColumnTemplate    engine.Text `json:"sortColumnTemplate"`
		SortDirectionTemplate engine.Text `json:"sortDirectionTemplate"`
		LimitTemplate         engine.Text `json:"limitTemplate"`
		OffsetTemplate        engine.Text `json:"offsetTemplate"`
		IncludeFieldsTemplate engine.Text `json:"includeFieldsTemplate"`
		ResultPath            string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &tableGetRows{}
	var err error
	if err = n.compile(cfg.DataTableIDTemplate, cfg.ResultPath, true); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.query, "queryTemplate", cfg.QueryTemplate}, {&n.rowID, "rowIdTemplate", cfg.RowIDTemplate},
		{&n.sort, "sortColumnTemplate", cfg.SortColumnTemplate}, {&n.dir, "sortDirectionTemplate", cfg.SortDirectionTemplate},
		{&n.limit, "limitTemplate", cfg.LimitTemplate}, {&n.offset, "offsetTemplate", cfg.OffsetTemplate},
		{&n.inc, "includeFieldsTemplate", cfg.IncludeFieldsTemplate},
	} {
		if *f.dst, err = compileOptionalTemplate(f.name, f.src); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec queries the table and writes the page, or the error, at resultPath.
func (n *tableGetRows) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	return n.exec(ctx, env, p, n.find)
}

func (n *tableGetRows) find(ctx context.Context, env *engine.Env, p engine.Payload, id string) (any, error) {
	f := weir.RowFilter{ApplicationID: env.ApplicationID, TableID: id}
	var err error
	if f.Query, err = renderQuery(n.query, p); err != nil {
		return nil, err
	}
	rowID, err := renderText("rowIdTemplate", n.rowID, p)
	if err != nil {
		return nil, err
	}
	if rowID != "" {
		byID := map[string]any{weir.RowFieldID: strings.ToLower(rowID)}
		if f.Query != nil {
			f.Query = map[string]any{"$and": []any{byID, f.Query}}
		} else {
			f.Query = byID
		}
	}
	if f.SortColumn, err = renderText("sortColumnTemplate", n.sort, p); err != nil {
		return nil, err
	}
	if f.SortDirection, err = renderText("sortDirectionTemplate", n.dir, p); err != nil {
		return nil, err
	}
	f.SortDirection = strings.ToLower(f.SortDirection)
	if f.Limit, err = renderInt("limitTemplate", n.limit, p, weir.DefaultRowsPerQuery, 1, weir.MaxRowsPerQuery); err != nil {
		return nil, err
	}
	if f.Offset, err = renderInt("offsetTemplate", n.offset, p, 0, 0, 1<<31); err != nil {
		return nil, err
	}
	inc, err := renderText("includeFieldsTemplate", n.inc, p)
	if err != nil {
		return nil, err
	}
	rows, total, err := env.Tables.Tables.FindDataTableRows(ctx, f)
	if err != nil {
		return nil, err
	}
	items := make([]any, 0, len(rows))
	for _, r := range rows {
		items = append(items, includeRowFields(r, inc))
	}
	query := f.Query
	if query == nil {
		query = map[string]any{}
	}
	dir := f.SortDirection
	if dir == "" {
		dir = "asc"
	}
	sortColumn := f.SortColumn
	if sortColumn == "" {
		sortColumn = weir.RowFieldID
	}
	return map[string]any{
		"items": items, "count": float64(len(rows)), "totalCount": float64(total), "limit": float64(f.Limit),
		"offset": float64(f.Offset), "sortColumn": sortColumn, "sortDirection": dir, "query": query,
		"dataTableId": id, "applicationId": env.ApplicationID,
	}, nil
}

// includeRowFields returns the row's object with only the comma-separated
// fields of inc (and id); blank keeps every field.
func includeRowFields(r *weir.DataTableRow, inc string) map[string]any {
	m := r.Object()
	if inc == "" {
		return m
	}
	out := map[string]any{weir.RowFieldID: m[weir.RowFieldID]}
	for _, f := range strings.Split(inc, ",") {
		if v, ok := m[strings.TrimSpace(f)]; ok {
			out[strings.TrimSpace(f)] = v
		}
	}
	return out
}
