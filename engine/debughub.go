package engine

import (
	"encoding/json"
	"sync"

	"github.com/weirhq/weir/engine/js"
)

// Debug stream limits.
const (
	DefaultDebugKeep    = 50        // recent messages kept per flow for late subscribers
	MaxDebugPayload     = 256 << 10 // bytes of payload JSON shown; larger payloads are replaced by a note
	debugSubscriberSlot = 256       // messages buffered per subscriber before it misses some
)

// DebugEvent is one Debug node message, encoded once as JSON for every
// subscriber.
type DebugEvent struct {
	FlowID string
	Data   []byte
}

// DebugRelay carries encoded debug messages to every process of a cluster.
// Publish must hand each message, once, to DebugHub.Receive of every
// process's hub, this process's included; an error means it carried
// nothing.
type DebugRelay interface {
	Publish(flowID string, data []byte) error
}

// DebugHub fans Debug node messages out to the live subscribers of each
// flow and keeps the flow's most recent messages for late subscribers.
// Publishing never blocks: a subscriber that falls behind misses messages.
// It is safe for concurrent use.
type DebugHub struct {
	Keep int // recent messages kept per flow; default DefaultDebugKeep

	// Relay, when set, carries messages to the hubs of every process, and
	// back to this one; nil keeps them in this process. Set it before the
	// first Publish.
	Relay DebugRelay

	mu    sync.Mutex
	flows map[string]*debugFlow
}

type debugFlow struct {
	recent [][]byte // ring of the newest messages
	next   int
	subs   map[chan DebugEvent]struct{}
}

// Publish encodes m and hands it to the flow's subscribers, through the
// relay when there is one. When the relay fails, this process's subscribers
// still get m.
func (h *DebugHub) Publish(m DebugMessage) {
	data := encodeDebug(m)
	if h.Relay != nil && h.Relay.Publish(m.FlowID, data) == nil {
		return
	}
	h.Receive(m.FlowID, data)
}

// Receive keeps one encoded message of a flow and hands it to the flow's
// subscribers in this process. A DebugRelay calls it for every message.
func (h *DebugHub) Receive(flowID string, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.flow(flowID)
	keep := h.Keep
	if keep <= 0 {
		keep = DefaultDebugKeep
	}
	if len(f.recent) < keep {
		f.recent = append(f.recent, data)
	} else {
		f.recent[f.next] = data
		f.next = (f.next + 1) % keep
	}
	for ch := range f.subs {
		select {
		case ch <- DebugEvent{FlowID: flowID, Data: data}:
		default: // the subscriber is behind; it misses this one
		}
	}
}

// Subscribe returns the flow's recent messages, oldest first, and a channel
// of the messages published from now on. Call cancel to stop receiving; the
// channel is then closed.
func (h *DebugHub) Subscribe(flowID string) (recent [][]byte, events <-chan DebugEvent, cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.flow(flowID)
	recent = append(append([][]byte{}, f.recent[f.next:]...), f.recent[:f.next]...)
	ch := make(chan DebugEvent, debugSubscriberSlot)
	f.subs[ch] = struct{}{}
	var once sync.Once
	return recent, ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			delete(f.subs, ch)
			close(ch)
		})
	}
}

// Forget drops what the hub keeps for a flow (when the flow is deleted).
// Current subscribers stay subscribed.
func (h *DebugHub) Forget(flowID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.flows[flowID]; ok && len(f.subs) == 0 {
		delete(h.flows, flowID)
	} else if ok {
		f.recent, f.next = nil, 0
	}
}

func (h *DebugHub) flow(id string) *debugFlow {
	if h.flows == nil {
		h.flows = map[string]*debugFlow{}
	}
	f, ok := h.flows[id]
	if !ok {
		f = &debugFlow{subs: map[chan DebugEvent]struct{}{}}
		h.flows[id] = f
	}
	return f
}

// encodeDebug writes m as JSON, replacing a payload over MaxDebugPayload by a
// note so that one message cannot hold much memory.
func encodeDebug(m DebugMessage) []byte {
	payload, ok := js.Stringify(m.Payload, "")
	switch {
	case !ok:
		payload = nil
	case len(payload) > MaxDebugPayload:
		note, _ := json.Marshal(map[string]any{"omitted": "payload larger than the debug limit", "bytes": len(payload)})
		payload = note
	}
	m.Payload = nil
	type wire struct {
		DebugMessage
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	b, _ := json.Marshal(wire{DebugMessage: m, Payload: payload})
	return b
}
