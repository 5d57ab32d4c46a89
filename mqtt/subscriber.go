package mqtt

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Subscriber keeps one connection to a broker subscribed to a set of topic
// filters and hands every message it receives to Handle, one at a time, in
// the order the broker sent them; each message once, however many filters
// match it. It connects in the background and, after a lost connection,
// reconnects and subscribes again by itself. Set the fields, then Open;
// SetFilters may be called at any time after. It is safe for concurrent use.
type Subscriber struct {
	URL      string // e.g. tcp://127.0.0.1:1883 or mqtt://user:pass@host:1883
	ClientID string
	Timeout  time.Duration // subscribe timeout; default 10 s
	Logger   *slog.Logger
	// Share, when set, subscribes the filters as the shared subscription
	// group of that name ($share/<Share>/<filter>): the broker hands each
	// message to one subscriber of the group, so processes sharing the name
	// split the messages instead of each getting every one.
	Share string
	// Handle receives each message. The broker's acknowledgement of a QoS 1
	// message waits until it returns.
	Handle func(topic string, payload []byte)

	mu      sync.Mutex
	client  paho.Client
	filters []string // the filters wanted, sorted
}

// Open starts connecting to the broker; it does not wait for the
// connection. It fails only when the subscriber is not configured.
func (s *Subscriber) Open() error {
	if s.URL == "" || s.Handle == nil {
		return fmt.Errorf("mqtt: a subscriber needs a broker URL and a handler")
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	opts := paho.NewClientOptions().AddBroker(s.URL).SetClientID(s.ClientID).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).SetMaxReconnectInterval(10 * time.Second).
		SetOrderMatters(true).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) { s.Handle(m.Topic(), m.Payload()) }).
		SetOnConnectHandler(func(c paho.Client) { s.subscribeAll(c) }).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			s.Logger.Warn("mqtt: connection to the broker lost; reconnecting", "err", err)
		})
	s.mu.Lock()
	s.client = paho.NewClient(opts)
	c := s.client
	s.mu.Unlock()
	c.Connect() // completes once connected; retried until then
	return nil
}

// SetFilters makes filters the subscribed set: new ones are subscribed
// (QoS 1), those no longer given unsubscribed. While the broker is
// unreachable it only records them, and they are subscribed on connecting.
// It returns the broker's refusal, if any; the set is recorded anyway.
func (s *Subscriber) SetFilters(ctx context.Context, filters []string) error {
	want := slices.Clone(filters)
	slices.Sort(want)
	want = slices.Compact(want)
	s.mu.Lock()
	old := s.filters
	s.filters = want
	c := s.client
	s.mu.Unlock()
	if c == nil || !c.IsConnectionOpen() {
		return nil
	}
	var add, drop []string
	for _, f := range want {
		if !slices.Contains(old, f) {
			add = append(add, f)
		}
	}
	for _, f := range old {
		if !slices.Contains(want, f) {
			drop = append(drop, f)
		}
	}
	if len(drop) > 0 {
		if err := wait(ctx, s.timeout(), c.Unsubscribe(s.shared(drop)...), "unsubscribe"); err != nil {
			return err
		}
	}
	return s.subscribe(ctx, c, add)
}

// Filters returns the subscribed set, sorted.
func (s *Subscriber) Filters() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.filters)
}

// Close disconnects from the broker.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	c := s.client
	s.client = nil
	s.mu.Unlock()
	if c != nil {
		c.Disconnect(250)
	}
	return nil
}

// subscribeAll subscribes every wanted filter, after a (re)connection.
func (s *Subscriber) subscribeAll(c paho.Client) {
	s.mu.Lock()
	filters := slices.Clone(s.filters)
	s.mu.Unlock()
	if err := s.subscribe(context.Background(), c, filters); err != nil {
		s.Logger.Error("mqtt: subscribe after connecting", "err", err)
	}
}

// subscribe subscribes filters with QoS 1; messages reach the default
// handler, so a message matching several filters is handled once.
func (s *Subscriber) subscribe(ctx context.Context, c paho.Client, filters []string) error {
	if len(filters) == 0 {
		return nil
	}
	m := make(map[string]byte, len(filters))
	for _, f := range s.shared(filters) {
		m[f] = 1
	}
	tok := c.SubscribeMultiple(m, nil)
	if err := wait(ctx, s.timeout(), tok, "subscribe"); err != nil {
		return err
	}
	if st, ok := tok.(*paho.SubscribeToken); ok {
		for f, code := range st.Result() {
			if code == 0x80 {
				return fmt.Errorf("mqtt subscribe: the broker refused %q", f)
			}
		}
	}
	return nil
}

// shared returns filters as subscribed: in the Share group when one is set.
func (s *Subscriber) shared(filters []string) []string {
	if s.Share == "" {
		return filters
	}
	out := make([]string, len(filters))
	for i, f := range filters {
		out[i] = "$share/" + s.Share + "/" + f
	}
	return out
}

func (s *Subscriber) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 10 * time.Second
}
