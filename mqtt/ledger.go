package mqtt

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Defaults of the Ledger fields.
const (
	DefaultLedgerTTL = 10 * time.Second
	DefaultLedgerMax = 10000
)

// Ledger remembers for a while the messages this process published and on
// whose behalf (a flow id), so that when the broker hands one back to a
// Subscriber of the same process its origin is known: MQTT 3.1.1 carries
// nothing but topic and payload, and the payload is the flow's to choose.
//
// A message is known by its topic and payload. Identical messages are told
// apart by order only: the first to come back is taken to be the first
// published. So an identical message another client publishes while a
// published one is on its way (or was lost: QoS 0) may be taken for it,
// and a message the broker hands to another process (a shared
// subscription) is not recognised there. Entries are forgotten after TTL,
// and the oldest first once there are Max. It is safe for concurrent use.
type Ledger struct {
	TTL time.Duration // default DefaultLedgerTTL
	Max int           // default DefaultLedgerMax
	Now func() time.Time

	mu      sync.Mutex
	entries map[ledgerKey][]ledgerEntry // per message, oldest first
	order   []ledgerSlot                // every recorded entry, oldest first; some already taken
	n       int                         // entries held
	seq     uint64
}

type ledgerKey struct {
	topic string
	sum   [sha256.Size]byte
}

type ledgerEntry struct {
	seq    uint64
	origin string
	at     time.Time
}

type ledgerSlot struct {
	key ledgerKey
	seq uint64
}

// Record notes that origin is about to publish payload to topic.
func (l *Ledger) Record(topic string, payload []byte, origin string) {
	k := ledgerKey{topic, sha256.Sum256(payload)}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.expire(now)
	if l.entries == nil {
		l.entries = map[ledgerKey][]ledgerEntry{}
	}
	l.seq++
	l.entries[k] = append(l.entries[k], ledgerEntry{l.seq, origin, now})
	l.order = append(l.order, ledgerSlot{k, l.seq})
	l.n++
	for l.n > l.max() {
		l.popOldest()
	}
	if len(l.order) > 2*l.max() {
		l.compact()
	}
}

// compact drops the slots of entries already taken or forgotten.
func (l *Ledger) compact() {
	live := make([]ledgerSlot, 0, l.n)
	for _, s := range l.order {
		if _, ok := l.find(s); ok {
			live = append(live, s)
		}
	}
	l.order = live
}

// Forget undoes the latest Record of origin's payload to topic: the
// publication failed.
func (l *Ledger) Forget(topic string, payload []byte, origin string) {
	k := ledgerKey{topic, sha256.Sum256(payload)}
	l.mu.Lock()
	defer l.mu.Unlock()
	es := l.entries[k]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].origin == origin {
			l.remove(k, i)
			return
		}
	}
}

// Take returns the origin of the oldest unexpired record of payload on
// topic and forgets it; ok is false when there is none.
func (l *Ledger) Take(topic string, payload []byte) (origin string, ok bool) {
	k := ledgerKey{topic, sha256.Sum256(payload)}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(l.now())
	es := l.entries[k]
	if len(es) == 0 {
		return "", false
	}
	origin = es[0].origin
	l.remove(k, 0)
	return origin, true
}

// Len returns the number of entries held.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// remove forgets entry i of k; its slot in order stays, and is skipped.
func (l *Ledger) remove(k ledgerKey, i int) {
	es := l.entries[k]
	if len(es) == 1 {
		delete(l.entries, k)
	} else {
		l.entries[k] = append(es[:i:i], es[i+1:]...)
	}
	l.n--
}

// expire forgets the entries older than TTL.
func (l *Ledger) expire(now time.Time) {
	for len(l.order) > 0 {
		if e, ok := l.find(l.order[0]); ok && now.Sub(e.at) < l.ttl() {
			return
		}
		l.popOldest()
	}
}

// popOldest drops the first slot of order and its entry, when still held.
func (l *Ledger) popOldest() {
	s := l.order[0]
	l.order[0] = ledgerSlot{}
	l.order = l.order[1:]
	for i, e := range l.entries[s.key] {
		if e.seq == s.seq {
			l.remove(s.key, i)
			return
		}
	}
}

// find returns the entry of slot s, if still held.
func (l *Ledger) find(s ledgerSlot) (ledgerEntry, bool) {
	for _, e := range l.entries[s.key] {
		if e.seq == s.seq {
			return e, true
		}
	}
	return ledgerEntry{}, false
}

func (l *Ledger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Ledger) ttl() time.Duration {
	if l.TTL > 0 {
		return l.TTL
	}
	return DefaultLedgerTTL
}

func (l *Ledger) max() int {
	if l.Max > 0 {
		return l.Max
	}
	return DefaultLedgerMax
}
