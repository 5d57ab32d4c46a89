package nats

import (
	"errors"
	"fmt"
	"strings"

	natsgo "github.com/nats-io/nats.go"

	"github.com/weirhq/weir"
)

// originHeader names the process that sent a trace message, so that it
// ignores its own.
const originHeader = "Weir-Origin"

// TraceRelay carries live traces among the processes of a cluster over core
// NATS: a process that follows a flow says so on <prefix>.trace.want.<flow
// id>, and the others send it their runs of that flow on
// <prefix>.trace.runs.<flow id>. A process never receives its own
// messages. Delivery is at most once: a process that is disconnected or
// falls behind misses batches. It implements engine.TraceRelay and is safe
// for concurrent use once Open has returned.
type TraceRelay struct {
	Client *Client
	Prefix string // default DefaultPrefix

	origin      string
	wants, runs subscription
}

// Open subscribes to the other processes' wants and batches of every flow
// and hands each to want (engine.TraceHub.ReceiveWant) or receive
// (engine.TraceHub.ReceiveBatch), one at a time; neither may block. Call it
// before Want and Forward.
func (r *TraceRelay) Open(want func(flowID string), receive func(flowID string, batch []byte)) error {
	r.origin = weir.NewKey(16)
	base := r.subject("want", "")
	sub, err := subscribe(r.Client.Conn, base+"*", func(m *natsgo.Msg) {
		if m.Header.Get(originHeader) != r.origin {
			want(strings.TrimPrefix(m.Subject, base))
		}
	})
	if err != nil {
		return err
	}
	r.wants.set(sub)
	runs := r.subject("runs", "")
	sub, err = subscribe(r.Client.Conn, runs+"*", func(m *natsgo.Msg) {
		if m.Header.Get(originHeader) != r.origin {
			receive(strings.TrimPrefix(m.Subject, runs), m.Data)
		}
	})
	if err != nil {
		_ = r.wants.close(r.Client.Conn, "trace wants")
		return err
	}
	r.runs.set(sub)
	return nil
}

// Want tells the other processes that this one follows flowID.
func (r *TraceRelay) Want(flowID string) error { return r.publish("want", flowID, nil) }

// Forward sends a batch of this process's runs of flowID to the other
// processes.
func (r *TraceRelay) Forward(flowID string, batch []byte) error {
	return r.publish("runs", flowID, batch)
}

// publish sends data on the kind subject of flowID, marked as this
// process's. It sends nothing when flowID cannot be a subject token or the
// connection is closed.
func (r *TraceRelay) publish(kind, flowID string, data []byte) error {
	if !validToken(flowID) {
		return fmt.Errorf("nats: flow id %q cannot name a subject", flowID)
	}
	m := natsgo.NewMsg(r.subject(kind, flowID))
	m.Header.Set(originHeader, r.origin)
	m.Data = data
	if err := r.Client.Conn.PublishMsg(m); err != nil {
		return fmt.Errorf("nats: publish trace %s: %w", kind, err)
	}
	return nil
}

// Close stops receiving; it does not close the Client.
func (r *TraceRelay) Close() error {
	return errors.Join(r.wants.close(r.Client.Conn, "trace wants"), r.runs.close(r.Client.Conn, "trace runs"))
}

func (r *TraceRelay) subject(kind, flowID string) string {
	return prefixOr(r.Prefix) + ".trace." + kind + "." + flowID
}
