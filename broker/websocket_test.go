package broker_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/broker"
	"github.com/weirhq/weir/internal/testcert"
)

// withWebSocket has the broker serve WebSockets on a port of its own and
// returns its URL through url; tcp says whether Open keeps its TCP
// listener.
func withWebSocket(t *testing.T, url *string, tcp bool, tlsConfig *tls.Config) func(*broker.Broker, net.Listener) net.Listener {
	return func(b *broker.Broker, ln net.Listener) net.Listener {
		ws, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		b.WebSocket, b.TLS = ws, tlsConfig
		scheme := "ws://"
		if tlsConfig != nil {
			scheme = "wss://"
		}
		*url = scheme + ws.Addr().String() + broker.WebSocketPath
		if !tcp {
			return nil
		}
		return ln
	}
}

// stateAndCommand checks, over c, that a QoS 1 state is committed before
// its PUBACK and that a command reaches the device.
func (e *env) stateAndCommand(c paho.Client, d *weir.Device) {
	e.t.Helper()
	if err := e.publish(c, "losant/"+d.ID+"/state", `{"data":{"temp":"21.5"}}`); err != nil {
		e.t.Fatal(err)
	}
	if got := e.states(d); len(got) != 1 || got[0].Data["temp"] != 21.5 {
		e.t.Fatalf("states after PUBACK = %v, want one with temp 21.5", got)
	}
	got := make(chan []byte, 1)
	if tok := c.Subscribe("losant/"+d.ID+"/command", 1, func(_ paho.Client, m paho.Message) { got <- m.Payload() }); !tok.WaitTimeout(wait) || tok.Error() != nil {
		e.t.Fatalf("subscribe: %v", tok.Error())
	}
	if err := e.b.SendCommand(e.t.Context(), d.ApplicationID, d.ID, &weir.DeviceCommand{Name: "go", Time: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
	select {
	case b := <-got:
		var m struct{ Name string }
		if json.Unmarshal(b, &m) != nil || m.Name != "go" {
			e.t.Fatalf("command message %s, want go", b)
		}
	case <-time.After(wait):
		e.t.Fatal("the command never arrived")
	}
}

func TestWebSocket(t *testing.T) {
	var url string
	e := newEnvWith(t, withWebSocket(t, &url, false, nil))
	if e.b.Addr() != "" {
		t.Fatalf("Addr = %q, want none: only WebSockets are served", e.b.Addr())
	}
	e.connectTo(url, nil, e.d1, e.keyA, "wrong", false)
	e.connectTo(url, nil, e.d3, e.keyA, e.secret, false)
	c := e.connectTo(url, nil, e.d1, e.keyA, e.secret, true)
	eventually(t, "connected status", func() bool { return e.b.Connected(e.d1.ID) })
	e.stateAndCommand(c, e.d1)

	// Plain HTTP on the path is refused by the upgrade; other paths are not served.
	httpURL := "http://" + strings.TrimPrefix(url, "ws://")
	for u, want := range map[string]int{httpURL: http.StatusBadRequest, strings.TrimSuffix(httpURL, "/mqtt") + "/other": http.StatusNotFound} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", u, res.StatusCode, want)
		}
	}
	c.Disconnect(50)
	eventually(t, "disconnected status", func() bool {
		d, _ := e.db.FindDeviceByID(t.Context(), e.d1.ApplicationID, e.d1.ID)
		return d.Connection.Connected != nil && !*d.Connection.Connected
	})
}

func TestTLS(t *testing.T) {
	certs := testcert.New(t)
	var wsURL string
	e := newEnvWith(t, withWebSocket(t, &wsURL, true, certs.Config))
	trusting := &tls.Config{RootCAs: certs.Roots}

	// mqtts on the TCP listener, wss on the WebSocket one.
	c := e.connectTo("ssl://"+e.b.Addr(), trusting, e.d1, e.keyA, e.secret, true)
	e.stateAndCommand(c, e.d1)
	ws := e.connectTo(wsURL, trusting, e.d2, e.keyA, e.secret, true)
	e.stateAndCommand(ws, e.d2)

	// Neither a plain client nor one that does not trust the CA gets in.
	e.connectTo("tcp://"+e.b.Addr(), nil, e.d3, e.keyB, e.secret, false)
	e.connectTo("ssl://"+e.b.Addr(), &tls.Config{RootCAs: x509.NewCertPool()}, e.d3, e.keyB, e.secret, false)
	e.connectTo(strings.Replace(wsURL, "wss://", "ws://", 1), nil, e.d3, e.keyB, e.secret, false)
	if e.b.Connected(e.d3.ID) {
		t.Fatal("a device connected without TLS")
	}
	e.ev.mu.Lock()
	defer e.ev.mu.Unlock()
	if len(e.ev.secure) == 0 {
		t.Fatal("connect triggers heard of no connection")
	}
	for _, secure := range e.ev.secure {
		if secure != true {
			t.Fatalf("connect triggers heard secure %v, want true over TLS", e.ev.secure)
		}
	}
}
