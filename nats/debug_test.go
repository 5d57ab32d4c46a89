package nats_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nats"
)

// debugProcess is one weir process's debug hub on its own connection.
type debugProcess struct {
	hub   *engine.DebugHub
	relay *nats.DebugRelay
}

func mustDebugProcesses(t *testing.T, n int) []debugProcess {
	t.Helper()
	prefix := uniquePrefix(t)
	ps := make([]debugProcess, n)
	for i := range ps {
		relay := &nats.DebugRelay{Client: mustClusterClient(t), Prefix: prefix}
		hub := &engine.DebugHub{Keep: 5, Relay: relay}
		if err := relay.Open(hub.Receive); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { relay.Close() })
		ps[i] = debugProcess{hub: hub, relay: relay}
	}
	return ps
}

// TestDebugRelay_EveryProcessOnce publishes from each of three processes
// and checks that a subscriber on every process gets each message once.
func TestDebugRelay_EveryProcessOnce(t *testing.T) {
	ps := mustDebugProcesses(t, 3)
	const flow, perProcess = "0123456789abcdef01234567", 20
	subs := make([]<-chan engine.DebugEvent, len(ps))
	for i, p := range ps {
		_, ev, cancel := p.hub.Subscribe(flow)
		t.Cleanup(cancel)
		subs[i] = ev
	}
	for i, p := range ps {
		for j := range perProcess {
			p.hub.Publish(engine.DebugMessage{FlowID: flow, Message: fmt.Sprintf("p%d-%d", i, j)})
		}
		p.hub.Publish(engine.DebugMessage{FlowID: flow, Message: fmt.Sprintf("end-%d", i)})
	}
	for i, ev := range subs {
		// Each publisher's messages arrive in order, so once its end
		// marker is in, any duplicate of its messages would be in too.
		got := receiveUntilEnds(t, ev, len(ps))
		for k, n := range got {
			if n != 1 {
				t.Errorf("process %d got %q %d times, want once", i, k, n)
			}
		}
		if want := len(ps) * (perProcess + 1); len(got) != want {
			t.Errorf("process %d got %d distinct messages, want %d", i, len(got), want)
		}
	}
	recent, _, cancel := ps[1].hub.Subscribe(flow)
	defer cancel()
	if len(recent) != 5 {
		t.Errorf("a late subscriber got %d recent messages, want Keep=5", len(recent))
	}
}

// TestDebugRelay_Errors checks that what cannot be relayed still reaches
// this process's subscribers.
func TestDebugRelay_Errors(t *testing.T) {
	t.Run("ErrBadFlowID", func(t *testing.T) {
		ps := mustDebugProcesses(t, 2)
		ps[0].hub.Publish(engine.DebugMessage{FlowID: "a.b", Message: "m"})
		recent, _, cancel := ps[0].hub.Subscribe("a.b")
		defer cancel()
		if len(recent) != 1 {
			t.Errorf("local recent = %d, want 1", len(recent))
		}
	})
	t.Run("ErrClosedConnection", func(t *testing.T) {
		ps := mustDebugProcesses(t, 1)
		ps[0].relay.Client.Conn.Close()
		ps[0].hub.Publish(engine.DebugMessage{FlowID: "f", Message: "m"})
		recent, _, cancel := ps[0].hub.Subscribe("f")
		defer cancel()
		if len(recent) != 1 {
			t.Errorf("local recent = %d, want 1 with the connection closed", len(recent))
		}
	})
}

// receiveUntilEnds counts messages by text until n end markers came.
func receiveUntilEnds(t *testing.T, ev <-chan engine.DebugEvent, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	ends := 0
	timeout := time.After(10 * time.Second)
	for ends < n {
		select {
		case e := <-ev:
			var m struct{ Message string }
			if err := json.Unmarshal(e.Data, &m); err != nil {
				t.Fatal(err)
			}
			got[m.Message]++
			if len(m.Message) > 4 && m.Message[:4] == "end-" && got[m.Message] == 1 {
				ends++
			}
		case <-timeout:
			t.Fatalf("timed out with %d of %d end markers", ends, n)
		}
	}
	return got
}
