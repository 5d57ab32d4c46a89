package main

import (
	"context"
	"errors"
	"time"

	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/nats"
	"github.com/weirhq/weir/ratelimit"
)

// limitWindow is the window of the press and webhook limits, as Losant's.
const limitWindow = 10 * time.Second

// cluster is what the processes of a scaled-out weir share over NATS
// besides the run queue: live debug messages and webhook and endpoint
// replies. It exists only when --queue names a NATS server.
type cluster struct {
	debug   *nats.DebugRelay
	replies *nats.ReplyRelay
	cache   *nats.CacheRelay  // nil until shareCache
	traces  *nats.TraceRelay  // nil until shareTraces
	hub     *engine.TraceHub  // the live trace streams' hub, closed after traces
	mqtt    *nats.BrokerRelay // nil unless the MQTT endpoint for devices is served
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

// shareCache makes the changes made through this process's API drop the
// other processes' caches (flows and token records) at once, and theirs
// drop this one's (and make its MQTT topic triggers look again), instead of
// within the caches' time to live.
func (m *Main) shareCache(cache *engine.FlowCache, tokens *weirhttp.TokenCache) error {
	relay := &nats.CacheRelay{Client: m.nats, Prefix: clusterPrefix(m.Config.Queue)}
	local := cache.OnInvalidate
	err := relay.Open(func() {
		cache.Drop()
		tokens.Drop()
		if local != nil {
			local()
		}
	})
	if err != nil {
		return err
	}
	m.cluster.cache = relay
	cache.OnInvalidate = func() {
		if err := relay.Announce(); err != nil {
			m.Logger.Warn("cluster: other processes see this change within their cache's time to live", "err", err)
		}
		if local != nil {
			local()
		}
	}
	tokens.OnChange = func() {
		if err := relay.Announce(); err != nil {
			m.Logger.Warn("cluster: other processes refuse this token change within their cache's time to live", "err", err)
		}
	}
	return nil
}

// shareTraces connects the live trace streams to the other processes: a
// stream opened here shows the runs that any process executes.
func (m *Main) shareTraces(hub *engine.TraceHub) error {
	relay := &nats.TraceRelay{Client: m.nats, Prefix: clusterPrefix(m.Config.Queue)}
	hub.Relay = relay // before Open: wants come from then on; nobody subscribes before the server serves
	if err := relay.Open(hub.ReceiveWant, hub.ReceiveBatch); err != nil {
		return err
	}
	m.cluster.traces, m.cluster.hub = relay, hub
	return nil
}

// limiter returns a limit of n uses per key per limitWindow, or nil when n
// is 0. In a cluster the processes share it (bucket <prefix>_limit_<name>),
// each falling back on its own count while NATS cannot answer.
func (m *Main) limiter(ctx context.Context, name string, n int) (engine.Limiter, error) {
	return m.limiterPer(ctx, name, n, limitWindow)
}

// limiterPer is limiter with a window of its own.
func (m *Main) limiterPer(ctx context.Context, name string, n int, per time.Duration) (engine.Limiter, error) {
	if n <= 0 {
		return nil, nil
	}
	own := ratelimit.New(n, per)
	if m.nats == nil {
		return own, nil
	}
	l := &nats.Limiter{Client: m.nats, Bucket: clusterPrefix(m.Config.Queue) + "_limit_" + name,
		Limit: n, Per: per, Logger: m.Logger, Fallback: own}
	if err := l.Open(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// close stops receiving from the other processes.
func (c *cluster) close() error {
	if c == nil {
		return nil
	}
	var err error
	if c.cache != nil {
		err = c.cache.Close()
	}
	if c.mqtt != nil {
		err = errors.Join(err, c.mqtt.Close())
	}
	if c.traces != nil {
		err = errors.Join(err, c.traces.Close())
		c.hub.Close()
	}
	return errors.Join(c.debug.Close(), err)
}

// clusterPrefix names the subjects and buckets a cluster shares after the
// stream of its --queue URL (?stream=, default nats.DefaultStream), so that
// clusters sharing a NATS server keep apart.
func clusterPrefix(queue string) string {
	_, cfg, err := nats.ParseQueueURL(queue) // checked by Config.Validate
	if err != nil || cfg.Stream == "" {
		return nats.DefaultStream
	}
	return cfg.Stream
}
