package main

import (
	"errors"
	"net/url"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nats"
)

// cluster is what the processes of a scaled-out weir share over NATS
// besides the run queue: live debug messages and webhook and endpoint
// replies. It exists only when --queue names a NATS server.
type cluster struct {
	debug   *nats.DebugRelay
	replies *nats.ReplyRelay
}

// openCluster connects the debug hub and the reply hub to the other
// processes through m.nats.
func (m *Main) openCluster(hub *engine.DebugHub, replies *engine.ReplyHub) error {
	prefix := clusterPrefix(m.Config.Queue)
	m.cluster = &cluster{
		debug:   &nats.DebugRelay{Client: m.nats, Prefix: prefix},
		replies: &nats.ReplyRelay{Client: m.nats, Prefix: prefix},
	}
	if err := m.cluster.debug.Open(hub.Receive); err != nil {
		return err
	}
	hub.Relay = m.cluster.debug
	replies.Relay = m.cluster.replies
	return nil
}

// close stops receiving from the other processes.
func (c *cluster) close() error {
	if c == nil {
		return nil
	}
	return errors.Join(c.debug.Close())
}

// clusterPrefix names the subjects and buckets a cluster shares: the
// stream of its --queue URL (?stream=), so that clusters sharing a NATS
// server keep apart, else nats.DefaultPrefix.
func clusterPrefix(queue string) string {
	u, err := url.Parse(queue)
	if err != nil || u.Query().Get("stream") == "" {
		return nats.DefaultPrefix
	}
	return u.Query().Get("stream")
}
