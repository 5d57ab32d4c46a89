package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/weirhq/weir/flowfile"
)

// TestEventsFromFlows runs events and the Losant API node end to end in one
// process: a virtual button's flow creates an event with Event: Create,
// lists the application's devices, finds the event and acknowledges it
// through the Losant API node (weir's own routes, in process), is refused
// another application's device and a malformed query, inserts a data table
// row, and the acknowledgement fires another flow's Event trigger. A call of an action weir does not serve fails its
// run, naming the action.
func TestEventsFromFlows(t *testing.T) {
	_, c := openMain(t, DefaultConfig())
	testEventsFromFlows(t, c)
}

// TestEventsFromFlowsScaledOut is TestEventsFromFlows on PostgreSQL with
// the NATS JetStream run queue.
func TestEventsFromFlowsScaledOut(t *testing.T) {
	ms, token := startCluster(t, 1, nil)
	testEventsFromFlows(t, &client{t: t, base: "http://" + ms[0].Addr(), token: token})
}

func testEventsFromFlows(t *testing.T, c *client) {
	t.Helper()
	var app, other, dev, otherDev struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "plant"}, &app)
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "elsewhere"}, &other)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/devices", map[string]any{"name": "boiler"}, &dev)
	c.mustDo(201, "POST", "/applications/"+other.ID+"/devices", map[string]any{"name": "secret"}, &otherDev)
	var table struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/data-tables", map[string]any{"name": "alerts",
		"columns": []any{map[string]any{"name": "subject", "dataType": "string", "constraint": "required"}}}, &table)

	node := func(id, typ string, next string, cfg map[string]any) map[string]any {
		n := map[string]any{"id": id, "type": typ, "config": cfg}
		if next != "" {
			n["outputIds"] = []any{[]any{next}}
		}
		return n
	}
	store := func(id, name, tmpl, next string) map[string]any {
		return node(id, "StoreValueNode", next, map[string]any{"keyName": name, "valueType": "template", "value": tmpl})
	}
	api := func(id, next, resource, action, result string, params ...map[string]any) map[string]any {
		return node(id, "LosantApiNode", next, map[string]any{"resource": resource, "action": action, "params": params, "responsePath": result})
	}
	param := func(name, typ, value string) map[string]any {
		return map[string]any{"name": name, "type": typ, "value": value}
	}

	var alerts, onAck, recipes struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "alerts", "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "key": "press", "config": map[string]any{}, "outputIds": []any{[]any{"create"}}}},
		"nodes": []any{
			node("create", "CreateEventNode", "devices", map[string]any{"levelTemplate": "critical", "subjectTemplate": "{{data.what}} too hot",
				"messageTemplate": "at {{data.temp}}", "deviceIdTemplate": "{{data.device}}", "timeSourceType": "now",
				"eventTags": []any{map[string]any{"keyTemplate": "zone", "valueTemplate": "north"}}, "resultPath": "working.created"}),
			api("devices", "find", "devices", "get", "working.devices", param("sortField", "string", "name")),
			api("find", "ack", "events", "get", "working.found", param("query", "json", `{"eventTags": {"zone": "north"}, "level": "critical"}`)),
			api("ack", "other", "event", "patch", "working.acked",
				param("eventId", "string", "{{working.created.id}}"), param("event", "json", `{"state": "acknowledged", "comment": "on it"}`)),
			api("other", "bad", "device", "get", "working.other",
				param("applicationId", "string", other.ID), param("deviceId", "string", otherDev.ID)),
			api("bad", "row", "events", "get", "working.bad", param("query", "json", `{"$and": [{"level": {"$gtx": 1}}]}`)),
			api("row", "summary", "dataTableRows", "post", "working.row",
				param("dataTableId", "string", table.ID), param("dataTableRow", "json", `{"subject": "{{working.created.subject}}"}`)),
			store("summary", "summary", "{{working.created.subject}}|{{working.created.deviceName}}|{{working.created.sourceType}}|"+
				"{{working.devices.result.count}} {{working.devices.result.items.[0].name}}|{{working.found.result.totalCount}}|"+
				"{{working.acked.result.state}} {{working.acked.result.updates.[0].sourceType}}|"+
				"{{working.other.error.statusCode}} {{working.other.error.message}}|{{working.bad.error.statusCode}} {{working.bad.error.message}}|"+
				"{{working.row.result.subject}}", ""),
		},
	}, &alerts)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "on-ack", "enabled": true,
		"triggers": []any{map[string]any{"type": "event", "key": "critical", "config": map[string]any{"subject": "boiler*", "acknowledged": true},
			"outputIds": []any{[]any{"seen"}}}},
		"nodes": []any{store("seen", "seen", "{{triggerId}} {{data.subject}} {{data.state}} {{data.latestUpdate.comment}}", "")},
	}, &onAck)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "recipes", "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "key": "press", "config": map[string]any{}, "outputIds": []any{[]any{"recipes"}}}},
		"nodes":    []any{api("recipes", "", "integrations", "get", "working.integrations")},
	}, &recipes)

	storage := func(flowID string) map[string]any {
		var s map[string]any
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+flowID+"/storage", nil, &s)
		return s
	}
	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+alerts.ID+"/virtualButton",
		map[string]any{"key": "press", "payload": map[string]any{"what": "Boiler", "temp": 97, "device": dev.ID}}, nil)
	want := "Boiler too hot|boiler|flow|1 boiler|1|acknowledged flow|404 Application was not found|400 query.$and[0].level.$gtx is not an operator|Boiler too hot"
	waitFor(t, 20*time.Second, "the alerts flow's summary", func() bool { return storage(alerts.ID)["summary"] != nil })
	if got := storage(alerts.ID)["summary"]; got != want {
		t.Fatalf("summary = %q\nwant      %q", got, want)
	}
	waitFor(t, 20*time.Second, "the Event trigger's run", func() bool {
		return storage(onAck.ID)["seen"] == "critical Boiler too hot acknowledged on it"
	})

	var events struct {
		Count int
		Items []struct{ ID, State, SourceType, SourceID string }
	}
	c.mustDo(200, "GET", "/applications/"+app.ID+"/events", nil, &events)
	if events.Count != 1 || events.Items[0].State != "acknowledged" || events.Items[0].SourceType != "flow" || events.Items[0].SourceID != alerts.ID {
		t.Fatalf("events = %+v, want one acknowledged event of the alerts flow", events)
	}
	var rows struct {
		Count int
		Items []struct{ Subject string }
	}
	c.mustDo(200, "GET", "/applications/"+app.ID+"/data-tables/"+table.ID+"/rows", nil, &rows)
	if rows.Count != 1 || rows.Items[0].Subject != "Boiler too hot" {
		t.Fatalf("rows = %+v, want the row the Losant API node inserted", rows)
	}
	var others struct{ Count int }
	c.mustDo(200, "GET", "/applications/"+other.ID+"/events", nil, &others)
	if others.Count != 0 {
		t.Fatalf("the other application has %d events", others.Count)
	}

	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+recipes.ID+"/virtualButton", map[string]any{"key": "press"}, nil)
	waitFor(t, 20*time.Second, "the recipes run's error", func() bool {
		var raw json.RawMessage
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+recipes.ID+"/logs", nil, &raw)
		return strings.Contains(string(raw), "Losant API action integrations.get is not implemented by weir")
	})
}

// TestImportLatchingAndEvents imports Losant's "Latching and Events"
// template unchanged, runs it (a reading over the threshold latches and
// creates an event with Event: Create; one back under the reset value
// resolves it with Event: Update) and exports it unchanged.
func TestImportLatchingAndEvents(t *testing.T) {
	dir := t.TempDir()
	m, out := startMain(t, dir)
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "latching"}, &app)
	file := templates + "workflows/alerting/latching-and-events/workflows/Latching_and_Events.yaml"
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"flow", "import", file, "--application", app.ID, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("flow import: %v (%s)", err, stderr.String())
	}
	id := strings.Split(strings.TrimSpace(stdout.String()), "\t")[0]
	c.mustDo(200, "PATCH", "/applications/"+app.ID+"/flows/"+id, map[string]any{"enabled": true}, nil)
	press := func(value float64) {
		c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+id+"/virtualButton", map[string]any{"key": id + "-lnZCno0M7hhQ6tf-zM8qq",
			"payload": map[string]any{"value": value, "maxThreshold": 90, "resetThreshold": 80}}, nil)
	}
	type event struct{ ID, State, Subject, Message, SourceType string }
	var events struct{ Items []event }
	list := func() []event {
		c.mustDo(200, "GET", "/applications/"+app.ID+"/events", nil, &events)
		return events.Items
	}
	press(95)
	waitFor(t, 20*time.Second, "the event of the latch", func() bool { return len(list()) == 1 })
	if e := list()[0]; e.State != "new" || e.Subject != "Value Exceeded Threshold" || e.Message != "Recorded value: 95" || e.SourceType != "flow" {
		t.Fatalf("created %+v", e)
	}
	// Runs of a flow may overlap: the reset must find the stored event id.
	waitFor(t, 20*time.Second, "the event id stored", func() bool {
		var st map[string]any
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+id+"/storage", nil, &st)
		return len(st) == 1
	})
	press(70)
	waitFor(t, 20*time.Second, "the event resolved by the reset", func() bool { l := list(); return len(l) == 1 && l[0].State == "resolved" })

	stdout.Reset()
	if err := run(t.Context(), []string{"flow", "export", "--application", app.ID, "--flow", id, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("flow export: %v (%s)", err, stderr.String())
	}
	got, err := flowfile.Parse(stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := flowfile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := want.Remap(app.ID, func() string { return id }); err != nil {
		t.Fatal(err)
	}
	if len(got.Flows) != 1 {
		t.Fatalf("export holds %d flows", len(got.Flows))
	}
	if diff := cmp.Diff(want.Flows[0].Definition, got.Flows[0].Definition, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("exported definition (-want +got):\n%s", diff)
	}
}
