package nodes

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// needTables fails a data table node's run when the run cannot reach data
// tables.
func needTables(env *engine.Env) error {
	if env.Tables == nil || env.Tables.Tables == nil {
		return engine.Errorf("Error", "data tables are not available to this run")
	}
	return nil
}

// tableIDField is the config field every data table node has.
var tableIDField = engine.Field{Name: "dataTableIdTemplate", Kind: "template", Required: true, Doc: "The data table's id."}

// compileTableID compiles a node's dataTableIdTemplate.
func compileTableID(src engine.Text) (*template.Template, error) {
	if src == "" {
		return nil, engine.Errorf("Validation", "dataTableIdTemplate is required")
	}
	return engine.CompileTemplate("dataTableIdTemplate", string(src))
}

// renderTableID renders the table id; an id that cannot be one is
// NotFound, as an unknown table is.
func renderTableID(t *template.Template, p engine.Payload) (string, error) {
	id, err := t.Render(p)
	if err != nil {
		return "", weir.Errorf(weir.Validation, "dataTableIdTemplate: %v", err)
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if !weir.ValidID(id) {
		return "", weir.Errorf(weir.NotFound, "Data table was not found")
	}
	return id, nil
}

// compileOptionalTemplate compiles a template field that may be blank (nil).
func compileOptionalTemplate(field string, src engine.Text) (*template.Template, error) {
	if strings.TrimSpace(string(src)) == "" {
		return nil, nil
	}
	return engine.CompileTemplate(field, string(src))
}

// renderQuery renders a queryTemplate: blank (or no template) is every
// row, else a JSON query document.
func renderQuery(t *template.Template, p engine.Payload) (any, error) {
	if t == nil {
		return nil, nil
	}
	text, err := t.Render(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var q any
	if err := json.Unmarshal([]byte(text), &q); err != nil {
		return nil, weir.Errorf(weir.Validation, "queryTemplate is not valid JSON")
	}
	return q, nil
}

// renderInt renders an optional integer template: blank is def; anything
// else must be an integer in [lo, hi].
func renderInt(field string, t *template.Template, p engine.Payload, def, lo, hi int) (int, error) {
	if t == nil {
		return def, nil
	}
	text, err := t.Render(p)
	if err != nil {
		return 0, weir.Errorf(weir.Validation, "%s: %v", field, err)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return def, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < lo || n > hi {
		return 0, weir.Errorf(weir.Validation, "%s must be a number between %d and %d", field, lo, hi)
	}
	return n, nil
}

// renderText renders an optional text template, trimmed; blank is "".
func renderText(field string, t *template.Template, p engine.Payload) (string, error) {
	if t == nil {
		return "", nil
	}
	s, err := t.Render(p)
	if err != nil {
		return "", weir.Errorf(weir.Validation, "%s: %v", field, err)
	}
	return strings.TrimSpace(s), nil
}

// rowFieldConfig is one {columnTemplate, valueTemplate} of individualFields;
// a null valueTemplate sets the column to null.
type rowFieldConfig struct {
	ColumnTemplate engine.Text     `json:"columnTemplate"`
	ValueTemplate  json.RawMessage `json:"valueTemplate"`
}

// rowInputConfig is how the insert and update nodes are told a row.
type rowInputConfig struct {
	DataMethod      string           `json:"dataMethod"`
	RowFields       []rowFieldConfig `json:"rowFields"`
	RowJSONTemplate engine.Text      `json:"rowJsonTemplate"`
	RowPayloadPath  string           `json:"rowPayloadPath"`
}

// rowInputFields are the config fields of rowInputConfig.
var rowInputFields = []engine.Field{
	{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "Where the row comes from."},
	{Name: "rowFields", Kind: "array", Doc: "individualFields: each {columnTemplate, valueTemplate}; a null valueTemplate sets the column to null. Text converts to the column's type."},
	{Name: "rowJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: a JSON object of column values."},
	{Name: "rowPayloadPath", Kind: "path", Doc: "payloadPath: where the row object (or, for Insert Rows, an array of them) is on the payload."},
}

// rowField is one compiled individual field.
type rowField struct {
	column, value *template.Template // value nil: null
}

// rowInput is a compiled rowInputConfig.
type rowInput struct {
	method string
	fields []rowField
	json   *template.Template
	path   path.Path
}

func compileRowInput(cfg rowInputConfig) (*rowInput, error) {
	in := &rowInput{method: cfg.DataMethod}
	var err error
	switch cfg.DataMethod {
	case "", "individualFields":
		in.method = "individualFields"
		for i, f := range cfg.RowFields {
			var rf rowField
			if rf.column, err = engine.CompileTemplate("rowFields columnTemplate", string(f.ColumnTemplate)); err != nil {
				return nil, err
			}
			if v := strings.TrimSpace(string(f.ValueTemplate)); v != "" && v != "null" {
				var text engine.Text
				if err := json.Unmarshal(f.ValueTemplate, &text); err != nil {
					return nil, engine.Errorf("Validation", "rowFields[%d] valueTemplate must be text", i)
				}
				if rf.value, err = engine.CompileTemplate("rowFields valueTemplate", string(text)); err != nil {
					return nil, err
				}
			}
			in.fields = append(in.fields, rf)
		}
	case "jsonTemplate":
		in.json, err = engine.CompileTemplate("rowJsonTemplate", string(cfg.RowJSONTemplate))
	case "payloadPath":
		in.path, _, err = engine.CompilePath("rowPayloadPath", cfg.RowPayloadPath, true)
	default:
		err = engine.Errorf("Validation", "dataMethod must be individualFields, jsonTemplate or payloadPath")
	}
	return in, err
}

// rows returns the row (or, with a payload path holding an array, the rows)
// the input gives; bulk reports an array.
func (in *rowInput) rows(p engine.Payload) (rows []map[string]any, bulk bool, err error) {
	var v any
	switch in.method {
	case "individualFields":
		row := map[string]any{}
		for _, f := range in.fields {
			col, err := f.column.Render(p)
			if err != nil {
				return nil, false, weir.Errorf(weir.Validation, "rowFields columnTemplate: %v", err)
			}
			if col = strings.TrimSpace(col); col == "" {
				continue
			}
			var val any
			if f.value != nil {
				s, err := f.value.Render(p)
				if err != nil {
					return nil, false, weir.Errorf(weir.Validation, "rowFields valueTemplate: %v", err)
				}
				val = s
			}
			row[col] = val
		}
		return []map[string]any{row}, false, nil
	case "jsonTemplate":
		if v, err = in.json.RenderJSON(p); err != nil {
			return nil, false, weir.Errorf(weir.Validation, "rowJsonTemplate: %v", err)
		}
	default:
		// Payload values may be times and other run values: their JSON is
		// what a row holds.
		if err := json.Unmarshal(engine.EncodeValue(in.path.Get(p)), &v); err != nil {
			return nil, false, weir.Errorf(weir.Validation, "rowPayloadPath does not hold a row")
		}
	}
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}, false, nil
	case []any:
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false, weir.Errorf(weir.Validation, "each row must be an object")
			}
			rows = append(rows, m)
		}
		return rows, true, nil
	}
	return nil, false, weir.Errorf(weir.Validation, "the row must be an object")
}

// tableBase is what every data table node has: its table and resultPath.
type tableBase struct {
	table     *template.Template
	result    path.Path
	hasResult bool
}

// compile compiles the dataTableIdTemplate and resultPath of a node.
func (b *tableBase) compile(table engine.Text, resultPath string, required bool) (err error) {
	if b.table, err = compileTableID(table); err != nil {
		return err
	}
	b.result, b.hasResult, err = engine.CompilePath("resultPath", resultPath, required)
	return err
}

// exec runs a data table node's action on its table and writes the outcome
// at resultPath: the value, or the error as {error: {type, message}}; an
// internal error fails the node.
func (b *tableBase) exec(ctx context.Context, env *engine.Env, p engine.Payload,
	action func(ctx context.Context, env *engine.Env, p engine.Payload, tableID string) (any, error)) (int, error) {
	if err := needTables(env); err != nil {
		return 0, err
	}
	id, err := renderTableID(b.table, p)
	var v any
	if err == nil {
		v, err = action(ctx, env, p, id)
	}
	switch {
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	case err != nil:
		return 0, setResult(p, b.result, b.hasResult, platformError(err))
	}
	return 0, setResult(p, b.result, b.hasResult, v)
}

// insertRows inserts rows into the table and tells the dataTable triggers.
func insertRows(ctx context.Context, env *engine.Env, tableID string, values []map[string]any, bulk bool) ([]*weir.DataTableRow, error) {
	rows, err := env.Tables.Tables.InsertDataTableRows(ctx, env.ApplicationID, tableID, values)
	if err != nil {
		return nil, err
	}
	if env.Tables.Events != nil && len(rows) > 0 {
		if err := env.Tables.Events.RowsInserted(ctx, env.ApplicationID, tableID, rows, bulk); err != nil {
			return nil, err
		}
	}
	return rows, nil
}
