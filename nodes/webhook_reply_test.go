package nodes_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// runReplyFlow runs a flow whose button feeds one WebhookReplyNode with
// config, on data, with env.Reply set to reply. It returns the run result.
func runReplyFlow(t *testing.T, config string, data any, reply func(string, engine.Reply) error) *engine.Result {
	t.Helper()
	def := weir.Definition{
		Triggers: []weir.Trigger{{Key: "button", Type: "virtualButton", OutputIDs: [][]string{{"r"}}}},
		Nodes:    []weir.Node{{ID: "r", Type: "WebhookReplyNode", Config: json.RawMessage(config)}},
	}
	g, err := engine.Compile(&def)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	b, _ := json.Marshal(data)
	decoded, _ := engine.DecodeValue(b)
	env := &engine.Env{RunID: "run", FlowID: "flow", FlowVersion: "develop", Reply: reply}
	res, err := g.Run(context.Background(), env, "button", engine.Payload{"data": decoded, "flowName": "f"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// forced are the headers every reply carries.
var forced = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"Content-Security-Policy": "default-src 'none'",
	"X-Xss-Protection":        "1; mode=block",
}

func withForced(h map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range forced {
		out[k] = v
	}
	for k, v := range h {
		out[k] = v
	}
	return out
}

func TestWebhookReply_Delivers(t *testing.T) {
	data := map[string]any{"replyId": "hook.1", "name": "Ann", "code": "201", "obj": map[string]any{"a": 1}, "alt": "hook.2"}
	tests := []struct {
		name   string
		config string
		wantID string
		want   engine.Reply
	}{
		{"StringBodyHeadersCode", `{"responseCodeTemplate":"{{data.code}}","bodyTemplate":"hi {{data.name}}",
			"headerInfo":[{"keyTemplate":"content-type","valueTemplate":"text/plain; charset=utf-8"},{"keyTemplate":"X-Name","valueTemplate":"{{data.name}}"},{"keyTemplate":"","valueTemplate":"skipped"}]}`,
			"hook.1", engine.Reply{StatusCode: 201, Body: []byte("hi Ann"),
				Headers: withForced(map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Name": "Ann"})}},
		{"DefaultsToJSONAnd200", `{"bodyTemplate":"{}","responseCodeTemplate":"nope"}`,
			"hook.1", engine.Reply{StatusCode: 200, Body: []byte("{}"), Headers: withForced(map[string]string{"Content-Type": "application/json"})}},
		{"ContentTypeForced", `{"responseCodeTemplate":"700","headerInfo":[{"keyTemplate":"Content-Type","valueTemplate":"text/html"},{"keyTemplate":"X-Content-Type-Options","valueTemplate":"off"}]}`,
			"hook.1", engine.Reply{StatusCode: 200, Body: []byte(""), Headers: withForced(map[string]string{"Content-Type": "application/json"})}},
		{"PathObject", `{"bodyTemplateType":"path","bodyTemplate":"data.obj","responseCodeTemplate":"404"}`,
			"hook.1", engine.Reply{StatusCode: 404, Body: []byte(`{"a":1}`), Headers: withForced(map[string]string{"Content-Type": "application/json"})}},
		{"PathString", `{"bodyTemplateType":"path","bodyTemplate":"data.name"}`,
			"hook.1", engine.Reply{StatusCode: 200, Body: []byte(`Ann`), Headers: withForced(map[string]string{"Content-Type": "application/json"})}},
		{"OtherReplyIDPath", `{"replyIdPath":"data.alt","bodyTemplateType":"json","bodyTemplate":"{\"n\":{{jsonEncode data.name}}}"}`,
			"hook.2", engine.Reply{StatusCode: 200, Body: []byte(`{"n":"Ann"}`), Headers: withForced(map[string]string{"Content-Type": "application/json"})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			var got engine.Reply
			res := runReplyFlow(t, tc.config, data, func(id string, r engine.Reply) error {
				calls, got = append(calls, id), r
				return nil
			})
			if res.PathsCompleted != 1 || len(calls) != 1 || calls[0] != tc.wantID {
				t.Fatalf("completed %d paths, replies to %v; want 1 path and one reply to %s", res.PathsCompleted, calls, tc.wantID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reply mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebhookReply_Ignored(t *testing.T) {
	tests := []struct {
		name   string
		config string
		data   any
		err    error // what Reply returns
		calls  int
	}{
		{"NoReplyID", `{"bodyTemplate":"x"}`, map[string]any{"name": "Ann"}, nil, 0},
		{"ReplyIDNotString", `{"bodyTemplate":"x"}`, map[string]any{"replyId": 5}, nil, 0},
		{"Websocket", `{"isWebsocketMessage":true,"bodyTemplate":"data","bodyTemplateType":"path"}`, map[string]any{"replyId": "c"}, nil, 0},
		{"NobodyWaits", `{"bodyTemplate":"x"}`, map[string]any{"replyId": "late"}, weir.Errorf(weir.NotFound, "gone"), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			res := runReplyFlow(t, tc.config, tc.data, func(string, engine.Reply) error { calls++; return tc.err })
			if res.PathsCompleted != 1 || res.PathsFailed != 0 || calls != tc.calls {
				t.Fatalf("completed %d, failed %d, %d replies; want 1, 0, %d", res.PathsCompleted, res.PathsFailed, calls, tc.calls)
			}
		})
	}
	t.Run("NoReplyHook", func(t *testing.T) {
		if res := runReplyFlow(t, `{"bodyTemplate":"x"}`, map[string]any{"replyId": "r"}, nil); res.PathsCompleted != 1 {
			t.Fatalf("completed %d paths without Env.Reply, want 1", res.PathsCompleted)
		}
	})
}

func TestWebhookReply_Fails(t *testing.T) {
	ok := func(string, engine.Reply) error { return nil }
	tests := []struct {
		name, config string
		reply        func(string, engine.Reply) error
	}{
		{"ErrBodyTooLarge", `{"bodyTemplateType":"path","bodyTemplate":"data.big"}`, ok},
		{"ErrBadHeaderName", `{"headerInfo":[{"keyTemplate":"a b","valueTemplate":"x"}]}`, ok},
		{"ErrReplyFails", `{}`, func(string, engine.Reply) error { return weir.Errorf(weir.Internal, "boom") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := map[string]any{"replyId": "r", "big": strings.Repeat("x", 256<<10+1)}
			if res := runReplyFlow(t, tc.config, data, tc.reply); res.PathsFailed != 1 {
				t.Fatalf("failed %d paths, want 1", res.PathsFailed)
			}
		})
	}
}

func TestWebhookReply_BuildErrors(t *testing.T) {
	for _, config := range []string{
		`{"bodyTemplateType":"page"}`,
		`{"bodyTemplateType":"path","bodyTemplate":""}`,
		`{"responseCodeTemplate":"{{#if}}"}`,
	} {
		_, build, _ := engine.Lookup("WebhookReplyNode")
		if _, err := build(&engine.NodeConfig{ID: "r", Type: "WebhookReplyNode", Config: json.RawMessage(config)}); err == nil {
			t.Errorf("build(%s) = nil error, want one", config)
		}
	}
}
