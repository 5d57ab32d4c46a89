package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

func debugMsg(flow, msg string, payload any) engine.DebugMessage {
	return engine.DebugMessage{FlowID: flow, Message: msg, Level: "info", Payload: payload}
}

func messages(t *testing.T, data [][]byte) []string {
	t.Helper()
	var out []string
	for _, d := range data {
		var m struct{ Message string }
		if err := json.Unmarshal(d, &m); err != nil {
			t.Fatalf("event %s is not JSON: %v", d, err)
		}
		out = append(out, m.Message)
	}
	return out
}

func TestDebugHubRecentAndLive(t *testing.T) {
	h := &engine.DebugHub{Keep: 3}
	for _, m := range []string{"1", "2", "3", "4"} {
		h.Publish(debugMsg("f", m, map[string]any{"n": 1.0}))
	}
	h.Publish(debugMsg("other", "x", nil))
	recent, events, cancel := h.Subscribe("f")
	if got := strings.Join(messages(t, recent), ","); got != "2,3,4" {
		t.Errorf("recent = %s, want the newest three oldest first: 2,3,4", got)
	}
	h.Publish(debugMsg("f", "5", nil))
	h.Publish(debugMsg("other", "y", nil))
	ev := <-events
	if got := messages(t, [][]byte{ev.Data}); got[0] != "5" || ev.FlowID != "f" {
		t.Errorf("live event %s of %s, want 5 of f", got, ev.FlowID)
	}
	cancel()
	if _, open := <-events; open {
		t.Error("events still open after cancel")
	}
	h.Publish(debugMsg("f", "6", nil)) // no subscriber left: must not block or panic
}

func TestDebugHubSlowSubscriberNeverBlocks(t *testing.T) {
	h := &engine.DebugHub{}
	_, _, cancel := h.Subscribe("f") // never reads
	defer cancel()
	for range 10_000 {
		h.Publish(debugMsg("f", "m", nil))
	}
}

func TestDebugHubLimitsPayload(t *testing.T) {
	h := &engine.DebugHub{}
	h.Publish(debugMsg("f", "big", strings.Repeat("x", engine.MaxDebugPayload+1)))
	recent, _, cancel := h.Subscribe("f")
	defer cancel()
	if len(recent) != 1 || len(recent[0]) > 1024 || !strings.Contains(string(recent[0]), "omitted") {
		t.Errorf("oversize payload kept as %d bytes, want a short note", len(recent[0]))
	}
	h.Forget("f")
	if recent, _, c := h.Subscribe("f"); len(recent) != 0 {
		c()
		t.Errorf("after Forget, %d recent messages remain", len(recent))
	}
}

// loopRelay is a DebugRelay that hands every message to the hubs listed,
// or fails when err is set.
type loopRelay struct {
	hubs []*engine.DebugHub
	err  error
}

func (r *loopRelay) Publish(flowID string, data []byte) error {
	if r.err != nil {
		return r.err
	}
	for _, h := range r.hubs {
		h.Receive(flowID, data)
	}
	return nil
}

func TestDebugHubRelay(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a, b := &engine.DebugHub{}, &engine.DebugHub{}
		relay := &loopRelay{hubs: []*engine.DebugHub{a, b}}
		a.Relay, b.Relay = relay, relay
		_, evA, cancelA := a.Subscribe("f")
		defer cancelA()
		b.Publish(debugMsg("f", "from b", nil))
		if got := messages(t, [][]byte{(<-evA).Data}); got[0] != "from b" {
			t.Errorf("a got %v, want the message published on b", got)
		}
		if len(evA) != 0 {
			t.Errorf("a holds %d more events, want the message once", len(evA))
		}
		recent, _, cancelB := b.Subscribe("f")
		defer cancelB()
		if got := strings.Join(messages(t, recent), ","); got != "from b" {
			t.Errorf("b recent = %s, want the message once: from b", got)
		}
	})
	t.Run("ErrRelayFailsLocalStillSees", func(t *testing.T) {
		other := &engine.DebugHub{}
		h := &engine.DebugHub{Relay: &loopRelay{hubs: []*engine.DebugHub{other}, err: weir.Errorf(weir.Unavailable, "down")}}
		h.Publish(debugMsg("f", "m", nil))
		recent, _, cancel := h.Subscribe("f")
		defer cancel()
		if len(recent) != 1 {
			t.Errorf("local recent = %d messages, want 1 when the relay fails", len(recent))
		}
		recent, _, cancelOther := other.Subscribe("f")
		defer cancelOther()
		if len(recent) != 0 {
			t.Errorf("other recent = %d messages, want 0: the relay carried nothing", len(recent))
		}
	})
}
