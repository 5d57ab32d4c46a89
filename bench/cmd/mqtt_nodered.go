package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// mosquittoAddr is the Mosquitto the baseline publishes through: the one
// the machine runs (Debian's package), shared with others, so every client
// id and topic of the bench starts with a prefix of its own.
const mosquittoAddr = "127.0.0.1:1883"

// mqttBaseline is the peer of weir's MQTT scenarios: Mosquitto, with the
// pinned Node-RED subscribed through an `mqtt in` node (QoS 1) wired to a
// function node that counts the states in flow context. Mosquitto sends
// the PUBACK once it has the message, before Node-RED sees it, and neither
// commits anything durably per message (Mosquitto saves its in-memory
// state to disk every 30 minutes by default; Node-RED's context every 30 s).
type mqttBaseline struct {
	nr      *proc
	prefix  string // of every client id and topic of this run
	clients []paho.Client
	devs    []mqttDevice
	mosq    int // Mosquitto's pid, 0 when unknown
}

// startMQTTBaseline starts Node-RED with the baseline flow, waits until it
// counts a message published through Mosquitto, and connects n devices.
func startMQTTBaseline(ctx context.Context, root, tmp string, n int, logf io.Writer) (*mqttBaseline, error) {
	dir := filepath.Join(root, "bench", "nodered")
	if err := installNodeRED(dir, logf); err != nil {
		return nil, err
	}
	b := &mqttBaseline{prefix: "weirbench-" + strings.ToLower(rand.Text()[:8])}
	var err error
	if b.nr, err = startNodeREDWith(ctx, dir, filepath.Join(tmp, "nodered-mqtt"), noderedMQTTFlows(b.prefix), logf); err != nil {
		return nil, err
	}
	if err := b.subscribed(ctx); err != nil {
		b.close()
		return nil, err
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = b.prefix + "-" + strconv.Itoa(i)
	}
	if b.clients, err = connectAll(ctx, mosquittoAddr, "", "", ids); err != nil {
		b.close()
		return nil, fmt.Errorf("connect to Mosquitto on %s: %w", mosquittoAddr, err)
	}
	for i, c := range b.clients {
		b.devs = append(b.devs, mqttDevice{c, b.prefix + "/" + strconv.Itoa(i) + "/state"})
	}
	if pid, err := os.ReadFile("/run/mosquitto/mosquitto.pid"); err == nil {
		b.mosq, _ = strconv.Atoi(strings.TrimSpace(string(pid)))
	}
	return b, nil
}

// subscribed publishes a probe until Node-RED's `mqtt in` node has
// subscribed and counted it.
func (b *mqttBaseline) subscribed(ctx context.Context) error {
	probe, err := connectAll(ctx, mosquittoAddr, "", "", []string{b.prefix + "-probe"})
	if err != nil {
		return fmt.Errorf("connect to Mosquitto on %s: %w", mosquittoAddr, err)
	}
	defer disconnectAll(probe)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		probe[0].Publish(b.prefix+"/probe/state", 1, false, state(0)).WaitTimeout(5 * time.Second)
		time.Sleep(200 * time.Millisecond)
		if n, err := b.count(ctx); err == nil && n > 0 {
			return nil
		}
	}
	return fmt.Errorf("Node-RED counted no message from Mosquitto within 30 s")
}

// count returns the states Node-RED's function node has counted.
func (b *mqttBaseline) count(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", b.nr.base+"/mqtt-count", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct{ Count int }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("Node-RED /mqtt-count: %w", err)
	}
	return out.Count, nil
}

// settle waits until Node-RED has counted want states, or its count has not
// moved for 3 s (Mosquitto drops QoS 1 messages beyond a subscriber's queue
// of 1,000 by default); it returns the count and when it last moved.
func (b *mqttBaseline) settle(ctx context.Context, want int) (int, time.Time, error) {
	last, moved := -1, time.Now()
	for {
		n, err := b.count(ctx)
		if err != nil {
			return 0, moved, err
		}
		if n != last {
			last, moved = n, time.Now()
		}
		if n >= want || time.Since(moved) > 3*time.Second {
			return n, moved, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cpu returns the CPU time Mosquitto and Node-RED have used so far; the
// Mosquitto part is 0 when its pid is unknown or unreadable.
func (b *mqttBaseline) cpu() (mosq, nr time.Duration, err error) {
	if b.mosq > 0 {
		mosq, _ = statCPU(filepath.Join("/proc", strconv.Itoa(b.mosq), "stat"))
	}
	nr, err = b.nr.cpu()
	return mosq, nr, err
}

func (b *mqttBaseline) close() {
	disconnectAll(b.clients)
	b.nr.stop()
}

// noderedMQTTFlows is the baseline flow: `mqtt in` on prefix/+/state at
// QoS 1 (JSON parsed) → function counting in flow context, and GET
// /mqtt-count and /health.
func noderedMQTTFlows(prefix string) []byte {
	at := func(n map[string]any, y int) map[string]any { n["x"], n["y"], n["z"] = 200, y, "tab"; return n }
	fn := func(id, code string, wires []string) map[string]any {
		return map[string]any{"id": id, "type": "function", "name": id, "func": code, "outputs": 1, "timeout": 0,
			"noerr": 0, "initialize": "", "finalize": "", "libs": []any{}, "wires": [][]string{wires}}
	}
	in := func(id, url, next string) map[string]any {
		return map[string]any{"id": id, "type": "http in", "name": id, "url": url, "method": "get",
			"upload": false, "swaggerDoc": "", "wires": [][]string{{next}}}
	}
	out := func(id string) map[string]any {
		return map[string]any{"id": id, "type": "http response", "name": id, "statusCode": "", "headers": map[string]any{}, "wires": []any{}}
	}
	nodes := []map[string]any{
		{"id": "tab", "type": "tab", "label": "weir MQTT bench", "disabled": false, "info": ""},
		{"id": "broker", "type": "mqtt-broker", "name": "Mosquitto", "broker": "127.0.0.1", "port": "1883",
			"clientid": prefix + "-nodered", "autoConnect": true, "usetls": false, "protocolVersion": "4",
			"keepalive": "60", "cleansession": true, "autoUnsubscribe": true, "birthTopic": "", "closeTopic": "",
			"willTopic": "", "userProps": "", "sessionExpiry": ""},
		at(map[string]any{"id": "statein", "type": "mqtt in", "name": "states", "topic": prefix + "/+/state", "qos": "1",
			"datatype": "json", "broker": "broker", "nl": false, "rap": true, "rh": 0, "inputs": 0,
			"wires": [][]string{{"count"}}}, 40),
		at(fn("count", `flow.set("mqtt", (flow.get("mqtt") || 0) + 1);
return null;`, []string{}), 80),
		at(in("countin", "/mqtt-count", "countfn"), 120),
		at(fn("countfn", `msg.payload = {count: flow.get("mqtt") || 0};
return msg;`, []string{"countout"}), 160),
		at(out("countout"), 200),
		at(in("healthin", "/health", "healthout"), 240),
		at(out("healthout"), 280),
	}
	b, _ := json.MarshalIndent(nodes, "", "  ")
	return b
}
