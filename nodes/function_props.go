package nodes

import "github.com/dop251/goja"

// plainProps adds the members of the plain objects a sandbox builds for
// the script (JSON.parse results, the payload): own, writable, enumerable,
// configurable data properties, as an object literal or JSON.parse makes
// them.
//
// DefineDataProperty always does exactly that, but it is several times the
// cost of an assignment. On a locked-down runtime the two are the same for
// every key that Object.prototype does not have: a new object has no own
// keys but those added here, its prototype is the frozen Object.prototype,
// and Object.prototype has no prototype, so an assignment finds no setter
// and no read-only member on the way and creates (or, for a repeated key,
// overwrites in place) an own data property with exactly those attributes.
// Keys Object.prototype does have (toString, __proto__, ...) would hit its
// frozen members or its __proto__ accessor, so they are always defined. On
// a fresh runtime the script may change Object.prototype at any time, so
// every key is defined.
type plainProps struct {
	// shadowed holds Object.prototype's own keys once the runtime is locked
	// down; nil before.
	shadowed map[string]struct{}
}

// lock records the own keys of vm's Object.prototype, which must be frozen
// and stay so: from then on, put assigns keys it does not have.
func (pp *plainProps) lock(vm *goja.Runtime) {
	proto := vm.NewObject().Prototype()
	keys := proto.GetOwnPropertyNames()
	pp.shadowed = make(map[string]struct{}, len(keys))
	for _, k := range keys {
		pp.shadowed[k] = struct{}{}
	}
}

// put adds k: v to o, a plain object built by the sandbox (see plainProps).
func (pp *plainProps) put(o *goja.Object, k string, v goja.Value) error {
	if pp.shadowed != nil {
		if _, ok := pp.shadowed[k]; !ok {
			return o.Set(k, v)
		}
	}
	return o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
}
