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
// working: it builds weir and the reference servers, installs the pinned
// Node-RED with npm ci (skipped with -short, which covers weir, the
// reference servers and the load generators only), runs every scenario for
// about a second with tiny counts and checks the results table. The command
// itself fails unless every system answers S1 with {"count":n} and, after
// S3's burst of presses, the ceiling's and the floor's counters and runs
// rose by exactly the presses acknowledged.
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
	for _, want := range []string{"| S1 request/reply", "| S3 virtual button", "| S4 Function node", "| S5 10,000 flows", "Machine: `nproc`",
		"Load generator: ", "| S1 | server CPU per request (µs) |", "| S1 | load generator CPU per request (µs) |"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("results lack %q:\n%s", want, b)
		}
	}
	// S1 and S3 have figures from the ceiling, the floor and weir, and the
	// ratios to the floor and the ceiling.
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "| S1 request/reply") && !strings.HasPrefix(l, "| S3 virtual button") {
			continue
		}
		cells := strings.Split(l, "|") // "", scenario, metric, ceiling, floor, weir, Node-RED, weir/floor, weir/ceiling, ...
		if len(cells) < 9 {
			t.Fatalf("row %q has too few cells", l)
		}
		for i, name := range map[int]string{3: "ceiling", 4: "floor", 5: "weir", 7: "weir/floor", 8: "weir/ceiling"} {
			if c := strings.TrimSpace(cells[i]); c == "" || c == "–" {
				t.Errorf("row %q has no %s figure", l, name)
			}
		}
	}
	if !testing.Short() && !strings.Contains(string(b), "weir/Node-RED") {
		t.Errorf("results lack the Node-RED comparison:\n%s", b)
	}
}

// TestSmokeMQTT runs the MQTT scenarios in smoke mode: 10 devices, 100
// idle ones, and (unless -short) the Mosquitto + Node-RED baseline through
// the machine's Mosquitto. The command itself fails unless every
// acknowledged state ran the flow once.
func TestSmokeMQTT(t *testing.T) {
	out := filepath.Join(t.TempDir(), "RESULTS-mqtt.md")
	args := []string{"run", "./cmd", "-mqtt", "-smoke", "-out", out}
	if testing.Short() {
		args = append(args, "-weir-only")
	}
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.WaitDelay = 10 * time.Second
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, log)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| M1 | QoS 1 states/s", "| M2 | PUBACK p99 at 200 states/s", "| M3 | RSS with 100 idle devices"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("results lack %q:\n%s", want, b)
		}
	}
	if testing.Short() {
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		if cells := strings.Split(l, "|"); strings.HasPrefix(l, "| M1 | QoS 1 states/s") && len(cells) > 4 {
			if c := strings.TrimSpace(cells[4]); c == "" || c == "–" {
				t.Errorf("row %q has no baseline figure", l)
			}
		}
	}
}
