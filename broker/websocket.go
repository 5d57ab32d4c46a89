package broker

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// WebSocketPath is where MQTT over WebSockets is served, as on Losant
// (wss://broker.losant.com/mqtt) and where MQTT.js and Paho connect by
// default.
const WebSocketPath = "/mqtt"

// webSocketListener serves MQTT over WebSockets on a listener already
// bound (so that a taken address fails Open, not a later goroutine), as
// one of mochi's listeners: each upgraded connection carries MQTT packets
// in binary messages.
type webSocketListener struct {
	id     string
	ln     net.Listener
	secure bool
	srv    *http.Server
	log    *slog.Logger

	mu        sync.Mutex
	establish listeners.EstablishFn
}

func newWebSocketListener(id string, ln net.Listener, secure bool) *webSocketListener {
	l := &webSocketListener{id: id, ln: ln, secure: secure}
	mux := http.NewServeMux()
	mux.HandleFunc(WebSocketPath, l.serveHTTP)
	// Only the upgrade request is bounded here: once upgraded, the
	// connection's deadlines follow the MQTT keepalive.
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return l
}

// upgrader accepts the "mqtt" subprotocol from any origin: a device
// authenticates in its MQTT CONNECT, not with cookies a browser would
// send along.
var upgrader = websocket.Upgrader{
	Subprotocols: []string{"mqtt"},
	CheckOrigin:  func(*http.Request) bool { return true },
}

// ID returns the listener's id.
func (l *webSocketListener) ID() string { return l.id }

// Address returns the address it listens on.
func (l *webSocketListener) Address() string { return l.ln.Addr().String() }

// Protocol returns ws, or wss over TLS.
func (l *webSocketListener) Protocol() string {
	if l.secure {
		return "wss"
	}
	return "ws"
}

// Init keeps the server's logger; the HTTP server's own complaints (a
// failed TLS handshake, a malformed request) go to it at debug level.
func (l *webSocketListener) Init(log *slog.Logger) error {
	l.log = log
	l.srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	return nil
}

// Serve accepts WebSocket upgrades until Close, handing each connection to
// establish.
func (l *webSocketListener) Serve(establish listeners.EstablishFn) {
	l.mu.Lock()
	l.establish = establish
	l.mu.Unlock()
	if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		l.log.Error("mqtt over websockets stopped", "error", err, "listener", l.id)
	}
}

// Close stops accepting connections and closes those established.
func (l *webSocketListener) Close(closeClients listeners.CloseFn) {
	_ = l.srv.Close()
	closeClients(l.id)
}

func (l *webSocketListener) serveHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the request with its error
	}
	defer c.Close()
	l.mu.Lock()
	establish := l.establish
	l.mu.Unlock()
	if err := establish(l.id, &webSocketConn{Conn: c.UnderlyingConn(), ws: c}); err != nil {
		l.log.Debug("mqtt over websockets: connection ended", "error", err, "listener", l.id)
	}
}

// webSocketConn is a WebSocket connection as the byte stream MQTT reads
// and writes: reads run across binary messages, each write is one binary
// message. Deadlines, addresses and Close are the underlying
// connection's.
type webSocketConn struct {
	net.Conn
	ws *websocket.Conn
	r  io.Reader // the message being read; nil: none
}

// errTextMessage ends a connection that sends a text message: MQTT over
// WebSockets uses binary messages only.
var errTextMessage = errors.New("mqtt over websockets: text message")

func (c *webSocketConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				return 0, errTextMessage
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil // the message is read; the next Read takes the next one
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (c *webSocketConn) Write(p []byte) (int, error) {
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
