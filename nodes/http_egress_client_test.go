package nodes_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nodes"
)

// TestNewEgressClient checks that the client of export callbacks obeys the
// egress policy: public refuses loopback, lan reaches it, and a link-local
// (metadata service) address is refused before any connection.
func TestNewEgressClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	resp, err := nodes.NewEgressClient(engine.EgressLAN, nil, 5*time.Second).Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatalf("lan to loopback: %v", err)
	}
	resp.Body.Close()
	if _, err := nodes.NewEgressClient(engine.EgressPublic, nil, 5*time.Second).Post(srv.URL, "application/json", nil); err == nil {
		t.Error("public to loopback: allowed")
	}
	if _, err := nodes.NewEgressClient(engine.EgressLAN, nil, 5*time.Second).Post("http://169.254.169.254/latest", "application/json", nil); err == nil || errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("lan to link-local: %v, want refused by policy", err)
	}
	own := &engine.OwnListeners{}
	own.Add(srv.Listener.Addr())
	if _, err := nodes.NewEgressClient(engine.EgressAll, own, 5*time.Second).Post(srv.URL, "application/json", nil); err == nil {
		t.Error("to weir's own listener: allowed")
	}
}
