package nodes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// flowRun is what runFlowNode observed: the run result and the payload's
// working object as the Debug node after the node saw it (nil when the
// path did not reach it).
type flowRun struct {
	res     *engine.Result
	working map[string]any
}

// runFlowNode runs a flow of button → node → Debug(working) on data within
// ctx and returns what happened.
func runFlowNode(t *testing.T, ctx context.Context, typ string, cfg any, data any) flowRun {
	t.Helper()
	return runFlowNodeWith(t, ctx, typ, cfg, data, nil)
}

// runFlowNodeWith is runFlowNode with the run's environment adjusted by
// setEnv (when not nil).
func runFlowNodeWith(t *testing.T, ctx context.Context, typ string, cfg any, data any, setEnv func(*engine.Env)) flowRun {
	t.Helper()
	config, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	def := weir.Definition{
		Triggers: []weir.Trigger{{Key: "button", Type: "virtualButton", OutputIDs: [][]string{{"n"}}}},
		Nodes: []weir.Node{
			{ID: "n", Type: typ, Config: config, OutputIDs: [][]string{{"out"}, {"out"}}},
			{ID: "out", Type: "DebugNode", Config: json.RawMessage(`{"property":"working"}`)},
		},
	}
	g, err := engine.Compile(&def)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got flowRun
	env := &engine.Env{
		RunID: "run", FlowID: "flow",
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Debug: func(m engine.DebugMessage) {
			mu.Lock()
			defer mu.Unlock()
			got.working, _ = m.Payload.(map[string]any)
		},
	}
	if setEnv != nil {
		setEnv(env)
	}
	b, _ := json.Marshal(data)
	decoded, _ := engine.DecodeValue(b)
	p := engine.Payload{"time": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "data": decoded, "working": map[string]any{}}
	res, err := g.Run(ctx, env, "button", p)
	if err != nil {
		t.Fatal(err)
	}
	got.res = res
	return got
}

// runErrors lists the run's errors as "nodeId: Name".
func runErrors(res *engine.Result) []string {
	var out []string
	for _, e := range res.Errors {
		out = append(out, e.NodeID+": "+e.Error.Name)
	}
	return out
}

// echoServer answers with a JSON description of the request it got.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.RequestURI(), "body": string(body),
			"contentType": r.Header.Get("Content-Type"), "custom": r.Header.Get("X-Custom"),
			"user": user, "pass": pass,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPNode(t *testing.T) {
	srv := echoServer(t)
	for _, tc := range []struct {
		name string
		cfg  map[string]any
		data any
		want map[string]any // expected subset of the response body
	}{
		{
			name: "GetJSON",
			cfg:  map[string]any{"method": "GET", "uriTemplate": srv.URL + "/items?id={{data.id}}", "responsePath": "working.res"},
			data: map[string]any{"id": 7},
			want: map[string]any{"method": "GET", "path": "/items?id=7", "body": ""},
		},
		{
			name: "PostJSONTemplate",
			cfg: map[string]any{"method": "POST", "uriTemplate": srv.URL, "bodyType": "jsonTemplate",
				"bodyTemplate": `{ "n": {{data.n}}, "s": {{jsonEncode data.s}} }`, "responsePath": "working.res"},
			data: map[string]any{"n": 5, "s": "a\"b"},
			want: map[string]any{"method": "POST", "body": `{"n":5,"s":"a\"b"}`, "contentType": "application/json"},
		},
		{
			name: "PostStringExportStyle",
			cfg: map[string]any{"method": "POST", "uriTemplate": srv.URL, "bodyTemplate": "{\n  \"Alert\":\"{{data.msg}}\"\n}",
				"headerInfo":    []any{map[string]any{"key": "Content-Type", "valueTemplate": "application/json"}},
				"errorBehavior": "payloadPath", "errorPath": "working.res", "responsePath": "working.res", "timeoutTemplate": "30"},
			data: map[string]any{"msg": "hot"},
			want: map[string]any{"body": "{\n  \"Alert\":\"hot\"\n}", "contentType": "application/json"},
		},
		{
			name: "FormURLEncoded",
			cfg: map[string]any{"method": "PUT", "uriTemplate": srv.URL, "bodyType": "urlencoded", "responsePath": "working.res",
				"bodyFields": []any{
					map[string]any{"keyTemplate": "to", "valueTemplate": "{{data.to}}"},
					map[string]any{"keyTemplate": "code", "valueTemplate": "a&b=c"},
				}},
			data: map[string]any{"to": "+1 555"},
			want: map[string]any{"method": "PUT", "body": "to=%2B1+555&code=a%26b%3Dc", "contentType": "application/x-www-form-urlencoded"},
		},
		{
			name: "HeadersAndBasicAuth",
			cfg: map[string]any{"method": "DELETE", "uriTemplate": srv.URL, "bodyType": "none", "responsePath": "working.res",
				"headerInfo":      []any{map[string]any{"key": "X-Custom", "valueTemplate": "Token {{data.token}}"}},
				"authType":        "basic",
				"authCredentials": map[string]any{"usernameTemplate": "me", "passwordTemplate": "{{data.token}}"}},
			data: map[string]any{"token": "s3cr3t"},
			want: map[string]any{"method": "DELETE", "custom": "Token s3cr3t", "user": "me", "pass": "s3cr3t"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runFlowNode(t, t.Context(), "HttpNode", tc.cfg, tc.data)
			if errs := runErrors(got.res); errs != nil {
				t.Fatalf("run errors: %v", errs)
			}
			res, _ := got.working["res"].(map[string]any)
			if res["statusCode"] != 200.0 {
				t.Fatalf("statusCode = %v, want 200 (result %v)", res["statusCode"], res)
			}
			headers, _ := res["headers"].(map[string]any)
			if headers["x-echo"] != "yes" || !cmp.Equal(headers["set-cookie"], []any{"a=1"}) {
				t.Errorf("headers = %v, want lower-case x-echo and a set-cookie array", headers)
			}
			body, _ := res["body"].(map[string]any)
			for k, want := range tc.want {
				if body[k] != want {
					t.Errorf("server saw %s = %q, want %q", k, body[k], want)
				}
			}
			req, _ := res["request"].(map[string]any)
			if req["method"] != tc.cfg["method"] || req["strictSSL"] != true {
				t.Errorf("request echo = %v", req)
			}
		})
	}
}

func TestHTTPNode_Multipart(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = map[string]string{"a": r.FormValue("a"), "b": r.FormValue("b")}
	}))
	defer srv.Close()
	cfg := map[string]any{"method": "POST", "uriTemplate": srv.URL, "bodyType": "multipart", "responsePath": "working.res",
		"bodyFields": []any{
			map[string]any{"keyTemplate": "a", "valueTemplate": "{{data.a}}"},
			map[string]any{"keyTemplate": "b", "valueTemplate": "two"},
		}}
	run := runFlowNode(t, t.Context(), "HttpNode", cfg, map[string]any{"a": "one"})
	res := run.working["res"].(map[string]any)
	if res["statusCode"] != 200.0 || res["body"] != "" {
		t.Fatalf("result = %v, want 200 and an empty body", res)
	}
	if diff := cmp.Diff(map[string]string{"a": "one", "b": "two"}, got); diff != "" {
		t.Errorf("form mismatch (-want +got):\n%s", diff)
	}
}

func TestHTTPNode_NotOKIsAResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "no such thing")
	}))
	defer srv.Close()
	cfg := map[string]any{"uriTemplate": srv.URL, "responsePath": "working.res", "errorBehavior": "throw"}
	run := runFlowNode(t, t.Context(), "HttpNode", cfg, nil)
	if errs := runErrors(run.res); errs != nil {
		t.Fatalf("run errors: %v", errs)
	}
	res := run.working["res"].(map[string]any)
	if res["statusCode"] != 404.0 || res["body"] != "no such thing" {
		t.Errorf("result = %v, want 404 with the text body", res)
	}
}

func TestHTTPNode_Errors(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 5<<20+10)))
	}))
	defer big.Close()
	ftp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/file", http.StatusFound)
	}))
	defer ftp.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		name     string
		cfg      map[string]any
		wantErr  string // run error name, "" when the run continues
		wantName string // error name written at errorPath
		wantCode string
	}{
		{name: "TimeoutThrows", cfg: map[string]any{"uriTemplate": slow.URL, "timeoutTemplate": "0.05"}, wantErr: "n: TimeoutError"},
		{name: "TimeoutToErrorPath", cfg: map[string]any{"uriTemplate": slow.URL, "timeoutTemplate": "0.05",
			"errorBehavior": "payloadPath", "errorPath": "working.err"}, wantName: "TimeoutError", wantCode: "ETIMEDOUT"},
		{name: "ConnectionRefusedThrows", cfg: map[string]any{"uriTemplate": refused}, wantErr: "n: RequestError"},
		{name: "ConnectionRefusedToErrorPath", cfg: map[string]any{"uriTemplate": refused,
			"errorBehavior": "payloadPath", "errorPath": "working.err"}, wantName: "RequestError", wantCode: "ECONNREFUSED"},
		{name: "OversizeToErrorPath", cfg: map[string]any{"uriTemplate": big.URL,
			"errorBehavior": "payloadPath", "errorPath": "working.err"}, wantName: "PayloadTooLarge", wantCode: "EMSGSIZE"},
		{name: "RedirectToFTPToErrorPath", cfg: map[string]any{"uriTemplate": ftp.URL,
			"errorBehavior": "payloadPath", "errorPath": "working.err"}, wantName: "RequestError"},
		{name: "InvalidURLToErrorPath", cfg: map[string]any{"uriTemplate": "file:///etc/passwd",
			"errorBehavior": "payloadPath", "errorPath": "working.err"}, wantName: "RequestError"},
		{name: "EmptyURLAlwaysThrows", cfg: map[string]any{"uriTemplate": "{{aNonexistentUrl}}",
			"errorBehavior": "payloadPath", "errorPath": "working.err"}, wantErr: "n: Validation"},
		{name: "CredentialThrows", cfg: map[string]any{"uriTemplate": ftp.URL, "authType": "credential",
			"credentialNameTemplate": "My API"}, wantErr: "n: NotFound"},
		{name: "BadJSONBodyThrows", cfg: map[string]any{"method": "POST", "uriTemplate": ftp.URL, "bodyType": "jsonTemplate",
			"bodyTemplate": "{ nope", "errorBehavior": "payloadPath", "errorPath": "working.err"}, wantErr: "n: Validation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg["responsePath"] = "working.res"
			run := runFlowNode(t, t.Context(), "HttpNode", tc.cfg, nil)
			if got := strings.Join(runErrors(run.res), ","); got != tc.wantErr {
				t.Fatalf("run errors = %q, want %q", got, tc.wantErr)
			}
			if tc.wantErr != "" {
				return
			}
			e, _ := run.working["err"].(map[string]any)
			inner, _ := e["error"].(map[string]any)
			if inner["name"] != tc.wantName || (tc.wantCode != "" && inner["code"] != tc.wantCode) {
				t.Errorf("errorPath = %v, want name %s code %s", e, tc.wantName, tc.wantCode)
			}
			if req, _ := e["request"].(map[string]any); req["method"] != "GET" {
				t.Errorf("errorPath request echo = %v", e["request"])
			}
			if _, ok := run.working["res"]; ok {
				t.Errorf("responsePath written on error: %v", run.working["res"])
			}
		})
	}
}

func TestHTTPNode_DisableRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, `{"at":"to"}`)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		disable bool
		want    float64
	}{{false, 200}, {true, 302}} {
		t.Run(fmt.Sprint(tc.disable), func(t *testing.T) {
			cfg := map[string]any{"uriTemplate": srv.URL + "/from", "disableRedirects": tc.disable, "responsePath": "working.res"}
			run := runFlowNode(t, t.Context(), "HttpNode", cfg, nil)
			if got := run.working["res"].(map[string]any)["statusCode"]; got != tc.want {
				t.Errorf("statusCode = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHTTPNode_RunDeadline checks that the run's deadline, when sooner than
// the node's timeout, halts the run with the run's timeout error even when
// errors go to a payload path.
func TestHTTPNode_RunDeadline(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	cfg := map[string]any{"uriTemplate": slow.URL, "errorBehavior": "payloadPath", "errorPath": "working.err"}
	start := time.Now()
	run := runFlowNode(t, ctx, "HttpNode", cfg, nil)
	if got := strings.Join(runErrors(run.res), ","); got != "n: TimeoutError" {
		t.Fatalf("run errors = %q, want the run timeout", got)
	}
	if run.res.Errors[0].Error.Message != "run exceeded its time limit" || time.Since(start) > 5*time.Second {
		t.Errorf("error = %v after %v, want the run's time limit", run.res.Errors[0].Error, time.Since(start))
	}
}

func TestHTTPNode_BuildErrors(t *testing.T) {
	_, build, _ := engine.Lookup("HttpNode")
	for _, tc := range []struct {
		name string
		cfg  string
	}{
		{"ErrURLRequired", `{"method":"GET"}`},
		{"ErrMethod", `{"method":"FETCH","uriTemplate":"http://x"}`},
		{"ErrBodyType", `{"uriTemplate":"http://x","bodyType":"xml"}`},
		{"ErrAuthType", `{"uriTemplate":"http://x","authType":"oauth"}`},
		{"ErrErrorPathRequired", `{"uriTemplate":"http://x","errorBehavior":"payloadPath"}`},
		{"ErrHeaderName", `{"uriTemplate":"http://x","headerInfo":[{"key":"Bad Name","valueTemplate":"v"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(&engine.NodeConfig{ID: "n", Type: "HttpNode", Config: json.RawMessage(tc.cfg)})
			if errorName(err) != "Validation" {
				t.Errorf("build(%s) error = %v, want Validation", tc.cfg, err)
			}
		})
	}
}
