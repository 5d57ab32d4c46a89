package nats

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/weirhq/weir"
)

// consumerName is the durable pull consumer every weir process claims from.
const consumerName = "weir"

// publishTimeout bounds EnqueueRun when its context has no deadline.
const publishTimeout = 10 * time.Second

// errClosed is returned by claims on a closed queue.
var errClosed = errors.New("nats: run queue is closed")

// Queue is a weir.RunQueue over NATS JetStream, shared by every weir process
// using the same stream: each run is one message in a work-queue stream, and
// one durable pull consumer hands the messages out, so a run is claimed by
// one process at a time.
//
// Guarantees. EnqueueRun returns nil only once JetStream stored the run, so
// it executes at least once. Runs enqueued again with the same ID within the
// duplicate window are stored once (timer ticks are enqueued by every
// process with one ID per tick). A claimed run that is never completed
// (its process died, or it ran past MaxHold) is offered again once its lease
// runs out, to any process, with Attempt counting the earlier deliveries.
// A redelivered run that the Recorder already recorded is acknowledged and
// skipped, and counted in Duplicates; RecordRun records a run at most once,
// so the log and stats count each run once.
//
// Ordering. One claimer receives the runs it has not seen before in the order
// their EnqueueRun calls returned. Nothing more is promised: runs claimed by
// several claimers or processes execute concurrently in any order, and a
// redelivered run comes after runs enqueued later.
type Queue struct {
	cfg     QueueConfig
	js      jetstream.JetStream
	cons    jetstream.Consumer
	subject string
	leases  leases
	dups    atomic.Int64
	wake    wake
	sub     *natsgo.Subscription // the stream's subject, to wake claims

	ctx    context.Context // ends when the queue closes
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

var _ weir.FairRunQueue = (*Queue)(nil)

// OpenQueue creates the stream and the consumer of cfg when they do not
// exist yet (several processes may do so at once) or updates them to cfg,
// and starts extending the leases of claimed runs.
func OpenQueue(ctx context.Context, c *Client, cfg QueueConfig) (*Queue, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	q := &Queue{cfg: cfg, js: c.JS, subject: cfg.Stream + ".runs", done: make(chan struct{})}
	if err := q.ensureStream(ctx); err != nil {
		return nil, err
	}
	if q.cons, err = q.ensureConsumer(ctx); err != nil {
		return nil, err
	}
	// Every process sees each published run on the core subject, so its
	// waiting claims ask at once instead of at the next poll.
	if q.sub, err = c.Conn.Subscribe(q.subject, func(*natsgo.Msg) { q.wake.broadcast() }); err != nil {
		return nil, fmt.Errorf("nats: subscribe %s: %w", q.subject, err)
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	go q.extendLeases()
	return q, nil
}

// ensureStream creates or updates the stream. Two processes creating it at
// once with the same config both succeed; a lost race between an update and
// a create is retried.
func (q *Queue) ensureStream(ctx context.Context) error {
	sc := jetstream.StreamConfig{
		Name:        q.cfg.Stream,
		Description: "weir runs waiting to execute",
		Subjects:    []string{q.subject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxMsgs:     q.cfg.MaxQueued,
		Discard:     jetstream.DiscardNew,
		Duplicates:  q.cfg.Duplicates,
	}
	var err error
	for range 3 {
		if _, err = q.js.CreateOrUpdateStream(ctx, sc); err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			break
		}
	}
	return fmt.Errorf("nats: stream %s: %w", q.cfg.Stream, err)
}

// ensureConsumer creates or updates the shared durable consumer.
func (q *Queue) ensureConsumer(ctx context.Context) (jetstream.Consumer, error) {
	cc := jetstream.ConsumerConfig{
		Durable:       consumerName,
		Description:   "weir executors",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       q.cfg.Lease,
		MaxDeliver:    -1,
		MaxAckPending: q.cfg.MaxAckPending,
	}
	var err error
	for range 3 {
		var cons jetstream.Consumer
		if cons, err = q.js.CreateOrUpdateConsumer(ctx, q.cfg.Stream, cc); err == nil {
			return cons, nil
		}
		if !errors.Is(err, jetstream.ErrConsumerExists) {
			break
		}
	}
	return nil, fmt.Errorf("nats: consumer %s of %s: %w", consumerName, q.cfg.Stream, err)
}

// Duplicates returns how many redelivered runs this queue skipped because
// they were recorded already.
func (q *Queue) Duplicates() int64 { return q.dups.Load() }

// Close stops extending leases and offers the runs claimed and not
// completed again at once. Claims in progress return an error. It does not
// close the client.
func (q *Queue) Close() error {
	q.once.Do(func() {
		_ = q.sub.Unsubscribe()
		q.cancel()
		<-q.done
		for _, m := range q.leases.drain() {
			_ = m.Nak() // best effort: otherwise offered again when the lease runs out
		}
	})
	return nil
}

// EnqueueRun stores run, giving it an ID when it has none, and returns once
// JetStream acknowledged it. A run with the ID of a run enqueued within the
// duplicate window is not stored again, and EnqueueRun returns nil. It
// returns Unavailable when MaxQueued runs are waiting or the server cannot be
// reached; the run may then still have been stored.
func (q *Queue) EnqueueRun(ctx context.Context, run *weir.Run) error {
	if run.ID == "" {
		run.ID = weir.NewID()
	}
	body := run.AppendJSON(nil)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, publishTimeout)
		defer cancel()
	}
	_, err := q.js.Publish(ctx, q.subject, body, jetstream.WithMsgID(run.ID), jetstream.WithExpectStream(q.cfg.Stream))
	if err != nil {
		return q.publishError(err)
	}
	return nil
}

// publishError translates a failed publish.
func (q *Queue) publishError(err error) error {
	var apiErr *jetstream.APIError
	switch {
	case errors.As(err, &apiErr) && strings.Contains(strings.ToLower(apiErr.Description), "maximum messages"):
		return weir.Errorf(weir.Unavailable, "%d runs are waiting; try again later", q.cfg.MaxQueued)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, natsgo.ErrTimeout),
		errors.Is(err, natsgo.ErrNoResponders), errors.Is(err, natsgo.ErrConnectionClosed):
		return fmt.Errorf("nats: enqueue run: %w", weir.Errorf(weir.Unavailable, "The run queue is unreachable; try again later"))
	}
	return fmt.Errorf("nats: enqueue run: %w", err)
}

// ClaimRuns blocks until a run is ready, then leases up to n (at least one)
// runs. It returns ctx's error if ctx ends first. Attempt counts the earlier
// deliveries of each run, by any process. The queue extends the lease of a
// claimed run until it is completed, for at most MaxHold.
func (q *Queue) ClaimRuns(ctx context.Context, n int) ([]*weir.Run, error) {
	return q.ClaimRunsSkipping(ctx, n, weir.RunSkip{})
}

// ClaimRunsSkipping is ClaimRuns handing out no run of skip's flows and
// applications. JetStream hands messages out in its order, so the runs
// skip names are parked: held by this queue, their leases extended (MaxHold
// counts from when they are handed out), and handed out in their order by
// a later claim that does not skip them. While MaxParked runs are parked,
// claims take no new messages; Close offers the parked runs again at once.
func (q *Queue) ClaimRunsSkipping(ctx context.Context, n int, skip weir.RunSkip) ([]*weir.Run, error) {
	n = max(n, 1)
	for {
		runs := q.leases.unpark(n, skip, time.Now())
		var msgs []jetstream.Msg
		switch {
		case len(runs) == n:
			return runs, nil
		case len(runs) > 0:
			msgs, _ = q.pull(n - len(runs)) // what is ready now, without waiting
		case q.leases.parkedLen() >= q.cfg.MaxParked:
			if err := q.pause(ctx); err != nil {
				return nil, err
			}
			continue
		default:
			var err error
			if msgs, err = q.fetch(ctx, n); err != nil {
				return nil, err
			}
		}
		for _, r := range q.accept(ctx, msgs) {
			if skip.Skips(r) {
				q.leases.park(r)
			} else {
				runs = append(runs, r)
			}
		}
		if len(runs) > 0 {
			return runs, nil
		}
	}
}

// pause waits for Poll, ctx's end or the queue's closing.
func (q *Queue) pause(ctx context.Context) error {
	t := time.NewTimer(q.cfg.Poll)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-q.ctx.Done():
	}
	return q.ended(ctx)
}

// CompleteRun records run with entry (see weir.RunRecorder.RecordRun), then
// acknowledges its message and waits for the server to confirm, so the run is
// not offered again. If the acknowledgement fails the run is offered again
// and then skipped as recorded.
func (q *Queue) CompleteRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	if err := q.cfg.Recorder.RecordRun(ctx, run, entry); err != nil {
		return fmt.Errorf("nats: complete run %s: %w", run.ID, err)
	}
	msg, ok := q.leases.take(run.ID)
	if !ok {
		return nil // its lease ran out: the redelivery is skipped as recorded
	}
	if err := msg.DoubleAck(ctx); err != nil {
		return fmt.Errorf("nats: complete run %s: ack: %w", run.ID, err)
	}
	return nil
}
