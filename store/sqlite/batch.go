package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// maxBatch caps how many operations share one transaction.
const maxBatch = 1024

// errClosed is returned by writes submitted after Close.
var errClosed = errors.New("sqlite: database closed")

// op is one write waiting for its batch to commit.
type op struct {
	ctx    context.Context // only checked before the op runs
	fn     func(ctx context.Context, tx *Tx) error
	atomic bool // fn needs no savepoint: its only write is its last statement
	done   chan error
}

// batcher is the single writer: it group-commits the operations submitted
// concurrently through update, so many writes share one commit (and fsync).
// Each caller still gets its own error: an operation runs inside a savepoint
// (or writes only in its last statement), so a failure undoes only that
// operation; a failed commit fails every operation of the batch.
type batcher struct {
	db  *DB
	ops chan *op

	mu     sync.RWMutex // held for reading while submitting, for writing to close ops
	closed bool
	done   chan struct{}

	batches, committed atomic.Int64 // transactions and operations, for benchmarks
}

// newBatcher starts the writer goroutine of db.
func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, ops: make(chan *op, maxBatch), done: make(chan struct{})}
	go b.run()
	return b
}

// update runs fn in a write transaction shared with concurrent writes and
// returns once that transaction has committed or fn has failed. fn is called
// with a context of its own: ctx only decides whether fn runs at all, since
// interrupting a statement would roll back the whole batch.
func (db *DB) update(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.submit(ctx, &op{fn: fn})
}

// updateLast is update for an fn whose only write is its last statement, so
// that a failure leaves nothing to roll back; it skips the savepoint.
func (db *DB) updateLast(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.submit(ctx, &op{fn: fn, atomic: true})
}

// submit hands o to the writer and waits for its outcome.
func (db *DB) submit(ctx context.Context, o *op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.ctx, o.done = ctx, make(chan error, 1)
	if err := db.batch.submit(ctx, o); err != nil {
		return err
	}
	return typedFull(<-o.done)
}

// submit queues o for the writer unless ctx ends or the batcher is closed.
func (b *batcher) submit(ctx context.Context, o *op) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	select {
	case b.ops <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops accepting operations and waits until the queued ones have been
// committed.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.ops)
	}
	b.mu.Unlock()
	<-b.done
}

// run collects the waiting operations, up to maxBatch, and commits them
// together, until ops is closed and drained. Before committing it yields
// until a yield brings no new operation, so callers just woken by the last
// commit can join this one instead of each starting a batch of their own.
func (b *batcher) run() {
	defer close(b.done)
	batch := make([]*op, 0, maxBatch)
	for o := range b.ops {
		batch = append(batch[:0], o)
		for open := true; open && len(batch) < maxBatch; {
			runtime.Gosched()
			n := len(batch)
			if batch, open = b.collect(batch); len(batch) == n {
				break
			}
		}
		b.commit(batch)
	}
}

// collect appends the operations waiting in ops to batch without blocking;
// it reports false if ops is closed.
func (b *batcher) collect(batch []*op) ([]*op, bool) {
	for len(batch) < maxBatch {
		select {
		case o, ok := <-b.ops:
			if !ok {
				return batch, false
			}
			batch = append(batch, o)
		default:
			return batch, true
		}
	}
	return batch, true
}

// commit runs batch in one transaction and reports to every caller.
func (b *batcher) commit(batch []*op) {
	b.batches.Add(1)
	b.committed.Add(int64(len(batch)))
	errs := make([]error, len(batch))
	hooks, err := b.exec(batch, errs)
	if err == nil {
		for _, fn := range hooks {
			fn()
		}
		b.db.ckpt.changed()
	}
	for i, o := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
		o.done <- errs[i]
	}
	b.db.ckpt.restart(b.db.wconn)
}

// exec runs each operation of batch in its own savepoint, recording failures
// in errs, and commits. It returns the commit hooks of the operations that
// succeeded, or the error that doomed the whole transaction.
func (b *batcher) exec(batch []*op, errs []error) (hooks []func(), err error) {
	ctx := context.Background()
	tx := &Tx{db: b.db, now: b.db.now()}
	if _, err := tx.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.ExecContext(ctx, `ROLLBACK`) // fails harmlessly if SQLite already rolled back
		}
	}()
	for i, o := range batch {
		if errs[i] = o.ctx.Err(); errs[i] != nil {
			continue
		}
		if o.atomic {
			n := len(tx.onCommit)
			if errs[i] = o.fn(ctx, tx); errs[i] != nil {
				tx.onCommit = tx.onCommit[:n]
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
			return nil, fmt.Errorf("sqlite: savepoint: %w", err)
		}
		n := len(tx.onCommit)
		if errs[i] = o.fn(ctx, tx); errs[i] != nil {
			tx.onCommit = tx.onCommit[:n]
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO op`); err != nil {
				return nil, fmt.Errorf("sqlite: rollback to savepoint: %w (after %w)", err, errs[i])
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE op`); err != nil {
			return nil, fmt.Errorf("sqlite: release savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `COMMIT`); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return tx.onCommit, nil
}
