package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// client talks JSON to a weir server with one token.
type client struct {
	t     testing.TB
	base  string
	token string
}

// do sends a request and decodes the JSON response into out (when non-nil),
// returning the status code.
func (c *client) do(method, path string, body, out any) int {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// mustDo is do that fails the test unless the status is want.
func (c *client) mustDo(want int, method, path string, body, out any) {
	c.t.Helper()
	var raw json.RawMessage
	if got := c.do(method, path, body, &raw); got != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, got, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatal(err)
		}
	}
}

// counterFlow is a flow whose virtual button increments storage key "hits"
// when data.value > 50 and stores the value under "low" otherwise.
var counterFlow = map[string]any{
	"name": "counter",
	"triggers": []any{map[string]any{
		"type": "virtualButton", "config": map[string]any{}, "meta": map[string]any{"label": "Press", "payload": ""},
		"outputIds": []any{[]any{"cond"}},
	}},
	"nodes": []any{
		map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.value}} > 50"},
			"meta": map[string]any{"label": "Big?"}, "outputIds": []any{[]any{"low"}, []any{"incr"}}},
		map[string]any{"id": "incr", "type": "StoreValueNode", "config": map[string]any{"keyName": "hits", "valueType": "incr", "value": "1", "resultPath": "working.hits"},
			"meta": map[string]any{"label": "Count"}, "outputIds": []any{[]any{"dbg"}}},
		map[string]any{"id": "low", "type": "StoreValueNode", "config": map[string]any{"keyName": "low", "valueType": "path", "value": "data.value"},
			"meta": map[string]any{"label": "Low"}},
		map[string]any{"id": "dbg", "type": "DebugNode", "config": map[string]any{"message": "hits {{working.hits}}"}, "meta": map[string]any{"label": "Debug"}},
	},
}

// setupCounter creates an application and the counter flow; it returns their
// ids and the button key.
func setupCounter(c *client) (appID, flowID, key string) {
	c.t.Helper()
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "test app"}, &app)
	var flow struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", counterFlow, &flow)
	if len(flow.Triggers) != 1 || !strings.HasPrefix(flow.Triggers[0].Key, flow.ID+"-") {
		c.t.Fatalf("created flow triggers %+v, want one key prefixed by the flow id", flow.Triggers)
	}
	return app.ID, flow.ID, flow.Triggers[0].Key
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startMain runs weir in-process on a free port with data in dir.
func startMain(t *testing.T, dir string) (*Main, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", dir, "warn"
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err != nil {
		t.Fatalf("Open() error %v", err)
	}
	return m, &out
}

// openMain runs weir in-process with cfg on a free port, data in a fresh
// directory and warnings logged, and returns it with a client holding the
// owner token; it is closed when the test ends.
func openMain(t testing.TB, cfg Config) (*Main, *client) {
	t.Helper()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", t.TempDir(), "warn"
	if cfg.MQTTAddr == DefaultMQTTAddr {
		cfg.MQTTAddr = "" // tests never take the machine's port 1883; TestDeviceOverMQTT asks for :0
	}
	var out bytes.Buffer
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
}

// testBroker is the MQTT broker the tests use: WEIR_TEST_MQTT_URL, else
// Mosquitto on 127.0.0.1:1883.
func testBroker() string {
	if broker := os.Getenv("WEIR_TEST_MQTT_URL"); broker != "" {
		return broker
	}
	return "tcp://127.0.0.1:1883"
}

// ownerToken extracts the token printed on first start, followed by the
// console link signed in with it unless the console is off.
func ownerToken(t testing.TB, out string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || len(lines) > 3 || !strings.HasPrefix(lines[0], "Owner API token") ||
		len(lines) == 3 && (!strings.HasPrefix(lines[2], "Console (signed in with this token): http://") ||
			!strings.HasSuffix(lines[2], "/console/#token="+lines[1])) {
		t.Fatalf("first start printed %q, want the owner token announcement and the console link", out)
	}
	return lines[1]
}

func TestMainPressRunsFlow(t *testing.T) {
	dir := t.TempDir()
	m, out := startMain(t, dir)
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	for _, v := range []float64{80, 20, 90} {
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": v}}, nil)
	}
	var storage map[string]any
	waitFor(t, 10*time.Second, "two increments", func() bool {
		c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		return storage["hits"] == 2.0 && storage["low"] == 20.0
	})
	var logs []struct {
		FlowVersionID  string
		PathsCompleted int
		PathsFailed    int
		RunCount       int
	}
	waitFor(t, 10*time.Second, "three log entries", func() bool {
		c.mustDo(200, "GET", flowPath+"/logs?limit=10", nil, &logs)
		return len(logs) == 3
	})
	for _, l := range logs {
		if l.FlowVersionID != "develop" || l.PathsCompleted != 1 || l.PathsFailed != 0 || l.RunCount != 1 {
			t.Errorf("log entry %+v, want one completed develop path", l)
		}
	}

	// A restart keeps storage and logs, and prints no new owner token.
	if err := m.Close(); err != nil {
		t.Fatalf("Close() error %v", err)
	}
	m2, out2 := startMain(t, dir)
	defer m2.Close()
	if out2.Len() != 0 {
		t.Errorf("second start printed %q, want nothing", out2)
	}
	c.base = "http://" + m2.Addr()
	c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
	if storage["hits"] != 2.0 {
		t.Errorf("after restart hits = %v, want 2", storage["hits"])
	}
}

func TestTokenCreate(t *testing.T) {
	dir := t.TempDir()
	m, out := startMain(t, dir)
	defer m.Close()
	owner := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, _ := setupCounter(owner)

	var stdout, stderr bytes.Buffer
	args := []string{"token", "create", "--data", dir, "--application", appID, "--scope", "flow.get", "--expires", "1h"}
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("token create: %v (%s)", err, stderr.String())
	}
	tok := strings.TrimSpace(stdout.String())
	if strings.Count(tok, ".") != 2 || strings.Contains(tok, "\n") {
		t.Fatalf("token create printed %q, want one JWT", tok)
	}
	if want := "Console (signed in with this token): http://127.0.0.1:8080/console/#token=" + tok + "\n"; stderr.String() != want {
		t.Errorf("token create wrote %q on stderr, want %q", stderr.String(), want)
	}
	app := &client{t: t, base: owner.base, token: tok}
	flowPath := fmt.Sprintf("/applications/%s/flows/%s", appID, flowID)
	app.mustDo(200, "GET", flowPath, nil, nil)
	app.mustDo(403, "PATCH", flowPath, map[string]any{"name": "x"}, nil)

	if err := run(context.Background(), []string{"token", "create", "--data", dir, "--application", "nope"}, io.Discard, io.Discard); err == nil {
		t.Error("token create with a bad application id succeeded")
	}
}

func TestDebugStreamShowsRuns(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID

	req, _ := http.NewRequestWithContext(t.Context(), "GET", c.base+flowPath+"/debug?access_token="+c.token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 77}}, nil)
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("debug stream ended before the run's message: %v", err)
		}
		if strings.HasPrefix(line, "data: ") {
			if !strings.Contains(line, `"message":"hits 1"`) || !strings.Contains(line, `"value":77`) {
				t.Errorf("debug event %s, want the Debug node's message and payload", line)
			}
			return
		}
	}
}

// TestFlowToFlowAndFlowErrors runs flow A, which presses flow B's button
// with a Workflow Trigger node and then fails; B records the press and, with
// a global Workflow Error trigger, A's error.
func TestFlowToFlowAndFlowErrors(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "flow to flow"}, &app)
	var b struct {
		ID       string
		Triggers []struct{ Key, Type string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "B",
		"triggers": []any{
			map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"got"}}},
			map[string]any{"type": "flowError", "config": map[string]any{"scope": "global"}, "outputIds": []any{[]any{"err"}}},
		},
		"nodes": []any{
			map[string]any{"id": "got", "type": "StoreValueNode", "config": map[string]any{"keyName": "got", "valueType": "path", "value": "data.msg"}},
			map[string]any{"id": "err", "type": "StoreValueNode", "config": map[string]any{"keyName": "lastError", "valueType": "template",
				"value": "{{data.errorInfo.error.name}} at {{data.errorInfo.nodeId}} with {{data.erroredPayload.data.msg}}"}},
		},
	}, &b)
	var a struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name":     "A",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"wt"}}}},
		"nodes": []any{
			map[string]any{"id": "wt", "type": "WorkflowTriggerNode", "config": map[string]any{
				"triggerWorkflowId": b.ID, "triggerVirtualButtonId": b.Triggers[0].Key, "flowVersionTemplate": "default",
				"payloadTemplateType": "json", "payloadTemplate": `{"msg": "{{data.msg}}"}`, "resultPath": "working.started",
			}, "outputIds": []any{[]any{"boom"}}},
			map[string]any{"id": "boom", "type": "ThrowErrorNode", "config": map[string]any{"messageTemplate": "it broke"}},
		},
	}, &a)
	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+a.ID+"/virtualButton",
		map[string]any{"key": a.Triggers[0].Key, "payload": map[string]any{"msg": "hi"}}, nil)

	var storage map[string]any
	waitFor(t, 10*time.Second, "flow B to record the press and A's error", func() bool {
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+b.ID+"/storage", nil, &storage)
		return storage["got"] != nil && storage["lastError"] != nil
	})
	if storage["got"] != "hi" || storage["lastError"] != "ThrowErrorNodeError at boom with hi" {
		t.Errorf("flow B storage %v, want got=hi and lastError=ThrowErrorNodeError at boom with hi", storage)
	}
	var logs []struct{ PathsFailed int }
	c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+a.ID+"/logs", nil, &logs)
	if len(logs) != 1 || logs[0].PathsFailed != 1 {
		t.Errorf("flow A logs %+v, want one failed run", logs)
	}
}

// TestCustomNode runs a flow whose Custom Node node calls a customNode-class
// flow with an input, and continues on the output the custom node's cap
// picks, with its result.
func TestCustomNode(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "custom nodes"}, &app)
	var custom struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "Is it big?", "flowClass": "customNode",
		"customNodeConfig": map[string]any{"outputCount": 2, "resultMode": "optional", "fields": []any{
			map[string]any{"id": "n", "label": "N", "type": "numberTemplate"},
			map[string]any{"id": "unit", "label": "Unit", "type": "stringTemplate", "defaultValue": "cm"},
		}},
		"triggers": []any{map[string]any{"type": "customNodeStart", "config": map[string]any{}, "outputIds": []any{[]any{"cond"}}}},
		"nodes": []any{
			map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.n}} > 10"}, "outputIds": []any{[]any{"no"}, []any{"yes"}}},
			map[string]any{"id": "yes", "type": "CustomNodeCapNode", "config": map[string]any{"branchIndexTemplate": 1, "resultSourcePath": "data"}},
			map[string]any{"id": "no", "type": "CustomNodeCapNode", "config": map[string]any{"branchIndexTemplate": 0, "resultSourcePath": "working.nothing"}},
		},
	}, &custom)
	var caller struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name":     "caller",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"call"}}}},
		"nodes": []any{
			map[string]any{"id": "call", "type": "CustomNodeExecuteNode", "config": map[string]any{
				"customNodeId": custom.ID, "customNodeVersion": "default", "resultPath": "working.res",
				"fields": []any{map[string]any{"id": "n", "value": "{{data.value}}"}, map[string]any{"id": "unit", "value": ""}},
			}, "outputIds": []any{[]any{"small"}, []any{"big"}}},
			map[string]any{"id": "small", "type": "StoreValueNode", "config": map[string]any{"keyName": "small", "valueType": "path", "value": "data.value"}},
			map[string]any{"id": "big", "type": "StoreValueNode", "config": map[string]any{"keyName": "big", "valueType": "path", "value": "working.res"}},
		},
	}, &caller)
	press := "/applications/" + app.ID + "/flows/" + caller.ID + "/virtualButton"
	c.mustDo(200, "POST", press, map[string]any{"key": caller.Triggers[0].Key, "payload": map[string]any{"value": 42}}, nil)
	c.mustDo(200, "POST", press, map[string]any{"key": caller.Triggers[0].Key, "payload": map[string]any{"value": 3}}, nil)
	var storage map[string]any
	waitFor(t, 10*time.Second, "both calls", func() bool {
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+caller.ID+"/storage", nil, &storage)
		return storage["big"] != nil && storage["small"] != nil
	})
	big, _ := storage["big"].(map[string]any)
	if big["n"] != 42.0 || big["unit"] != "cm" || storage["small"] != 3.0 {
		t.Errorf("storage %v, want big={n:42, unit:cm} (the custom node's data) and small=3", storage)
	}
}

// TestMQTTNodePublishes runs a flow whose MQTT node publishes to the
// machine's broker (WEIR_TEST_MQTT_URL, else Mosquitto on 127.0.0.1:1883).
func TestMQTTNodePublishes(t *testing.T) {
	broker := testBroker()
	sub := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID("weir-e2e-sub"))
	if tok := sub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect to %s: %v (is the MQTT broker running?)", broker, tok.Error())
	}
	defer sub.Disconnect(100)
	got := make(chan string, 1)
	if tok := sub.Subscribe("weir/e2e/+", 1, func(_ paho.Client, m paho.Message) { got <- m.Topic() + " " + string(m.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}

	cfg := DefaultConfig()
	cfg.MQTTURL = broker
	_, c := openMain(t, cfg)
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "mqtt"}, &app)
	var flow struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name":     "publish",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"pub"}}}},
		"nodes": []any{map[string]any{"id": "pub", "type": "MqttMessageNode",
			"config": map[string]any{"topicTemplate": "weir/e2e/{{data.room}}", "messageTemplate": "{{data.temp}} degrees"}}},
	}, &flow)
	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+flow.ID+"/virtualButton",
		map[string]any{"key": flow.Triggers[0].Key, "payload": map[string]any{"room": "kitchen", "temp": 21}}, nil)
	select {
	case m := <-got:
		if m != "weir/e2e/kitchen 21 degrees" {
			t.Errorf("broker got %q, want topic weir/e2e/kitchen with 21 degrees", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message reached the broker")
	}
}

// TestCloseLeavesNoGoroutines runs presses through a server, closes it and
// checks that the goroutines it started (executor, timers, writer, HTTP) end.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()
	m, out := startMain(t, t.TempDir())
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	for range 20 {
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 60}}, nil)
	}
	var storage map[string]any
	waitFor(t, 10*time.Second, "20 runs", func() bool {
		c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		return storage["hits"] == 20.0
	})
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()
	var now int
	deadline := time.Now().Add(10 * time.Second)
	for now = runtime.NumGoroutine(); now > before && time.Now().Before(deadline); now = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	if now > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", now, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestLogRetention(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.LogKeep = "127.0.0.1:0", t.TempDir(), "warn", 3
	var out bytes.Buffer
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	for range 6 {
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 60}}, nil)
	}
	var logs []map[string]any
	waitFor(t, 10*time.Second, "six log entries", func() bool {
		c.mustDo(200, "GET", flowPath+"/logs?limit=100", nil, &logs)
		return len(logs) == 6
	})
	m.pruner.prune(t.Context()) // the pruner runs every minute; run it now
	c.mustDo(200, "GET", flowPath+"/logs?limit=100", nil, &logs)
	if len(logs) != 3 {
		t.Errorf("%d log entries after pruning with --log-keep 3, want 3", len(logs))
	}
}
