// Command bench compares weir with Node-RED and with two reference servers
// (bench/refserver: the ceiling, S1 from memory, and the floor, S1 with one
// group-committed SQLite transaction per request) on loopback: it installs
// the pinned Node-RED (npm ci in bench/nodered), builds and starts weir and
// the reference servers, loads equivalent flows, drives them with wrk (when
// installed) or bench/loadgen over several rounds, each started by the next
// system, and writes the medians and ratios to bench/RESULTS.md.
//
//	go run ./bench/cmd            # full run, about 12 minutes on 2 cores
//	go run ./bench/cmd -smoke     # seconds, tiny counts, writes no results
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// options are the command's flags.
type options struct {
	smoke    bool
	weirOnly bool
	rounds   int
	duration time.Duration
	conns    int
	rate     float64
	presses  int
	flows    int
	out      string
	keepTmp  bool
	weirBin  string
	webhooks int
	profile  string
	refs     bool
	gen      string
	store    string // PostgreSQL URL: S1 and S3 also on weir with --store and --queue
	queue    string // NATS URL, with store

	mqtt        bool // the MQTT scenarios instead of the HTTP ones
	mqttDevices int
	mqttRate    float64
	mqttIdle    int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.smoke, "smoke", false, "a few seconds with tiny counts, to check the harness works; writes no results unless -out is given")
	fs.BoolVar(&o.weirOnly, "weir-only", false, "skip Node-RED (no npm); the reference servers still run")
	fs.BoolVar(&o.refs, "refs", true, "run the reference servers (ceiling and floor) beside weir")
	fs.StringVar(&o.gen, "gen", "auto", "load generator of the closed-loop runs: wrk, loadgen, or auto (wrk when installed)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every scenario on both systems, alternating which goes first")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each closed- and open-loop run (after a warm-up of a fifth of it, at least 1 s)")
	fs.IntVar(&o.conns, "conns", 32, "connections of the closed-loop scenarios")
	fs.Float64Var(&o.rate, "rate", 1000, "requests per second of S2")
	fs.IntVar(&o.presses, "presses", 20000, "virtual button presses per S3 round")
	fs.IntVar(&o.flows, "flows", 10000, "flows loaded into weir for S5")
	fs.StringVar(&o.out, "out", "", "results file (default bench/RESULTS.md; none in smoke mode)")
	fs.StringVar(&o.weirBin, "weir", "", "a weir binary to run instead of building ./cmd/weir")
	fs.IntVar(&o.webhooks, "webhooks", 1, "webhooks (and triggers of one flow) the S1 and S4 load is spread over; see README")
	fs.StringVar(&o.profile, "profile", "", "a directory to write CPU profiles of weir into, one per scenario of the first round (S1.pprof, ...; weir serves them on --debug-addr)")
	fs.BoolVar(&o.keepTmp, "keep", false, "keep the temporary directory (data directories, server logs)")
	fs.StringVar(&o.store, "store", "", "a postgres:// URL (with -queue): S1 and S3 also on weir with --store and --queue, on 1 and 3 processes, each on a new schema of this database (dropped after)")
	fs.StringVar(&o.queue, "queue", "", "a nats:// URL of a NATS server with JetStream, with -store")
	fs.BoolVar(&o.mqtt, "mqtt", false, "run the MQTT scenarios (M1–M3, weir only) instead of the HTTP ones; writes bench/RESULTS-mqtt.md")
	fs.IntVar(&o.mqttDevices, "mqtt-devices", 100, "devices publishing states in M1 and M2")
	fs.Float64Var(&o.mqttRate, "mqtt-rate", 2000, "states per second of M2, all devices together")
	fs.IntVar(&o.mqttIdle, "mqtt-idle", 10000, "idle devices connected in M3")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.smoke {
		o.rounds, o.duration, o.presses, o.flows, o.rate, o.webhooks = 1, time.Second, 200, 100, 200, 50
		o.mqttDevices, o.mqttRate, o.mqttIdle = 10, 200, 100
	}
	if o.mqttDevices < 1 || o.mqttDevices > 10000 || o.mqttRate <= 0 || o.mqttRate > 100000 || o.mqttIdle < 0 || o.mqttIdle > 15000 {
		return fmt.Errorf("an -mqtt flag is out of range (devices 1–10000, rate ≤ 100000, idle ≤ 15000)")
	}
	if err := checkCluster(o); err != nil {
		return err
	}
	if o.gen != "auto" && o.gen != "wrk" && o.gen != "loadgen" {
		return fmt.Errorf("-gen must be auto, wrk or loadgen")
	}
	if o.rounds < 1 || o.rounds > 20 || o.duration <= 0 || o.duration > 5*time.Minute || o.conns < 1 || o.conns > 1024 ||
		o.rate <= 0 || o.rate > 100000 || o.presses < 1 || o.presses > 1000000 || o.flows < 0 || o.flows > 100000 || o.webhooks < 1 || o.webhooks > 5000 {
		return fmt.Errorf("a flag is out of range (rounds 1–20, duration ≤ 5m, conns 1–1024, rate ≤ 100000, presses ≤ 1e6, flows ≤ 1e5)")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.out == "" && !o.smoke {
		o.out = filepath.Join(root, "bench", "RESULTS.md")
		if o.mqtt {
			o.out = filepath.Join(root, "bench", "RESULTS-mqtt.md")
		}
	}
	tmp, err := os.MkdirTemp("", "weir-bench-")
	if err != nil {
		return err
	}
	if o.keepTmp {
		fmt.Fprintln(stderr, "bench: keeping", tmp)
	} else {
		defer mustRemoveAll(tmp)
	}
	logFile, err := os.Create(filepath.Join(tmp, "servers.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	command := strings.Join(append([]string{"go run ./bench/cmd"}, args...), " ")
	var report string
	if o.mqtt {
		report, err = runMQTT(ctx, o, root, tmp, logFile, stderr, command)
	} else {
		b := &bench{o: o, root: root, tmp: tmp, logf: logFile, say: stderr, m: metrics{}}
		if err = b.run(ctx); err == nil {
			report = b.report(command)
		}
	}
	if err != nil {
		logFile.Sync()
		if tail := logTail(logFile.Name(), 30); tail != "" {
			fmt.Fprintf(stderr, "bench: last server log lines:\n%s\n", tail)
		}
		return err
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "bench: wrote", o.out)
	}
	fmt.Fprint(stderr, report)
	return nil
}

// moduleRoot returns the directory holding weir's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run bench from inside the weir module")
	}
	return filepath.Dir(mod), nil
}

// logTail returns the last n lines of the file at name.
func logTail(name string, n int) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
