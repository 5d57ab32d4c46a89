package nodes

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
)

const (
	// maxScriptString bounds strings the guarded built-ins may create in one
	// call (repeat, padStart, padEnd, join), in UTF-16 code units.
	maxScriptString = 64 << 20
	// maxScriptBuffer bounds one ArrayBuffer or typed array allocation.
	maxScriptBuffer = 64 << 20
	// maxScriptArray bounds the length an array may be filled to in one
	// built-in call (Array, fill, Array.from).
	maxScriptArray = 16 << 20
	// maxConsoleMessage bounds one console message, in bytes.
	maxConsoleMessage = 64 << 10
	// maxResultDepth bounds the nesting of the script's result.
	maxResultDepth = 1000
)

// consoleLevels maps console methods to debug-stream levels.
var consoleLevels = map[string]string{
	"log": "verbose", "debug": "verbose", "info": "info", "warn": "warn", "error": "error",
}

// prelude hardens a fresh runtime before the script runs: built-ins that
// could allocate unbounded memory in a single uninterruptible call check
// their arguments first, and a minimal Intl.Collator is provided (goja has
// no Intl; real exports use Intl.Collator#compare).
var prelude = goja.MustCompile("prelude", fmt.Sprintf(`(function (global) {
'use strict';
var MAX_STRING = %d, MAX_BUFFER = %d, MAX_ARRAY = %d;
var apply = Reflect.apply, construct = Reflect.construct, defineProperty = Object.defineProperty;
var ownKeys = Reflect.ownKeys, getDesc = Object.getOwnPropertyDescriptor, getProto = Object.getPrototypeOf;
var trunc = Math.trunc, String_ = String, Object_ = Object, RangeError_ = RangeError, TypeError_ = TypeError;
function toLen(n) { n = trunc(+n); return n > 0 ? n : 0; }
function replace(obj, name, fn) {
	defineProperty(obj, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
function coercible(v, name) {
	if (v === null || v === undefined) throw new TypeError_(name + ' called on null or undefined');
}
var SP = String.prototype, repeat = SP.repeat, padStart = SP.padStart, padEnd = SP.padEnd;
replace(SP, 'repeat', { repeat(count) {
	coercible(this, 'String.prototype.repeat');
	var s = String_(this), n = +count;
	if (s.length * toLen(n) > MAX_STRING) throw new RangeError_('Invalid string length');
	return apply(repeat, s, [n]);
} }.repeat);
replace(SP, 'padStart', { padStart(maxLength, fillString) {
	coercible(this, 'String.prototype.padStart');
	if (toLen(maxLength) > MAX_STRING) throw new RangeError_('Invalid string length');
	return apply(padStart, this, [maxLength, fillString]);
} }.padStart);
replace(SP, 'padEnd', { padEnd(maxLength, fillString) {
	coercible(this, 'String.prototype.padEnd');
	if (toLen(maxLength) > MAX_STRING) throw new RangeError_('Invalid string length');
	return apply(padEnd, this, [maxLength, fillString]);
} }.padEnd);
var AP = Array.prototype, join = AP.join, Array_ = Array, from = Array.from;
replace(AP, 'join', { join(separator) {
	coercible(this, 'Array.prototype.join');
	var o = Object_(this), len = toLen(o.length);
	var sep = separator === undefined ? undefined : String_(separator);
	if (len > MAX_ARRAY || len * (sep === undefined ? 1 : sep.length) > MAX_STRING) throw new RangeError_('Invalid string length');
	return apply(join, o, [sep]);
} }.join);
// Built-ins that walk every index of an array run to completion without
// checking for interrupts, so a huge length (a.length = 2**32 - 1) would
// block them: they refuse lengths over MAX_ARRAY.
['concat', 'copyWithin', 'every', 'fill', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flat',
	'flatMap', 'forEach', 'includes', 'indexOf', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'shift',
	'slice', 'some', 'sort', 'splice', 'toLocaleString', 'toReversed', 'toSorted', 'toSpliced', 'unshift', 'with'
].forEach(function (name) {
	var orig = AP[name];
	if (typeof orig !== 'function') return;
	var guarded = { [name]() {
		coercible(this, 'Array.prototype.' + name);
		var o = Object_(this);
		if (toLen(o.length) > MAX_ARRAY) throw new RangeError_('Invalid array length');
		return apply(orig, o, arguments);
	} }[name];
	defineProperty(guarded, 'length', { value: orig.length, configurable: true });
	replace(AP, name, guarded);
});
function wrapCtor(Orig, check) {
	var W = function () {
		check(arguments);
		return construct(Orig, arguments, new.target === undefined || new.target === W ? Orig : new.target);
	};
	ownKeys(Orig).forEach(function (k) {
		if (k !== 'prototype') defineProperty(W, k, getDesc(Orig, k));
	});
	defineProperty(W, 'prototype', { value: Orig.prototype, writable: false, enumerable: false, configurable: false });
	defineProperty(Orig.prototype, 'constructor', { value: W, writable: true, enumerable: false, configurable: true });
	Object.setPrototypeOf(W, getProto(Orig));
	return W;
}
replace(global, 'Array', wrapCtor(Array_, function (args) {
	if (args.length === 1 && typeof args[0] === 'number' && args[0] > MAX_ARRAY) throw new RangeError_('Invalid array length');
}));
replace(Array_, 'from', { from(items) {
	if (items !== null && items !== undefined && toLen(items.length) > MAX_ARRAY) throw new RangeError_('Invalid array length');
	return apply(from, this, arguments);
} }.from);
global.Array.from = Array_.from;
function bufferCheck(per) {
	return function (args) {
		var a = args[0];
		var n = typeof a === 'object' && a !== null ? toLen(a.length) : toLen(a);
		if (n * per > MAX_BUFFER) throw new RangeError_('Array buffer allocation failed');
	};
}
['ArrayBuffer', 'SharedArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
	'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'].forEach(function (name) {
	var Orig = global[name];
	if (typeof Orig !== 'function') return;
	replace(global, name, wrapCtor(Orig, bufferCheck(Orig.BYTES_PER_ELEMENT || 1)));
});
function compareStrings(a, b, numeric, caseless) {
	if (caseless) { a = a.toLowerCase(); b = b.toLowerCase(); }
	if (!numeric) return a.localeCompare(b);
	var re = /\d+|\D+/g, x = a.match(re) || [], y = b.match(re) || [];
	for (var i = 0; i < x.length && i < y.length; i++) {
		var p = x[i], q = y[i], d = /^\d/.test(p) && /^\d/.test(q) ? p - q : p.localeCompare(q);
		if (d) return d < 0 ? -1 : 1;
	}
	return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}
if (typeof global.Intl === 'undefined') {
	var Collator = function Collator(locales, options) {
		if (!(this instanceof Collator)) return new Collator(locales, options);
		var o = Object_(options === undefined ? {} : options);
		var loc = Array_.isArray(locales) ? locales[0] : locales;
		var resolved = { locale: loc === undefined ? 'en-US' : String_(loc), usage: 'sort',
			sensitivity: o.sensitivity === undefined ? 'variant' : String_(o.sensitivity),
			ignorePunctuation: false, collation: 'default', numeric: !!o.numeric, caseFirst: 'false' };
		var caseless = resolved.sensitivity === 'base' || resolved.sensitivity === 'accent';
		defineProperty(this, 'compare', { value: function (a, b) {
			return compareStrings(String_(a), String_(b), resolved.numeric, caseless);
		} });
		defineProperty(this, 'resolvedOptions', { value: function () { return Object.assign({}, resolved); } });
	};
	replace(global, 'Intl', { Collator: Collator });
}
})(this)`, maxScriptString, maxScriptBuffer, maxScriptArray), true)

// sandbox is a runtime prepared for executions: a fresh one serves one
// execution; a locked-down one (function_pool.go) serves many, one at a
// time, and holds its console messages until the execution succeeds.
type sandbox struct {
	vm        *goja.Runtime
	date      goja.Value
	env       *engine.Env
	id, label string
	lim       FunctionLimits
	logged    int
	held      bool                  // console messages wait in messages
	messages  []engine.DebugMessage // held console messages
	props     plainProps            // how plain objects get their members
	keys      []string              // toJS's stack of map keys
}

// bind prepares s for one execution of node id.
func (s *sandbox) bind(env *engine.Env, id, label string, lim FunctionLimits) {
	s.env, s.id, s.label, s.lim, s.logged, s.messages = env, id, label, lim, 0, nil
	s.vm.SetMaxCallStackSize(lim.MaxCallStack)
}

// flush emits the held console messages.
func (s *sandbox) flush() {
	for _, m := range s.messages {
		s.env.Emit(m)
	}
	s.messages = nil
}

func newSandbox(env *engine.Env, id, label string, lim FunctionLimits) *sandbox {
	vm := goja.New()
	vm.SetMaxCallStackSize(lim.MaxCallStack)
	s := &sandbox{vm: vm, date: vm.Get("Date"), env: env, id: id, label: label, lim: lim}
	if _, err := vm.RunProgram(prelude); err != nil {
		panic(fmt.Sprintf("function node prelude: %v", err)) // a bug in the prelude, not in user code
	}
	_ = vm.GlobalObject().Delete("GoError") // a goja extension wrapping Go errors
	if err := installJSONParse(vm, &s.props); err != nil {
		panic(fmt.Sprintf("function node JSON.parse: %v", err))
	}
	if err := installBuffer(vm); err != nil {
		panic(fmt.Sprintf("function node Buffer: %v", err))
	}
	console := vm.NewObject()
	for name, level := range consoleLevels {
		_ = console.Set(name, s.console(level))
	}
	_ = vm.GlobalObject().DefineDataProperty("console", console, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return s
}

// call runs f as a native function of the runtime, so that JavaScript
// exceptions and interrupts raised while f reads script values come back as
// errors.
func (s *sandbox) call(f func() error) error {
	var inner error
	fn, _ := goja.AssertFunction(s.vm.ToValue(func(goja.FunctionCall) goja.Value {
		inner = f()
		return goja.Undefined()
	}))
	if _, err := fn(goja.Undefined()); err != nil {
		return err
	}
	return inner
}

// toJS converts a payload value to a plain JavaScript value; time.Time
// becomes a Date.
func (s *sandbox) toJS(v any) goja.Value {
	switch v := v.(type) {
	case nil:
		return goja.Null()
	case js.Undefined:
		return goja.Undefined()
	case bool, float64, string:
		return s.vm.ToValue(v)
	case time.Time:
		d, err := s.vm.New(s.date, s.vm.ToValue(v.UnixMilli()))
		if err != nil {
			return goja.Null()
		}
		return d
	case []any:
		items := make([]any, len(v))
		for i, e := range v {
			items[i] = s.toJS(e)
		}
		return s.vm.NewArray(items...)
	case map[string]any:
		o := s.vm.NewObject()
		// The keys go in sorted order, through a stack shared by the maps
		// being converted.
		base := len(s.keys)
		for k := range v {
			s.keys = append(s.keys, k)
		}
		slices.Sort(s.keys[base:])
		for i := base; i < base+len(v); i++ {
			k := s.keys[i]
			_ = s.props.put(o, k, s.toJS(v[k]))
		}
		if base == 0 {
			s.keys = reuse(s.keys)
		} else {
			clear(s.keys[base:])
			s.keys = s.keys[:base]
		}
		return o
	}
	return s.vm.ToValue(js.ToString(v))
}

// result picks the script's outcome from the wrapper's [returned, payload]
// pair and converts it to a payload value.
func (s *sandbox) result(pair goja.Value) (any, error) {
	o, ok := pair.(*goja.Object)
	if !ok {
		return nil, errors.New("script wrapper returned no result")
	}
	v := o.Get("0")
	if v == nil || goja.IsUndefined(v) {
		v = o.Get("1")
	}
	ex := &exporter{budget: s.lim.MaxHeapGrowth}
	out, keep, err := ex.value(v, 0)
	if err != nil {
		return nil, err
	}
	if !keep {
		return js.Undefined{}, nil
	}
	return out, nil
}

// console returns the native function behind console.<method>.
func (s *sandbox) console(level string) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		if !s.env.Debugging() || s.logged >= s.lim.MaxConsoleMessages {
			return goja.Undefined()
		}
		s.logged++
		parts := make([]string, len(call.Arguments))
		for i, a := range call.Arguments {
			parts[i] = formatConsoleArg(a)
		}
		msg := strings.Join(parts, " ")
		if len(msg) > maxConsoleMessage {
			msg = strings.ToValidUTF8(msg[:maxConsoleMessage], "") + "…"
		}
		m := engine.DebugMessage{NodeID: s.id, NodeLabel: s.label, Level: level, Message: msg}
		if s.held {
			s.messages = append(s.messages, m)
		} else {
			s.env.Emit(m)
		}
		return goja.Undefined()
	}
}

// formatConsoleArg renders one console argument: strings as they are,
// errors as "Name: message", other objects as JSON.
func formatConsoleArg(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		if v == nil || goja.IsUndefined(v) {
			return "undefined"
		}
		return v.String()
	}
	if _, fn := goja.AssertFunction(o); fn {
		return "[Function]"
	}
	if o.ClassName() == "Error" {
		name, msg := exceptionDetails(o)
		return name + ": " + msg
	}
	ex := &exporter{budget: maxConsoleMessage}
	out, _, err := ex.value(o, 0)
	if err != nil {
		return "[object " + o.ClassName() + "]"
	}
	b, _ := js.Stringify(out, "")
	return string(b)
}

// exporter converts script values to payload values like JSON.stringify
// would keep them, except that Dates stay time.Time and undefined members
// stay undefined. budget bounds the approximate bytes it may produce.
type exporter struct {
	open   openObjects
	budget int64
}

// value converts v; keep is false for values JSON leaves out (functions,
// symbols).
func (e *exporter) value(v goja.Value, depth int) (out any, keep bool, err error) {
	if e.budget -= 16; e.budget < 0 {
		return nil, false, engine.Errorf("FunctionNodeRangeError", "the script's result is too large")
	}
	switch {
	case v == nil || goja.IsUndefined(v):
		return js.Undefined{}, true, nil
	case goja.IsNull(v):
		return nil, true, nil
	}
	if _, ok := v.(*goja.Symbol); ok {
		return nil, false, nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return e.primitive(v)
	}
	if _, fn := goja.AssertFunction(o); fn {
		return nil, false, nil
	}
	if depth >= maxResultDepth {
		return nil, false, engine.Errorf("FunctionNodeRangeError", "the script's result is nested more than %d levels deep", maxResultDepth)
	}
	switch o.ClassName() {
	case "Date":
		t, ok := o.Export().(time.Time)
		if !ok || math.IsNaN(o.ToFloat()) {
			return nil, true, nil
		}
		return t.UTC(), true, nil
	case "String":
		return e.str(o.String())
	case "Number":
		return o.ToFloat(), true, nil
	case "Boolean": // its boolean data, as JSON.stringify reads it; any object is truthy
		b, _ := o.Export().(bool)
		return b, true, nil
	}
	if !e.open.enter(o) {
		return nil, false, engine.Errorf("FunctionNodeTypeError", "Converting circular structure to JSON")
	}
	defer e.open.leave()
	if out, keep, ok, err := e.exportJSON(o, depth); ok {
		return out, keep, err
	}
	if o.ClassName() == "Array" {
		return e.array(o, depth)
	}
	keys := o.Keys()
	m := make(map[string]any, len(keys))
	for _, k := range keys {
		e.budget -= int64(len(k))
		ev, keep, err := e.value(o.Get(k), depth+1)
		if err != nil {
			return nil, false, err
		}
		if keep {
			m[k] = ev
		}
	}
	return m, true, nil
}

func (e *exporter) array(o *goja.Object, depth int) (any, bool, error) {
	n := o.Get("length").ToInteger()
	if n*16 > e.budget {
		return nil, false, engine.Errorf("FunctionNodeRangeError", "the script's result is too large")
	}
	a := make([]any, n)
	for i := range a {
		ev, keep, err := e.value(o.Get(strconv.Itoa(i)), depth+1)
		if err != nil {
			return nil, false, err
		}
		if keep {
			a[i] = ev
		}
	}
	return a, true, nil
}

// primitive converts a primitive other than undefined, null and a symbol.
// Numbers become float64 (an integer's exactly, as Export then a
// conversion would).
func (e *exporter) primitive(v goja.Value) (any, bool, error) {
	switch {
	case goja.IsString(v):
		return e.str(v.String())
	case goja.IsNumber(v):
		return v.ToFloat(), true, nil
	case goja.IsBigInt(v):
		return nil, false, engine.Errorf("FunctionNodeTypeError", "Do not know how to serialize a BigInt")
	}
	if b, ok := v.Export().(bool); ok {
		return b, true, nil
	}
	return nil, false, nil
}

// str charges s to the budget.
func (e *exporter) str(s string) (any, bool, error) {
	e.budget -= int64(len(s))
	if e.budget < 0 {
		return nil, false, engine.Errorf("FunctionNodeRangeError", "the script's result is too large")
	}
	return s, true, nil
}
