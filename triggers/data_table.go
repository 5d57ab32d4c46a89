package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"time"

	"github.com/weirhq/weir"
)

// TriggerDataTable is the data table trigger type, as Losant names it.
const TriggerDataTable = "dataTable"

// Data table trigger actions: the config keys that select them and the
// data.action values of the runs.
const (
	tableInsert     = "insert"
	tableBulkInsert = "bulkInsert"
	tableUpdate     = "update"
	tableDelete     = "delete"
	actionRemove    = "remove" // data.action of a deleted row
)

// MaxTableTriggerRows is how many deleted rows one delete fires runs for,
// as on Losant.
const MaxTableTriggerRows = 10000

// DataTables fires the dataTable triggers of the enabled flows of a table's
// application (their default versions); a trigger's key is the table id and
// its config selects the actions (insert, bulkInsert, update, delete:
// booleans). Each match durably queues one run whose data is Losant's:
// {action: "insert", newRow} for a row inserted alone, {action:
// "bulkInsert", count, errorCount, rowIds} for rows inserted as an array,
// {action: "update", oldRow, newRow} for a row whose values changed (an
// update that changes nothing fires nothing), and {action: "remove",
// oldRow} for each deleted row (at most MaxTableTriggerRows per delete).
// Truncating a table fires nothing. It implements
// weir.DataTableEventHandler.
type DataTables struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: only develop
	Index    Indexer                 // nil: every change reads the flows
	Queue    weir.RunQueue
	Logger   *slog.Logger
	Now      func() time.Time
}

// tableTrigger is one matched trigger of a flow version.
type tableTrigger struct {
	flow    *weir.Flow
	version string
	t       weir.Trigger
}

// RowsInserted queues the insert or bulkInsert runs.
func (dt *DataTables) RowsInserted(ctx context.Context, applicationID, tableID string, rows []*weir.DataTableRow, bulk bool) error {
	if !bulk {
		for _, r := range rows {
			if err := dt.fire(ctx, applicationID, tableID, tableInsert, map[string]any{"action": tableInsert, "newRow": r.Object()}); err != nil {
				return err
			}
		}
		return nil
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return dt.fire(ctx, applicationID, tableID, tableBulkInsert,
		map[string]any{"action": tableBulkInsert, "count": len(rows), "errorCount": 0, "rowIds": ids})
}

// RowUpdated queues the update runs when the row's values changed.
func (dt *DataTables) RowUpdated(ctx context.Context, applicationID, tableID string, old, row *weir.DataTableRow) error {
	if maps.EqualFunc(old.Values, row.Values, func(a, b any) bool { return reflect.DeepEqual(a, b) }) {
		return nil
	}
	return dt.fire(ctx, applicationID, tableID, tableUpdate,
		map[string]any{"action": tableUpdate, "oldRow": old.Object(), "newRow": row.Object()})
}

// RowsDeleted queues one remove run per deleted row.
func (dt *DataTables) RowsDeleted(ctx context.Context, applicationID, tableID string, rows []*weir.DataTableRow) error {
	matched, err := dt.match(ctx, applicationID, tableID, tableDelete)
	if err != nil || len(matched) == 0 {
		return err
	}
	for _, r := range rows[:min(len(rows), MaxTableTriggerRows)] {
		for _, m := range matched {
			if err := dt.enqueue(ctx, applicationID, tableID, m, map[string]any{"action": actionRemove, "oldRow": r.Object()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// fire queues one run with data for each trigger of the table selecting
// action.
func (dt *DataTables) fire(ctx context.Context, applicationID, tableID, action string, data map[string]any) error {
	matched, err := dt.match(ctx, applicationID, tableID, action)
	if err != nil {
		return err
	}
	for _, m := range matched {
		if err := dt.enqueue(ctx, applicationID, tableID, m, data); err != nil {
			return err
		}
	}
	return nil
}

// match returns the dataTable triggers keyed by the table whose config
// selects action, in the enabled flows of the application.
func (dt *DataTables) match(ctx context.Context, applicationID, tableID, action string) ([]tableTrigger, error) {
	ix, err := triggerIndex(ctx, dt.Index, dt.Flows, dt.Versions, applicationID)
	if err != nil {
		return nil, fmt.Errorf("data table triggers: read flows: %w", err)
	}
	var out []tableTrigger
	for _, t := range ix.ByKey(TriggerDataTable, tableID) {
		var cfg map[string]bool
		if len(t.Trigger.Config) > 0 {
			_ = json.Unmarshal(t.Trigger.Config, &cfg)
		}
		if cfg[action] {
			out = append(out, tableTrigger{flow: t.Flow, version: t.Version, t: t.Trigger})
		}
	}
	return out, nil
}

// enqueue durably queues one run of trigger m.
func (dt *DataTables) enqueue(ctx context.Context, applicationID, tableID string, m tableTrigger, data any) error {
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	now := time.Now
	if dt.Now != nil {
		now = dt.Now
	}
	run := &weir.Run{
		ID: weir.NewID(), ApplicationID: applicationID, FlowID: m.flow.ID, FlowVersion: m.version,
		TriggerType: m.t.Type, TriggerKey: m.t.Key, TriggerID: tableID,
		Time: now().UTC().Truncate(time.Millisecond), Data: body,
	}
	if err := dt.Queue.EnqueueRun(ctx, run); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
		if dt.Logger != nil {
			dt.Logger.Error("data table triggers: enqueue run", "flow_id", m.flow.ID, "data_table_id", tableID, "err", err)
		}
		return err
	}
	return nil
}

var _ weir.DataTableEventHandler = (*DataTables)(nil)
