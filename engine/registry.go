package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// NoOutput is the port a node returns when its path ends there.
const NoOutput = -1

// Node is a built, ready-to-run node. Exec runs it on p, which it may modify
// in place, and returns the output port to continue on (NoOutput to end the
// path). Exec must honour ctx and be safe for concurrent use.
type Node interface {
	Exec(ctx context.Context, env *Env, p Payload) (port int, err error)
}

// NodeFunc adapts a function to the Node interface.
type NodeFunc func(ctx context.Context, env *Env, p Payload) (int, error)

// Exec calls f.
func (f NodeFunc) Exec(ctx context.Context, env *Env, p Payload) (int, error) { return f(ctx, env, p) }

// NodeConfig is what a builder receives: one node of a flow definition.
type NodeConfig struct {
	ID     string
	Type   string
	Label  string
	Config json.RawMessage
	Meta   json.RawMessage // the node's meta, verbatim: a few nodes keep settings there (authMode)
}

// Decode decodes the node's config into v, ignoring fields v does not name
// (exports carry editor fields the engine does not use).
func (c *NodeConfig) Decode(v any) error {
	if len(c.Config) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Config, v); err != nil {
		return Errorf("Validation", "%s config: %v", c.Type, err)
	}
	return nil
}

// BuildFunc parses and validates a node's config and precompiles its
// templates. It does no I/O.
type BuildFunc func(c *NodeConfig) (Node, error)

// Field documents one config field of a node type.
type Field struct {
	Name     string
	Kind     string // "template", "jsonTemplate", "path", "expression", "enum", "string", "bool", "number"
	Default  string
	Enum     []string
	Required bool
	Doc      string
}

// Spec describes a node type: its identity in flow documents, its ports and
// its config fields. Specs drive the generated reference docs.
type Spec struct {
	Type     string // the node's "type", e.g. "DebugNode"
	Name     string // meta.name in the editor palette
	Category string // meta.category
	Summary  string
	Outputs  []string // meaning of each output port, in order
	Fields   []Field
}

var registry = struct {
	sync.RWMutex
	m map[string]registered
}{m: map[string]registered{}}

type registered struct {
	spec  Spec
	build BuildFunc
}

// Register adds a node type. It panics on an empty or duplicate type, so that
// mistakes fail at start-up.
func Register(spec Spec, build BuildFunc) {
	registry.Lock()
	defer registry.Unlock()
	if spec.Type == "" || build == nil {
		panic("engine: Register needs a type and a build function")
	}
	if _, dup := registry.m[spec.Type]; dup {
		panic(fmt.Sprintf("engine: node type %s registered twice", spec.Type))
	}
	registry.m[spec.Type] = registered{spec, build}
}

// Lookup returns the spec and builder of a node type.
func Lookup(typ string) (Spec, BuildFunc, bool) {
	registry.RLock()
	defer registry.RUnlock()
	r, ok := registry.m[typ]
	return r.spec, r.build, ok
}

// Specs returns every registered spec, sorted by type.
func Specs() []Spec {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Spec, 0, len(registry.m))
	for _, r := range registry.m {
		out = append(out, r.spec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}
