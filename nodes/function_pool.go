package nodes

import (
	"errors"
	"regexp"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
)

// maxPooledSandboxes bounds the idle runtimes kept for reuse.
const maxPooledSandboxes = 16

// Building a runtime and hardening it (the prelude, Buffer) costs about a
// millisecond, more than most scripts take to run. So a script runs first on
// a pooled, locked-down runtime: every object reachable from its globals —
// the global object, the built-in constructors and prototypes, the hidden
// iterator and function prototypes — is frozen, and the script runs in
// strict mode, so that any attempt to change shared state throws instead of
// persisting into the next execution. A script that fails there (it assigns
// an implicit global, patches a prototype, or simply throws) runs again on a
// fresh runtime, exactly as it always did, and that result counts; the
// pooled attempt had no effect outside its runtime (the payload is copied
// in, console messages are held back). A node whose script succeeds only on
// a fresh runtime uses fresh runtimes from then on. A pooled runtime goes
// back to the pool only after an execution that succeeded.

// freshOnly matches scripts that could behave differently, without failing,
// in strict mode on frozen built-ins: they use this or arguments outside a
// method call, eval or Function, or inspect property attributes. They always
// run on a fresh runtime.
var freshOnly = regexp.MustCompile(`\b(this|arguments|eval|Function|isFrozen|isSealed|isExtensible|getOwnPropertyDescriptors?)\b`)

// strictPrefix is scriptPrefix in strict mode; the wrapper is called with
// the global object as this, as the sloppy one gets it implicitly.
const strictPrefix = "(function (payload) { 'use strict'; return [(function () {"

// compilePooled compiles the strict variant of script, or returns nil when
// the script must always run on a fresh runtime.
func compilePooled(script string) *goja.Program {
	if freshOnly.MatchString(script) {
		return nil
	}
	p, err := goja.Compile("script", strictPrefix+script+scriptSuffix, true)
	if err != nil {
		return nil
	}
	return p
}

// lockdown freezes every object reachable from the global object and from
// the intrinsics only syntax reaches (iterator, generator and async function
// prototypes), following property values, accessors and prototypes.
var lockdown = goja.MustCompile("lockdown", `(function (global) {
'use strict';
var getProto = Object.getPrototypeOf, ownKeys = Reflect.ownKeys, getDesc = Object.getOwnPropertyDescriptor;
var freeze = Object.freeze, seen = new Set(), todo = [global];
function hidden(f) { try { todo.push(f()); } catch (e) {} }
hidden(function () { return getProto(function* () {}); });
hidden(function () { return getProto(async function () {}); });
hidden(function () { return getProto(new Function('return async function* () {}')()); });
hidden(function () { return getProto([][Symbol.iterator]()); });
hidden(function () { return getProto(''[Symbol.iterator]()); });
hidden(function () { return getProto(new Map()[Symbol.iterator]()); });
hidden(function () { return getProto(new Set()[Symbol.iterator]()); });
hidden(function () { return getProto('a'.matchAll(/a/g)); });
hidden(function () { return getProto((function* () {})()); });
hidden(function () { return getDesc(Function.prototype, 'caller').get; });
while (todo.length) {
	var o = todo.pop();
	if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
	seen.add(o);
	freeze(o);
	todo.push(getProto(o));
	var keys = ownKeys(o);
	for (var i = 0; i < keys.length; i++) {
		var d = getDesc(o, keys[i]);
		if (d === undefined) continue;
		if ('value' in d) todo.push(d.value); else { todo.push(d.get); todo.push(d.set); }
	}
}
})`, true)

// sandboxes are the idle locked-down runtimes.
var sandboxes = make(chan *sandbox, maxPooledSandboxes)

// pooledSandbox takes an idle locked-down runtime or builds one.
func pooledSandbox(lim FunctionLimits) (*sandbox, error) {
	select {
	case s := <-sandboxes:
		return s, nil
	default:
	}
	s := newSandbox(nil, "", "", lim)
	s.held = true
	fn, err := s.vm.RunProgram(lockdown)
	if err != nil {
		return nil, err
	}
	call, _ := goja.AssertFunction(fn)
	if _, err := call(goja.Undefined(), s.vm.GlobalObject()); err != nil {
		return nil, err
	}
	s.props.lock(s.vm)
	return s, nil
}

// release returns s to the pool after an execution that succeeded.
func release(s *sandbox) {
	s.env, s.messages = nil, nil
	select {
	case sandboxes <- s:
	default:
	}
}

// retryFresh reports whether a failure on a pooled runtime calls for the
// fresh runtime: not when the execution was interrupted (time, memory) or
// overflowed its stack, which a fresh runtime would repeat.
func retryFresh(err error) bool {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var ne *engine.NodeError
	if errors.As(err, &ie) || errors.As(err, &so) {
		return false
	}
	return !errors.As(err, &ne) || ne.Name != "FunctionNodeRangeError"
}
