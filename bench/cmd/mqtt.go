package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The MQTT scenarios (-mqtt), against weir's MQTT endpoint for devices and,
// unless -weir-only, the same load through Mosquitto to Node-RED
// (mqttBaseline) in the same run:
//
//	M1 throughput: devices each keep a window of QoS 1 state messages in
//	   flight; every state is committed before its PUBACK and starts a run
//	   of a one-node flow (device tag trigger → Store Value incr), and the
//	   bench fails unless the flow's counter ends equal to the PUBACKs.
//	M2 latency: the same devices publish at a fixed total rate (open loop);
//	   a PUBACK's latency counts from when its message was due.
//	M3 memory: the resident set of a freshly started weir with that many
//	   idle devices connected.
type mqttBench struct {
	o       options
	w       *weirServer
	base    *mqttBaseline // nil with -weir-only
	logf    io.Writer
	say     io.Writer
	addr    string // host:port of the MQTT endpoint
	debug   string // weir's --debug-addr with -profile
	app     string
	flow    string
	key     string
	secret  string
	active  []string // device ids publishing
	idleIDs []string // device ids only connecting (M3)
	rows    []mqttRow
	m1      [2]mqttM1 // weir, baseline
	load0   string    // load average when the bench started
}

// mqttM1 is the outcome of M1 on one system.
type mqttM1 struct {
	rate    float64 // PUBACKs per second
	drained float64 // seconds until the flow had counted every state after the load stopped
	counted float64 // states the flow counted per second, from the first state to the last count
	lost    float64 // acknowledged states the flow never counted
	cpu     float64 // the server's CPU per state (µs); weir, or Mosquitto + Node-RED
	mosq    float64 // of which Mosquitto's (µs)
	gen     float64 // the bench's own (the clients') CPU per state (µs)
}

// mqttRow is one row of the report; base is NaN where the baseline has no
// figure.
type mqttRow struct {
	sc, metric string
	weir, base float64
	target     string
}

func (m *mqttBench) sayf(format string, a ...any) { fmt.Fprintf(m.say, "bench: "+format+"\n", a...) }

// runMQTT builds and starts weir with its MQTT endpoint, runs M3, M1 and
// M2 (M1 and M2 also on the baseline), and returns the report.
func runMQTT(ctx context.Context, o options, root, tmp string, logf, say io.Writer, command string) (string, error) {
	m := &mqttBench{o: o, logf: logf, say: say, load0: loadAverage()}
	bin := o.weirBin
	if bin == "" {
		var err error
		if bin, err = buildWeir(root, tmp); err != nil {
			return "", err
		}
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	m.addr = "127.0.0.1:" + strconv.Itoa(port)
	flags := []string{"--mqtt-addr", m.addr, "--device-limit", "0"}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return "", err
		}
		if port, err = freePort(); err != nil {
			return "", err
		}
		m.debug = "127.0.0.1:" + strconv.Itoa(port)
		flags = append(flags, "--debug-addr", m.debug)
	}
	if m.w, err = startWeir(ctx, bin, tmp+"/weir-mqtt-data", "", logf, flags...); err != nil {
		return "", err
	}
	defer func() { m.w.stop() }()
	if err := m.setup(ctx); err != nil {
		return "", err
	}
	// M3 on a fresh process: setting up created thousands of devices.
	if m.w, err = m.w.restart(ctx, logf); err != nil {
		return "", err
	}
	if err := m.idle(ctx); err != nil {
		return "", fmt.Errorf("M3: %w", err)
	}
	if !o.weirOnly {
		m.sayf("MQTT baseline: Node-RED subscribed through Mosquitto on %s", mosquittoAddr)
		if m.base, err = startMQTTBaseline(ctx, root, tmp, len(m.active), logf); err != nil {
			return "", fmt.Errorf("baseline: %w", err)
		}
		defer m.base.close()
	}
	clients, err := connectAll(ctx, m.addr, m.key, m.secret, m.active)
	if err != nil {
		return "", err
	}
	defer disconnectAll(clients)
	devs := make([]mqttDevice, len(clients))
	for i, c := range clients {
		devs[i] = mqttDevice{c, "losant/" + m.active[i] + "/state"}
	}
	if err := m.profiled(ctx, "M1", func() error { return m.throughput(ctx, devs) }); err != nil {
		return "", fmt.Errorf("M1: %w", err)
	}
	if err := m.baseThroughput(ctx); err != nil {
		return "", fmt.Errorf("M1 baseline: %w", err)
	}
	m.m1Rows()
	var m2 [2]rated
	if err := m.profiled(ctx, "M2", func() (err error) { m2[0], err = publishAtRate(ctx, devs, m.o.mqttRate, m.o.duration); return err }); err != nil {
		return "", fmt.Errorf("M2: %w", err)
	}
	m.sayf("M2 weir: %.0f states/s offered; PUBACK p50 %.2f ms, p99 %.2f ms, max %.2f ms", m.o.mqttRate, m2[0].p50, m2[0].p99, m2[0].max)
	m2[1] = rated{p50: math.NaN(), p99: math.NaN(), max: math.NaN(), achieved: math.NaN()}
	if m.base != nil {
		if m2[1], err = publishAtRate(ctx, m.base.devs, m.o.mqttRate, m.o.duration); err != nil {
			return "", fmt.Errorf("M2 baseline: %w", err)
		}
		m.sayf("M2 baseline: PUBACK p50 %.2f ms, p99 %.2f ms, max %.2f ms", m2[1].p50, m2[1].p99, m2[1].max)
	}
	m.row("M2", fmt.Sprintf("PUBACK p99 at %.0f states/s (ms, from when due)", m.o.mqttRate), m2[0].p99, m2[1].p99, "≤ 10")
	m.row("M2", "PUBACK p50 (ms)", m2[0].p50, m2[1].p50, "")
	m.row("M2", "PUBACK max (ms)", m2[0].max, m2[1].max, "")
	m.row("M2", "states/s achieved", m2[0].achieved, m2[1].achieved, "")
	return m.report(command), nil
}

// setup creates the application, its access key, the flow and the devices.
func (m *mqttBench) setup(ctx context.Context) error {
	var err error
	if m.app, err = m.w.createApp(ctx, "mqtt bench"); err != nil {
		return err
	}
	var key struct{ Key, Secret string }
	if err := m.w.call(ctx, "POST", "/applications/"+m.app+"/keys", map[string]any{"description": "bench"}, &key); err != nil {
		return err
	}
	m.key, m.secret = key.Key, key.Secret
	if m.flow, _, err = m.w.createFlow(ctx, m.app, weirFlow{Name: "M1",
		Triggers: []weirTrigger{{Type: "deviceTag", Key: "bench/active", Config: map[string]any{}, OutputIDs: [][]string{{"incr"}}}},
		Nodes: []weirNode{{ID: "incr", Type: "StoreValueNode", Config: map[string]any{
			"keyName": "count", "valueType": "incr", "value": "1"}}},
	}); err != nil {
		return err
	}
	m.sayf("MQTT: creating %d devices", m.o.mqttDevices+m.o.mqttIdle)
	if m.active, err = m.devices(ctx, m.o.mqttDevices, "active"); err != nil {
		return err
	}
	m.idleIDs, err = m.devices(ctx, m.o.mqttIdle, "idle")
	return err
}

// devices creates n devices tagged bench=tag, 8 requests at a time.
func (m *mqttBench) devices(ctx context.Context, n int, tag string) ([]string, error) {
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range errs {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && errs[g] == nil; i = int(next.Add(1) - 1) {
				var d struct{ ID string }
				errs[g] = m.w.call(ctx, "POST", "/applications/"+m.app+"/devices", map[string]any{
					"name": tag + strconv.Itoa(i), "tags": []any{map[string]string{"key": "bench", "value": tag}},
					"attributes": []any{map[string]string{"name": "v", "dataType": "number"}}}, &d)
				ids[i] = d.ID
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// idle measures M3: weir's resident set before and with the idle devices
// connected; with -profile it also writes weir's heap and goroutines then.
func (m *mqttBench) idle(ctx context.Context) error {
	time.Sleep(time.Second)
	before, err := m.w.rssMB()
	if err != nil {
		return err
	}
	t0 := time.Now()
	clients, err := connectAll(ctx, m.addr, m.key, m.secret, m.idleIDs)
	if err != nil {
		return err
	}
	defer disconnectAll(clients)
	took := time.Since(t0)
	time.Sleep(3 * time.Second)
	with, err := m.w.rssMB()
	if err != nil {
		return err
	}
	if m.debug != "" {
		// The memory statistics as measured, then the live heap (after a
		// collection) and the goroutines.
		for _, p := range [][2]string{{"heap?debug=1", "M3-heap.txt"}, {"heap?gc=1", "M3-heap.pprof"}, {"goroutine", "M3-goroutine.pprof"}} {
			file := filepath.Join(m.o.profile, p[1])
			if err := fetchPprof(ctx, "http://"+m.debug+"/debug/pprof/"+p[0], file); err != nil {
				return err
			}
			m.sayf("wrote %s", file)
		}
	}
	m.sayf("M3: %d idle devices connected in %s; RSS %.0f MiB (%.0f MiB before)", len(clients), took.Round(time.Millisecond), with, before)
	m.row("M3", fmt.Sprintf("RSS with %d idle devices connected (MiB)", len(clients)), with, math.NaN(), "≤ 300")
	m.row("M3", "RSS of the same process before they connected (MiB)", before, math.NaN(), "")
	m.row("M3", "connects per second (CONNECT to CONNACK, 32 at a time)", float64(len(clients))/took.Seconds(), math.NaN(), "")
	return nil
}

// profiled runs fn, and with -profile writes a CPU profile of weir while
// it runs to sc.pprof.
func (m *mqttBench) profiled(ctx context.Context, sc string, fn func() error) error {
	if m.debug == "" {
		return fn()
	}
	file := filepath.Join(m.o.profile, sc+".pprof")
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", m.debug, max(1, int(m.o.duration/time.Second)))
	done := make(chan error, 1)
	go func() { done <- fetchPprof(ctx, url, file) }()
	err := fn()
	if perr := <-done; perr != nil {
		m.sayf("profile of %s: %v", sc, perr)
	} else {
		m.sayf("wrote %s", file)
	}
	return err
}

// warm is the warm-up before a measured run.
func (m *mqttBench) warm() time.Duration { return max(time.Second, m.o.duration/5) }

// throughput measures M1 on weir and checks that every acknowledged state
// ran the flow once; weir's CPU counts from the first state to the last
// run.
func (m *mqttBench) throughput(ctx context.Context, devs []mqttDevice) error {
	before, err := m.w.storageCount(ctx, m.app, m.flow)
	if err != nil {
		return err
	}
	cpu0, err := m.w.cpu()
	if err != nil {
		return err
	}
	res, err := publishWindowed(devs, m.warm(), m.o.duration)
	if err != nil {
		return err
	}
	// Every acknowledged state starts one run; wait for them all.
	t1 := time.Now()
	want := before + int(res.acked)
	for {
		got, err := m.w.storageCount(ctx, m.app, m.flow)
		if err != nil {
			return err
		}
		if got == want {
			break
		}
		if got > want || time.Since(t1) > 5*time.Minute {
			return fmt.Errorf("the flow's counter is %d, want %d (one run per acknowledged state)", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	drained := time.Since(t1)
	cpu1, err := m.w.cpu()
	if err != nil {
		return err
	}
	rate := float64(res.measured) / res.elapsed.Seconds()
	m.sayf("M1: %.0f states/s acknowledged (%d devices, %d in flight each); %d runs done %s after the load stopped",
		rate, len(devs), mqttWindow, res.acked, drained.Round(time.Millisecond))
	counted := float64(res.acked) / (res.span + drained).Seconds()
	m.m1[0] = mqttM1{rate: rate, drained: drained.Seconds(), counted: counted, cpu: perState(cpu1-cpu0, res.acked),
		mosq: math.NaN(), gen: perState(res.cpu, res.acked)}
	return nil
}

// perState is d per state in µs.
func perState(d time.Duration, n int64) float64 {
	if n <= 0 {
		return math.NaN()
	}
	return float64(d) / float64(time.Microsecond) / float64(n)
}

// baseThroughput measures M1 on the baseline: PUBACKs from Mosquitto, and
// how fast and how completely Node-RED's function counted the states.
func (m *mqttBench) baseThroughput(ctx context.Context) error {
	if m.base == nil {
		m.m1[1] = mqttM1{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
		return nil
	}
	before, err := m.base.count(ctx)
	if err != nil {
		return err
	}
	mosq0, nr0, err := m.base.cpu()
	if err != nil {
		return err
	}
	t0 := time.Now()
	res, err := publishWindowed(m.base.devs, m.warm(), m.o.duration)
	if err != nil {
		return err
	}
	t1 := time.Now()
	n, moved, err := m.base.settle(ctx, before+int(res.acked))
	if err != nil {
		return err
	}
	mosq1, nr1, err := m.base.cpu()
	if err != nil {
		return err
	}
	b := mqttM1{rate: float64(res.measured) / res.elapsed.Seconds(), drained: max(0, moved.Sub(t1).Seconds()),
		counted: float64(n-before) / moved.Sub(t0).Seconds(), lost: float64(before + int(res.acked) - n),
		cpu: perState(mosq1-mosq0+nr1-nr0, res.acked), mosq: perState(mosq1-mosq0, res.acked), gen: perState(res.cpu, res.acked)}
	if m.base.mosq == 0 {
		b.cpu, b.mosq = math.NaN(), math.NaN()
	}
	m.m1[1] = b
	m.sayf("M1 baseline: %.0f states/s acknowledged by Mosquitto; Node-RED counted %d of %d (%.0f/s)", b.rate, n-before, res.acked, b.counted)
	return nil
}

// m1Rows adds M1's rows.
func (m *mqttBench) m1Rows() {
	w, b := m.m1[0], m.m1[1]
	m.row("M1", fmt.Sprintf("QoS 1 states/s acknowledged (%d devices × %d in flight)", len(m.active), mqttWindow), w.rate, b.rate, "≥ 10,000")
	m.row("M1", "states/s the flow counted (first state to last count)", w.counted, b.counted, "")
	m.row("M1", "seconds the flow took to catch up after the load stopped", w.drained, b.drained, "")
	m.row("M1", "acknowledged states the flow never counted", 0, b.lost, "0")
	m.row("M1", "server CPU per state (µs; weir, or Mosquitto + Node-RED)", w.cpu, b.cpu, "")
	m.row("M1", "of which Mosquitto (µs; shared with others' traffic)", w.mosq, b.mosq, "")
	m.row("M1", "the clients' CPU per state (µs, the bench's process)", w.gen, b.gen, "")
}

func (m *mqttBench) row(sc, metric string, weir, base float64, target string) {
	m.rows = append(m.rows, mqttRow{sc, metric, weir, base, target})
}

// report is the results table with the machine's description.
func (m *mqttBench) report(command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# weir MQTT bench\n\n`%s` (%s); Machine: `nproc` %d, %s, %s; load average at the start: %s, at the end: %s.\n\n", command,
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cpuModel(), goVersion(), m.load0, loadAverage())
	b.WriteString("The baseline is Mosquitto (the machine's, shared) with Node-RED subscribed at QoS 1 (`mqtt in` → function counting\n" +
		"in flow context): Mosquitto acknowledges a state once it holds it in memory, before Node-RED sees it, and nothing\n" +
		"on that path is committed durably; weir commits each state and queues its run before the PUBACK.\n\n")
	b.WriteString("| Scenario | Metric | weir | Mosquitto + Node-RED | weir ÷ baseline | Target |\n|---|---|---|---|---|---|\n")
	f := func(v float64) string {
		if math.IsNaN(v) {
			return "–"
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	for _, r := range m.rows {
		ratio := "–"
		if !math.IsNaN(r.weir) && !math.IsNaN(r.base) && r.base != 0 && r.weir != 0 {
			ratio = strconv.FormatFloat(r.weir/r.base, 'f', 2, 64) + "×"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.sc, r.metric, f(r.weir), f(r.base), ratio, r.target)
	}
	return b.String()
}

// loadAverage returns the machine's load averages over 1, 5 and 15 minutes.
func loadAverage() string {
	load, _ := os.ReadFile("/proc/loadavg")
	fields := strings.Fields(string(load))
	return strings.Join(fields[:min(3, len(fields))], " ")
}
