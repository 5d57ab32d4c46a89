package engine

import (
	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// CompileTemplate parses a string or JSON template field of node typ.
func CompileTemplate(field, src string) (*template.Template, error) {
	t, err := template.Parse(src)
	if err != nil {
		return nil, Errorf("Validation", "%s: %v", field, err)
	}
	return t, nil
}

// CompileExpression parses an expression field; each mustache in it is
// evaluated to a raw value by the template language.
func CompileExpression(field, src string) (*expr.Expr, error) {
	e, err := expr.Compile(src, func(body string) (expr.Evaluator, error) {
		v, err := template.ParseValue(body)
		if err != nil {
			return nil, err
		}
		return v.Eval, nil
	})
	if err != nil {
		return nil, Errorf("Validation", "%s: %v", field, err)
	}
	return e, nil
}

// CompilePath parses a payload path field; required paths may not be empty.
// An empty optional path yields ok == false.
func CompilePath(field, src string, required bool) (p path.Path, ok bool, err error) {
	if src == "" {
		if required {
			return path.Path{}, false, Errorf("Validation", "%s is required", field)
		}
		return path.Path{}, false, nil
	}
	p, err = path.Parse(src)
	if err != nil {
		return path.Path{}, false, Errorf("Validation", "%s: %v", field, err)
	}
	return p, true, nil
}
