package nodes_test

import (
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

	for _, tc := range []struct {
		name     string
		egress   engine.Egress
		url      string
		wantCode string // "" when the request must get through
	}{
		{"LANReachesLoopback", engine.EgressLAN, srv.URL, ""},
		{"LANReachesLoopbackByName", engine.EgressLAN, "http://localhost" + port, ""},
		{"LANBlocksMetadata", engine.EgressLAN, "http://169.254.169.254/latest/meta-data/", "EACCES"},
		{"LANBlocksRedirectToMetadata", engine.EgressLAN, metadata.URL, "EACCES"},
		{"LANBlocksRedirectToAWSv6Metadata", engine.EgressLAN, ula.URL, "EACCES"},
		{"PublicBlocksLoopback", engine.EgressPublic, srv.URL, "EACCES"},
		{"PublicBlocksNameResolvingToLoopback", engine.EgressPublic, "http://localhost" + port, "EACCES"},
		{"PublicBlocksPrivate", engine.EgressPublic, "http://10.1.2.3/", "EACCES"},
		{"PublicBlocksIPv4MappedLoopback", engine.EgressPublic, "http://[::ffff:127.0.0.1]" + port, "EACCES"},
		{"AllReachesLoopback", engine.EgressAll, srv.URL, ""},
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
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("blocked request took %s; it must fail before connecting", d)
			}
		})
	}
}
