package nodes_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
)

// TestHTTPNode_Egress checks the egress policy at dial time: by address, by
// a host name that resolves to a blocked address, and on a redirect from an
// allowed destination to a blocked one. Blocked requests fail at once with
// RequestError EACCES, without a connection attempt.
func TestHTTPNode_Egress(t *testing.T) {
	srv := echoServer(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer metadata.Close()
	ula := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://[fd00:ec2::254]/latest/meta-data/", http.StatusFound)
	}))
	defer ula.Close()

	srvAddr := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		name     string
		egress   engine.Egress
		url      string
		wantCode string // "" when the request must get through
		wantAddr string // the address the message names, when not ""
	}{
		{"LANReachesLoopback", engine.EgressLAN, srv.URL, "", ""},
		{"LANReachesLoopbackByName", engine.EgressLAN, "http://localhost" + port, "", ""},
		{"LANBlocksMetadata", engine.EgressLAN, "http://169.254.169.254/latest/meta-data/", "EACCES", ""},
		{"LANBlocksRedirectToMetadata", engine.EgressLAN, metadata.URL, "EACCES", "169.254.169.254:80"},
		{"LANBlocksRedirectToAWSv6Metadata", engine.EgressLAN, ula.URL, "EACCES", "[fd00:ec2::254]:80"},
		{"LANBlocksNAT64Metadata", engine.EgressLAN, "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "EACCES", "[64:ff9b::a9fe:a9fe]:80"},
		{"LANBlocksIPv4CompatibleMetadata", engine.EgressLAN, "http://[::a9fe:a9fe]/", "EACCES", ""},
		{"LANBlocks6to4Metadata", engine.EgressLAN, "http://[2002:a9fe:a9fe::1]/", "EACCES", ""},
		{"PublicBlocksLoopback", engine.EgressPublic, srv.URL, "EACCES", srvAddr},
		{"PublicBlocksNameResolvingToLoopback", engine.EgressPublic, "http://localhost" + port, "EACCES", ""},
		{"PublicBlocksPrivate", engine.EgressPublic, "http://10.1.2.3/", "EACCES", ""},
		{"PublicBlocksIPv4MappedLoopback", engine.EgressPublic, "http://[::ffff:127.0.0.1]" + port, "EACCES", ""},
		{"AllReachesLoopback", engine.EgressAll, srv.URL, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			run := runFlowNodeWith(t, t.Context(), "HttpNode", map[string]any{
				"uriTemplate": tc.url, "responsePath": "working.res", "timeoutTemplate": "5",
				"errorBehavior": "payloadPath", "errorPath": "working.err",
			}, nil, func(env *engine.Env) { env.Egress = tc.egress })
			e, _ := run.working["err"].(map[string]any)
			inner, _ := e["error"].(map[string]any)
			if tc.wantCode == "" {
				if res, _ := run.working["res"].(map[string]any); res["statusCode"] != 200.0 {
					t.Fatalf("request under %s = %v (error %v), want a 200 response", tc.egress, run.working["res"], e)
				}
				return
			}
			if inner["name"] != "RequestError" || inner["code"] != tc.wantCode || !strings.Contains(inner["message"].(string), "egress policy") {
				t.Fatalf("error under %s = %v, want RequestError %s naming the egress policy", tc.egress, inner, tc.wantCode)
			}
			if tc.wantAddr != "" && !strings.Contains(inner["message"].(string), "EACCES "+tc.wantAddr+":") {
				t.Errorf("error under %s = %q, want it to name the refused destination %s", tc.egress, inner["message"], tc.wantAddr)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("blocked request took %s; it must fail before connecting", d)
			}
		})
	}
}

// TestHTTPNode_OwnListeners: weir's own listeners are refused whatever the
// policy, all included, with EACCES naming the address; other ports of the
// same host are not.
func TestHTTPNode_OwnListeners(t *testing.T) {
	own := echoServer(t)
	other := echoServer(t)
	var listeners engine.OwnListeners
	addr, err := net.ResolveTCPAddr("tcp", strings.TrimPrefix(own.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	listeners.Add(addr)
	for _, policy := range []engine.Egress{engine.EgressAll, engine.EgressLAN} {
		for url, refused := range map[string]bool{own.URL: true, other.URL: false} {
			run := runFlowNodeWith(t, t.Context(), "HttpNode", map[string]any{
				"uriTemplate": url, "responsePath": "working.res", "timeoutTemplate": "5",
				"errorBehavior": "payloadPath", "errorPath": "working.err",
			}, nil, func(env *engine.Env) { env.Egress, env.Own = policy, &listeners })
			e, _ := run.working["err"].(map[string]any)
			inner, _ := e["error"].(map[string]any)
			if !refused {
				if res, _ := run.working["res"].(map[string]any); res["statusCode"] != 200.0 {
					t.Errorf("%s under %s = %v (error %v), want a 200 response", url, policy, run.working["res"], inner)
				}
				continue
			}
			if inner["code"] != "EACCES" || !strings.Contains(inner["message"].(string), "EACCES "+addr.String()+": the destination is weir's own listener") {
				t.Errorf("%s under %s: error %v, want EACCES naming weir's own listener %s", url, policy, inner, addr)
			}
		}
	}
}
