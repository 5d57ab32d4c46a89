package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var csvHeaderTypes = []string{"objectKeys", "stringTemplates", "payloadPath"}

func init() {
	engine.Register(engine.Spec{
		Type:     "CSVEncodeNode",
		Name:     "csv-encode",
		Category: "logic",
		Summary:  "Writes an array of objects (or arrays) as CSV text with a header row; failures write {error} instead of throwing.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{
			{Name: "source", Kind: "path", Required: true, Doc: "The array of row objects, or of arrays of values in column order."},
			{Name: "destination", Kind: "path", Required: true,
				Doc: "Receives the CSV text, every record (the header too) ending with the record delimiter; on failure {error: {message}}."},
			{Name: "headerTemplateType", Kind: "enum", Enum: csvHeaderTypes, Default: "objectKeys",
				Doc: "objectKeys: the keys of the first row object, sorted (payload objects keep no key order); stringTemplates: headerTemplate is a list of up to 10 templates; payloadPath: headerTemplate is a path to an array of names. Only the listed columns are written."},
			{Name: "headerTemplate", Kind: "template", Doc: "The header templates (an array) or path, as headerTemplateType says."},
		}, csvFields...),
	}, buildCSVEncode)
}

type csvEncode struct {
	source, destination path.Path
	headerType          string
	headers             []*template.Template
	headerPath          path.Path
	format              csvFormat
}

func buildCSVEncode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Source             string          `json:"source"`
		Destination        string          `json:"destination"`
		HeaderTemplateType string          `json:"headerTemplateType"`
		HeaderTemplate     json.RawMessage `json:"headerTemplate"`
		csvFormatConfig
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &csvEncode{headerType: cfg.HeaderTemplateType}
	if n.headerType == "" {
		n.headerType = "objectKeys"
	}
	if !slices.Contains(csvHeaderTypes, n.headerType) {
		return nil, engine.Errorf("Validation", "headerTemplateType must be one of %v", csvHeaderTypes)
	}
	var err error
	if n.source, _, err = engine.CompilePath("source", cfg.Source, true); err != nil {
		return nil, err
	}
	if n.destination, _, err = engine.CompilePath("destination", cfg.Destination, true); err != nil {
		return nil, err
	}
	if n.format, err = compileCSVFormat(cfg.csvFormatConfig); err != nil {
		return nil, err
	}
	switch n.headerType {
	case "stringTemplates":
		var list []engine.Text
		if len(cfg.HeaderTemplate) > 0 && json.Unmarshal(cfg.HeaderTemplate, &list) != nil {
			var one engine.Text
			if err := json.Unmarshal(cfg.HeaderTemplate, &one); err != nil {
				return nil, engine.Errorf("Validation", "headerTemplate must be a list of templates")
			}
			list = []engine.Text{one}
		}
		if len(list) == 0 || len(list) > 10 {
			return nil, engine.Errorf("Validation", "headerTemplate must hold 1 to 10 header templates")
		}
		for i, src := range list {
			t, err := engine.CompileTemplate(fmt.Sprintf("headerTemplate[%d]", i), string(src))
			if err != nil {
				return nil, err
			}
			n.headers = append(n.headers, t)
		}
	case "payloadPath":
		var src string
		_ = json.Unmarshal(cfg.HeaderTemplate, &src)
		if n.headerPath, _, err = engine.CompilePath("headerTemplate", src, true); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec writes the CSV text, or {error} on failure.
func (n *csvEncode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	out, err := n.encode(p)
	if err != nil {
		out = map[string]any{"error": map[string]any{"message": err.Error()}}
	}
	if err := n.destination.Set(p, out); err != nil {
		return 0, engine.Errorf("Validation", "destination: %v", err)
	}
	return 0, nil
}

func (n *csvEncode) encode(p engine.Payload) (any, error) {
	d, err := n.format.render(p)
	if err != nil {
		return nil, err
	}
	rows, ok := n.source.Get(p).([]any)
	if !ok {
		return nil, errors.New("source must be an array")
	}
	header, err := n.header(p, rows)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	d.write(&b, header)
	for i, row := range rows {
		cells := make([]string, len(header))
		switch r := row.(type) {
		case map[string]any:
			for j, h := range header {
				cells[j] = csvCell(r[h])
			}
		case []any:
			for j := range cells {
				if j < len(r) {
					cells[j] = csvCell(r[j])
				}
			}
		default:
			return nil, fmt.Errorf("source item %d is not an object or array", i)
		}
		d.write(&b, cells)
	}
	return b.String(), nil
}

// header returns the column names for headerTemplateType.
func (n *csvEncode) header(p engine.Payload, rows []any) ([]string, error) {
	switch n.headerType {
	case "stringTemplates":
		r := renderer{p: p}
		out := make([]string, len(n.headers))
		for i, t := range n.headers {
			out[i] = r.raw(t, "headerTemplate")
		}
		return out, r.err
	case "payloadPath":
		list, ok := n.headerPath.Get(p).([]any)
		if !ok {
			return nil, errors.New("headerTemplate must point to an array of column names")
		}
		out := make([]string, len(list))
		for i, v := range list {
			out[i] = js.ToString(v)
		}
		return out, nil
	}
	if len(rows) == 0 {
		return nil, nil
	}
	first, ok := rows[0].(map[string]any)
	if !ok {
		return nil, errors.New("the first source item must be an object to take its keys as the header")
	}
	keys := make([]string, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// csvCell is a value's text: strings as they are, dates in ISO form,
// objects and arrays as JSON, null and undefined empty.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil, js.Undefined:
		return ""
	case string:
		return x
	case time.Time:
		return js.Normalize(x).(string)
	case map[string]any, []any:
		b, _ := js.Stringify(x, "")
		return string(b)
	}
	return js.ToString(v)
}

// write appends one record, quoting cells that need it.
func (d csvDialect) write(b *strings.Builder, cells []string) {
	if len(cells) == 0 {
		return
	}
	for i, c := range cells {
		if i > 0 {
			b.WriteString(d.delimiter)
		}
		if strings.Contains(c, d.delimiter) || strings.Contains(c, d.quote) || strings.Contains(c, d.record) ||
			strings.ContainsAny(c, "\r\n") {
			c = d.quote + strings.ReplaceAll(c, d.quote, d.escape+d.quote) + d.quote
		}
		b.WriteString(c)
	}
	b.WriteString(d.record)
}

var _ engine.Node = (*csvEncode)(nil)
