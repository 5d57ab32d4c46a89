package nodes_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir/nodes"
)

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSetHTTPTransport(t *testing.T) {
	var asked []string
	nodes.SetHTTPTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		asked = append(asked, r.Method+" "+r.URL.String())
		return &http.Response{StatusCode: 202, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"local":true}`)), Request: r}, nil
	}))
	t.Cleanup(func() { nodes.SetHTTPTransport(nil) })
	cfg := map[string]any{"method": "POST", "uriTemplate": "https://unreachable.example/x?id={{data.id}}", "responsePath": "working.res"}
	got := runFlowNode(t, t.Context(), "HttpNode", cfg, map[string]any{"id": 7})
	if errs := runErrors(got.res); len(errs) > 0 {
		t.Fatalf("run errors %v", errs)
	}
	res, _ := got.working["res"].(map[string]any)
	body, _ := res["body"].(map[string]any)
	if res["statusCode"] != 202.0 || body["local"] != true {
		t.Errorf("working.res = %v, want the local 202 answer", res)
	}
	if len(asked) != 1 || asked[0] != "POST https://unreachable.example/x?id=7" {
		t.Errorf("transport asked %v, want one POST", asked)
	}

	nodes.SetHTTPTransport(nil)
	cfg["uriTemplate"] = "http://127.0.0.1:1/unused"
	cfg["errorBehavior"], cfg["errorPath"] = "payloadPath", "working.err"
	got = runFlowNode(t, t.Context(), "HttpNode", cfg, map[string]any{"id": 8})
	if len(asked) != 1 || got.working["err"] == nil {
		t.Errorf("after SetHTTPTransport(nil): transport asked %d times, working.err = %v; want the network's refusal", len(asked), got.working["err"])
	}
}
