package bench_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the bench command in smoke mode, so the harness keeps
// working: it builds weir, installs the pinned Node-RED with npm ci (skipped
// with -short, which covers weir and the load generator only), runs every
// scenario for about a second with tiny counts and checks the results table.
func TestSmoke(t *testing.T) {
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	args := []string{"run", "./cmd", "-smoke", "-out", out}
	if testing.Short() {
		args = append(args, "-weir-only")
	}
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.WaitDelay = 10 * time.Second
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, log)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| S1 request/reply", "| S3 virtual button", "| S4 Function node", "| S5 10,000 flows", "Machine: `nproc`"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("results lack %q:\n%s", want, b)
		}
	}
	if !testing.Short() && !strings.Contains(string(b), "weir/Node-RED") {
		t.Errorf("results lack the Node-RED comparison:\n%s", b)
	}
}
