package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// writeEffect runs write, a storage write statement returning its result
// as a text column r, at most once per effect e: one statement applies the
// write and records e with call (which names the operation, flow and key)
// and the result (the first row's r, or NULL when the write returns no row;
// with ifRow, a write returning no row is not recorded). When e was
// recorded already, the effect insert violates its primary key and rolls the
// write back; a repeat of call then returns the recorded result, and a
// different call is applied without being recorded. ok is false when the
// write returned no row and returned no recorded result.
func (db *DB) writeEffect(ctx context.Context, e weir.Effect, call, write string, ifRow bool, args ...any) (res *string, ok bool, err error) {
	n := len(args)
	sel := fmt.Sprintf(`SELECT $%d::text, $%d::text, $%d::text, (SELECT r FROM w LIMIT 1)`, n+1, n+2, n+3)
	if ifRow {
		sel = fmt.Sprintf(`SELECT $%d::text, $%d::text, $%d::text, r FROM w`, n+1, n+2, n+3)
	}
	q := `WITH w AS (` + write + `) INSERT INTO effects (run_id, step, call, result) ` + sel + ` RETURNING result`
	err = db.pool.QueryRow(ctx, q, append(args, e.RunID, e.Step, call)...).Scan(&res)
	if err == nil {
		return res, true, nil
	}
	rec, lerr := db.recordedEffect(ctx, e)
	switch {
	case lerr != nil:
		return nil, false, fmt.Errorf("%w (looking up effect: %w)", err, lerr)
	case rec != nil && rec.call == call:
		return rec.result, true, nil
	case rec != nil:
		err = db.pool.QueryRow(ctx, write, args...).Scan(&res)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	return res, true, nil
}

// effectRecord is what a store remembers of an effect.
type effectRecord struct {
	call   string
	result *string
}

// recordedEffect returns the record of e, or nil.
func (db *DB) recordedEffect(ctx context.Context, e weir.Effect) (*effectRecord, error) {
	var rec effectRecord
	err := db.pool.QueryRow(ctx, `SELECT call, result FROM effects WHERE run_id = $1 AND step = $2`,
		e.RunID, e.Step).Scan(&rec.call, &rec.result)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &rec, nil
}

// effectCall names a storage call in an effect record.
func effectCall(op, flowID, key string) string { return op + " " + flowID + " " + key }
