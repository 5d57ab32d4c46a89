package broker

import (
	"context"
	"sync"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/weirhq/weir"
)

// MaxPendingStates is how many state messages of one connection may wait
// to be committed; a device sending more without waiting for its PUBACKs
// is disconnected.
const MaxPendingStates = 256

// maxStateBatch caps the state messages committed together.
const maxStateBatch = 64

// stateQueue holds a connection's state messages, in the order received,
// until they are committed. One goroutine at a time (a drainer, started
// when the first message arrives and gone once the queue is empty, so that
// an idle device costs none) commits every message waiting in one write to
// the store, queues their runs together and then sends their PUBACKs in
// order: a device keeping several messages in flight shares commits
// instead of waiting for one commit per message, and a PUBACK still
// follows the commit of its state and its runs.
type stateQueue struct {
	mu       sync.Mutex
	waiting  []stateMessage
	draining bool
}

// stateMessage is one state message waiting to be committed.
type stateMessage struct {
	packetID uint16             // 0: QoS 0, no PUBACK
	deviceID string             // the session's own device or a peripheral of it
	states   []weir.DeviceState // none: dropped (logged), only acknowledged in turn
}

// queueState adds a state message of cl to its queue and starts a drainer
// if none runs; it reports false when the queue is full.
func (b *Broker) queueState(cl *mqtt.Client, s *session, m stateMessage) bool {
	q := &s.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) >= MaxPendingStates {
		return false
	}
	if !q.draining {
		b.mu.Lock()
		closed := b.closed
		if !closed {
			b.drainers.Add(1)
		}
		b.mu.Unlock()
		if closed {
			return true // weir is stopping: not committed, not acknowledged
		}
		q.draining = true
		go b.drain(cl, s)
	}
	q.waiting = append(q.waiting, m)
	return true
}

// drain commits the waiting messages of s, batch after batch, until none
// is left.
func (b *Broker) drain(cl *mqtt.Client, s *session) {
	defer b.drainers.Done()
	q := &s.queue
	for {
		q.mu.Lock()
		n := min(len(q.waiting), maxStateBatch)
		if n == 0 {
			q.draining = false
			q.waiting = nil
			q.mu.Unlock()
			return
		}
		batch := q.waiting[:n:n]
		q.waiting = q.waiting[n:]
		q.mu.Unlock()
		b.commitStates(cl, s, batch)
	}
}

// commitStates commits a batch of state messages, one write per device,
// queues the runs of their triggers, and acknowledges each message whose
// states and runs were committed, in order. A message that could not be
// is not acknowledged, so the device sends it again.
func (b *Broker) commitStates(cl *mqtt.Client, s *session, batch []stateMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	ok := make([]bool, len(batch))
	var wg sync.WaitGroup
	for i := 0; i < len(batch); {
		j := i + 1
		for j < len(batch) && batch[j].deviceID == batch[i].deviceID {
			j++
		}
		b.commitDevice(ctx, cl, s, batch[i:j], ok[i:j], &wg)
		i = j
	}
	wg.Wait()
	var acks []byte
	for i, m := range batch {
		if ok[i] && m.packetID != 0 {
			acks = appendPuback(acks, m.packetID)
		}
	}
	if err := writeAcks(cl, acks); err != nil {
		b.Logger.Debug("mqtt: PUBACK not sent", "device_id", cl.ID, "err", err)
	}
}

// appendPuback appends the PUBACK of packetID: its 4 bytes are the same in
// MQTT 3.1.1 and 5 (a success without properties has no reason code).
func appendPuback(b []byte, packetID uint16) []byte {
	return append(b, packets.Puback<<4, 2, byte(packetID>>8), byte(packetID))
}

// writeAcks writes the PUBACKs of a batch to cl in one write, under the
// lock the library takes for each packet it writes: one system call per
// batch instead of one per message. Only the drainer of a connection
// writes its PUBACKs, so they stay in the order the messages came;
// packets the library queued for the device may come before or after
// them, which MQTT allows.
func writeAcks(cl *mqtt.Client, acks []byte) error {
	if len(acks) == 0 || cl.Net.Conn == nil {
		return nil
	}
	if cl.Closed() {
		return mqtt.ErrConnectionClosed
	}
	cl.Lock()
	defer cl.Unlock()
	_, err := cl.Net.Conn.Write(acks)
	return err
}

// commitDevice commits the states of msgs, all of one device, in one write
// and has the triggers queue their runs (on wg); ok[i] becomes true once
// msgs[i] is fully committed. Dropped messages are ok at once.
func (b *Broker) commitDevice(ctx context.Context, cl *mqtt.Client, s *session, msgs []stateMessage, ok []bool, wg *sync.WaitGroup) {
	var states []weir.DeviceState
	received := 0
	for i, m := range msgs {
		ok[i] = len(m.states) == 0
		if !ok[i] {
			received++
		}
		states = append(states, m.states...)
	}
	if len(states) == 0 {
		return
	}
	kept, d, err := b.States.AddDeviceStates(ctx, s.device.ApplicationID, msgs[0].deviceID, states)
	if err != nil {
		b.Logger.Error("mqtt: state not stored; not acknowledged", "device_id", cl.ID, "err", err)
		return
	}
	b.mu.Lock()
	s.in += received
	b.mu.Unlock()
	if b.Events == nil || len(kept) == 0 {
		for i := range ok {
			ok[i] = true
		}
		return
	}
	// Each message's kept reports start its triggers, as one report of
	// that message; when the store dropped some reports (too old, or no
	// known attribute) which message kept which is unknown, and the batch
	// is handed to the triggers as one report of several states.
	groups := [][]weir.DeviceState{kept}
	owners := [][]int{nil}
	for i := range msgs {
		owners[0] = append(owners[0], i)
	}
	if len(kept) == len(states) {
		groups, owners = groups[:0], owners[:0]
		for i, m := range msgs {
			if len(m.states) > 0 {
				groups = append(groups, kept[:len(m.states)])
				owners = append(owners, []int{i})
				kept = kept[len(m.states):]
			}
		}
	}
	for g, group := range groups {
		wg.Go(func() {
			if err := b.Events.DeviceStates(ctx, d, group); err != nil {
				b.Logger.Error("mqtt: state triggers; not acknowledged", "device_id", cl.ID, "err", err)
				return
			}
			for _, i := range owners[g] {
				ok[i] = true
			}
		})
	}
}
