package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// NodeState returns the state stored under key and whether it exists.
func (db *DB) NodeState(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	var value string
	err := db.pool.QueryRow(ctx, `SELECT value FROM node_state WHERE flow_id = $1 AND key = $2`,
		flowID, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("postgres: node state %q of flow %s: %w", key, flowID, err)
	}
	return json.RawMessage(value), true, nil
}

// SwapNodeState replaces the state under key with next if it is still old;
// each case is one statement, atomic across processes.
func (db *DB) SwapNodeState(ctx context.Context, flowID, key string, old, next json.RawMessage) (bool, error) {
	var q string
	args := []any{flowID, key}
	switch {
	case old == nil && next == nil:
		_, exists, err := db.NodeState(ctx, flowID, key)
		return !exists, err
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
	tag, err := db.pool.Exec(ctx, q, args...)
	if isForeignKey(err) {
		return false, errFlowNotFound()
	} else if err != nil {
		return false, fmt.Errorf("postgres: swap node state %q of flow %s: %w", key, flowID, err)
	}
	return tag.RowsAffected() == 1, nil
}

var _ weir.NodeStateService = (*DB)(nil)
