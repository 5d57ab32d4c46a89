package main

import (
	"strings"
	"testing"
	"time"
)

// TestReport checks the table's columns, ratios and targets from known
// medians, and that a target needing a system that did not run says so.
func TestReport(t *testing.T) {
	b := &bench{o: options{rounds: 3, duration: 10 * time.Second, conns: 32, rate: 1000, presses: 100, flows: 10}, m: metrics{}}
	for sys, vs := range map[string][]float64{sysCeiling: {40000}, sysFloor: {20000, 21000, 19000}, sysWeir: {19000, 18000, 30000}, sysNodeRED: {1900}} {
		for _, v := range vs {
			b.m.add("S1.tput", sys, v)
		}
	}
	b.m.add("S2.p99", sysWeir, 4)
	b.m.add("S2.p99", sysFloor, 1.5)
	b.m.add("S3.runs", sysWeir, 9000)
	b.m.add("S3.tput", sysNodeRED, 3000)
	got := b.report("go run ./bench/cmd")
	for _, want := range []string{
		"| S1 request/reply, 32 conns | throughput (req/s) | 40000 | 20000 | 19000 | 1900 | 0.95× | 0.47× | 10.00× | ≥ 20,000 req/s and ≥ 10× Node-RED; ≥ 0.9× floor | no; yes |",
		"| S2 | p99 latency (ms) | – | 1.50 | 4.00 | – | 2.67× |  |  | ≤ 5 ms; ≤ 2× floor | yes; no |",
		"| S3 virtual button (weir, floor, ceiling) / http-in peer (Node-RED) | completed runs/s (weir, floor, ceiling); req/s (Node-RED) (/s) | – | – | 9000 | 3000 |  |  | 3.00× | ≥ 20,000 runs/s; ≥ 0.9× floor | no; – |",
		"- S1.tput floor: 20000, 21000, 19000",
		"Load generator: `bench/loadgen` for every run.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks\n%s\nin\n%s", want, got)
		}
	}
	if strings.Contains(got, "| S4 ") {
		t.Errorf("report has an S4 row without S4 figures:\n%s", got)
	}
}
