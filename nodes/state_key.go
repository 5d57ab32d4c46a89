package nodes

import (
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// stateKey is the node state key of a stateful node: one state per node,
// or one per rendered id when the node has an id template.
type stateKey struct {
	prefix string
	id     *template.Template // nil: one state for the node
}

func newStateKey(kind, nodeID, field string, idTemplate engine.Text) (stateKey, error) {
	k := stateKey{prefix: kind + "/" + nodeID}
	if idTemplate == "" {
		return k, nil
	}
	var err error
	k.id, err = engine.CompileTemplate(field, string(idTemplate))
	return k, err
}

// render returns the key for payload p.
func (k stateKey) render(p engine.Payload) (string, error) {
	if k.id == nil {
		return k.prefix, nil
	}
	id, err := k.id.Render(p)
	if err != nil {
		return "", engine.Errorf("Validation", "id template: %v", err)
	}
	return k.prefix + "/" + id, nil
}

// optionalPath is a payload path field that may be left empty.
type optionalPath struct {
	p  path.Path
	ok bool
}

// compileOptional compiles an optional path field.
func compileOptional(field, src string) (optionalPath, error) {
	p, ok, err := engine.CompilePath(field, src, false)
	return optionalPath{p, ok}, err
}

// setOptional writes v at an optional path.
func setOptional(p engine.Payload, path optionalPath, v any) error {
	if !path.ok {
		return nil
	}
	if err := path.p.Set(p, v); err != nil {
		return engine.Errorf("Validation", "%s: %v", path.p.String(), err)
	}
	return nil
}
