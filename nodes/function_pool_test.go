package nodes_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nodes"
)

// tamperQuietly tries to change shared state of its runtime in every way it
// can think of, catching each failure so that it succeeds on a pooled
// runtime, which then serves the next execution.
const tamperQuietly = `
var attempts = [
	function () { Object.prototype.polluted = 1; },
	function () { globalThis.leaked = 1; },
	function () { Array.prototype.push = function () { return 'hijacked'; }; },
	function () { Object.defineProperty(JSON, 'parse', { value: function () { return 'hijacked'; } }); },
	function () { Object.setPrototypeOf(Array.prototype, null); },
	function () { Object.getPrototypeOf([][Symbol.iterator]()).next = function () { return { done: true }; }; },
	function () { Object.getPrototypeOf(function* () {}).prototype.next = null; },
	function () { Buffer.prototype.toString = function () { return 'hijacked'; }; },
	function () { console.log = null; },
	function () { Intl.Collator.prototype.polluted = 1; },
	function () { Math.max = function () { return -1; }; },
	function () { delete String.prototype.trim; },
	function () { Object.defineProperty(Date.prototype, 'polluted', { value: 1 }); },
	function () { Promise.prototype.then = null; },
	function () { Symbol.iterator.description; Map.prototype.get = null; },
];
payload.failed = 0;
for (var i = 0; i < attempts.length; i++) {
	try { attempts[i](); } catch (e) { payload.failed++; }
}`

// inspect reports what tamperQuietly would have changed.
const inspect = `var out = [];
for (var x of [1, 2]) out.push(x);
payload.r = [({}).polluted, typeof globalThis.leaked, [].push(1), JSON.parse('[1]')[0],
	Object.getPrototypeOf(Array.prototype) === Object.prototype, out.join(), Buffer.from('ok').toString(),
	typeof console.log, typeof Intl.Collator.prototype.polluted, Math.max(1, 2), ' a '.trim(),
	typeof Date.prototype.polluted, typeof Promise.prototype.then,
	typeof Map.prototype.get];`

// TestFunctionNode_PooledRuntimeLeaksNothing runs a script that tampers
// with its runtime and catches every failure, then a script that inspects
// the runtime, on what must be the same pooled runtime.
func TestFunctionNode_PooledRuntimeLeaksNothing(t *testing.T) {
	fresh := func() []any {
		t.Helper()
		p := engine.Payload{}
		// The comment names this, which keeps the script off the pool.
		if _, err := mustFunction(t, inspect+"// this", "").Exec(t.Context(), &engine.Env{}, p); err != nil {
			t.Fatal(err)
		}
		return p["r"].([]any)
	}
	want := fresh()
	nodes.EmptySandboxPool()
	p := engine.Payload{}
	if _, err := mustFunction(t, tamperQuietly, "").Exec(t.Context(), &engine.Env{}, p); err != nil {
		t.Fatal(err)
	}
	if p["failed"] != 15.0 {
		t.Errorf("%v of 15 tampering attempts failed on the pooled runtime", p["failed"])
	}
	if n := nodes.PooledSandboxes(); n != 1 {
		t.Fatalf("%d pooled runtimes after one pooled execution, want 1", n)
	}
	p = engine.Payload{}
	if _, err := mustFunction(t, inspect, "").Exec(t.Context(), &engine.Env{}, p); err != nil {
		t.Fatal(err)
	}
	if n := nodes.PooledSandboxes(); n != 1 {
		t.Fatalf("%d pooled runtimes after reuse, want 1: the inspection did not run pooled", n)
	}
	if diff := cmp.Diff(want, p["r"]); diff != "" {
		t.Errorf("the pooled runtime kept changes (-fresh +pooled):\n%s", diff)
	}
}

// TestFunctionNode_SloppyScriptsStillWork checks scripts that need a
// fresh runtime's freedoms: implicit globals and patched prototypes work,
// and each execution starts clean.
func TestFunctionNode_SloppyScriptsStillWork(t *testing.T) {
	scripts := []struct{ name, script string }{
		{"ImplicitGlobal", `count = (typeof count === 'undefined' ? 0 : count) + 1; payload.n = count;`},
		{"PatchedPrototype", `if (Array.prototype.total) { payload.n = -1; } else {
			Array.prototype.total = function () { return this.length; }; payload.n = [9].total(); }`},
		{"GlobalCounter", `globalThis.runs = (globalThis.runs || 0) + 1; payload.n = runs;`},
	}
	for _, tc := range scripts {
		t.Run(tc.name, func(t *testing.T) {
			n := mustFunction(t, tc.script, "")
			for i := range 3 {
				p := engine.Payload{}
				if _, err := n.Exec(t.Context(), &engine.Env{}, p); err != nil {
					t.Fatalf("execution %d: %v", i, err)
				}
				if p["n"] != 1.0 {
					t.Fatalf("execution %d: n = %v, want 1", i, p["n"])
				}
			}
		})
	}
}

// TestFunctionNode_PooledConsole checks that console messages of a pooled
// execution arrive, and that those of a pooled attempt that fell back to a
// fresh runtime arrive once.
func TestFunctionNode_PooledConsole(t *testing.T) {
	var got []string
	env := &engine.Env{Debug: func(m engine.DebugMessage) { got = append(got, m.Message) }}
	for _, script := range []string{`console.log('pooled')`, `console.log('once'); undeclared = 1`} {
		if _, err := mustFunction(t, script, "").Exec(t.Context(), env, engine.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"pooled", "once"}, got); diff != "" {
		t.Errorf("console messages (-want +got):\n%s", diff)
	}
}

func benchmarkFunction(b *testing.B, script string) {
	n := mustFunction(b, script, "")
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

const benchScript = `const items = payload.data.items;
	payload.data.stats = { count: items.length, sum: items.reduce((s, x) => s + x.value, 0),
		max: Math.max(...items.map(x => x.value)) };`

// BenchmarkFunctionNodeFresh is BenchmarkFunctionNode's script on a fresh
// runtime per execution (a comment naming this keeps it off the pool).
func BenchmarkFunctionNodeFresh(b *testing.B) { benchmarkFunction(b, benchScript+"// this") }

// BenchmarkFunctionNodePooled is the same script on pooled runtimes.
func BenchmarkFunctionNodePooled(b *testing.B) { benchmarkFunction(b, benchScript) }

// TestFunctionNode_PayloadKeysOfObjectPrototype checks that payload keys
// Object.prototype also has become plain own members of the script's
// objects, on a pooled runtime as on a fresh one.
func TestFunctionNode_PayloadKeysOfObjectPrototype(t *testing.T) {
	const script = `var d = payload.data;
	payload.data = {report: [Object.getPrototypeOf(d) === Object.prototype, Object.keys(d).join(','),
		d.toString, d.valueOf, d.__proto__.k, d.constructor.prototype, d.a, JSON.stringify(d)].join(' ')};`
	want := "true __proto__,a,constructor,toString,valueOf x 1 2 p 3 " +
		`{"__proto__":{"k":2},"a":3,"constructor":{"prototype":"p"},"toString":"x","valueOf":1}`
	for name, s := range map[string]string{"pooled": script, "fresh": script + "// this"} {
		p := engine.Payload{"data": map[string]any{"toString": "x", "valueOf": 1.0, "__proto__": map[string]any{"k": 2.0},
			"constructor": map[string]any{"prototype": "p"}, "a": 3.0}}
		if _, err := mustFunction(t, s, "").Exec(t.Context(), &engine.Env{}, p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := p["data"].(map[string]any)["report"]; got != want {
			t.Errorf("%s: report = %q, want %q", name, got, want)
		}
	}
}
