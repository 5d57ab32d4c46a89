package nodes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var validateSchemaTypes = []string{"json", "path"}

func init() {
	engine.Register(engine.Spec{
		Type:     "ValidatePayloadNode",
		Name:     "validate-payload",
		Category: "logic",
		Summary:  "Validates the payload, or one value of it, against a JSON Schema (draft-04) and branches on the result.",
		Outputs:  []string{"invalid: the value does not match the schema", "valid: the value matches the schema"},
		Fields: []engine.Field{
			{Name: "schemaType", Kind: "enum", Enum: validateSchemaTypes, Default: "json",
				Doc: "json: schema is a JSON template; path: schema is a payload path holding the schema (an object, or JSON text)."},
			{Name: "schema", Kind: "jsonTemplate", Required: true,
				Doc: "The JSON Schema (draft-04 unless it names another $schema), or a payload path when schemaType is path. Formats such as email are asserted."},
			{Name: "toValidatePath", Kind: "path", Doc: "The value to validate; empty validates the whole payload."},
			{Name: "errorsPath", Kind: "path",
				Doc: `Receives [] when valid, else an array of {field, message} such as {"field": "data.voltage", "message": "is the wrong type"}; field names the root "data".`},
		},
	}, buildValidatePayload)
}

type validatePayload struct {
	schemaPath path.Path
	schemaTmpl *template.Template
	static     *jsonschema.Schema // the compiled schema when it has no mustaches
	last       atomic.Pointer[cachedSchema]
	source     path.Path
	hasSource  bool
	errorsPath path.Path
	hasErrors  bool
}

// cachedSchema remembers the last schema compiled at run time, since
// templated schemas usually render the same text on every run.
type cachedSchema struct {
	text   string
	schema *jsonschema.Schema
}

func buildValidatePayload(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SchemaType     string      `json:"schemaType"`
		Schema         engine.Text `json:"schema"`
		ToValidatePath string      `json:"toValidatePath"`
		ErrorsPath     string      `json:"errorsPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.SchemaType == "" {
		cfg.SchemaType = "json"
	}
	if !slices.Contains(validateSchemaTypes, cfg.SchemaType) {
		return nil, engine.Errorf("Validation", "schemaType must be one of %v", validateSchemaTypes)
	}
	if strings.TrimSpace(string(cfg.Schema)) == "" {
		return nil, engine.Errorf("Validation", "Schema is required")
	}
	n := &validatePayload{}
	var err error
	if cfg.SchemaType == "path" {
		if n.schemaPath, _, err = engine.CompilePath("schema", string(cfg.Schema), true); err != nil {
			return nil, err
		}
	} else {
		if n.schemaTmpl, err = engine.CompileTemplate("schema", string(cfg.Schema)); err != nil {
			return nil, err
		}
		if text, ok := n.schemaTmpl.Literal(); ok {
			if n.static, err = compileSchema([]byte(text)); err != nil {
				return nil, engine.Errorf("Validation", "schema: %v", err)
			}
		}
	}
	if cfg.ToValidatePath != "." {
		if n.source, n.hasSource, err = engine.CompilePath("toValidatePath", cfg.ToValidatePath, false); err != nil {
			return nil, err
		}
	}
	if n.errorsPath, n.hasErrors, err = engine.CompilePath("errorsPath", cfg.ErrorsPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec validates the value and takes output 1 when it is valid, 0 otherwise.
func (n *validatePayload) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	sch, err := n.schema(p)
	if err != nil {
		return 0, err
	}
	var v any = p
	if n.hasSource {
		v = n.source.Get(p)
	}
	if _, undef := v.(js.Undefined); undef {
		v = nil
	}
	found := []any{}
	var ve *jsonschema.ValidationError
	if err := sch.Validate(js.Normalize(v)); errors.As(err, &ve) {
		for _, e := range schemaErrors(ve) {
			found = append(found, map[string]any{"field": e.field, "message": e.message})
		}
	} else if err != nil {
		return 0, engine.Errorf("Validation", "validate: %v", err)
	}
	if n.hasErrors {
		if err := n.errorsPath.Set(p, found); err != nil {
			return 0, engine.Errorf("Validation", "errorsPath: %v", err)
		}
	}
	if len(found) > 0 {
		return 0, nil
	}
	return 1, nil
}

// schema returns the compiled schema for this run.
func (n *validatePayload) schema(p engine.Payload) (*jsonschema.Schema, error) {
	if n.static != nil {
		return n.static, nil
	}
	var text []byte
	if n.schemaTmpl != nil {
		s, err := n.schemaTmpl.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "schema: %v", err)
		}
		text = []byte(s)
	} else {
		switch v := n.schemaPath.Get(p).(type) {
		case string:
			text = []byte(v)
		case map[string]any, bool:
			text = engine.EncodeValue(v)
		default:
			return nil, engine.Errorf("Validation", "schema: no schema object at %s", n.schemaPath)
		}
	}
	if c := n.last.Load(); c != nil && c.text == string(text) {
		return c.schema, nil
	}
	sch, err := compileSchema(text)
	if err != nil {
		return nil, engine.Errorf("Validation", "schema: %v", err)
	}
	n.last.Store(&cachedSchema{text: string(text), schema: sch})
	return sch, nil
}

// compileSchema compiles JSON schema text as draft-04 (unless it names
// another draft), asserting formats and loading no external references.
func compileSchema(text []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	const url = "weir:///schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// noLoader refuses every external $ref, so a flow cannot read files or
// reach the network through its schema.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external schema %s not allowed", url)
}

type schemaError struct{ field, message string }

// schemaErrors flattens a validation error tree into is-my-json-valid style
// {field, message} pairs, sorted by field then message.
func schemaErrors(ve *jsonschema.ValidationError) []schemaError {
	var out []schemaError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		field := fieldName(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				out = append(out, schemaError{fieldName(append(slices.Clone(e.InstanceLocation), m)), "is required"})
			}
			return
		case *kind.AdditionalProperties:
			for _, m := range k.Properties {
				out = append(out, schemaError{fieldName(append(slices.Clone(e.InstanceLocation), m)), "has additional properties"})
			}
			return
		case *kind.Format:
			out = append(out, schemaError{field, "must be " + k.Want + " format"})
			return
		}
		if msg, ok := schemaMessage(e.ErrorKind); ok {
			out = append(out, schemaError{field, msg})
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, schemaError{field, "is invalid"})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.SortStableFunc(out, func(a, b schemaError) int {
		if c := strings.Compare(a.field, b.field); c != 0 {
			return c
		}
		return strings.Compare(a.message, b.message)
	})
	return slices.Compact(out)
}

// schemaMessage returns is-my-json-valid's message for a leaf error kind;
// ok is false for kinds that only group nested errors.
func schemaMessage(k jsonschema.ErrorKind) (msg string, ok bool) {
	switch k.(type) {
	case *kind.Type:
		return "is the wrong type", true
	case *kind.Enum, *kind.Const:
		return "must be an enum value", true
	case *kind.UniqueItems:
		return "must be unique", true
	case *kind.AdditionalItems:
		return "has additional items", true
	case *kind.Dependency, *kind.DependentRequired:
		return "dependencies not set", true
	case *kind.AnyOf:
		return "no schemas match", true
	case *kind.OneOf:
		return "no (or more than one) schemas match", true
	case *kind.Not:
		return "negative schema matches", true
	case *kind.MultipleOf:
		return "has a remainder", true
	case *kind.MaxProperties:
		return "has more properties than allowed", true
	case *kind.MinProperties:
		return "has less properties than allowed", true
	case *kind.MaxItems:
		return "has more items than allowed", true
	case *kind.MinItems:
		return "has less items than allowed", true
	case *kind.MaxLength:
		return "has longer length than allowed", true
	case *kind.MinLength:
		return "has less length than allowed", true
	case *kind.Minimum, *kind.ExclusiveMinimum:
		return "is less than minimum", true
	case *kind.Maximum, *kind.ExclusiveMaximum:
		return "is more than maximum", true
	case *kind.Pattern:
		return "pattern mismatch", true
	case *kind.FalseSchema:
		return "is not allowed", true
	}
	return "", false
}

var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// fieldName writes an instance location as is-my-json-valid does: the root
// is "data", identifiers and indexes follow a dot, other keys are quoted in
// brackets.
func fieldName(loc []string) string {
	var b strings.Builder
	b.WriteString("data")
	for _, seg := range loc {
		if _, err := strconv.Atoi(seg); err == nil || jsIdentifier.MatchString(seg) {
			b.WriteString("." + seg)
			continue
		}
		q, _ := json.Marshal(seg)
		b.WriteString("[" + string(q) + "]")
	}
	return b.String()
}

var _ engine.Node = (*validatePayload)(nil)
