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

// runEndpointReplyFlow runs a flow whose button feeds one EndpointReplyNode
// with config, on data, with env.Reply set to reply.
func runEndpointReplyFlow(t *testing.T, config string, data any, reply func(string, engine.Reply) error) *engine.Result {
	t.Helper()
	g := endpointReplyGraph(t, config)
	b, _ := json.Marshal(data)
	decoded, _ := engine.DecodeValue(b)
	env := &engine.Env{RunID: "run", FlowID: "flow", FlowVersion: "develop", Reply: reply}
	res, err := g.Run(context.Background(), env, "button", engine.Payload{"data": decoded})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// endpointReplyGraph compiles a flow whose button feeds one
// EndpointReplyNode with config.
func endpointReplyGraph(t *testing.T, config string) *engine.Graph {
	t.Helper()
	def := weir.Definition{
		Triggers: []weir.Trigger{{Key: "button", Type: "virtualButton", OutputIDs: [][]string{{"r"}}}},
		Nodes:    []weir.Node{{ID: "r", Type: "EndpointReplyNode", Config: json.RawMessage(config)}},
	}
	g, err := engine.Compile(&def)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return g
}

// endpointHeaders returns h with the headers every endpoint reply gets.
func endpointHeaders(h map[string]string) map[string]string {
	out := map[string]string{
		"Cache-Control":          "no-cache, no-store, must-revalidate",
		"Pragma":                 "no-cache",
		"X-Content-Type-Options": "nosniff",
		"X-Xss-Protection":       "1; mode=block",
	}
	for k, v := range h {
		out[k] = v
	}
	return out
}

func TestEndpointReply_Delivers(t *testing.T) {
	data := map[string]any{"replyId": "ep.1", "name": "Ann", "obj": map[string]any{"a": 1},
		"erroredPayload": map[string]any{"data": map[string]any{"replyId": "ep.2"}}}
	tests := []struct {
		name   string
		config string
		wantID string
		want   engine.Reply
	}{
		{"StringIsTextPlain", `{"replyType":"custom","responseCodeTemplate":"201","bodyTemplateType":"string","bodyTemplate":"hi {{data.name}}",
			"headerInfo":[],"cookieInfo":[],"mqttTopicsTemplate":[],"replyIdPath":"","sameSiteTemplate":""}`,
			"ep.1", engine.Reply{StatusCode: 201, Body: []byte("hi Ann"),
				Headers: endpointHeaders(map[string]string{"Content-Type": "text/plain; charset=utf-8"})}},
		{"JSONTemplate", `{"replyType":"custom","responseCodeTemplate":"nope","bodyTemplateType":"json","bodyTemplate":"{\"hi\": \"{{data.name}}\"}"}`,
			"ep.1", engine.Reply{StatusCode: 200, Body: []byte(`{"hi":"Ann"}`),
				Headers: endpointHeaders(map[string]string{"Content-Type": "application/json"})}},
		{"HeaderWinsAndPathObject", `{"replyType":"custom","bodyTemplateType":"path","bodyTemplate":"data.obj",
			"headerInfo":[{"keyTemplate":"content-type","valueTemplate":"text/html"},{"keyTemplate":"Cache-Control","valueTemplate":"max-age=60"}]}`,
			"ep.1", engine.Reply{StatusCode: 200, Body: []byte(`{"a":1}`),
				Headers: endpointHeaders(map[string]string{"Content-Type": "text/html", "Cache-Control": "max-age=60"})}},
		{"NoneHasNoBody", `{"replyType":"custom","responseCodeTemplate":"404","bodyTemplateType":"none"}`,
			"ep.1", engine.Reply{StatusCode: 404, Body: []byte{}, Headers: endpointHeaders(nil)}},
		{"Redirect", `{"replyType":"redirect","responseCodeTemplate":"200","bodyTemplateType":"string","bodyTemplate":"/users/{{data.name}}"}`,
			"ep.1", engine.Reply{StatusCode: 302, Headers: endpointHeaders(map[string]string{"Location": "/users/Ann"})}},
		{"Redirect301ErrorPath", `{"replyType":"redirect","responseCodeTemplate":"301","bodyTemplate":"/x","replyIdPath":"data.erroredPayload.data.replyId"}`,
			"ep.2", engine.Reply{StatusCode: 301, Headers: endpointHeaders(map[string]string{"Location": "/x"})}},
		{"Cookies", `{"replyType":"custom","bodyTemplateType":"none","sameSiteTemplate":"Lax","cookieInfo":[
			{"nameTemplate":"authorization","valueTemplate":"{{data.name}}","maxAgeTemplate":"3600000","pathTemplate":""},
			{"nameTemplate":"old","pathTemplate":"/app"}]}`,
			"ep.1", engine.Reply{StatusCode: 200, Body: []byte{}, Headers: endpointHeaders(nil), Cookies: []string{
				"authorization=Ann; Path=/; Max-Age=3600; SameSite=Lax", "old=; Path=/app; Max-Age=0; SameSite=Lax"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			var got engine.Reply
			res := runEndpointReplyFlow(t, tc.config, data, func(id string, r engine.Reply) error {
				ids, got = append(ids, id), r
				return nil
			})
			if res.PathsFailed != 0 {
				t.Fatalf("run failed: %+v", res.Errors)
			}
			if diff := cmp.Diff([]string{tc.wantID}, ids); diff != "" {
				t.Fatalf("reply ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEndpointReply_NoWaiterContinues(t *testing.T) {
	res := runEndpointReplyFlow(t, `{"bodyTemplate":"x"}`, map[string]any{"replyId": "gone"}, func(string, engine.Reply) error {
		return weir.Errorf(weir.NotFound, "No request is waiting for reply gone")
	})
	if res.PathsFailed != 0 || res.PathsCompleted != 1 {
		t.Errorf("run = %d completed, %d failed; want 1, 0", res.PathsCompleted, res.PathsFailed)
	}
}

func TestEndpointReply_PageWithoutViewsAnswers501AndFails(t *testing.T) {
	var got engine.Reply
	res := runEndpointReplyFlow(t, `{"replyType":"page","bodyTemplateType":"path","bodyTemplate":"pageData","pageIdTemplate":"p","layoutIdTemplate":""}`,
		map[string]any{"replyId": "ep.1"}, func(_ string, r engine.Reply) error { got = r; return nil })
	if res.PathsFailed != 1 || got.StatusCode != 501 || !strings.Contains(string(got.Body), "page replies are not supported") {
		t.Errorf("page reply: failed %d, reply %d %s; want a failed run and 501", res.PathsFailed, got.StatusCode, got.Body)
	}
}

// TestEndpointReply_BuildErrorsFailTheRun checks that configs the node
// refuses fail the run at the node instead of replying.
func TestEndpointReply_BuildErrorsFailTheRun(t *testing.T) {
	tests := []struct{ name, config string }{
		{"ErrReplyType", `{"replyType":"email"}`},
		{"ErrBodyType", `{"bodyTemplateType":"xml"}`},
		{"ErrInvalidJSONBody", `{"bodyTemplateType":"json","bodyTemplate":"{nope"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			replied := false
			res := runEndpointReplyFlow(t, tc.config, map[string]any{"replyId": "ep.1"}, func(string, engine.Reply) error {
				replied = true
				return nil
			})
			if res.PathsFailed != 1 || replied {
				t.Errorf("config %s: %d failed, replied %v; want 1 failed, no reply", tc.config, res.PathsFailed, replied)
			}
		})
	}
}
