package postgres_test

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/queuetest"
	"github.com/weirhq/weir/store/postgres"
)

func TestQueueConformance(t *testing.T) {
	dsn := mustDSN(t)
	queuetest.Run(t, func(t *testing.T) *queuetest.Target {
		schema := mustSchema(t, dsn)
		const maxQueued = 200
		open := func(t *testing.T) weir.RunQueue {
			return mustOpenDB(t, dsn, schema, func(db *postgres.DB) {
				db.LeaseDuration, db.PollInterval = time.Second, 100*time.Millisecond
				db.MaxQueued = maxQueued
			})
		}
		db := open(t).(*postgres.DB)
		f, g := mustAppFlow(t, db), mustAppFlow(t, db)
		return &queuetest.Target{
			Open:  open,
			Close: func(q weir.RunQueue) error { return q.(*postgres.DB).Close() },
			Kill:  func(q weir.RunQueue) error { return q.(*postgres.DB).Kill() },
			EnqueueUndecodable: func(t *testing.T, q weir.RunQueue, r *weir.Run) {
				if err := q.(*postgres.DB).InsertRawRun(t.Context(), r.ID, r.FlowID, queuetest.UndecodableBody(r)); err != nil {
					t.Fatal(err)
				}
			},
			NewRun: func(t *testing.T) *weir.Run {
				return &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
					TriggerType: "virtualButton", TriggerKey: f.ID + "-button", TriggerID: f.ID + "-button",
					Time: time.Now().UTC().Truncate(time.Millisecond)}
			},
			NewOtherRun: func(t *testing.T) *weir.Run {
				return &weir.Run{ApplicationID: g.ApplicationID, FlowID: g.ID, FlowVersion: weir.DevelopVersion,
					TriggerType: "virtualButton", TriggerKey: g.ID + "-button", TriggerID: g.ID + "-button",
					Time: time.Now().UTC().Truncate(time.Millisecond)}
			},
			Redelivery:            2 * time.Second,
			Shared:                true,
			MaxQueued:             maxQueued,
			AttemptsSurviveReopen: true,
		}
	})
}
