package nats_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nats"
)

// mustReplyHubs returns the reply hubs of n processes of one cluster.
func mustReplyHubs(t testing.TB, n int) []*engine.ReplyHub {
	t.Helper()
	prefix := uniquePrefix(t)
	hubs := make([]*engine.ReplyHub, n)
	for i := range hubs {
		hubs[i] = &engine.ReplyHub{Relay: &nats.ReplyRelay{Client: mustClusterClient(t), Prefix: prefix}}
	}
	return hubs
}

// TestReplyRelay_FirstReplyWins has a request wait on process 0 while the
// other processes all answer it at once: exactly one reply is taken.
func TestReplyRelay_FirstReplyWins(t *testing.T) {
	hubs := mustReplyHubs(t, 3)
	for round := range 20 {
		id := fmt.Sprintf("wh.%d", round)
		ch, cancel, err := hubs[0].Register(id)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = hubs[1+i%2].Deliver(id, engine.Reply{StatusCode: 200 + i, Body: []byte("r")})
			}()
		}
		wg.Wait()
		taken := 0
		for _, err := range errs {
			switch weir.ErrorTypeOf(err) {
			case "":
				taken++
			case weir.NotFound:
			default:
				t.Errorf("Deliver = %v, want nil or NotFound", err)
			}
		}
		if taken != 1 {
			t.Errorf("round %d: %d replies taken, want 1", round, taken)
		}
		if got := <-ch; got.StatusCode < 200 || got.StatusCode > 203 || string(got.Body) != "r" {
			t.Errorf("reply = %+v, want one of those sent", got)
		}
		cancel()
	}
}

func TestReplyRelay_Errors(t *testing.T) {
	hubs := mustReplyHubs(t, 2)
	t.Run("ErrNoWaiter", func(t *testing.T) {
		if err := hubs[1].Deliver("wh.nobody", engine.Reply{}); weir.ErrorTypeOf(err) != weir.NotFound {
			t.Errorf("Deliver = %v, want NotFound", err)
		}
	})
	t.Run("ErrWaiterGaveUp", func(t *testing.T) {
		_, cancel, err := hubs[0].Register("wh.gone")
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := hubs[1].Deliver("wh.gone", engine.Reply{}); weir.ErrorTypeOf(err) != weir.NotFound {
			t.Errorf("Deliver after cancel = %v, want NotFound", err)
		}
	})
	t.Run("ErrOddReplyIDs", func(t *testing.T) {
		for _, id := range []string{"a b", "a.*.>", string(make([]byte, 600))} {
			if err := hubs[1].Deliver(id, engine.Reply{}); weir.ErrorTypeOf(err) != weir.NotFound {
				t.Errorf("Deliver(%.10q) = %v, want NotFound", id, err)
			}
		}
	})
	t.Run("ErrListenerOffline", func(t *testing.T) {
		relay := &nats.ReplyRelay{Client: mustClusterClient(t)}
		relay.Client.Conn.Close()
		h := &engine.ReplyHub{Relay: relay}
		if _, _, err := h.Register("wh.offline"); weir.ErrorTypeOf(err) != weir.Unavailable {
			t.Errorf("Register with the connection closed = %v, want Unavailable", err)
		}
		if n := h.Waiting(); n != 0 {
			t.Errorf("Waiting() = %d after a failed Register, want 0", n)
		}
	})
}

// BenchmarkReplyRelay measures one reply sent from another process to a
// waiting request, Listen included.
func BenchmarkReplyRelay(b *testing.B) {
	hubs := mustReplyHubs(b, 2)
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("wh.%d", i)
		ch, cancel, err := hubs[0].Register(id)
		if err != nil {
			b.Fatal(err)
		}
		if err := hubs[1].Deliver(id, engine.Reply{StatusCode: 200}); err != nil {
			b.Fatal(err)
		}
		<-ch
		cancel()
	}
}
