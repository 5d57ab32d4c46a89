package broker

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// MaxPayload is the largest message a device may publish: Losant's 256 KB.
const MaxPayload = 256 << 10

// MaxPendingWrites is how many messages may wait to be written to one
// device.
const MaxPendingWrites = 64

// readBuffer is the size of the buffer each connection reads through: a
// state message is about a hundred bytes, and a packet larger than the
// buffer is read into its own slice directly.
const readBuffer = 512

// appTopicPrefix namespaces the free topics of one application inside the
// broker, so applications never see each other's messages; devices never
// see the prefix.
const appTopicPrefix = "weir-app/"

// authTimeout bounds the store lookups of one CONNECT.
const authTimeout = 10 * time.Second

// Broker serves MQTT to devices. Set its fields, then Open it with a
// listener; it is safe for concurrent use until Close.
type Broker struct {
	Devices weir.DeviceService
	States  weir.DeviceStateService
	Keys    weir.ApplicationKeyService
	// Events, when set, hears of kept states and connection changes (device
	// triggers start runs from them).
	Events weir.DeviceEventHandler
	Logger *slog.Logger
	Now    func() time.Time
	// Limiter, when set, caps the state messages of each device (keyed by
	// device id); a device over it is disconnected, as Losant does.
	Limiter Limiter
	// Messages, when set, hears of the messages on applications' free
	// topics (see MessageHandler), before a device's is acknowledged.
	Messages MessageHandler
	// Cluster, when set, carries commands and free-topic messages to the
	// other processes of a cluster, so that they reach devices connected
	// there; their brokers hand them to Receive.
	Cluster Relay
	// WebSocket, when set, is a listener Open serves MQTT over WebSockets
	// on, at WebSocketPath, as well as (or instead of) its own listener.
	WebSocket net.Listener
	// TLS, when set, makes every listener serve over TLS: MQTT over TLS
	// (mqtts) on Open's listener, secure WebSockets (wss) on WebSocket.
	TLS *tls.Config

	server *mqtt.Server
	addr   string
	wsAddr string

	mu       sync.Mutex
	sessions map[string]*session             // by client (device) id
	keys     map[string]*weir.ApplicationKey // the keys sessions hold, by id (see sharedKey)
	drainers sync.WaitGroup                  // the goroutines committing states (see stateQueue)
	closed   bool                            // no drainer starts once set
}

// Limiter decides whether one more message of a key is allowed now.
type Limiter interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
}

// session is one connected device.
type session struct {
	client *mqtt.Client
	device *weir.Device         // its ID, ApplicationID and DeviceClass only
	key    *weir.ApplicationKey // its topic restrictions apply to the free topics; shared (see sharedKey)
	prefix string               // appTopicPrefix + application id + "/"
	peers  map[string]bool      // a gateway's answers of reaches, by device id; nil until one
	since  time.Time
	in     int // state messages received
	queue  stateQueue
}

// Open starts serving MQTT on ln (nil: only on WebSocket) and WebSocket,
// which the Broker closes on Close.
func (b *Broker) Open(ln net.Listener) error {
	if b.Devices == nil || b.States == nil || b.Keys == nil {
		return errors.New("broker: Devices, States and Keys are required")
	}
	if ln == nil && b.WebSocket == nil {
		return errors.New("broker: a listener is required")
	}
	if b.Logger == nil {
		b.Logger = slog.New(slog.DiscardHandler)
	}
	if b.Now == nil {
		b.Now = time.Now
	}
	b.sessions = map[string]*session{}
	b.keys = map[string]*weir.ApplicationKey{}
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumQos = 1                          // Losant has no QoS 2
	caps.MaximumPacketSize = MaxPayload + 64<<10 // payload plus a generous topic and header
	// Messages waiting to be written to one device: a buffer of that many
	// pointers is made for each connection, so the library's 8,192 (64 KB
	// per device) would dominate the memory of a large idle fleet; beyond
	// it, a device too slow to read loses messages, as at QoS 0.
	caps.MaximumClientWritesPending = MaxPendingWrites
	b.server = mqtt.New(&mqtt.Options{
		Capabilities:            caps,
		ClientNetReadBufferSize: readBuffer,
		InlineClient:            true,
		Logger:                  slog.New(warnOnly{b.Logger.Handler()}).With("component", "mqtt"),
	})
	if err := b.server.AddHook(&hook{b: b}, nil); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if ln != nil {
		b.addr = ln.Addr().String()
		if b.TLS != nil {
			ln = tls.NewListener(ln, b.TLS)
		}
		if err := b.server.AddListener(listeners.NewNet("devices", ln)); err != nil {
			return fmt.Errorf("broker: %w", err)
		}
	}
	if b.WebSocket != nil {
		b.wsAddr = b.WebSocket.Addr().String()
		ws := b.WebSocket
		if b.TLS != nil {
			ws = tls.NewListener(ws, b.TLS)
		}
		if err := b.server.AddListener(newWebSocketListener("devices-ws", ws, b.TLS != nil)); err != nil {
			return fmt.Errorf("broker: %w", err)
		}
	}
	if err := b.server.Serve(); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	return nil
}

// Addr returns the address the broker listens on for MQTT over TCP, or ""
// when it serves only WebSockets.
func (b *Broker) Addr() string { return b.addr }

// WebSocketAddr returns the address the broker serves MQTT over
// WebSockets on, or "" when it does not.
func (b *Broker) WebSocketAddr() string { return b.wsAddr }

// Close disconnects every device (their status becomes disconnected),
// stops listening and waits until the state messages received are
// committed.
func (b *Broker) Close() error {
	if b.server == nil {
		return nil
	}
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	err := b.server.Close()
	b.drainers.Wait()
	return err
}

// SendCommand publishes c on losant/{deviceID}/command, at QoS 1, to the
// device if it is connected and subscribed, here or (through Cluster) on
// another process; otherwise the command is not delivered, as on Losant.
func (b *Broker) SendCommand(_ context.Context, _, deviceID string, c *weir.DeviceCommand) error {
	msg := struct {
		Name    string          `json:"name"`
		Payload json.RawMessage `json:"payload,omitempty"`
		Time    map[string]any  `json:"time"`
	}{c.Name, c.Payload, map[string]any{"$date": c.Time.UTC().Format("2006-01-02T15:04:05.000Z")}}
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	topic := "losant/" + deviceID + "/command"
	if err := b.server.Publish(topic, body, false, 1); err != nil {
		return err
	}
	return b.relay(topic, body, 1)
}

// Connected reports whether the device is connected to this broker.
func (b *Broker) Connected(deviceID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.sessions[deviceID]
	return ok
}

// session returns the session of cl, or nil when cl is not (or no longer)
// the device's current connection.
func (b *Broker) session(cl *mqtt.Client) *session {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.sessions[cl.ID]
	if s == nil || s.client != cl {
		return nil
	}
	return s
}

// deviceTopic returns the device id of a losant/{id}/{kind} topic, or "".
func deviceTopic(topic, kind string) string {
	rest, ok := strings.CutPrefix(topic, "losant/")
	if !ok {
		return ""
	}
	id, k, ok := strings.Cut(rest, "/")
	if !ok || k != kind || id == "" {
		return ""
	}
	return id
}

// reaches reports whether the session's device may use the losant/ topics
// of device id: its own, and, for a gateway or edge compute device, those of
// its peripherals (a peripheral naming it as gateway, or naming none) and
// of floating devices of its application. Answers are kept for the
// session's life.
func (b *Broker) reaches(s *session, id string) bool {
	if id == s.device.ID || strings.EqualFold(id, s.client.ID) {
		return true
	}
	if s.device.DeviceClass != weir.DeviceGateway && s.device.DeviceClass != weir.DeviceEdgeCompute {
		return false
	}
	b.mu.Lock()
	ok, known := s.peers[id]
	b.mu.Unlock()
	if known {
		return ok
	}
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	p, err := b.Devices.FindDeviceByID(ctx, s.device.ApplicationID, strings.ToLower(id))
	switch {
	case weir.ErrorTypeOf(err) == weir.NotFound:
	case err != nil:
		b.Logger.Error("mqtt: look up peripheral", "device_id", s.device.ID, "peripheral_id", id, "err", err)
		return false // not remembered: the store may answer next time
	default:
		ok = p.DeviceClass == weir.DevicePeripheral && (p.GatewayID == "" || p.GatewayID == s.device.ID) ||
			p.DeviceClass == weir.DeviceFloating
	}
	b.mu.Lock()
	if s.peers == nil {
		s.peers = map[string]bool{}
	}
	s.peers[id] = ok
	b.mu.Unlock()
	return ok
}

var _ weir.CommandSender = (*Broker)(nil)

// authenticate checks a CONNECT's credentials and records the session.
func (b *Broker) authenticate(cl *mqtt.Client, pk packets.Packet) bool {
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	d, key, err := auth.AuthenticateDevice(ctx, b.Keys, b.Devices, cl.ID,
		string(pk.Connect.Username), string(pk.Connect.Password))
	if err != nil {
		if weir.ErrorTypeOf(err) == weir.Internal {
			b.Logger.Error("mqtt: authenticate device", "device_id", cl.ID, "err", err)
		} else {
			b.Logger.Info("mqtt: connection refused", "device_id", cl.ID, "remote", cl.Net.Remote)
		}
		return false
	}
	// A session keeps what it uses of the device, and shares its key with
	// the sessions of the same key: held for each of thousands of idle
	// devices, the whole records were about a kilobyte each.
	dev := &weir.Device{ID: d.ID, ApplicationID: d.ApplicationID, DeviceClass: d.DeviceClass}
	b.mu.Lock()
	b.sessions[cl.ID] = &session{client: cl, device: dev, key: b.sharedKey(key), prefix: appTopicPrefix + d.ApplicationID + "/",
		since: b.Now()}
	b.mu.Unlock()
	return true
}

// sharedKey returns the key a session already holds if it equals k, else
// k, which later sessions then share; b.mu must be held.
func (b *Broker) sharedKey(k *weir.ApplicationKey) *weir.ApplicationKey {
	if k == nil {
		return nil
	}
	if held := b.keys[k.ID]; held != nil && reflect.DeepEqual(held, k) {
		return held
	}
	b.keys[k.ID] = k
	return k
}

// connected records the device as connected and tells Events.
func (b *Broker) connected(cl *mqtt.Client) {
	s := b.session(cl)
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	d, err := b.Devices.SetConnectionStatus(ctx, s.device.ApplicationID, s.device.ID,
		weir.DeviceLogEntry{Connected: true, Time: s.since, IPAddress: remoteHost(cl.Net.Remote)})
	if err != nil {
		b.Logger.Error("mqtt: set connection status", "device_id", cl.ID, "err", err)
		return
	}
	b.Logger.Info("mqtt: device connected", "app_id", d.ApplicationID, "device_id", d.ID)
	if b.Events != nil {
		info := map[string]any{"address": remoteHost(cl.Net.Remote), "method": "mqtt", "secure": b.TLS != nil}
		if err := b.Events.DeviceConnection(ctx, d, true, info); err != nil {
			b.Logger.Error("mqtt: connect triggers", "device_id", d.ID, "err", err)
		}
	}
}

// disconnected records the device as disconnected, unless a newer
// connection of the same device took over, and tells Events.
func (b *Broker) disconnected(cl *mqtt.Client, cause error) {
	b.mu.Lock()
	s := b.sessions[cl.ID]
	if s == nil || s.client != cl {
		b.mu.Unlock()
		return
	}
	delete(b.sessions, cl.ID)
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	reason := "Connection closed"
	if cause != nil && !errors.Is(cause, packets.CodeDisconnect) {
		reason = cause.Error()
	}
	b.mu.Lock()
	in := s.in
	b.mu.Unlock()
	d, err := b.Devices.SetConnectionStatus(ctx, s.device.ApplicationID, s.device.ID, weir.DeviceLogEntry{Time: b.Now(),
		DisconnectReason: reason, MessagesFromClient: in, IPAddress: remoteHost(cl.Net.Remote)})
	if err != nil {
		b.Logger.Error("mqtt: set connection status", "device_id", cl.ID, "err", err)
		return
	}
	b.Logger.Info("mqtt: device disconnected", "app_id", d.ApplicationID, "device_id", d.ID)
	if b.Events != nil {
		info := map[string]any{"address": remoteHost(cl.Net.Remote), "method": "mqtt", "secure": b.TLS != nil,
			"disconnectReason": reason, "connectedAt": s.since, "messagesFromDevice": in, "messagesToDevice": 0}
		if err := b.Events.DeviceConnection(ctx, d, false, info); err != nil {
			b.Logger.Error("mqtt: disconnect triggers", "device_id", d.ID, "err", err)
		}
	}
}

// state queues a state message of device deviceID (the session's own, or
// a gateway's peripheral) to be committed before it is acknowledged (see
// stateQueue); mochi sends no PUBACK of its own for it. A malformed or
// oversized message is dropped and logged (and still acknowledged, in
// turn: it will never be good); a device over its message limit, or with
// too many messages waiting, is disconnected.
func (b *Broker) state(cl *mqtt.Client, s *session, deviceID string, pk packets.Packet) error {
	if b.Limiter != nil {
		if ok, _ := b.Limiter.Allow(deviceID); !ok {
			b.Logger.Warn("mqtt: device over its message limit; disconnected", "device_id", cl.ID)
			_ = b.server.DisconnectClient(cl, packets.ErrQuotaExceeded)
			return packets.ErrRejectPacket
		}
	}
	m := stateMessage{deviceID: deviceID}
	if pk.FixedHeader.Qos > 0 {
		m.packetID = pk.PacketID
	}
	var err error
	if len(pk.Payload) > MaxPayload {
		b.Logger.Warn("mqtt: state dropped: payload over 256 KB", "device_id", cl.ID, "bytes", len(pk.Payload))
	} else if m.states, err = weir.ParseStateReports(pk.Payload, b.Now()); err != nil {
		b.Logger.Warn("mqtt: state dropped", "device_id", cl.ID, "err", weir.ErrorMessage(err))
	}
	if !b.queueState(cl, s, m) {
		b.Logger.Warn("mqtt: too many state messages waiting; disconnected", "device_id", cl.ID)
		_ = b.server.DisconnectClient(cl, packets.ErrReceiveMaximum)
	}
	return packets.ErrRejectPacket // acknowledged once committed; state topics are not relayed to subscribers
}

// remoteHost returns the host of a remote address.
func remoteHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// mapTopic returns the broker-side topic of a device's topic or filter:
// losant/ topics stay as they are, others go into the application's
// namespace. Topics starting with $ are left alone (and refused by the
// ACL).
func mapTopic(s *session, topic string) string {
	if !freeTopic(topic) {
		return topic
	}
	return s.prefix + topic
}

// warnOnly passes on the broker library's warnings and errors only: its
// informational lines (hooks added, listener attached) are weir's business
// to say, once.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{w.Handler.WithAttrs(attrs)}
}

func (w warnOnly) WithGroup(name string) slog.Handler { return warnOnly{w.Handler.WithGroup(name)} }
