package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/internal/testcert"
)

// TestDeviceOverMQTT runs the device model end to end in one process: a
// device created over REST connects to the built-in MQTT endpoint with an
// access key, its state runs a flow with a device state trigger (and its
// connection a connect trigger) whose Device: Command node answers the
// device, and a command sent through the REST API reaches it too.
func TestDeviceOverMQTT(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MQTTAddr = "127.0.0.1:0"
	m, c := openMain(t, cfg)
	testDeviceOverMQTT(t, m, c)
}

// TestDeviceOverMQTTScaledOut is TestDeviceOverMQTT on PostgreSQL with the
// NATS JetStream run queue.
func TestDeviceOverMQTTScaledOut(t *testing.T) {
	ms, token := startCluster(t, 1, func(cfg *Config) { cfg.MQTTAddr = "127.0.0.1:0" })
	testDeviceOverMQTT(t, ms[0], &client{t: t, base: "http://" + ms[0].Addr(), token: token})
}

func testDeviceOverMQTT(t *testing.T, m *Main, c *client) {
	t.Helper()
	if m.MQTTAddr() == "" {
		t.Fatal("the MQTT endpoint is not served")
	}
	testDeviceOver(t, c, "tcp://"+m.MQTTAddr(), nil)
}

// TestDeviceOverSecureWebSockets is TestDeviceOverMQTT over wss (MQTT over
// WebSockets with TLS, --mqtt-ws-addr and --mqtt-tls-cert/-key, a test CA);
// the TCP endpoint then serves MQTT over TLS only.
func TestDeviceOverSecureWebSockets(t *testing.T) {
	certs := testcert.New(t)
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.MQTTAddr, cfg.MQTTWSAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.MQTTTLSCert, cfg.MQTTTLSKey = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for name, b := range map[string][]byte{cfg.MQTTTLSCert: certs.CertPEM, cfg.MQTTTLSKey: certs.KeyPEM} {
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m, c := openMain(t, cfg)
	if m.MQTTWebSocketAddr() == "" {
		t.Fatal("MQTT over WebSockets is not served")
	}
	trusting := &tls.Config{RootCAs: certs.Roots}
	testDeviceOver(t, c, "wss://"+m.MQTTWebSocketAddr()+"/mqtt", trusting)

	// A plain MQTT client is refused on the TCP endpoint, a TLS one served.
	for url, want := range map[string]bool{"tcp://" + m.MQTTAddr(): false, "ssl://" + m.MQTTAddr(): true} {
		cl := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(weir.NewID()).SetTLSConfig(trusting).
			SetAutoReconnect(false).SetConnectTimeout(5 * time.Second))
		tok := cl.Connect()
		tok.WaitTimeout(10 * time.Second)
		// An unknown device is refused by weir once TLS lets it speak MQTT.
		got := tok.Error() != nil && strings.Contains(tok.Error().Error(), "not Authorized")
		if got != want {
			t.Errorf("connect over %s: %v; want weir's refusal of the device: %v", url, tok.Error(), want)
		}
	}
}

// TestMQTTCertificateRenewed checks that a certificate written over
// --mqtt-tls-cert and --mqtt-tls-key is served from the next handshake on,
// and that a pair that does not load leaves the last good one served.
func TestMQTTCertificateRenewed(t *testing.T) {
	first, second := testcert.New(t), testcert.New(t)
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.MQTTAddr = "127.0.0.1:0"
	cfg.MQTTTLSCert, cfg.MQTTTLSKey = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	write := func(cert, key []byte, at time.Time) {
		t.Helper()
		for name, b := range map[string][]byte{cfg.MQTTTLSCert: cert, cfg.MQTTTLSKey: key} {
			if err := os.WriteFile(name, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(name, at, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(first.CertPEM, first.KeyPEM, time.Now().Add(-time.Hour))
	m, _ := openMain(t, cfg)
	trusts := func(roots *x509.CertPool) bool {
		conn, err := tls.Dial("tcp", m.MQTTAddr(), &tls.Config{RootCAs: roots})
		if err == nil {
			conn.Close()
		}
		return err == nil
	}
	if !trusts(first.Roots) || trusts(second.Roots) {
		t.Fatal("the first certificate is not the one served")
	}
	write(second.CertPEM, first.KeyPEM, time.Now().Add(-time.Minute)) // a key that does not match
	if !trusts(first.Roots) {
		t.Fatal("a renewal that does not load replaced the certificate served")
	}
	write(second.CertPEM, second.KeyPEM, time.Now())
	if !trusts(second.Roots) || trusts(first.Roots) {
		t.Fatal("the renewed certificate is not served")
	}
}

// TestMQTTTLSSettings checks the start-up rules of --mqtt-tls-cert and
// --mqtt-tls-key: both or neither, and readable.
func TestMQTTTLSSettings(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MQTTTLSCert = "cert.pem"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--mqtt-tls-key") {
		t.Fatalf("Validate with a certificate and no key = %v, want an error naming --mqtt-tls-key", err)
	}
	cfg.MQTTAddr, cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", "127.0.0.1:0", t.TempDir(), "warn"
	cfg.MQTTTLSCert, cfg.MQTTTLSKey = filepath.Join(cfg.DataDir, "missing.pem"), filepath.Join(cfg.DataDir, "missing.key")
	m := &Main{Config: cfg, Stdout: &strings.Builder{}}
	err := m.Open(t.Context())
	defer m.Close()
	if err == nil || !strings.Contains(err.Error(), "--mqtt-tls-cert") {
		t.Fatalf("Open with an unreadable certificate = %v, want a --mqtt-tls-cert error", err)
	}
}

// testDeviceOver runs the journey of TestDeviceOverMQTT with a device
// connecting to the broker at url (trusting tlsConfig's roots, if any).
func testDeviceOver(t *testing.T, c *client, url string, tlsConfig *tls.Config) {
	t.Helper()
	var app, dev, key struct{ ID, Key, Secret string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "plant"}, &app)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/devices", map[string]any{"name": "boiler",
		"tags":       []any{map[string]any{"key": "floor", "value": "8"}},
		"attributes": []any{map[string]any{"name": "temp", "dataType": "number"}}}, &dev)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/keys", map[string]any{"description": "boiler"}, &key)

	store := func(id, name, tmpl string) map[string]any {
		return map[string]any{"id": id, "type": "StoreValueNode", "config": map[string]any{"keyName": name, "valueType": "template", "value": tmpl}}
	}
	var flow struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "react", "enabled": true,
		"triggers": []any{
			map[string]any{"type": "deviceId", "key": dev.ID, "config": map[string]any{}, "outputIds": []any{[]any{"state", "ack"}}},
			map[string]any{"type": "deviceTagConnect", "key": "floor/8", "config": map[string]any{}, "outputIds": []any{[]any{"conn"}}},
		},
		"nodes": []any{
			store("state", "state", "{{triggerType}} {{deviceName}} {{deviceTags.floor.[0]}} {{data.temp}}"),
			store("conn", "conn", "{{triggerType}} {{deviceId}} {{data.method}}"),
			map[string]any{"id": "ack", "type": "DeviceSendCommandNode", "config": map[string]any{
				"sendToDeviceIds": []any{"{{deviceId}}"}, "nameTemplate": "ack", "payloadTemplate": "{\"temp\": {{data.temp}}}"}},
		},
	}, &flow)
	storage := func() map[string]any {
		var s map[string]any
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+flow.ID+"/storage", nil, &s)
		return s
	}

	opts := paho.NewClientOptions().AddBroker(url).SetClientID(dev.ID).
		SetUsername(key.Key).SetPassword(key.Secret).SetAutoReconnect(false)
	if tlsConfig != nil {
		opts.SetTLSConfig(tlsConfig)
	}
	cl := paho.NewClient(opts)
	if tok := cl.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer cl.Disconnect(50)
	commands := make(chan []byte, 2)
	if tok := cl.Subscribe("losant/"+dev.ID+"/command", 1, func(_ paho.Client, msg paho.Message) { commands <- msg.Payload() }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	if tok := cl.Publish("losant/"+dev.ID+"/state", 1, false, `{"data":{"temp":21.5}}`); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	waitFor(t, 10*time.Second, "the state trigger's run", func() bool { return storage()["state"] == "deviceId boiler 8 21.5" })
	waitFor(t, 10*time.Second, "the connect trigger's run", func() bool { return storage()["conn"] == "deviceTagConnect "+dev.ID+" mqtt" })

	next := func(what string) (name string, payload map[string]any) {
		t.Helper()
		select {
		case b := <-commands:
			var cmd struct {
				Name    string
				Payload map[string]any
			}
			if err := json.Unmarshal(b, &cmd); err != nil {
				t.Fatalf("command %s: %v", b, err)
			}
			return cmd.Name, cmd.Payload
		case <-time.After(10 * time.Second):
			t.Fatalf("%s never reached the device", what)
		}
		return "", nil
	}
	if name, payload := next("the flow's command"); name != "ack" || payload["temp"] != 21.5 {
		t.Fatalf("flow command %s %v, want ack with temp 21.5", name, payload)
	}
	c.mustDo(200, "POST", "/applications/"+app.ID+"/devices/"+dev.ID+"/command", map[string]any{"name": "reboot", "payload": map[string]any{"delay": 5}}, nil)
	if name, payload := next("the REST command"); name != "reboot" || payload["delay"] != 5.0 {
		t.Fatalf("REST command %s %v, want reboot with delay 5", name, payload)
	}
	var states []map[string]any
	c.mustDo(200, "GET", "/applications/"+app.ID+"/devices/"+dev.ID+"/state", nil, &states)
	if len(states) != 1 || states[0]["data"].(map[string]any)["temp"] != 21.5 {
		t.Errorf("REST state = %v, want the MQTT report", states)
	}
}

// TestMQTTAddrTaken checks the start-up rule: an explicit --mqtt-addr that
// cannot be bound fails start-up.
func TestMQTTAddrTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := DefaultConfig()
	cfg.MQTTAddr, cfg.Addr, cfg.DataDir, cfg.LogLevel = ln.Addr().String(), "127.0.0.1:0", t.TempDir(), "warn"
	m := &Main{Config: cfg, Stdout: &strings.Builder{}}
	err = m.Open(t.Context())
	defer m.Close()
	if err == nil || !strings.Contains(err.Error(), "--mqtt-addr") {
		t.Fatalf("Open with a taken --mqtt-addr = %v, want a --mqtt-addr error", err)
	}
}

// TestMQTTDefaultAddrTaken checks the other start-up rule: when the default
// address is taken (here by the machine's Mosquitto, or by the test), weir
// says so once and serves the API.
func TestMQTTDefaultAddrTaken(t *testing.T) {
	if ln, err := net.Listen("tcp", DefaultMQTTAddr); err == nil {
		defer ln.Close() // free: take it for the test
	}
	var logs syncBuffer
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir = "127.0.0.1:0", t.TempDir()
	m := &Main{Config: cfg, Stdout: &strings.Builder{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := m.Open(t.Context()); err != nil {
		t.Fatalf("Open with the default MQTT address taken: %v", err)
	}
	defer m.Close()
	if m.MQTTAddr() != "" {
		t.Errorf("MQTTAddr = %q, want not served", m.MQTTAddr())
	}
	if n := strings.Count(logs.String(), "MQTT endpoint for devices is not served"); n != 1 {
		t.Errorf("the warning was logged %d times, want once:\n%s", n, logs.String())
	}
	resp, err := http.Get("http://" + m.Addr() + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health = %v, %v; want the API served", resp, err)
	}
	resp.Body.Close()
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
