package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// maxBatch caps how many operations share one transaction.
const maxBatch = 1024

// errClosed is returned by writes submitted after Close.
var errClosed = errors.New("sqlite: database closed")

// op is one write waiting for its batch to commit.
type op struct {
	ctx  context.Context // only checked before the op runs
	fn   func(ctx context.Context, tx *Tx) error
	done chan error
}

// batcher is the single writer: it group-commits the operations submitted
// concurrently through update, so many writes share one fsync. Each caller
// still gets its own error: an operation runs inside a savepoint and a
// failure rolls back only that operation.
type batcher struct {
	db  *DB
	ops chan *op

	mu     sync.RWMutex // held for reading while submitting, for writing to close ops
	closed bool
	done   chan struct{}
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
	if err := ctx.Err(); err != nil {
		return err
	}
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}
	if err := db.batch.submit(ctx, o); err != nil {
		return err
	}
	return <-o.done
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

// run collects whatever operations are waiting, up to maxBatch, and commits
// them together, until ops is closed and drained.
func (b *batcher) run() {
	defer close(b.done)
	batch := make([]*op, 0, maxBatch)
	for o := range b.ops {
		batch = append(batch[:0], o)
	collect:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-b.ops:
				if !ok {
					break collect
				}
				batch = append(batch, o)
			default:
				break collect
			}
		}
		b.commit(batch)
	}
}

// commit runs batch in one transaction and reports to every caller.
func (b *batcher) commit(batch []*op) {
	errs := make([]error, len(batch))
	hooks, err := b.exec(batch, errs)
	if err == nil {
		for _, fn := range hooks {
			fn()
		}
	}
	for i, o := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
		o.done <- errs[i]
	}
}

// exec runs each operation of batch in its own savepoint, recording failures
// in errs, and commits. It returns the commit hooks of the operations that
// succeeded, or the error that doomed the whole transaction.
func (b *batcher) exec(batch []*op, errs []error) ([]func(), error) {
	ctx := context.Background()
	stx, err := b.db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer stx.Rollback()
	tx := &Tx{Tx: stx, db: b.db, now: b.db.now()}
	for i, o := range batch {
		if errs[i] = o.ctx.Err(); errs[i] != nil {
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
	if err := stx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return tx.onCommit, nil
}
