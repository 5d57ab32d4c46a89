package nodejs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/weirhq/weir/engine/js"
)

// Timeout bounds one MustRun.
const Timeout = time.Minute

// MustInstall runs `npm ci` in dir when node_modules is missing or older
// than package-lock.json (npm writes node_modules/.package-lock.json on
// every install), so a fresh checkout needs only go test.
func MustInstall(tb testing.TB, dir string) {
	tb.Helper()
	npm := mustLookPath(tb, "npm")
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		tb.Fatalf("package-lock.json: %v", err)
	}
	installed, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if err == nil && !installed.ModTime().Before(lock.ModTime()) {
		return
	}
	tb.Logf("npm ci in %s", dir)
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// MustRun runs the Node script with in as JSON on its standard input, in
// the UTC zone (weir prints dates in UTC), and decodes its standard output
// as JSON into out.
func MustRun(tb testing.TB, script string, in, out any) {
	tb.Helper()
	node := mustLookPath(tb, "node")
	data, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(res, out); err != nil {
		tb.Fatalf("node %s output: %v", script, err)
	}
}

// Tag encodes a weir value for tagged.mjs as {"t": type, "v": value}:
// numbers in JavaScript's own String() form (and "-0"), dates as epoch
// milliseconds. Objects and arrays are tagged element by element.
func Tag(v any) any {
	switch v := v.(type) {
	case nil:
		return map[string]any{"t": "null"}
	case js.Undefined:
		return map[string]any{"t": "undefined"}
	case bool:
		return map[string]any{"t": "boolean", "v": v}
	case string:
		return map[string]any{"t": "string", "v": v}
	case time.Time:
		return map[string]any{"t": "date", "v": strconv.FormatInt(v.UnixMilli(), 10)}
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = Tag(e)
		}
		return map[string]any{"t": "array", "v": out}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = Tag(e)
		}
		return map[string]any{"t": "object", "v": out}
	case int:
		return Tag(float64(v))
	case float64:
		if v == 0 && math.Signbit(v) {
			return map[string]any{"t": "number", "v": "-0"}
		}
		return map[string]any{"t": "number", "v": js.FormatNumber(v)}
	}
	panic(fmt.Sprintf("nodejs.Tag: unexpected %T", v))
}

// mustLookPath finds a required tool; a missing one fails the test.
func mustLookPath(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s is required on PATH for the tests that compare weir with JavaScript (Node 20+ with npm): %v", name, err)
	}
	return p
}
