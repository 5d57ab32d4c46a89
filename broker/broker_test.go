package broker_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/broker"
	"github.com/weirhq/weir/ratelimit"
	"github.com/weirhq/weir/store/sqlite"
)

const wait = 10 * time.Second

// events records what the broker reports.
type events struct {
	mu          sync.Mutex
	states      int
	connections []bool
	secure      []any // each connection's info["secure"]
}

func (e *events) DeviceStates(_ context.Context, _ *weir.Device, s []weir.DeviceState) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.states += len(s)
	return nil
}

func (e *events) DeviceConnection(_ context.Context, _ *weir.Device, connected bool, info map[string]any) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.connections = append(e.connections, connected)
	e.secure = append(e.secure, info["secure"])
	return nil
}

// env is a broker on an ephemeral port over SQLite, with two applications:
// devices d1 and d2 in A, d3 in B, and one access key per application.
type env struct {
	t          testing.TB
	db         *sqlite.DB
	b          *broker.Broker
	ev         *events
	url        string
	d1, d2, d3 *weir.Device
	keyA, keyB string
	secret     string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, func(b *broker.Broker, ln net.Listener) net.Listener { return ln })
}

// newEnvWith is newEnv with setup deciding, before Open, the broker's
// settings and the listener Open gets (ln, or nil for none).
func newEnvWith(t testing.TB, setup func(b *broker.Broker, ln net.Listener) net.Listener) *env {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, ev: &events{}, secret: weir.NewAccessSecret()}
	apps := map[string]string{}
	for _, name := range []string{"A", "B"} {
		a := &weir.Application{Name: name, OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
		if err := db.CreateApplication(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		apps[name] = a.ID
		hash, err := auth.HashSecret(e.secret)
		if err != nil {
			t.Fatal(err)
		}
		k := &weir.ApplicationKey{ApplicationID: a.ID, Key: weir.NewAccessKey(), SecretHash: hash, Status: weir.KeyActive}
		if err := db.CreateApplicationKey(t.Context(), k); err != nil {
			t.Fatal(err)
		}
		if name == "A" {
			e.keyA = k.Key
		} else {
			e.keyB = k.Key
		}
	}
	mk := func(app string) *weir.Device {
		d := &weir.Device{ApplicationID: app, Name: "d", DeviceClass: weir.DeviceStandalone,
			Attributes: []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeNumber}}}
		if err := db.CreateDevice(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	e.d1, e.d2, e.d3 = mk(apps["A"]), mk(apps["A"]), mk(apps["B"])
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tcp
	e.b = &broker.Broker{Devices: db, States: db, Keys: db, Events: e.ev}
	if ln = setup(e.b, ln); ln == nil {
		tcp.Close()
	}
	if err := e.b.Open(ln); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.b.Close() })
	e.url = "tcp://" + e.b.Addr()
	return e
}

// connect connects device d with key and secret; it fails t unless the
// outcome is want.
func (e *env) connect(d *weir.Device, key, secret string, want bool) paho.Client {
	e.t.Helper()
	return e.connectTo(e.url, nil, d, key, secret, want)
}

// connectTo is connect to the broker at url, trusting the roots of tlsConfig.
func (e *env) connectTo(url string, tlsConfig *tls.Config, d *weir.Device, key, secret string, want bool) paho.Client {
	e.t.Helper()
	opts := paho.NewClientOptions().AddBroker(url).SetClientID(d.ID).
		SetUsername(key).SetPassword(secret).SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(wait)
	if tlsConfig != nil {
		opts.SetTLSConfig(tlsConfig)
	}
	c := paho.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(wait) {
		e.t.Fatal("connect timed out")
	}
	if (tok.Error() == nil) != want {
		e.t.Fatalf("connect of %s: err %v, want success %v", d.ID, tok.Error(), want)
	}
	if want {
		e.t.Cleanup(func() { c.Disconnect(50) })
	}
	return c
}

func (e *env) publish(c paho.Client, topic, payload string) error {
	e.t.Helper()
	tok := c.Publish(topic, 1, false, payload)
	if !tok.WaitTimeout(wait) {
		return context.DeadlineExceeded
	}
	return tok.Error()
}

func (e *env) states(d *weir.Device) []weir.DeviceState {
	e.t.Helper()
	s, err := e.db.FindDeviceStates(e.t.Context(), weir.StateFilter{ApplicationID: d.ApplicationID, DeviceID: d.ID, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConnectRefused(t *testing.T) {
	e := newEnv(t)
	e.connect(e.d1, e.keyA, "wrong", false)
	e.connect(e.d3, e.keyA, e.secret, false) // a key of another application
	e.connect(&weir.Device{ID: weir.NewID()}, e.keyA, e.secret, false)
	if e.b.Connected(e.d1.ID) {
		t.Error("a refused device is connected")
	}
}

func TestStateCommittedBeforePuback(t *testing.T) {
	e := newEnv(t)
	c := e.connect(e.d1, e.keyA, e.secret, true)
	eventually(t, "connected status", func() bool {
		d, _ := e.db.FindDeviceByID(t.Context(), e.d1.ApplicationID, e.d1.ID)
		return d.Connection.Connected != nil && *d.Connection.Connected
	})
	if err := e.publish(c, "losant/"+e.d1.ID+"/state", `{"data":{"temp":"21.5","junk":true}}`); err != nil {
		t.Fatal(err)
	}
	// PUBACK came back: the state is already stored.
	got := e.states(e.d1)
	if len(got) != 1 || got[0].Data["temp"] != 21.5 || len(got[0].Data) != 1 {
		t.Fatalf("states after PUBACK = %v, want one with temp 21.5", got)
	}
	if err := e.publish(c, "losant/"+e.d1.ID+"/state", `[{"data":{"temp":1},"time":{"$date":"`+
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)+`"}},{"data":{"temp":2},"time":`+
		jsonNumber(time.Now().Add(-2*time.Minute).UnixMilli())+`}]`); err != nil {
		t.Fatal(err)
	}
	if n := len(e.states(e.d1)); n != 3 {
		t.Fatalf("%d states after an array of two, want 3", n)
	}
	e.ev.mu.Lock()
	if e.ev.states != 3 {
		t.Errorf("Events heard %d states, want 3", e.ev.states)
	}
	e.ev.mu.Unlock()
}

func TestMalformedStateDropped(t *testing.T) {
	e := newEnv(t)
	c := e.connect(e.d1, e.keyA, e.secret, true)
	for _, bad := range []string{`{"data":`, `{"nodata":1}`, `{"data":{"temp":[1]}}`, string(make([]byte, broker.MaxPayload+1))} {
		if err := e.publish(c, "losant/"+e.d1.ID+"/state", bad); err != nil {
			t.Fatalf("publish of a malformed state: %v", err)
		}
	}
	if n := len(e.states(e.d1)); n != 0 {
		t.Fatalf("%d states stored from malformed messages, want 0", n)
	}
	if !c.IsConnected() {
		t.Fatal("a malformed state closed the connection")
	}
	if err := e.publish(c, "losant/"+e.d1.ID+"/state", `{"data":{"temp":3}}`); err != nil {
		t.Fatal(err)
	}
	if n := len(e.states(e.d1)); n != 1 {
		t.Fatalf("%d states after a good one, want 1", n)
	}
}

func TestOtherDeviceTopicRefused(t *testing.T) {
	e := newEnv(t)
	c := e.connect(e.d1, e.keyA, e.secret, true)
	_ = e.publish(c, "losant/"+e.d2.ID+"/state", `{"data":{"temp":9}}`)
	if n := len(e.states(e.d2)); n != 0 {
		t.Fatalf("device 1 stored %d states for device 2", n)
	}
	c2 := e.connect(e.d2, e.keyA, e.secret, true)
	tok := c2.Subscribe("losant/"+e.d1.ID+"/command", 1, func(paho.Client, paho.Message) {})
	tok.WaitTimeout(wait)
	if st, ok := tok.(*paho.SubscribeToken); ok {
		if code := st.Result()["losant/"+e.d1.ID+"/command"]; code != 0x80 {
			t.Errorf("subscription to another device's commands: code %#x, want 0x80 (failure)", code)
		}
	}
}

func TestCommandReachesDevice(t *testing.T) {
	e := newEnv(t)
	c := e.connect(e.d1, e.keyA, e.secret, true)
	got := make(chan []byte, 1)
	if tok := c.Subscribe("losant/"+e.d1.ID+"/command", 1, func(_ paho.Client, m paho.Message) { got <- m.Payload() }); !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	cmd := &weir.DeviceCommand{Name: "reboot", Payload: json.RawMessage(`{"delay":5}`), Time: time.Now()}
	if err := e.b.SendCommand(t.Context(), e.d1.ApplicationID, e.d1.ID, cmd); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		var m struct {
			Name    string         `json:"name"`
			Payload map[string]any `json:"payload"`
			Time    map[string]any `json:"time"`
		}
		if err := json.Unmarshal(b, &m); err != nil || m.Name != "reboot" || m.Payload["delay"] != 5.0 || m.Time["$date"] == nil {
			t.Fatalf("command message %s (%v), want reboot with delay 5 and a $date time", b, err)
		}
	case <-time.After(wait):
		t.Fatal("the command never arrived")
	}
}

func TestFreeTopicsStayInTheApplication(t *testing.T) {
	e := newEnv(t)
	pub := e.connect(e.d1, e.keyA, e.secret, true)
	same := e.connect(e.d2, e.keyA, e.secret, true)
	other := e.connect(e.d3, e.keyB, e.secret, true)
	sameGot, otherGot := make(chan string, 1), make(chan string, 1)
	for c, ch := range map[paho.Client]chan string{same: sameGot, other: otherGot} {
		if tok := c.Subscribe("plant/#", 1, func(_ paho.Client, m paho.Message) { ch <- m.Topic() + " " + string(m.Payload()) }); !tok.WaitTimeout(wait) || tok.Error() != nil {
			t.Fatalf("subscribe: %v", tok.Error())
		}
	}
	if err := e.publish(pub, "plant/line1", "hi"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-sameGot:
		if m != "plant/line1 hi" {
			t.Errorf("same application got %q, want the topic without namespace", m)
		}
	case <-time.After(wait):
		t.Fatal("a device of the same application never got the message")
	}
	select {
	case m := <-otherGot:
		t.Fatalf("a device of another application got %q", m)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestDisconnectRecorded(t *testing.T) {
	e := newEnv(t)
	c := e.connect(e.d1, e.keyA, e.secret, true)
	eventually(t, "connect", func() bool { return e.b.Connected(e.d1.ID) })
	if err := e.publish(c, "losant/"+e.d1.ID+"/state", `{"data":{"temp":1}}`); err != nil {
		t.Fatal(err)
	}
	c.Disconnect(50)
	eventually(t, "disconnected status", func() bool {
		d, _ := e.db.FindDeviceByID(t.Context(), e.d1.ApplicationID, e.d1.ID)
		return d.Connection.Connected != nil && !*d.Connection.Connected
	})
	e.ev.mu.Lock()
	defer e.ev.mu.Unlock()
	if len(e.ev.connections) != 2 || !e.ev.connections[0] || e.ev.connections[1] {
		t.Errorf("Events heard connections %v, want [true false]", e.ev.connections)
	}
	log, err := e.db.FindDeviceLogEntries(t.Context(), weir.DeviceLogFilter{ApplicationID: e.d1.ApplicationID, DeviceID: e.d1.ID,
		Limit: 10, Ascending: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || !log[0].Connected || log[1].Connected || log[0].IPAddress != "127.0.0.1" ||
		log[1].DisconnectReason != "Connection closed" || log[1].MessagesFromClient != 1 {
		t.Errorf("connection log = %+v, want a connect from 127.0.0.1, then a disconnect (Connection closed, 1 message)", log)
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestOverLimitDisconnects(t *testing.T) {
	e := newEnv(t)
	e.b.Limiter = ratelimit.New(2, time.Minute)
	c := e.connect(e.d1, e.keyA, e.secret, true)
	for i := range 2 {
		if err := e.publish(c, "losant/"+e.d1.ID+"/state", `{"data":{"temp":`+jsonNumber(int64(i))+`}}`); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	_ = e.publish(c, "losant/"+e.d1.ID+"/state", `{"data":{"temp":9}}`)
	eventually(t, "the device disconnected", func() bool { return !e.b.Connected(e.d1.ID) })
	for _, st := range e.states(e.d1) {
		if st.Data["temp"] == 9.0 {
			t.Errorf("the state over the limit was stored: %v", st)
		}
	}
}

func TestGatewayReachesItsPeripherals(t *testing.T) {
	e := newEnv(t)
	mk := func(class, gateway string) *weir.Device {
		d := &weir.Device{ApplicationID: e.d1.ApplicationID, Name: class, DeviceClass: class, GatewayID: gateway,
			Attributes: []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeNumber}}}
		if err := e.db.CreateDevice(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	gw := mk(weir.DeviceGateway, "")
	own := mk(weir.DevicePeripheral, gw.ID)
	other := mk(weir.DevicePeripheral, e.d2.ID)
	c := e.connect(gw, e.keyA, e.secret, true)
	got := make(chan string, 1)
	if tok := c.Subscribe("losant/"+own.ID+"/command", 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }); !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("subscribe to the peripheral's commands: %v", tok.Error())
	}
	if err := e.publish(c, "losant/"+own.ID+"/state", `{"data":{"temp":4}}`); err != nil {
		t.Fatal(err)
	}
	if s := e.states(own); len(s) != 1 || s[0].Data["temp"] != 4.0 {
		t.Fatalf("peripheral states = %v, want the gateway's report", s)
	}
	if err := e.b.SendCommand(t.Context(), own.ApplicationID, own.ID, &weir.DeviceCommand{Name: "blink", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(wait):
		t.Fatal("the peripheral's command never reached its gateway")
	}
	_ = e.publish(c, "losant/"+other.ID+"/state", `{"data":{"temp":5}}`)
	if s := e.states(other); len(s) != 0 {
		t.Errorf("a gateway reported state for another gateway's peripheral: %v", s)
	}
}

func (e *events) DeviceCreated(context.Context, *weir.Device) error { return nil }

func (e *events) DeviceCommand(context.Context, *weir.Device, *weir.DeviceCommand) error { return nil }
