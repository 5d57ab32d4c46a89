package nodes_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/nodes"
)

func mustFunction(tb testing.TB, script, scopePath string) engine.Node {
	tb.Helper()
	_, build, ok := engine.Lookup("RawFunctionNode")
	if !ok {
		tb.Fatal("RawFunctionNode is not registered")
	}
	cfg, _ := json.Marshal(map[string]string{"script": script, "scopePath": scopePath})
	n, err := build(&engine.NodeConfig{ID: "fn", Type: "RawFunctionNode", Label: "Function", Config: cfg})
	if err != nil {
		tb.Fatalf("build(%q): %v", script, err)
	}
	return n
}

func testPayload() engine.Payload {
	return engine.Payload{
		"time": time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC),
		"data": map[string]any{"temp": 21.5, "tags": []any{"a", "b"}, "none": nil, "undef": js.Undefined{}},
	}
}

// errorName returns the class of a node error, or "" for nil.
func errorName(err error) string {
	var ne *engine.NodeError
	if errors.As(err, &ne) {
		return ne.Name
	}
	if err != nil {
		return "unexpected:" + err.Error()
	}
	return ""
}

func TestFunctionNode(t *testing.T) {
	tests := []struct {
		name   string
		script string
		scope  string
		want   any // the payload, or the value at "data" with a scope
	}{
		{"MutatePayload", `payload.data.temp *= 2; payload.data.added = [1, 'x', null];`, "",
			map[string]any{"temp": 43.0, "tags": []any{"a", "b"}, "none": nil, "undef": js.Undefined{}, "added": []any{1.0, "x", nil}}},
		{"ReassignPayload", `payload = { data: payload.data.tags };`, "", []any{"a", "b"}},
		{"ReturnReplaces", `payload.data = 1; return { data: 'returned' };`, "", "returned"},
		{"ReturnUndefinedKeepsPayload", `payload.data = 'kept'; return undefined;`, "", "kept"},
		{"ScopePath", `payload.temp += 1; return;`, "data",
			map[string]any{"temp": 22.5, "tags": []any{"a", "b"}, "none": nil, "undef": js.Undefined{}}},
		{"ScopePathReturn", `return payload.tags.length;`, "data", 2.0},
		{"ScopePathMissing", `return typeof payload;`, "data.missing.deep", map[string]any{
			"temp": 21.5, "tags": []any{"a", "b"}, "none": nil, "undef": js.Undefined{}, "missing": map[string]any{"deep": "undefined"}}},
		{"DatesRoundTrip", `payload.data = { isDate: payload.time instanceof Date, ms: payload.time.getTime(),
			next: new Date(payload.time.getTime() + 1000), bad: new Date(NaN) };`, "",
			map[string]any{"isDate": true, "ms": 1767323045006.0, "next": time.Date(2026, 1, 2, 3, 4, 6, 6e6, time.UTC), "bad": nil}},
		{"UndefinedAndNullKept", `payload.data = { u: payload.data.undef, n: payload.data.none, missing: payload.nope };`, "",
			map[string]any{"u": js.Undefined{}, "n": nil, "missing": js.Undefined{}}},
		{"FunctionsAndSymbolsDropped", `payload.data = { f() {}, s: Symbol('x'), a: [() => 1, Symbol('y'), 2],
			boxed: new String('s'), big: 2 ** 53, neg: -0.5 };`, "",
			map[string]any{"a": []any{nil, nil, 2.0}, "boxed": "s", "big": 9007199254740992.0, "neg": -0.5}},
		{"PrimitivesExported", `payload.data = { t: true, f: false, i: 7, neg: -(2 ** 60), frac: 0.1, inf: -Infinity,
			u: 'é😀' + 'x'.repeat(20), nb: new Number(2.5), bb: new Boolean(false), bt: new Boolean(true), s: String(payload.data.temp) };`, "",
			map[string]any{"t": true, "f": false, "i": 7.0, "neg": -1152921504606846976.0, "frac": 0.1, "inf": math.Inf(-1),
				"u": "é😀" + strings.Repeat("x", 20), "nb": 2.5, "bb": false, "bt": true, "s": "21.5"}},
		{"ModernSyntax", `const { temp, ...rest } = payload.data; payload.data = { t: temp ?? 0, keys: Object.keys(rest).sort(),
			tpl: ` + "`${temp}°`" + `, opt: payload.data?.nope?.x };`, "",
			map[string]any{"t": 21.5, "keys": []any{"none", "tags", "undef"}, "tpl": "21.5°", "opt": js.Undefined{}}},
		{"IntlCollator", `const c = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
			payload.data = ['b10', 'B9', 'a'].sort(c.compare);`, "", []any{"a", "B9", "b10"}},
		{"ThisIsGlobal", `payload.data = typeof this.Math;`, "", "object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := mustFunction(t, tc.script, tc.scope)
			p := testPayload()
			if _, err := n.Exec(t.Context(), &engine.Env{}, p); err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if diff := cmp.Diff(tc.want, p["data"]); diff != "" {
				t.Errorf("payload.data mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFunctionNode_Errors(t *testing.T) {
	tests := []struct {
		name, script string
		wantName     string
		wantMessage  string
	}{
		{"ThrownError", `throw new Error('boom')`, "FunctionNodeError", "boom"},
		{"ThrownTypeError", `payload.nope.x`, "FunctionNodeTypeError", "Cannot read property 'x' of undefined"},
		{"ThrownString", `throw 'plain'`, "FunctionNodeError", "plain"},
		{"CustomErrorName", `const e = new Error('custom'); e.name = 'MyError'; throw e`, "FunctionNodeMyError", "custom"},
		{"ReturnNonObject", `return 5`, "FunctionNodeTypeError", "the script left the payload as number; it must be an object"},
		{"Circular", `payload.self = payload`, "FunctionNodeTypeError", "Converting circular structure to JSON"},
		{"BigInt", `payload.n = 1n`, "FunctionNodeTypeError", "Do not know how to serialize a BigInt"},
		{"CallbackAbsent", `callback(null, payload)`, "FunctionNodeReferenceError", "callback is not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mustFunction(t, tc.script, "").Exec(t.Context(), &engine.Env{}, testPayload())
			var ne *engine.NodeError
			if !errors.As(err, &ne) {
				t.Fatalf("Exec error = %v, want a NodeError", err)
			}
			if ne.Name != tc.wantName || ne.Message != tc.wantMessage {
				t.Errorf("Exec error = %s: %s, want %s: %s", ne.Name, ne.Message, tc.wantName, tc.wantMessage)
			}
		})
	}
}

func TestFunctionNode_SyntaxError(t *testing.T) {
	_, build, _ := engine.Lookup("RawFunctionNode")
	_, err := build(&engine.NodeConfig{ID: "fn", Type: "RawFunctionNode", Config: json.RawMessage(`{"script":"let x = ;"}`)})
	var ne *engine.NodeError
	if !errors.As(err, &ne) || ne.Name != "Validation" || !strings.Contains(ne.Message, "Line 1:9") {
		t.Errorf("build error = %v, want a Validation error at Line 1:9", err)
	}
}

func TestFunctionNode_Console(t *testing.T) {
	var mu sync.Mutex
	var got []string
	env := &engine.Env{Debug: func(m engine.DebugMessage) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m.NodeID+" "+m.Level+" "+m.Message)
	}}
	n := mustFunction(t, `console.log('temp', payload.data.temp, { a: [1] }); console.info(undefined, null, true);
		console.warn(new TypeError('careful')); console.error(() => 1); console.debug('dbg');`, "")
	if _, err := n.Exec(t.Context(), env, testPayload()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`fn verbose temp 21.5 {"a":[1]}`, "fn info undefined null true", "fn warn TypeError: careful",
		"fn error [Function]", "fn verbose dbg",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("console messages mismatch (-want +got):\n%s", diff)
	}
}

// TestFunctionNode_Sandbox checks that a script reaches nothing outside the
// VM: each probe must come back as the string given.
func TestFunctionNode_Sandbox(t *testing.T) {
	probes := []struct{ name, script, want string }{
		{"Require", `try { require('fs'); return {r: 'reached'} } catch (e) { return {r: e.name} }`, "ReferenceError"},
		{"Process", `try { return {r: JSON.stringify(process.env)} } catch (e) { return {r: e.name} }`, "ReferenceError"},
		{"ConstructorChain", `try { return {r: String(this.constructor.constructor('return process')())} } catch (e) { return {r: e.name} }`, "ReferenceError"},
		{"FunctionCtorGlobal", `return {r: typeof Function('return this')().process}`, "undefined"},
		{"Timers", `return {r: [typeof setTimeout, typeof setInterval, typeof setImmediate, typeof queueMicrotask].join()}`,
			"undefined,undefined,undefined,undefined"},
		{"GoInternals", `return {r: [typeof GoError, typeof module, typeof exports, typeof global].join()}`,
			"undefined,undefined,undefined,undefined"},
		{"ConsoleIsPlain", `return {r: Object.keys(console).sort().join() + ' ' + typeof console.log.constructor}`,
			"debug,error,info,log,warn function"},
	}
	for _, tc := range probes {
		t.Run(tc.name, func(t *testing.T) {
			p := testPayload()
			if _, err := mustFunction(t, tc.script, "").Exec(t.Context(), &engine.Env{}, p); err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if p["r"] != tc.want {
				t.Errorf("probe = %v, want %q", p["r"], tc.want)
			}
		})
	}
}

func TestFunctionNode_Isolation(t *testing.T) {
	tamper := mustFunction(t, `Object.prototype.x = 1; Array.prototype.push = function () { return 'hijacked' };
		JSON.stringify = () => 'hijacked'; leaked = 'yes'; globalThis.Math = null; String.prototype.repeat = null;`, "")
	if _, err := tamper.Exec(t.Context(), &engine.Env{}, testPayload()); err != nil {
		t.Fatal(err)
	}
	check := mustFunction(t, `return { r: [({}).x, [].push(1), JSON.stringify([1]), typeof leaked, typeof Math.max, 'ab'.repeat(2)] }`, "")
	p := testPayload()
	if _, err := check.Exec(t.Context(), &engine.Env{}, p); err != nil {
		t.Fatal(err)
	}
	want := []any{js.Undefined{}, 1.0, "[1]", "undefined", "function", "abab"}
	if diff := cmp.Diff(want, p["r"]); diff != "" {
		t.Errorf("state leaked between runs (-want +got):\n%s", diff)
	}
}

// TestFunctionNode_Limits runs scripts that would hang or exhaust the server;
// each must end with one of the given error classes, well before its run's
// deadline when the error is not a timeout. The bounds leave room for a
// loaded machine: what they catch is a script that is never stopped.
func TestFunctionNode_Limits(t *testing.T) {
	tests := []struct {
		name, script string
		timeout      time.Duration // the run's deadline
		within       time.Duration
		wantNames    []string
		heap         int64 // MaxHeapGrowth, to keep slow allocators short
	}{
		{"InfiniteLoop", `while (true) {}`, 300 * time.Millisecond, 5 * time.Second, []string{"TimeoutError"}, 0},
		{"InfiniteLoopInPromiseJob", `Promise.resolve().then(() => { for (;;) {} })`, 300 * time.Millisecond, 5 * time.Second, []string{"TimeoutError"}, 0},
		{"InfiniteLoopInGetter", `Object.defineProperty(payload, 'g', { enumerable: true, get() { for (;;) {} } })`,
			300 * time.Millisecond, 5 * time.Second, []string{"TimeoutError"}, 0},
		{"DeepRecursion", `function f(n) { return f(n + 1) + 1 } f(0)`, 10 * time.Second, 5 * time.Second, []string{"FunctionNodeRangeError"}, 0},
		{"HugeRepeat", `payload.s = 'x'.repeat(1 << 30)`, 10 * time.Second, 5 * time.Second, []string{"FunctionNodeRangeError"}, 0},
		{"HugePadStart", `payload.s = ''.padStart(2 ** 31, 'y')`, 10 * time.Second, 5 * time.Second, []string{"FunctionNodeRangeError"}, 0},
		{"HugeTypedArray", `payload.n = new Float64Array(1 << 28).length`, 10 * time.Second, 5 * time.Second, []string{"FunctionNodeRangeError"}, 0},
		{"HugeSparseArrayWalk", `const a = []; a.length = 2 ** 32 - 1; a.forEach(x => x)`, 10 * time.Second, 5 * time.Second, []string{"FunctionNodeRangeError"}, 0},
		{"HugeArrayJoin", `const a = []; a.length = 2 ** 32 - 1; payload.s = String(a)`, 10 * time.Second, 5 * time.Second, []string{"FunctionNodeRangeError"}, 0},
		// Under the race detector allocation is slow enough that the
		// execution time cap (10 s) may stop these before the heap bound.
		{"ArrayOfArrays", `const a = []; while (true) a.push(new Array(1e6).fill(0))`, 30 * time.Second, 30 * time.Second,
			[]string{"FunctionNodeRangeError", "TimeoutError"}, 64 << 20},
		{"ObjectFlood", `const a = []; for (let i = 0; ; i++) a.push({ i, s: 'item ' + i })`, 30 * time.Second, 30 * time.Second,
			[]string{"FunctionNodeRangeError", "TimeoutError"}, 64 << 20},
		// A doubling string allocates in single large steps; on a slow
		// machine the run deadline may come before the heap sample.
		{"StringDoubling", `let s = 'x'; while (true) s += s`, 30 * time.Second, 30 * time.Second,
			[]string{"FunctionNodeRangeError", "TimeoutError"}, 64 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nodes.SetFunctionLimits(nodes.FunctionLimits{MaxHeapGrowth: tc.heap})
			t.Cleanup(func() { nodes.SetFunctionLimits(nodes.FunctionLimits{}) })
			ctx, cancel := context.WithTimeout(t.Context(), tc.timeout)
			defer cancel()
			start := time.Now()
			_, err := mustFunction(t, tc.script, "").Exec(ctx, &engine.Env{}, testPayload())
			took := time.Since(start)
			if name := errorName(err); !slices.Contains(tc.wantNames, name) {
				t.Errorf("Exec error = %v, want one of %v", err, tc.wantNames)
			}
			if took > tc.within {
				t.Errorf("Exec took %v, want at most %v", took, tc.within)
			}
			t.Logf("stopped after %v: %v", took.Round(time.Millisecond), err)
		})
	}
}

func TestFunctionNode_TimeoutCap(t *testing.T) {
	nodes.SetFunctionLimits(nodes.FunctionLimits{Timeout: 200 * time.Millisecond})
	t.Cleanup(func() { nodes.SetFunctionLimits(nodes.FunctionLimits{}) })
	_, err := mustFunction(t, `for (;;) {}`, "").Exec(t.Context(), &engine.Env{}, testPayload())
	var ne *engine.NodeError
	if !errors.As(err, &ne) || ne.Name != "TimeoutError" || !strings.Contains(ne.Message, "200ms") {
		t.Errorf("Exec error = %v, want a TimeoutError naming the 200ms cap", err)
	}
}

// TestFunctionNode_RegexpBacktracking runs patterns that backtrack
// catastrophically on the engine goja uses for backreferences and
// lookaround. The match itself must end with the execution's time limit,
// whether the limit or the run's deadline comes first, and the script must
// never see the stopped match as a result.
func TestFunctionNode_RegexpBacktracking(t *testing.T) {
	const input = `const s = 'a'.repeat(40) + '!';`
	scripts := map[string]string{
		"Test":        input + `payload.r = /^(a+)+\1$/.test(s)`,
		"Exec":        input + `payload.r = /^(a|aa)+(?=b)\1$/.exec(s)`,
		"Replace":     input + `payload.r = s.replace(/(a+)+\1$/g, 'x')`,
		"Split":       input + `payload.r = s.split(/(a+)+\1$/)`,
		"Constructed": input + `payload.r = new RegExp('^(a+)+\\1$').test(s)`,
		"ResultUsed":  input + `if (!/^(a+)+\1$/.test(s)) { payload.r = 'no match seen' }`,
	}
	limit := 250 * time.Millisecond
	nodes.SetFunctionLimits(nodes.FunctionLimits{Timeout: limit})
	t.Cleanup(func() { nodes.SetFunctionLimits(nodes.FunctionLimits{}) })
	for name, script := range scripts {
		for _, deadline := range []time.Duration{time.Hour, 100 * time.Millisecond} {
			t.Run(fmt.Sprintf("%s/deadline=%v", name, deadline), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), deadline)
				defer cancel()
				p := testPayload()
				start := time.Now()
				_, err := mustFunction(t, script, "").Exec(ctx, &engine.Env{}, p)
				took := time.Since(start)
				if name := errorName(err); name != "TimeoutError" {
					t.Errorf("Exec error = %v, want TimeoutError", err)
				}
				if _, ok := p["r"]; ok {
					t.Errorf("the script went on after the stopped match: payload.r = %v", p["r"])
				}
				// The match ends at the execution's limit; the rest is
				// slack for a loaded machine and the race detector.
				if took > limit+5*time.Second {
					t.Errorf("Exec took %v, want about %v", took, limit)
				}
				t.Logf("stopped after %v: %v", took.Round(time.Millisecond), err)
			})
		}
	}
}

func TestFunctionNode_InputTooLarge(t *testing.T) {
	p := testPayload()
	p["data"] = map[string]any{"big": strings.Repeat("x", 6<<20)}
	_, err := mustFunction(t, `payload.seen = true`, "").Exec(t.Context(), &engine.Env{}, p)
	if name := errorName(err); name != "PayloadTooLarge" {
		t.Errorf("Exec error = %v, want PayloadTooLarge", err)
	}
	// A scope path bounds only the value handed in.
	if _, err := mustFunction(t, `return 'seen'`, "data.small").Exec(t.Context(), &engine.Env{}, p); err != nil {
		t.Errorf("Exec with a small scope: %v", err)
	}
}

// TestFunctionNode_Concurrent runs 50 executions at once, one of them an
// infinite loop: the others finish normally.
func TestFunctionNode_Concurrent(t *testing.T) {
	n := mustFunction(t, `if (payload.data.loop) { for (;;) {} }
		payload.data.sum = payload.data.items.reduce((a, b) => a + b, 0);`, "")
	const runs = 50
	errs := make([]error, runs)
	sums := make([]any, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			if i == 7 {
				ctx, cancel = context.WithTimeout(t.Context(), 500*time.Millisecond)
			}
			defer cancel()
			p := engine.Payload{"data": map[string]any{"loop": i == 7, "items": []any{float64(i), 1.0, 2.0}}}
			_, errs[i] = n.Exec(ctx, &engine.Env{}, p)
			sums[i] = p["data"].(map[string]any)["sum"]
		})
	}
	wg.Wait()
	for i := range runs {
		if i == 7 {
			if name := errorName(errs[i]); name != "TimeoutError" {
				t.Errorf("looping run: error = %v, want TimeoutError", errs[i])
			}
			continue
		}
		if errs[i] != nil || sums[i] != float64(i+3) {
			t.Errorf("run %d: sum = %v, err = %v; want %d, nil", i, sums[i], errs[i], i+3)
		}
	}
}

func BenchmarkFunctionNode(b *testing.B) {
	n := mustFunction(b, `const items = payload.data.items;
		payload.data.stats = { count: items.length, sum: items.reduce((s, x) => s + x.value, 0),
			max: Math.max(...items.map(x => x.value)) };`, "")
	items := make([]any, 100)
	for i := range items {
		items[i] = map[string]any{"id": fmt.Sprint("item", i), "value": float64(i)}
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p := engine.Payload{"time": time.Now(), "data": map[string]any{"items": engine.Clone(items)}}
		if _, err := n.Exec(ctx, &engine.Env{}, p); err != nil {
			b.Fatal(err)
		}
	}
}
