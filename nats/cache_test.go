package nats_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir/nats"
)

// TestCacheRelay_OthersDrop announces changes from two processes of three:
// each process drops its cache once per announcement of another, never for
// its own.
func TestCacheRelay_OthersDrop(t *testing.T) {
	prefix := uniquePrefix(t)
	relays := make([]*nats.CacheRelay, 3)
	drops := make([]atomic.Int64, 3)
	for i := range relays {
		relays[i] = &nats.CacheRelay{Client: mustClusterClient(t), Prefix: prefix}
		if err := relays[i].Open(func() { drops[i].Add(1) }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { relays[i].Close() })
	}
	for range 3 {
		if err := relays[0].Announce(); err != nil {
			t.Fatal(err)
		}
	}
	// Once process 0 has read its own three back, process 1 announces;
	// process 0 handles that one after its own.
	if err := relays[0].Client.Conn.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := relays[1].Announce(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "every announcement", func() bool {
		return drops[0].Load() >= 1 && drops[1].Load() >= 3 && drops[2].Load() >= 4
	})
	for i, want := range []int64{1, 3, 4} {
		if got := drops[i].Load(); got != want {
			t.Errorf("process %d dropped %d times, want %d", i, got, want)
		}
	}
}
