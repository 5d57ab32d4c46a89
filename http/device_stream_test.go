package http_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

func TestDeviceStreamsOverSQLite(t *testing.T) {
	var hub *engine.DeviceStreams
	h, ev, app, user := newDeviceHarness(t, func(s *weirhttp.Server) {
		hub = &engine.DeviceStreams{Next: s.DeviceEvents}
		s.DeviceEvents, s.DeviceStreams = hub, hub
	})
	base := "/applications/" + app + "/devices/"
	must := h.mustAs(t, user)
	id := must("POST", "/applications/"+app+"/devices", `{"name":"d","attributes":[{"name":"temp","dataType":"number"}]}`, 201, "device")["id"].(string)
	other := must("POST", "/applications/"+app+"/devices", `{"name":"e","attributes":[{"name":"temp","dataType":"number"}]}`, 201, "device")["id"].(string)
	open := func(path string) *bufio.Reader {
		t.Helper()
		resp := h.send("GET", base+id+path, user, nil, nil)
		// A stream that brings nothing within 20 s fails the test rather than hanging it.
		stop := time.AfterFunc(20*time.Second, func() { resp.Body.Close() })
		t.Cleanup(func() { stop.Stop(); resp.Body.Close() })
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("GET %s = %d %s, want a 200 event stream", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return bufio.NewReader(resp.Body)
	}
	states, commands := open("/stateStream?keepAliveInterval=1"), open("/commandStream")
	must("POST", base+other+"/state", `{"data":{"temp":99}}`, 200, "")
	must("POST", base+other+"/command", `{"name":"not-mine"}`, 200, "")
	must("POST", base+id+"/state", `{"data":{"temp":21.5}}`, 200, "")
	must("POST", base+id+"/command", `{"name":"reboot","payload":{"in":5}}`, 200, "")

	typ, data := readTyped(t, states)
	mustConform(t, "deviceState", []byte(data))
	var st struct {
		Time string         `json:"time"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(data), &st); err != nil || typ != "deviceState" || st.Data["temp"] != 21.5 ||
		st.Time == "" {
		t.Errorf("state stream event %s %s, want deviceState of this device's temp 21.5", typ, data)
	}
	typ, data = readTyped(t, commands)
	var c map[string]any
	if err := json.Unmarshal([]byte(data), &c); err != nil || typ != "deviceCommand" || c["name"] != "reboot" ||
		c["payload"].(map[string]any)["in"] != 5.0 {
		t.Errorf("command stream event %s %s, want deviceCommand reboot", typ, data)
	}
	if len(ev.heard) != 2 {
		t.Errorf("the triggers heard %v, want both commands passed on", ev.heard)
	}
	// Bad input is refused before any stream opens.
	for _, path := range []string{base + id + "/stateStream?keepAliveInterval=0", base + id + "/commandStream?keepAliveInterval=x"} {
		must("GET", path, nil, 400, "error")
	}
	must("GET", base+"0123456789abcdef01234567/stateStream", nil, 404, "error")
}
