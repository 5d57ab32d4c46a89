package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// aggregateJS is the S4 compute, shared verbatim by both systems: parse a
// JSON array of 100 readings and aggregate them per group.
const aggregateJS = `var items = JSON.parse(text);
var groups = {};
for (var i = 0; i < items.length; i++) {
  var it = items[i];
  var g = groups[it.group] || (groups[it.group] = {n: 0, sum: 0, min: Infinity, max: -Infinity});
  g.n++; g.sum += it.value;
  if (it.value < g.min) g.min = it.value;
  if (it.value > g.max) g.max = it.value;
}
var out = {};
Object.keys(groups).sort().forEach(function (k) {
  var g = groups[k];
  out[k] = {n: g.n, mean: g.sum / g.n, min: g.min, max: g.max};
});
`

// s4Body is the S4 request body: {"items": "<JSON text of 100 readings>"}.
func s4Body() []byte {
	items := make([]map[string]any, 100)
	for i := range items {
		items[i] = map[string]any{"id": i, "group": fmt.Sprintf("g%d", i%5), "value": float64(i*37%101) / 3, "ts": 1700000000000 + i}
	}
	text, _ := json.Marshal(items)
	b, _ := json.Marshal(map[string]string{"items": string(text)})
	return b
}

// s1Body is the S1 request body; value > 50 takes the counting branch.
var s1Body = []byte(`{"value":75}`)

// weirNode is a node document of a weir flow.
type weirNode struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Config    any        `json:"config"`
	OutputIDs [][]string `json:"outputIds,omitempty"`
}

// weirTrigger is a trigger document of a weir flow.
type weirTrigger struct {
	Type      string     `json:"type"`
	Key       string     `json:"key,omitempty"`
	Config    any        `json:"config"`
	OutputIDs [][]string `json:"outputIds"`
}

// weirFlow is the body of POST /applications/{id}/flows.
type weirFlow struct {
	Name     string        `json:"name"`
	Triggers []weirTrigger `json:"triggers"`
	Nodes    []weirNode    `json:"nodes"`
}

func reply(id, body string) weirNode {
	return weirNode{ID: id, Type: "WebhookReplyNode", Config: map[string]any{
		"responseCodeTemplate": "200", "bodyTemplateType": "json", "bodyTemplate": body}}
}

// weirS1 is S1: webhook → Conditional → Store Value incr → Webhook Reply,
// with a trigger for each webhook id, or a virtual button without any (the
// S5 filler flows).
func weirS1(name string, webhookIDs ...string) weirFlow {
	return weirFlow{Name: name, Triggers: triggers(webhookIDs, "cond"), Nodes: []weirNode{
		{ID: "cond", Type: "ConditionalNode", Config: map[string]any{"expression": "{{data.body.value}} > 50"},
			OutputIDs: [][]string{{"low"}, {"incr"}}},
		{ID: "incr", Type: "StoreValueNode", Config: map[string]any{
			"keyName": "count", "valueType": "incr", "value": "1", "resultPath": "data.count"},
			OutputIDs: [][]string{{"high"}}},
		reply("high", `{"count":{{data.count}}}`),
		reply("low", `{"count":null}`),
	}}
}

// weirS3 is S3: virtual button → Store Value incr.
func weirS3(name string) weirFlow {
	return weirFlow{Name: name,
		Triggers: []weirTrigger{{Type: "virtualButton", Config: map[string]any{}, OutputIDs: [][]string{{"incr"}}}},
		Nodes: []weirNode{{ID: "incr", Type: "StoreValueNode", Config: map[string]any{
			"keyName": "count", "valueType": "incr", "value": "1"}}},
	}
}

// weirS4 is S4: webhook → Function (aggregateJS) → Webhook Reply.
func weirS4(name string, webhookIDs ...string) weirFlow {
	script := "var text = payload.data.body.items;\n" + aggregateJS + "payload.data.result = out;\n"
	return weirFlow{Name: name,
		Triggers: triggers(webhookIDs, "fn"),
		Nodes: []weirNode{
			{ID: "fn", Type: "RawFunctionNode", Config: map[string]any{"script": script}, OutputIDs: [][]string{{"reply"}}},
			{ID: "reply", Type: "WebhookReplyNode", Config: map[string]any{
				"responseCodeTemplate": "200", "bodyTemplateType": "path", "bodyTemplate": "data.result"}},
		},
	}
}

// triggers returns a webhook trigger per id, or a virtual button trigger
// when there are none, each wired to first.
func triggers(webhookIDs []string, first string) []weirTrigger {
	out := [][]string{{first}}
	if len(webhookIDs) == 0 {
		return []weirTrigger{{Type: "virtualButton", Config: map[string]any{}, OutputIDs: out}}
	}
	var ts []weirTrigger
	for _, id := range webhookIDs {
		ts = append(ts, weirTrigger{Type: "webhook", Key: id, Config: map[string]any{}, OutputIDs: out})
	}
	return ts
}

// noderedFlows returns flows.json for Node-RED: the peers of S1, S3 and S4
// on POST /s1, /s3 and /s4, and GET /health.
func noderedFlows() []byte {
	incr := `var c = (flow.get("count") || 0) + 1;
flow.set("count", c);
msg.payload = {count: c};
return msg;`
	s4 := "var text = msg.payload.items;\n" + aggregateJS + "msg.payload = out;\nreturn msg;"
	fn := func(id, code, next string) map[string]any {
		return map[string]any{"id": id, "type": "function", "z": "tab", "name": id, "func": code, "outputs": 1,
			"timeout": 0, "noerr": 0, "initialize": "", "finalize": "", "libs": []any{}, "wires": [][]string{{next}}}
	}
	in := func(id, method, url, next string) map[string]any {
		return map[string]any{"id": id, "type": "http in", "z": "tab", "name": id, "url": url, "method": method,
			"upload": false, "swaggerDoc": "", "wires": [][]string{{next}}}
	}
	out := func(id string) map[string]any {
		return map[string]any{"id": id, "type": "http response", "z": "tab", "name": id, "statusCode": "", "headers": map[string]any{}, "wires": []any{}}
	}
	lowFn := `msg.payload = {count: null};
return msg;`
	nodes := []map[string]any{
		{"id": "tab", "type": "tab", "label": "weir bench", "disabled": false, "info": ""},
		in("s1in", "post", "/s1", "s1switch"),
		{"id": "s1switch", "type": "switch", "z": "tab", "name": "value > 50", "property": "payload.value", "propertyType": "msg",
			"rules": []map[string]any{{"t": "gt", "v": "50", "vt": "num"}, {"t": "else"}}, "checkall": "false",
			"repair": false, "outputs": 2, "wires": [][]string{{"s1incr"}, {"s1low"}}},
		fn("s1incr", incr, "s1out"),
		fn("s1low", lowFn, "s1out"),
		out("s1out"),
		in("s3in", "post", "/s3", "s3incr"),
		fn("s3incr", strings.ReplaceAll(incr, `"count"`, `"presses"`), "s3out"),
		out("s3out"),
		in("s4in", "post", "/s4", "s4fn"),
		fn("s4fn", s4, "s4out"),
		out("s4out"),
		in("healthin", "get", "/health", "healthout"),
		out("healthout"),
	}
	for i, n := range nodes {
		if n["type"] != "tab" { // Node-RED treats nodes without x and y as config nodes
			n["x"], n["y"] = 200, 40*i
		}
	}
	b, _ := json.MarshalIndent(nodes, "", "  ")
	return b
}
