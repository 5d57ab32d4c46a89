package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the channel new runs are announced on, with the schema as
// payload; LISTEN channels are per database, not per schema.
const notifyChannel = "weir_runs"

// notifySQL announces new runs in a transaction of its own that commits
// without waiting for the WAL flush: PostgreSQL serializes the commits of
// notifying transactions, so notifying in EnqueueRun's own transaction would
// make enqueues wait for each other's fsync. Losing a notification in a
// crash costs at most a PollInterval.
const notifySQL = `BEGIN; SET LOCAL synchronous_commit = off; ` +
	`SELECT pg_notify('` + notifyChannel + `', current_schema()); COMMIT`

// signal wakes every goroutine waiting on it at once.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

// wait returns a channel closed by the next broadcast.
func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

// broadcast wakes the current waiters.
func (s *signal) broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.ch)
	s.ch = make(chan struct{})
}

// notifyOthers asks the notifier to announce new runs; a request made while
// a notification is being sent gets another one after it, and requests made
// meanwhile share it.
func (db *DB) notifyOthers() {
	select {
	case db.kick <- struct{}{}:
	default:
	}
}

// runNotifier sends a notification for each batch of notifyOthers calls
// until ctx ends.
func (db *DB) runNotifier(ctx context.Context) {
	defer close(db.notified)
	for {
		select {
		case <-ctx.Done():
			return
		case <-db.kick:
		}
		if _, err := db.pool.Exec(ctx, notifySQL); err != nil && ctx.Err() == nil {
			db.logger().Warn("postgres: notify new runs", "err", err)
		}
	}
}

// startListener connects the listening connection and starts the goroutines
// that turn notifications for this schema into wake-ups and send this DB's
// notifications; Close stops them.
func (db *DB) startListener(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := connectListener(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	db.stop, db.listen, db.notified = cancel, make(chan struct{}), make(chan struct{})
	go db.runListener(lctx, cfg, conn)
	go db.runNotifier(lctx)
	return nil
}

// runListener waits for notifications on conn until ctx ends, reconnecting
// with backoff when the connection fails. While it is down, claimers fall
// back to polling.
func (db *DB) runListener(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn) {
	defer close(db.listen)
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			var err error
			if conn, err = connectListener(ctx, cfg); err != nil {
				if ctx.Err() != nil {
					return
				}
				db.logger().Warn("postgres: listen for runs", "err", err, "retry_in", backoff)
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 5*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			db.wake.broadcast() // notifications may have been missed meanwhile
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			closeConn(conn)
			conn = nil
			if ctx.Err() != nil {
				return
			}
			db.logger().Warn("postgres: listening connection lost", "err", err)
			continue
		}
		if n.Payload == db.Schema {
			db.wake.broadcast()
		}
	}
}

// connectListener opens a connection of its own and listens on notifyChannel.
func connectListener(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+notifyChannel); err != nil {
		closeConn(conn)
		return nil, err
	}
	return conn, nil
}

// closeConn closes conn, giving the server a moment to hear about it.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}
