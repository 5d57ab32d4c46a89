package http_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/ratelimit"
	"github.com/weirhq/weir/store/sqlite"
)

// recordedEvents is a DeviceEventHandler and CommandSender that remembers
// what it heard.
type recordedEvents struct {
	mu          sync.Mutex
	states      []weir.DeviceState
	connections []bool
	commands    []string
	created     []string
	heard       []string // commands handed to the device command triggers
}

func (r *recordedEvents) DeviceStates(_ context.Context, _ *weir.Device, states []weir.DeviceState) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, states...)
	return nil
}

func (r *recordedEvents) DeviceConnection(_ context.Context, _ *weir.Device, connected bool, _ map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.connections = append(r.connections, connected)
	return nil
}

func (r *recordedEvents) SendCommand(_ context.Context, _, deviceID string, c *weir.DeviceCommand) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commands = append(r.commands, deviceID+":"+c.Name)
	return nil
}

// newDeviceHarness serves the API over a real SQLite store and returns the
// harness, an application and a user token for it.
func newDeviceHarness(t *testing.T, configure ...func(*weirhttp.Server)) (*harness, *recordedEvents, string, string) {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer := &auth.Signer{Key: []byte("device test key device test key!")}
	ev := &recordedEvents{}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens, s.Storage, s.Logs, s.Runs = db, db, db, db, db, db
	s.Devices, s.States, s.Commands, s.Keys = db, db, db, db
	s.DeviceLogs, s.Recipes = db, db
	s.DeviceEvents, s.CommandSender = ev, ev
	s.Signer = signer
	for _, f := range configure {
		f(s)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv, signer: signer, userID: weir.NewID(), store: nil}
	rec := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerUser, OwnerID: h.userID, Scope: []string{"all.User"}, Status: weir.TokenActive, Name: "u"}
	if err := db.CreateToken(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	user, err := signer.Sign(rec)
	if err != nil {
		t.Fatal(err)
	}
	status, b := h.do("POST", "/applications", user, `{"name":"Plant"}`)
	if status != 201 {
		t.Fatalf("create application = %d %s", status, b)
	}
	return h, ev, decode(t, b)["id"].(string), user
}

func TestDeviceJourneyOverSQLite(t *testing.T) {
	h, ev, app, user := newDeviceHarness(t)
	must := func(method, path, token string, body any, want int, schema string) []byte {
		t.Helper()
		return h.mustRaw(t, method, path, token, body, want, schema)
	}
	base := "/applications/" + app
	dev := decode(t, must("POST", base+"/devices", user, `{"name":"Boiler","tags":[{"key":"floor","value":"8"}],
		"attributes":[{"name":"temp","dataType":"number","attributeTags":{}},{"name":"on","dataType":"boolean"},{"name":"pos","dataType":"gps"}]}`, 201, "device"))
	// Empty attribute tags, as Losant's exports write them, carry nothing;
	// tags with content are refused, weir does not keep them yet.
	must("POST", base+"/devices", user, `{"name":"Tagged","attributes":[{"name":"t","dataType":"number","attributeTags":{"unit":"C"}}]}`, 400, "error")
	devID := dev["id"].(string)
	if dev["deviceClass"] != "standalone" || dev["deviceId"] != devID {
		t.Errorf("new device = %v, want standalone with deviceId", dev)
	}
	other := decode(t, must("POST", base+"/devices", user, `{"name":"Pump","tags":[{"key":"floor","value":"9"}]}`, 201, "device"))["id"].(string)
	dp := base + "/devices/" + devID
	if len(ev.created) != 2 || ev.created[0] != devID || ev.created[1] != other {
		t.Errorf("DeviceEvents heard creations %v, want the two devices", ev.created)
	}

	t.Run("ListByTag", func(t *testing.T) {
		got := decode(t, must("GET", base+"/devices?tagFilter[0][key]=floor&tagFilter[0][value]=8&tagsAsObject=true", user, nil, 200, "")) // devices.json knows only the array form
		items := got["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != devID {
			t.Fatalf("tagFilter floor=8 = %v, want only the boiler", items)
		}
		if tags := items[0].(map[string]any)["tags"].(map[string]any); tags["floor"].([]any)[0] != "8" {
			t.Errorf("tagsAsObject tags = %v", tags)
		}
	})

	key := decode(t, must("POST", base+"/keys", user, `{"description":"boiler only","deviceIds":["`+devID+`"]}`, 201, "applicationKeyPostResponse"))
	accessKey, secret := key["key"].(string), key["secret"].(string)
	if len(secret) < 32 {
		t.Fatalf("secret %q is too short", secret)
	}
	if b := must("GET", base+"/keys/"+key["id"].(string), user, nil, 200, "applicationKey"); strings.Contains(string(b), secret) {
		t.Fatalf("GET key shows the secret: %s", b)
	}

	t.Run("AuthDeviceErrors", func(t *testing.T) {
		for name, body := range map[string]string{
			"WrongSecret":   `{"deviceId":"` + devID + `","key":"` + accessKey + `","secret":"nope"}`,
			"OtherDevice":   `{"deviceId":"` + other + `","key":"` + accessKey + `","secret":"` + secret + `"}`,
			"UnknownKey":    `{"deviceId":"` + devID + `","key":"nokey","secret":"` + secret + `"}`,
			"UnknownDevice": `{"deviceId":"5a1b2c3d4e5f60718293a4b5","key":"` + accessKey + `","secret":"` + secret + `"}`,
		} {
			t.Run(name, func(t *testing.T) {
				status, b := h.do("POST", "/auth/device", "", body)
				wantError(t, status, b, 401, weir.Unauthorized, "Invalid device credentials")
			})
		}
		status, b := h.do("POST", "/auth/device", "", `{"key":"k"}`)
		wantError(t, status, b, 400, weir.Validation, "")
	})

	authed := decode(t, must("POST", "/auth/device", "", `{"deviceId":"`+devID+`","key":"`+accessKey+`","secret":"`+secret+`"}`, 200, "authedDevice"))
	devTok := authed["token"].(string)

	t.Run("DeviceTokenReachesOnlyItsDevice", func(t *testing.T) {
		must("GET", dp, devTok, nil, 200, "device")
		status, b := h.do("GET", base+"/devices/"+other, devTok, nil)
		wantError(t, status, b, 403, weir.Forbidden, "")
		status, b = h.do("GET", base+"/flows", devTok, nil)
		wantError(t, status, b, 403, weir.Forbidden, "")
		status, b = h.do("DELETE", dp, devTok, nil)
		wantError(t, status, b, 403, weir.Forbidden, "")
		list := decode(t, must("GET", base+"/devices", devTok, nil, 200, "devices"))
		if list["totalCount"] != 1.0 {
			t.Errorf("device token lists %v devices, want 1 (itself)", list["totalCount"])
		}
	})

	t.Run("State", func(t *testing.T) {
		must("POST", dp+"/state", devTok, `{"data":{"temp":"21.5","on":true,"junk":1},"time":1700000000000}`, 200, "success")
		must("POST", dp+"/state", devTok, `[{"data":{"temp":22}},{"data":{"pos":"39.1,-84.5"}}]`, 200, "success")
		states := must("GET", dp+"/state?limit=10", devTok, nil, 200, "deviceStates")
		var got []map[string]any
		if err := json.Unmarshal(states, &got); err != nil {
			t.Fatal(err)
		}
		// The report dated 2023 is out of the 30-day window: dropped. The
		// array's two reports share the server's time, so they merge into
		// one stored report, as on Losant.
		if len(got) != 1 || got[0]["data"].(map[string]any)["temp"] != 22.0 || got[0]["data"].(map[string]any)["pos"] != "39.1,-84.5" {
			t.Fatalf("states = %s, want one merged report", states)
		}
		comp := decode(t, must("GET", dp+"/compositeState", devTok, nil, 200, "compositeDeviceState"))
		if comp["temp"].(map[string]any)["value"] != 22.0 || comp["pos"].(map[string]any)["value"] != "39.1,-84.5" {
			t.Errorf("composite = %v", comp)
		}
		if _, ok := comp["junk"]; ok {
			t.Errorf("composite kept an undeclared attribute: %v", comp)
		}
		if len(ev.states) != 2 {
			t.Errorf("DeviceEvents heard %d states, want 2", len(ev.states))
		}
	})

	t.Run("StateErrors", func(t *testing.T) {
		for name, body := range map[string]string{
			"NotJSON":    `{"data":`,
			"NoData":     `{"time":1}`,
			"NestedData": `{"data":{"temp":{"x":1}}}`,
			"BadName":    `{"data":{"te mp":1}}`,
			"Extra":      `{"data":{},"foo":1}`,
		} {
			t.Run(name, func(t *testing.T) {
				status, b := h.do("POST", dp+"/state", devTok, body)
				wantError(t, status, b, 400, weir.Validation, "")
			})
		}
		got := must("GET", dp+"/state?limit=10", user, nil, 200, "deviceStates")
		var states []any
		_ = json.Unmarshal(got, &states)
		if len(states) != 1 {
			t.Errorf("after bad reports, %d states, want 1 (nothing changed)", len(states))
		}
	})

	t.Run("Commands", func(t *testing.T) {
		must("POST", dp+"/command", user, `{"name":"reboot","payload":{"delay":5}}`, 200, "success")
		got := must("GET", dp+"/command", devTok, nil, 200, "deviceCommands")
		var cs []map[string]any
		_ = json.Unmarshal(got, &cs)
		if len(cs) != 1 || cs[0]["name"] != "reboot" || cs[0]["payload"].(map[string]any)["delay"] != 5.0 {
			t.Errorf("commands = %s", got)
		}
		if len(ev.commands) != 1 || ev.commands[0] != devID+":reboot" {
			t.Errorf("CommandSender heard %v", ev.commands)
		}
		if len(ev.heard) != 1 || ev.heard[0] != devID+":reboot" {
			t.Errorf("DeviceEvents heard commands %v, want the reboot", ev.heard)
		}
	})

	t.Run("ConnectionStatus", func(t *testing.T) {
		must("POST", dp+"/setConnectionStatus", devTok, `{"status":"connected"}`, 200, "success")
		d := decode(t, must("GET", dp, user, nil, 200, "device"))
		if ci := d["connectionInfo"].(map[string]any); ci["connected"] != 1.0 {
			t.Errorf("connectionInfo = %v, want connected 1", ci)
		}
		if len(ev.connections) != 1 || !ev.connections[0] {
			t.Errorf("DeviceEvents heard connections %v", ev.connections)
		}
	})

	t.Run("InactiveKeyStopsToken", func(t *testing.T) {
		must("PATCH", base+"/keys/"+key["id"].(string), user, `{"status":"inactive"}`, 200, "applicationKey")
		status, b := h.do("GET", dp, devTok, nil)
		wantError(t, status, b, 401, weir.Unauthorized, "")
		status, b = h.do("POST", "/auth/device", "", `{"deviceId":"`+devID+`","key":"`+accessKey+`","secret":"`+secret+`"}`)
		wantError(t, status, b, 401, weir.Unauthorized, "")
	})

	t.Run("PatchAndDelete", func(t *testing.T) {
		d := decode(t, must("PATCH", dp, user, `{"name":"Boiler 2","attributes":[{"name":"temp","dataType":"string"}]}`, 200, "device"))
		if d["name"] != "Boiler 2" {
			t.Errorf("patched name = %v", d["name"])
		}
		status, b := h.do("PATCH", dp, user, `{"deviceClass":"toaster"}`)
		wantError(t, status, b, 400, weir.Validation, "")
		must("DELETE", base+"/devices/"+other, user, nil, 200, "success")
		status, b = h.do("GET", base+"/devices/"+other, user, nil)
		wantError(t, status, b, 404, weir.NotFound, "Device was not found")
	})
}

func TestDeviceStateOverLimit(t *testing.T) {
	h, _, app, user := newDeviceHarness(t, func(s *weirhttp.Server) { s.DeviceLimiter = ratelimit.New(1, time.Minute) })
	status, b := h.do("POST", "/applications/"+app+"/devices", user, `{"name":"d","attributes":[{"name":"t","dataType":"number"}]}`)
	if status != 201 {
		t.Fatalf("create device = %d %s", status, b)
	}
	dp := "/applications/" + app + "/devices/" + decode(t, b)["id"].(string)
	if status, b := h.do("POST", dp+"/state", user, `{"data":{"t":1}}`); status != 200 {
		t.Fatalf("first state = %d %s", status, b)
	}
	resp := h.send("POST", dp+"/state", user, `{"data":{"t":2}}`, nil)
	body := mustRead(t, resp)
	resp.Body.Close()
	wantError(t, resp.StatusCode, body, 429, weir.TooManyRequests, "")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	status, b = h.do("GET", dp+"/compositeState", user, nil)
	if status != 200 || decode(t, b)["t"].(map[string]any)["value"] != 1.0 {
		t.Errorf("composite after the refused state = %s, want t 1", b)
	}
}

func (r *recordedEvents) DeviceCommand(_ context.Context, d *weir.Device, c *weir.DeviceCommand) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heard = append(r.heard, d.ID+":"+c.Name)
	return nil
}

func (r *recordedEvents) DeviceCreated(_ context.Context, d *weir.Device) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.created = append(r.created, d.ID)
	return nil
}
