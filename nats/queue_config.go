package nats

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"time"

	"github.com/weirhq/weir"
)

// Queue defaults.
const (
	DefaultStream        = "WEIR_RUNS"
	DefaultMaxQueued     = 100_000 // waiting runs; like the SQLite store's queue
	DefaultLease         = 30 * time.Second
	DefaultMaxHold       = 2 * time.Minute
	DefaultMaxAckPending = 10_000
	DefaultDuplicates    = 2 * time.Minute
	DefaultPoll          = time.Second
	DefaultMaxParked     = 1000
	minLease             = time.Second
)

// QueueConfig configures a Queue. Zero fields take the defaults above.
type QueueConfig struct {
	// Stream is the JetStream stream holding the runs; its subject is
	// Stream + ".runs". Processes sharing a stream share the work.
	Stream string

	// Recorder records completed runs and tells which runs were recorded
	// already. Required.
	Recorder weir.RunRecorder

	// MaxQueued bounds the runs waiting in the stream; past it EnqueueRun
	// returns Unavailable.
	MaxQueued int64

	// Lease is the consumer's ack wait: a claimed run whose process stops
	// acknowledging it is offered again this long after the last sign of
	// progress.
	Lease time.Duration

	// MaxHold is how long the queue keeps extending the lease of a claimed
	// run that is not completed: longer than any run may take. Past it the
	// run is offered again Lease later.
	MaxHold time.Duration

	// MaxAckPending bounds the runs claimed and not completed across every
	// process; claims wait while that many are out.
	MaxAckPending int

	// Duplicates is the stream's duplicate window: a run enqueued again with
	// the same ID within it is stored once. At least two minutes.
	Duplicates time.Duration

	// MaxParked bounds the runs a queue holds for later claims because
	// the claims that took them skipped their flows (see
	// Queue.ClaimRunsSkipping).
	MaxParked int

	// Poll is how often a waiting claim asks for runs when none was
	// published meanwhile: runs whose lease ran out are offered again no
	// later than Poll after that.
	Poll time.Duration

	// Logger receives what the queue cannot return (undecodable messages,
	// failed lease extensions). Nil: discarded.
	Logger *slog.Logger
}

// streamName is what JetStream accepts as a stream name and a subject token.
var streamName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// withDefaults returns c with its zero fields set and checks the others.
func (c QueueConfig) withDefaults() (QueueConfig, error) {
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if !streamName.MatchString(c.Stream) {
		return c, fmt.Errorf("nats: stream name %q: use 1 to 64 letters, digits, '_' or '-'", c.Stream)
	}
	if c.Recorder == nil {
		return c, fmt.Errorf("nats: a queue needs a run recorder")
	}
	if c.MaxQueued <= 0 {
		c.MaxQueued = DefaultMaxQueued
	}
	if c.Lease == 0 {
		c.Lease = DefaultLease
	}
	if c.Lease < minLease {
		return c, fmt.Errorf("nats: lease %v is shorter than %v", c.Lease, minLease)
	}
	if c.MaxHold <= 0 {
		c.MaxHold = DefaultMaxHold
	}
	if c.MaxAckPending <= 0 {
		c.MaxAckPending = DefaultMaxAckPending
	}
	if c.Duplicates < DefaultDuplicates {
		c.Duplicates = DefaultDuplicates
	}
	if c.MaxParked <= 0 {
		c.MaxParked = DefaultMaxParked
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// ParseQueueURL splits a --queue URL into the server URL to dial and the
// queue settings its query gives: stream (the stream name, default
// WEIR_RUNS) and lease (a Go duration of at least 1s, default 30s). Other
// query parameters are refused.
func ParseQueueURL(raw string) (server string, cfg QueueConfig, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", cfg, fmt.Errorf("queue URL: %w", err)
	}
	if u.Scheme != "nats" && u.Scheme != "tls" {
		return "", cfg, fmt.Errorf("queue URL %q: want a nats:// or tls:// URL", u.Redacted())
	}
	for k, v := range u.Query() {
		switch {
		case k == "stream" && len(v) == 1:
			if !streamName.MatchString(v[0]) {
				return "", cfg, fmt.Errorf("queue URL: stream %q: use 1 to 64 letters, digits, '_' or '-'", v[0])
			}
			cfg.Stream = v[0]
		case k == "lease" && len(v) == 1:
			d, err := time.ParseDuration(v[0])
			if err != nil || d < minLease {
				return "", cfg, fmt.Errorf("queue URL: lease %q: want a duration of at least %v", v[0], minLease)
			}
			cfg.Lease = d
		default:
			return "", cfg, fmt.Errorf("queue URL: unknown or repeated parameter %q (known: stream, lease)", k)
		}
	}
	u.RawQuery = ""
	return u.String(), cfg, nil
}
