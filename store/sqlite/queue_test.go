package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/queuetest"
	"github.com/weirhq/weir/store/sqlite"
)

func TestQueueConformance(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) *queuetest.Target {
		path := filepath.Join(t.TempDir(), "weir.db")
		first := mustOpenDB(t, path, nil)
		f, g := mustAppFlow(t, first), mustAppFlow(t, first)
		mustClose(t, first)
		const maxQueued = 200
		return &queuetest.Target{
			Open: func(t *testing.T) weir.RunQueue {
				return mustOpenDB(t, path, func(db *sqlite.DB) {
					db.LeaseDuration, db.MaxQueued = time.Second, maxQueued
				})
			},
			Close: func(q weir.RunQueue) error { return q.(*sqlite.DB).Close() },
			Kill:  func(q weir.RunQueue) error { return q.(*sqlite.DB).Kill() },
			EnqueueUndecodable: func(t *testing.T, q weir.RunQueue, r *weir.Run) {
				if err := q.(*sqlite.DB).InsertRawRun(t.Context(), r.ID, r.FlowID, queuetest.UndecodableBody(r)); err != nil {
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
			Redelivery:            time.Second,
			MaxQueued:             maxQueued,
			AttemptsSurviveReopen: true,
		}
	})
}
