package http_test

import (
	"encoding/json"
	"testing"

	"github.com/weirhq/weir"
)

// TestGatewayTokenReportsForPeripherals: a gateway's device token reports
// state, sets the connection status and takes the commands of its
// peripherals (naming it, or no gateway) and of floating devices; any other
// device, and any other action on a peripheral, is a 403 that changes
// nothing. A standalone device's token reaches no peripheral.
func TestGatewayTokenReportsForPeripherals(t *testing.T) {
	h, ev, app, user := newDeviceHarness(t)
	base := "/applications/" + app
	create := func(body string) string {
		t.Helper()
		return decode(t, h.mustRaw(t, "POST", base+"/devices", user, body, 201, "device"))["id"].(string)
	}
	attrs := `"attributes":[{"name":"temp","dataType":"number"}]`
	gw := create(`{"name":"Gateway","deviceClass":"gateway",` + attrs + `}`)
	otherGW := create(`{"name":"Other gateway","deviceClass":"gateway",` + attrs + `}`)
	standalone := create(`{"name":"Standalone",` + attrs + `}`)
	mine := create(`{"name":"Mine","deviceClass":"peripheral","gatewayId":"` + gw + `",` + attrs + `}`)
	anyGW := create(`{"name":"Any gateway","deviceClass":"peripheral",` + attrs + `}`)
	floating := create(`{"name":"Floating","deviceClass":"floating",` + attrs + `}`)
	theirs := create(`{"name":"Theirs","deviceClass":"peripheral","gatewayId":"` + otherGW + `",` + attrs + `}`)

	key := decode(t, h.mustRaw(t, "POST", base+"/keys", user, `{"description":"all"}`, 201, "applicationKeyPostResponse"))
	token := func(id string) string {
		t.Helper()
		body := `{"deviceId":"` + id + `","key":"` + key["key"].(string) + `","secret":"` + key["secret"].(string) + `"}`
		return decode(t, h.mustRaw(t, "POST", "/auth/device", "", body, 200, "authedDevice"))["token"].(string)
	}
	gwTok, standaloneTok := token(gw), token(standalone)
	states := func(id string) int {
		t.Helper()
		var got []any
		_ = json.Unmarshal(h.mustRaw(t, "GET", base+"/devices/"+id+"/state?limit=10", user, nil, 200, "deviceStates"), &got)
		return len(got)
	}

	for _, id := range []string{gw, mine, anyGW, floating} {
		h.mustRaw(t, "POST", base+"/devices/"+id+"/state", gwTok, `{"data":{"temp":21}}`, 200, "success")
		if n := states(id); n != 1 {
			t.Errorf("device %s has %d reports after the gateway's, want 1", id, n)
		}
	}
	if len(ev.states) != 4 {
		t.Errorf("DeviceEvents heard %d states, want 4 (the gateway's and three peripherals')", len(ev.states))
	}
	h.mustRaw(t, "POST", base+"/devices/"+mine+"/setConnectionStatus", gwTok, `{"status":"connected"}`, 200, "success")
	h.mustRaw(t, "POST", base+"/devices/"+mine+"/command", gwTok, `{"name":"blink"}`, 200, "success")
	var cmds []any
	_ = json.Unmarshal(h.mustRaw(t, "GET", base+"/devices/"+mine+"/command", gwTok, nil, 200, "deviceCommands"), &cmds)
	if len(cmds) != 1 {
		t.Errorf("the gateway reads %d commands of its peripheral, want 1", len(cmds))
	}

	refused := []struct{ name, method, path, token, body string }{
		{"AnotherGatewaysPeripheral", "POST", "/devices/" + theirs + "/state", gwTok, `{"data":{"temp":1}}`},
		{"AnotherGateway", "POST", "/devices/" + otherGW + "/state", gwTok, `{"data":{"temp":1}}`},
		{"StandaloneDevice", "POST", "/devices/" + standalone + "/state", gwTok, `{"data":{"temp":1}}`},
		{"UnknownDevice", "POST", "/devices/5a1b2c3d4e5f60718293a4ff/state", gwTok, `{"data":{"temp":1}}`},
		{"ReadPeripheral", "GET", "/devices/" + mine, gwTok, ""},
		{"ReadPeripheralState", "GET", "/devices/" + mine + "/state", gwTok, ""},
		{"DeletePeripheral", "DELETE", "/devices/" + mine, gwTok, ""},
		{"StandaloneForPeripheral", "POST", "/devices/" + anyGW + "/state", standaloneTok, `{"data":{"temp":1}}`},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			status, b := h.do(c.method, base+c.path, c.token, body)
			wantError(t, status, b, 403, weir.Forbidden, "")
		})
	}
	for _, id := range []string{theirs, otherGW, standalone} {
		if n := states(id); n != 0 {
			t.Errorf("device %s has %d reports after refused ones, want 0", id, n)
		}
	}
	h.mustRaw(t, "GET", base+"/devices/"+mine, user, nil, 200, "device") // not deleted
}
