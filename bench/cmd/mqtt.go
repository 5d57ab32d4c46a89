package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// The MQTT scenarios (-mqtt), against weir's MQTT endpoint for devices:
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
	logf    io.Writer
	say     io.Writer
	addr    string // host:port of the MQTT endpoint
	app     string
	flow    string
	key     string
	secret  string
	active  []string // device ids publishing
	idleIDs []string // device ids only connecting (M3)
	lines   []string // report rows
}

// mqttWindow is the QoS 1 messages each device keeps in flight in M1.
const mqttWindow = 8

func (m *mqttBench) sayf(format string, a ...any) { fmt.Fprintf(m.say, "bench: "+format+"\n", a...) }

// runMQTT builds and starts weir with its MQTT endpoint, runs M3, M1 and
// M2, and returns the report.
func runMQTT(ctx context.Context, o options, root, tmp string, logf, say io.Writer, command string) (string, error) {
	m := &mqttBench{o: o, logf: logf, say: say}
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
	if m.w, err = startWeir(ctx, bin, tmp+"/weir-mqtt-data", "", logf, "--mqtt-addr", m.addr, "--device-limit", "0"); err != nil {
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
	clients, err := m.connect(ctx, m.active)
	if err != nil {
		return "", err
	}
	defer disconnectAll(clients)
	if err := m.throughput(ctx, clients); err != nil {
		return "", fmt.Errorf("M1: %w", err)
	}
	if err := m.latency(ctx, clients); err != nil {
		return "", fmt.Errorf("M2: %w", err)
	}
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

// connect connects the devices, 32 at a time.
func (m *mqttBench) connect(ctx context.Context, ids []string) ([]paho.Client, error) {
	clients := make([]paho.Client, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for g := range errs {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(ids) && errs[g] == nil && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + m.addr).SetClientID(ids[i]).
					SetUsername(m.key).SetPassword(m.secret).SetAutoReconnect(false).SetKeepAlive(5 * time.Minute).
					SetConnectTimeout(30 * time.Second))
				tok := c.Connect()
				if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
					errs[g] = fmt.Errorf("connect device %d: %v", i, tok.Error())
				}
				clients[i] = c
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			disconnectAll(clients)
			return nil, err
		}
	}
	return clients, ctx.Err()
}

func disconnectAll(clients []paho.Client) {
	for _, c := range clients {
		if c != nil && c.IsConnected() {
			c.Disconnect(0)
		}
	}
}

// idle measures M3: weir's resident set before and with the idle devices
// connected.
func (m *mqttBench) idle(ctx context.Context) error {
	time.Sleep(time.Second)
	before, err := m.w.rssMB()
	if err != nil {
		return err
	}
	t0 := time.Now()
	clients, err := m.connect(ctx, m.idleIDs)
	if err != nil {
		return err
	}
	took := time.Since(t0)
	time.Sleep(3 * time.Second)
	with, err := m.w.rssMB()
	disconnectAll(clients)
	if err != nil {
		return err
	}
	m.sayf("M3: %d idle devices connected in %s; RSS %.0f MiB (%.0f MiB before)", len(clients), took.Round(time.Millisecond), with, before)
	m.row("M3", fmt.Sprintf("RSS with %d idle devices connected (MiB)", len(clients)), with, "≤ 300")
	m.row("M3", "RSS of the same process before they connected (MiB)", before, "")
	m.row("M3", "connects per second (CONNECT to CONNACK, 32 at a time)", float64(len(clients))/took.Seconds(), "")
	return nil
}

// state is one state message of the bench.
func state(n int) []byte {
	b, _ := json.Marshal(map[string]any{"data": map[string]int{"v": n}})
	return b
}

// throughput measures M1 and checks that every acknowledged state ran the
// flow once.
func (m *mqttBench) throughput(ctx context.Context, clients []paho.Client) error {
	before, err := m.w.storageCount(ctx, m.app, m.flow)
	if err != nil {
		return err
	}
	warm := max(time.Second, m.o.duration/5)
	var acked, measured, failed atomic.Int64
	var measuring atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		topic := "losant/" + m.active[i] + "/state"
		wg.Go(func() {
			window := make(chan paho.Token, mqttWindow)
			n := 0
			drain := func(tok paho.Token) {
				if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
					failed.Add(1)
					return
				}
				acked.Add(1)
				if measuring.Load() {
					measured.Add(1)
				}
			}
			for {
				select {
				case <-stop:
					close(window)
					for tok := range window {
						drain(tok)
					}
					return
				default:
				}
				if len(window) == cap(window) {
					drain(<-window)
				}
				n++
				window <- c.Publish(topic, 1, false, state(n))
			}
		})
	}
	time.Sleep(warm)
	measuring.Store(true)
	t0 := time.Now()
	time.Sleep(m.o.duration)
	measuring.Store(false)
	elapsed := time.Since(t0)
	n := measured.Load()
	close(stop)
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("%d state messages were not acknowledged", failed.Load())
	}
	// Every acknowledged state starts one run; wait for them all.
	t1 := time.Now()
	want := before + int(acked.Load())
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
		time.Sleep(200 * time.Millisecond)
	}
	rate := float64(n) / elapsed.Seconds()
	m.sayf("M1: %.0f states/s acknowledged (%d devices, %d in flight each); %d runs done %s after the load stopped",
		rate, len(clients), mqttWindow, acked.Load(), time.Since(t1).Round(time.Millisecond))
	m.row("M1", fmt.Sprintf("QoS 1 states/s, committed before PUBACK (%d devices × %d in flight)", len(clients), mqttWindow), rate, "≥ 10,000")
	m.row("M1", "seconds for the runs queued to finish after the load stopped", time.Since(t1).Seconds(), "")
	return nil
}

// latency measures M2: PUBACK latency at a fixed total rate, from when each
// message was due.
func (m *mqttBench) latency(ctx context.Context, clients []paho.Client) error {
	rate := m.o.mqttRate
	total := int(rate * m.o.duration.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	lat := make([]time.Duration, total)
	var failed atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range total {
		due := t0.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c := clients[i%len(clients)]
		tok := c.Publish("losant/"+m.active[i%len(clients)]+"/state", 1, false, state(i))
		wg.Go(func() {
			if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
				failed.Add(1)
				lat[i] = time.Minute
				return
			}
			lat[i] = time.Since(due)
		})
	}
	wg.Wait()
	achieved := float64(total) / time.Since(t0).Seconds()
	if failed.Load() > 0 {
		return fmt.Errorf("%d state messages were not acknowledged", failed.Load())
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	m.sayf("M2: %.0f states/s offered; PUBACK p50 %.2f ms, p99 %.2f ms, max %.2f ms", rate, pct(0.5), pct(0.99), pct(1))
	m.row("M2", fmt.Sprintf("PUBACK p99 at %.0f states/s (ms, from when due)", rate), pct(0.99), "≤ 10")
	m.row("M2", "PUBACK p50 (ms)", pct(0.5), "")
	m.row("M2", "PUBACK max (ms)", pct(1), "")
	m.row("M2", "states/s achieved", achieved, "")
	return nil
}

func (m *mqttBench) row(sc, metric string, v float64, target string) {
	m.lines = append(m.lines, fmt.Sprintf("| %s | %s | %s | %s |", sc, metric, strconv.FormatFloat(v, 'f', 2, 64), target))
}

// report is the results table with the machine's description.
func (m *mqttBench) report(command string) string {
	var b strings.Builder
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&b, "# weir MQTT bench\n\n`%s` (%s); Machine: `nproc` %d, %s, %s; load average at the end: %s.\n\n", command,
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cpuModel(), goVersion(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	b.WriteString("| Scenario | Metric | weir | Target |\n|---|---|---|---|\n")
	for _, l := range m.lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}
