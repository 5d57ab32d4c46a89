package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

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
