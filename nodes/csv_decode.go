package nodes

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CSVDecodeNode",
		Name:     "csv-decode",
		Category: "logic",
		Summary:  "Parses CSV text into an array of row objects keyed by the header row; failures write {error} instead of throwing.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{
			{Name: "source", Kind: "path", Required: true, Doc: "The CSV text."},
			{Name: "destination", Kind: "path", Required: true,
				Doc: "Receives an array with one object per record after the header row, every value a string; a short record gets \"\" for its missing columns, extra columns are dropped, blank lines are skipped. On failure: {error: {message}}."},
			{Name: "stripBom", Kind: "bool", Default: "false", Doc: "Remove a leading byte order mark."},
		}, csvFields...),
	}, buildCSVDecode)
}

// csvFields are the format fields both CSV nodes share.
var csvFields = []engine.Field{
	{Name: "delimiterTemplate", Kind: "template", Default: ",", Doc: "The field delimiter, one character (\\t accepted)."},
	{Name: "recordDelimiterTemplate", Kind: "template", Default: "\\n",
		Doc: "The record delimiter (\\n, \\r\\n, …). With \\n, a \\r\\n ending is accepted too when decoding."},
	{Name: "quoteCharTemplate", Kind: "template", Default: "\"", Doc: "The quote character."},
	{Name: "escapeCharTemplate", Kind: "template", Default: "\"", Doc: "The character that escapes a quote inside a quoted field."},
}

// csvFormat holds the compiled format fields.
type csvFormat struct {
	delimiter, record, quote, escape *template.Template
}

type csvFormatConfig struct {
	DelimiterTemplate       engine.Text `json:"delimiterTemplate"`
	RecordDelimiterTemplate engine.Text `json:"recordDelimiterTemplate"`
	QuoteCharTemplate       engine.Text `json:"quoteCharTemplate"`
	EscapeCharTemplate      engine.Text `json:"escapeCharTemplate"`
}

func compileCSVFormat(cfg csvFormatConfig) (csvFormat, error) {
	var f csvFormat
	var err error
	for _, x := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&f.delimiter, "delimiterTemplate", cfg.DelimiterTemplate},
		{&f.record, "recordDelimiterTemplate", cfg.RecordDelimiterTemplate},
		{&f.quote, "quoteCharTemplate", cfg.QuoteCharTemplate},
		{&f.escape, "escapeCharTemplate", cfg.EscapeCharTemplate},
	} {
		if *x.dst, err = engine.CompileTemplate(x.name, string(x.src)); err != nil {
			return f, err
		}
	}
	return f, nil
}

// csvDialect is a rendered format.
type csvDialect struct{ delimiter, record, quote, escape string }

// render renders the format; delimiter, quote and escape must be single
// characters.
func (f csvFormat) render(p engine.Payload) (csvDialect, error) {
	r := renderer{p: p}
	d := csvDialect{
		delimiter: csvChars(r.raw(f.delimiter, "delimiterTemplate"), ","),
		record:    csvChars(r.raw(f.record, "recordDelimiterTemplate"), "\n"),
		quote:     csvChars(r.raw(f.quote, "quoteCharTemplate"), `"`),
		escape:    csvChars(r.raw(f.escape, "escapeCharTemplate"), `"`),
	}
	if r.err != nil {
		return d, r.err
	}
	for _, c := range []string{d.delimiter, d.quote, d.escape} {
		if utf8.RuneCountInString(c) != 1 {
			return d, errors.New("delimiter, quote and escape characters must be single characters")
		}
	}
	if d.delimiter == d.quote || strings.Contains(d.record, d.delimiter) {
		return d, errors.New("delimiter, record delimiter and quote character must differ")
	}
	return d, nil
}

// csvChars reads a format field: escapes \n, \r and \t are expanded, and
// empty text is def.
func csvChars(s, def string) string {
	if s == "" {
		return def
	}
	return strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t").Replace(s)
}

type csvDecode struct {
	source, destination path.Path
	stripBOM            bool
	format              csvFormat
}

func buildCSVDecode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Source      string      `json:"source"`
		Destination string      `json:"destination"`
		StripBom    engine.Text `json:"stripBom"`
		csvFormatConfig
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &csvDecode{stripBOM: cfg.StripBom == "true"}
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
	return n, nil
}

// Exec parses the source and writes the rows, or {error} on failure.
func (n *csvDecode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	out, err := n.decode(p)
	if err != nil {
		out = map[string]any{"error": map[string]any{"message": err.Error()}}
	}
	if err := n.destination.Set(p, out); err != nil {
		return 0, engine.Errorf("Validation", "destination: %v", err)
	}
	return 0, nil
}

func (n *csvDecode) decode(p engine.Payload) (any, error) {
	d, err := n.format.render(p)
	if err != nil {
		return nil, err
	}
	text, ok := n.source.Get(p).(string)
	if !ok {
		return nil, errors.New("source must be a string of CSV text")
	}
	if n.stripBOM {
		text = strings.TrimPrefix(text, "\uFEFF")
	}
	records, err := d.parse(text)
	if err != nil {
		return nil, err
	}
	rows := []any{}
	if len(records) == 0 {
		return rows, nil
	}
	header := records[0]
	for _, rec := range records[1:] {
		row := make(map[string]any, len(header))
		for i, h := range header {
			v := ""
			if i < len(rec) {
				v = rec[i]
			}
			row[h] = v
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// parse splits text into records of fields.
func (d csvDialect) parse(s string) ([][]string, error) {
	var records [][]string
	var rec []string
	var field strings.Builder
	quoted, inQuotes := false, false
	end := func() {
		rec = append(rec, field.String())
		field.Reset()
		quoted = false
	}
	endRecord := func() {
		end()
		if len(rec) > 1 || rec[0] != "" {
			records = append(records, rec)
		}
		rec = nil
	}
	for i := 0; i < len(s); {
		rest := s[i:]
		switch {
		case inQuotes && d.escape != d.quote && strings.HasPrefix(rest, d.escape+d.quote):
			field.WriteString(d.quote)
			i += len(d.escape) + len(d.quote)
		case inQuotes && strings.HasPrefix(rest, d.quote+d.quote) && d.escape == d.quote:
			field.WriteString(d.quote)
			i += 2 * len(d.quote)
		case inQuotes && strings.HasPrefix(rest, d.quote):
			inQuotes = false
			i += len(d.quote)
		case inQuotes:
			field.WriteByte(s[i])
			i++
		case strings.HasPrefix(rest, d.quote) && field.Len() == 0 && !quoted:
			inQuotes, quoted = true, true
			i += len(d.quote)
		case strings.HasPrefix(rest, d.delimiter):
			end()
			i += len(d.delimiter)
		case d.record == "\n" && strings.HasPrefix(rest, "\r\n"):
			endRecord()
			i += 2
		case strings.HasPrefix(rest, d.record):
			endRecord()
			i += len(d.record)
		default:
			field.WriteByte(s[i])
			i++
		}
	}
	if inQuotes {
		return nil, errors.New("Quote Not Closed: the parsing is finished with an opening quote")
	}
	if field.Len() > 0 || len(rec) > 0 || quoted {
		endRecord()
	}
	return records, nil
}

var _ engine.Node = (*csvDecode)(nil)
