package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/weirhq/weir"
)

// write runs fn, a storage write whose only write is its last statement,
// in the shared write transaction and returns its result (JSON text, or nil
// when it has none). When ctx names a weir.Effect, fn runs at most once per
// effect: its result is recorded with call (which names the operation, flow
// and key) in a savepoint of the same transaction, and a repeat of call
// returns the recorded result without calling fn. A different call under a
// recorded effect is applied without being recorded. frees says that fn only
// deletes (see DB.remove).
func (db *DB) write(ctx context.Context, call string, frees bool, fn func(ctx context.Context, tx *Tx) (*string, error)) (*string, error) {
	var res *string
	e, ok := weir.EffectFromContext(ctx)
	if !ok {
		err := db.submit(ctx, &op{atomic: true, frees: frees, fn: func(ctx context.Context, tx *Tx) (err error) {
			res, err = fn(ctx, tx)
			return err
		}})
		return res, err
	}
	err := db.submit(ctx, &op{frees: frees, fn: func(ctx context.Context, tx *Tx) error {
		rec, err := recordedEffect(ctx, tx, e)
		if err != nil {
			return err
		}
		if rec != nil && rec.call == call {
			res = rec.result
			return nil
		}
		if res, err = fn(ctx, tx); err != nil || rec != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO effects (run_id, step, call, result, time) VALUES (?, ?, ?, ?, ?)`,
			e.RunID, e.Step, call, res, millis(tx.now))
		return err
	}})
	return res, err
}

// effectRecord is what a store remembers of an effect.
type effectRecord struct {
	call   string
	result *string
}

// recordedEffect returns the record of e, or nil.
func recordedEffect(ctx context.Context, tx *Tx, e weir.Effect) (*effectRecord, error) {
	var (
		call string
		res  sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT call, result FROM effects WHERE run_id = ? AND step = ?`,
		e.RunID, e.Step).Scan(&call, &res)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	rec := &effectRecord{call: call}
	if res.Valid {
		rec.result = &res.String
	}
	return rec, nil
}

// effectCall names a storage call in an effect record.
func effectCall(op, flowID, key string) string { return op + " " + flowID + " " + key }

// forgetEffects deletes the effect records of run.
func forgetEffects(ctx context.Context, tx *Tx, runID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM effects WHERE run_id = ?`, runID)
	return err
}
