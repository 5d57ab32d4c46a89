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
	// lengths has bit n set when a key in shadowed is n bytes long (n <
	// 64), so that most keys are told apart without hashing them.
	lengths uint64
}

// lock records the own keys of vm's Object.prototype, which must be frozen
// and stay so: from then on, put assigns keys it does not have.
func (pp *plainProps) lock(vm *goja.Runtime) {
	proto := vm.NewObject().Prototype()
	keys := proto.GetOwnPropertyNames()
	pp.shadowed = make(map[string]struct{}, len(keys))
	for _, k := range keys {
		pp.shadowed[k] = struct{}{}
		if len(k) < 64 {
			pp.lengths |= 1 << len(k)
		}
	}
}

// assignable reports whether k may be assigned (see plainProps).
func (pp *plainProps) assignable(k string) bool {
	if pp.shadowed == nil {
		return false
	}
	if len(k) < 64 && pp.lengths&(1<<len(k)) == 0 {
		return true
	}
	_, shadowed := pp.shadowed[k]
	return !shadowed
}

// put adds k: v to o, a plain object built by the sandbox (see plainProps).
func (pp *plainProps) put(o *goja.Object, k string, v goja.Value) error {
	if pp.assignable(k) {
		return o.Set(k, v)
	}
	return o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
}
