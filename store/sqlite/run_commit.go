package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/weirhq/weir"
)

// SubmitRun hands c to the single writer as one operation: the storage keys
// (each read checked against what the run saw, each write applied), the log
// entry and the flow's stats, all or nothing. The writer applies operations
// in the order they were submitted; the returned function waits for the
// outcome (see weir.RunCommitter). Unlike CompleteRun, nothing of c was
// stored before: there is no queued run and no effect record to delete.
func (db *DB) SubmitRun(ctx context.Context, c *weir.RunCommit) (wait func() error) {
	fail := func(err error) func() error {
		return func() error { return fmt.Errorf("sqlite: commit run %s: %w", c.Run.ID, err) }
	}
	e, errs, err := logEntryOf(c.Run, c.Entry)
	if err != nil {
		return fail(err)
	}
	keys := make([]weir.StagedKey, len(c.Keys))
	for i, k := range c.Keys {
		if k.Write && k.New != nil {
			v, err := compactJSON(k.New)
			if err != nil {
				return fail(err)
			}
			k.New = []byte(v)
		}
		keys[i] = k
	}
	if db.stuck.Load() {
		return fail(errFull)
	}
	o := &op{ctx: ctx, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) error {
		if err := db.housekeep(ctx, tx); err != nil {
			return err
		}
		for _, k := range keys {
			if err := commitKey(ctx, tx, k); err != nil {
				return err
			}
		}
		if err := insertLogEntry(ctx, tx, e, errs); isForeignKey(err) {
			return errFlowNotFound()
		} else if err != nil {
			return err
		}
		return countRun(ctx, tx, e.FlowID, e.FlowVersion, e.PathsFailed > 0)
	}}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := db.batch.submit(ctx, o); err != nil {
		return fail(err)
	}
	return func() error {
		if err := typedFull(<-o.done); err != nil {
			return fmt.Errorf("sqlite: commit run %s: %w", c.Run.ID, err)
		}
		c.Entry.ID = e.ID
		return nil
	}
}

// commitKey checks what a run read of one key still holds and applies
// what it wrote, in one statement where it can. A value that changed is
// weir.ErrStaleRead.
func commitKey(ctx context.Context, tx *Tx, k weir.StagedKey) error {
	var (
		res sql.Result
		err error
	)
	switch {
	case !k.Write:
		return checkKey(ctx, tx, k)
	case !k.Read && k.New != nil:
		return setStorageEntry(ctx, tx, k.FlowID, k.Key, string(k.New))
	case !k.Read:
		_, err := tx.ExecContext(ctx, `DELETE FROM storage WHERE flow_id = ? AND key = ?`, k.FlowID, k.Key)
		return err
	case k.Old == nil && k.New == nil: // deleted an absent key
		return checkKey(ctx, tx, k)
	case k.Old == nil: // a new key
		if err := checkKeyRoom(ctx, tx, k.FlowID, k.Key); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO storage (flow_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (flow_id, key) DO NOTHING`, k.FlowID, k.Key, string(k.New))
		if isForeignKey(err) {
			return errFlowNotFound()
		}
	case k.New == nil:
		res, err = tx.ExecContext(ctx, `DELETE FROM storage WHERE flow_id = ? AND key = ? AND value = ?`,
			k.FlowID, k.Key, string(k.Old))
	default:
		res, err = tx.ExecContext(ctx, `UPDATE storage SET value = ? WHERE flow_id = ? AND key = ? AND value = ?`,
			string(k.New), k.FlowID, k.Key, string(k.Old))
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return staleKey(k)
	}
	return nil
}

// checkKey returns weir.ErrStaleRead unless the key holds what the run read.
func checkKey(ctx context.Context, tx *Tx, k weir.StagedKey) error {
	var value string
	err := tx.QueryRowContext(ctx, `SELECT value FROM storage WHERE flow_id = ? AND key = ?`, k.FlowID, k.Key).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if k.Old != nil {
			return staleKey(k)
		}
		return nil
	case err != nil:
		return err
	case k.Old == nil || value != string(k.Old):
		return staleKey(k)
	}
	return nil
}

// staleKey is weir.ErrStaleRead naming k.
func staleKey(k weir.StagedKey) error {
	return fmt.Errorf("storage key %q of flow %s: %w", k.Key, k.FlowID, weir.ErrStaleRead)
}

var _ weir.RunCommitter = (*DB)(nil)
