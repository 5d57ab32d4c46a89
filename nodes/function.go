package nodes

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
)

// FunctionLimits bounds one execution of a Function node script. A zero
// field keeps its default.
type FunctionLimits struct {
	// Timeout caps the wall time of one execution; the run's deadline, if
	// sooner, wins. Default 10 s.
	Timeout time.Duration
	// MaxHeapGrowth is how far the process heap may grow while a script runs
	// before the script is stopped; see function_memory.go for how growth is
	// attributed when several scripts run. Default 256 MiB.
	MaxHeapGrowth int64
	// MaxInput bounds the (approximate JSON) size of the value handed to the
	// script. Default 5 MB, as Losant documents.
	MaxInput int
	// MaxCallStack bounds the depth of JavaScript calls. Default 1000.
	MaxCallStack int
	// MaxConsoleMessages bounds the console messages one execution emits to
	// the debug stream; later ones are dropped. Default 100.
	MaxConsoleMessages int
}

// DefaultFunctionLimits are the limits a Function node uses unless
// SetFunctionLimits says otherwise.
var DefaultFunctionLimits = FunctionLimits{
	Timeout:            10 * time.Second,
	MaxHeapGrowth:      256 << 20,
	MaxInput:           5 << 20,
	MaxCallStack:       1000,
	MaxConsoleMessages: 100,
}

var functionLimits atomic.Pointer[FunctionLimits]

// SetFunctionLimits changes the limits of every Function node execution that
// starts afterwards. It is safe for concurrent use.
func SetFunctionLimits(l FunctionLimits) {
	d := DefaultFunctionLimits
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	if l.MaxHeapGrowth > 0 {
		d.MaxHeapGrowth = l.MaxHeapGrowth
	}
	if l.MaxInput > 0 {
		d.MaxInput = l.MaxInput
	}
	if l.MaxCallStack > 0 {
		d.MaxCallStack = l.MaxCallStack
	}
	if l.MaxConsoleMessages > 0 {
		d.MaxConsoleMessages = l.MaxConsoleMessages
	}
	setRegexpTimeout(d.Timeout)
	functionLimits.Store(&d)
}

// CurrentFunctionLimits returns the limits in force.
func CurrentFunctionLimits() FunctionLimits {
	if l := functionLimits.Load(); l != nil {
		return *l
	}
	return DefaultFunctionLimits
}

func init() {
	setRegexpTimeout(DefaultFunctionLimits.Timeout)
	spec := engine.Spec{
		Type:     "RawFunctionNode",
		Name:     "function",
		Category: "logic",
		Summary: "Runs a JavaScript function body on the payload in a sandbox. The script sees `payload` (a deep copy " +
			"of the payload, or of the value at scopePath) and may mutate or reassign it; a returned value other than " +
			"undefined replaces it instead. Standard ECMAScript built-ins only, plus console.log/debug/info/warn/error " +
			"(to the debug stream), a minimal Intl.Collator and a subset of Node's Buffer (from, alloc, concat, isBuffer, " +
			"byteLength, compare; toString, toJSON, equals, slice, fill; utf8, hex, base64, base64url, latin1, ascii, " +
			"utf16le); no require, timers, network or files. " +
			"Each execution is stopped after 10 s of wall time (a regular expression match included), 1000 nested calls or 256 MiB of heap growth; " +
			"the input may be at most 5 MB. A thrown error halts the run as FunctionNode<ErrorClass>.",
		Outputs: []string{"next: the payload with the script's changes"},
		Fields: []engine.Field{
			{Name: "script", Kind: "string", Required: true, Doc: "The JavaScript function body."},
			{Name: "scopePath", Kind: "path", Doc: "If set, `payload` is the value at this path and the result is written back there."},
		},
	}
	engine.Register(spec, buildFunction)
	// engine.md §6.1: older documents may name the type FunctionNode.
	spec.Type = "FunctionNode"
	engine.Register(spec, buildFunction)
}

// scriptPrefix and scriptSuffix turn the script into a function of payload
// that reports both its return value and the final payload variable. They
// keep the script on line 1 so that error lines match the editor's.
const (
	scriptPrefix = "(function (payload) { return [(function () {"
	scriptSuffix = "\n}).call(this), payload]; })"
)

type function struct {
	id, label string
	program   *goja.Program // run on a fresh runtime
	strict    *goja.Program // run on a pooled runtime; nil: never pooled
	freshOnly atomic.Bool   // the script failed pooled but not fresh
	scope     path.Path
	hasScope  bool
}

func buildFunction(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Script    string `json:"script"`
		ScopePath string `json:"scopePath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Script) == "" {
		return nil, engine.Errorf("Validation", "Script is required")
	}
	n := &function{id: c.ID, label: c.Label}
	var err error
	if n.scope, n.hasScope, err = engine.CompilePath("scopePath", cfg.ScopePath, false); err != nil {
		return nil, err
	}
	n.program, err = goja.Compile("script", scriptPrefix+cfg.Script+scriptSuffix, false)
	if err != nil {
		return nil, engine.Errorf("Validation", "script has a syntax error: %s", syntaxMessage(err))
	}
	n.strict = compilePooled(cfg.Script)
	return n, nil
}

// Exec runs the script on a fresh, sandboxed runtime and writes its result
// back to the payload.
func (n *function) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	lim := CurrentFunctionLimits()
	var in any = p
	if n.hasScope {
		in = n.scope.Get(p)
	}
	if size, over := approxJSONSize(in, lim.MaxInput); over {
		return 0, engine.Errorf("PayloadTooLarge", "Function node input is over the %d byte limit (at least %d bytes)", lim.MaxInput, size)
	}
	out, err := n.run(ctx, env, lim, in)
	if err != nil {
		return 0, err
	}
	if !n.hasScope {
		if _, ok := out.(map[string]any); !ok {
			return 0, engine.Errorf("FunctionNodeTypeError", "the script left the payload as %s; it must be an object", js.TypeOf(out))
		}
	}
	target := n.scope
	if !n.hasScope {
		target = path.Path{}
	}
	if err := target.Set(p, out); err != nil {
		return 0, engine.Errorf("FunctionNodeTypeError", "scopePath: %v", err)
	}
	return 0, nil
}

// run executes the script on in and returns the resulting value. An
// execution stopped as a memory suspect runs again alone
// (function_memory.go).
func (n *function) run(ctx context.Context, env *engine.Env, lim FunctionLimits, in any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, engine.Errorf("TimeoutError", "run ended before the Function node started")
	}
	if err := memoryGate.enter(ctx); err != nil {
		return nil, engine.Errorf("TimeoutError", "run ended before the Function node started")
	}
	out, err := n.attempt(ctx, env, lim, in, false)
	memoryGate.leave()
	if suspected(err) {
		out, err = runAlone(ctx, func() (any, error) { return n.attempt(ctx, env, lim, in, true) })
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			return nil, engine.Errorf("TimeoutError", "run exceeded its time limit while the Function node waited to run again alone")
		}
	}
	return out, scriptErrorOrNil(err)
}

// attempt executes the script on a pooled runtime when it can, else (or
// when that fails) on a fresh one, and returns the VM's error as it is.
func (n *function) attempt(ctx context.Context, env *engine.Env, lim FunctionLimits, in any, alone bool) (any, error) {
	pooled := n.strict != nil && !n.freshOnly.Load()
	if pooled {
		out, err := n.runPooled(ctx, env, lim, in, alone)
		if err == nil || !retryFresh(err) {
			return out, err
		}
	}
	s := newSandbox(env, n.id, n.label, lim)
	s.held = true
	out, err := n.exec(ctx, s, n.program, goja.Undefined(), lim, in, alone)
	if suspected(err) {
		return nil, err
	}
	s.flush()
	if err != nil {
		return nil, err
	}
	if pooled {
		n.freshOnly.Store(true)
	}
	return out, nil
}

// runPooled executes the strict variant on a locked-down runtime from the
// pool; the runtime returns to the pool only when the execution succeeds.
func (n *function) runPooled(ctx context.Context, env *engine.Env, lim FunctionLimits, in any, alone bool) (any, error) {
	s, err := pooledSandbox(lim)
	if err != nil {
		return nil, err
	}
	s.bind(env, n.id, n.label, lim)
	out, err := n.exec(ctx, s, n.strict, s.vm.GlobalObject(), lim, in, alone)
	if err != nil {
		return nil, err
	}
	s.vm.ClearInterrupt() // an interrupt may land just after the script returned
	s.flush()
	release(s)
	return out, nil
}

// exec calls the wrapper program compiles to on s with this, under a
// watchdog, and converts the result. alone marks a suspect running alone.
func (n *function) exec(ctx context.Context, s *sandbox, program *goja.Program, this goja.Value, lim FunctionLimits, in any, alone bool) (any, error) {
	w := startWatchdog(ctx, s.vm, lim, alone)
	defer w.stop()
	var out any
	err := s.call(func() error {
		fn, err := s.vm.RunProgram(program)
		if err != nil {
			return err
		}
		call, ok := goja.AssertFunction(fn)
		if !ok {
			return errors.New("script wrapper is not a function")
		}
		res, err := call(this, s.toJS(in))
		if err != nil {
			return err
		}
		out, err = s.result(res)
		return err
	})
	return out, err
}

// scriptErrorOrNil is scriptError, passing nil through.
func scriptErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return scriptError(err)
}

// scriptError names an error from the VM the way Losant does:
// FunctionNode + the JavaScript error class.
func scriptError(err error) error {
	var ne *engine.NodeError
	if errors.As(err, &ne) {
		return ne
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if ne, ok := ie.Value().(*engine.NodeError); ok {
			return ne
		}
		return engine.Errorf("TimeoutError", "Function node was interrupted")
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return engine.Errorf("FunctionNodeRangeError", "Maximum call stack size exceeded")
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		name, msg := exceptionDetails(ex.Value())
		return engine.Errorf("FunctionNode"+name, "%s", msg)
	}
	return engine.Errorf("FunctionNodeError", "%v", err)
}

// exceptionDetails reads the class and message of a thrown value; a thrown
// non-error counts as an Error whose message is the value as a string.
func exceptionDetails(v goja.Value) (name, message string) {
	name = "Error"
	o, ok := v.(*goja.Object)
	if !ok {
		if v == nil {
			return name, "undefined"
		}
		return name, v.String()
	}
	if nv := o.Get("name"); nv != nil && !goja.IsUndefined(nv) {
		if s := nv.String(); isIdentifier(s) {
			name = s
		}
	}
	if mv := o.Get("message"); mv != nil && !goja.IsUndefined(mv) {
		return name, mv.String()
	}
	return name, o.String()
}

// isIdentifier reports whether s may be appended to an error name.
func isIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// lineOneColumn finds the column of a position on the script's first line,
// which the wrapper prefix shifts.
var lineOneColumn = regexp.MustCompile(`Line 1:(\d+)`)

// syntaxMessage shortens a parser error to its first line and points it at
// the user's script rather than the wrapper.
func syntaxMessage(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimPrefix(strings.TrimSpace(msg), "SyntaxError: ")
	msg = strings.TrimPrefix(msg, "script: ")
	return lineOneColumn.ReplaceAllStringFunc(msg, func(m string) string {
		col, _ := strconv.Atoi(m[len("Line 1:"):])
		return fmt.Sprintf("Line 1:%d", max(col-len(scriptPrefix), 1))
	})
}

// approxJSONSize estimates the JSON size of v, stopping once it passes
// limit; over reports that it did.
func approxJSONSize(v any, limit int) (size int, over bool) {
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			size += len(v) + 2
		case map[string]any:
			size += 2
			for k, e := range v {
				size += len(k) + 4
				if !walk(e) {
					return false
				}
			}
		case []any:
			size += 2
			for _, e := range v {
				size++
				if !walk(e) {
					return false
				}
			}
		case time.Time:
			size += 26
		default:
			size += 8
		}
		return size <= limit
	}
	return size, !walk(v)
}

var _ engine.Node = (*function)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*function) Contained() {}
