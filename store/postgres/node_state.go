package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/weirhq/weir"
)

// NodeState returns the state stored under key and whether it exists. Given
// a weir.Effect that a SwapNodeState recorded, it returns the state that
// swap replaced instead.
func (db *DB) NodeState(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	q, args := `SELECT value FROM node_state WHERE flow_id = $1 AND key = $2`, []any{flowID, key}
	if e, ok := weir.EffectFromContext(ctx); ok {
		q = `SELECT result FROM effects WHERE run_id = $3 AND step = $4 AND call = $5
			UNION ALL SELECT value FROM node_state WHERE flow_id = $1 AND key = $2
			AND NOT EXISTS (SELECT 1 FROM effects WHERE run_id = $3 AND step = $4 AND call = $5)`
		args = append(args, e.RunID, e.Step, effectCall("swap", flowID, key))
	}
	var value *string
	err := db.pool.QueryRow(ctx, q, args...).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && value == nil {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("postgres: node state %q of flow %s: %w", key, flowID, err)
	}
	return json.RawMessage(*value), true, nil
}

// SwapNodeState replaces the state under key with next if it is still old;
// each case is one statement, atomic across processes. Given a weir.Effect,
// a swap that succeeds is recorded with the state it replaced in the same
// statement, and a repeat returns true without swapping again.
func (db *DB) SwapNodeState(ctx context.Context, flowID, key string, old, next json.RawMessage) (bool, error) {
	var q string
	args := []any{flowID, key}
	switch {
	case old == nil && next == nil:
		q = `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM node_state WHERE flow_id = $1 AND key = $2)`
	case old == nil:
		q = `INSERT INTO node_state (flow_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (flow_id, key) DO NOTHING`
		args = append(args, string(next))
	case next == nil:
		q = `DELETE FROM node_state WHERE flow_id = $1 AND key = $2 AND value = $3`
		args = append(args, string(old))
	default:
		q = `UPDATE node_state SET value = $3 WHERE flow_id = $1 AND key = $2 AND value = $4`
		args = append(args, string(next), string(old))
	}
	var swapped bool
	var err error
	if e, ok := weir.EffectFromContext(ctx); ok {
		swapped, err = db.swapEffect(ctx, e, effectCall("swap", flowID, key), q, old, args)
	} else if old == nil && next == nil {
		_, exists, err := db.NodeState(ctx, flowID, key)
		return !exists, err
	} else {
		var tag pgconn.CommandTag
		tag, err = db.pool.Exec(ctx, q, args...)
		swapped = tag.RowsAffected() == 1
	}
	if isForeignKey(err) {
		return false, errFlowNotFound()
	} else if err != nil {
		return false, fmt.Errorf("postgres: swap node state %q of flow %s: %w", key, flowID, err)
	}
	return swapped, nil
}

// swapEffect runs swap, a swap statement, and records effect e of call with
// the state old it replaced when it swapped, in one statement. When e was
// recorded already the insert violates its key and rolls the swap back, or
// the swap finds the state changed; a repeat of call then reports true, and
// another call swaps unrecorded.
func (db *DB) swapEffect(ctx context.Context, e weir.Effect, call, swap string, old json.RawMessage, args []any) (bool, error) {
	var replaced *string
	if old != nil {
		o := string(old)
		replaced = &o
	}
	w := swap
	if !strings.HasPrefix(swap, "SELECT") {
		w += ` RETURNING 1`
	}
	n := len(args)
	q := `WITH w AS (` + w + `) INSERT INTO effects (run_id, step, call, result) ` +
		fmt.Sprintf(`SELECT $%d::text, $%d::text, $%d::text, $%d::text FROM w`, n+1, n+2, n+3, n+4)
	tag, err := db.pool.Exec(ctx, q, append(args, e.RunID, e.Step, call, replaced)...)
	if err == nil && tag.RowsAffected() == 1 {
		return true, nil
	}
	// Not swapped, or e recorded already: a repeat finds the state changed
	// or the effect's key taken.
	rec, lerr := db.recordedEffect(ctx, e)
	switch {
	case lerr != nil && err == nil:
		return false, lerr
	case lerr != nil:
		return false, fmt.Errorf("%w (looking up effect: %w)", err, lerr)
	case rec != nil && rec.call == call:
		return true, nil
	case err == nil:
		return false, nil
	case rec != nil:
		if tag, err = db.pool.Exec(ctx, swap, args...); err == nil {
			return tag.RowsAffected() == 1, nil
		}
	}
	return false, err
}

var _ weir.NodeStateService = (*DB)(nil)
