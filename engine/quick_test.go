package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
	_ "github.com/weirhq/weir/nodes"
)

// committer is a weir.RunCommitter whose commits wait for release and then
// return err.
type committer struct {
	submitted chan *weir.RunCommit
	release   chan error
}

func (c *committer) SubmitRun(_ context.Context, rc *weir.RunCommit) func() error {
	c.submitted <- rc
	return func() error { return <-c.release }
}

// quickSetup is a QuickRuns over an open executor whose flow increments n
// and replies with the sum to data.replyId; enqueued receives the runs the
// wrapped queue is given.
func quickSetup(t *testing.T) (*engine.QuickRuns, *committer, *engine.ReplyHub, chan *weir.Run) {
	t.Helper()
	flow := executorFlow(true,
		weir.Node{ID: "n", Type: "StoreValueNode", Config: json.RawMessage(`{"keyName":"n","valueType":"incr","value":"1","resultPath":"working.n"}`),
			OutputIDs: [][]string{{"reply"}}},
		weir.Node{ID: "reply", Type: "WebhookReplyNode", Config: json.RawMessage(`{"responseCodeTemplate":"200","bodyTemplate":"{{working.n}}"}`)})
	enqueued := make(chan *weir.Run, 4)
	q, _ := queueOf()
	q.EnqueueRunFn = func(_ context.Context, r *weir.Run) error { enqueued <- r; return nil }
	x, _ := startExecutor(t, q, flow, time.Minute)
	t.Cleanup(func() { x.Close(context.Background()) })
	hub := &engine.ReplyHub{}
	x.Replies = hub
	x.Storage = &mock.StorageService{StorageEntryFn: func(context.Context, string, string) (json.RawMessage, bool, error) {
		return json.RawMessage(`41`), true, nil
	}}
	c := &committer{submitted: make(chan *weir.RunCommit, 4), release: make(chan error)}
	return &engine.QuickRuns{RunQueue: q, Executor: x, Commits: c}, c, hub, enqueued
}

// TestQuickRunRepliesAfterCommit checks that a run executed as it is
// accepted answers its request only once its commit succeeded; that a run
// whose commit found a value it read changed executes once more; and that a
// run whose commit fails otherwise, or twice, is queued without answering.
func TestQuickRunRepliesAfterCommit(t *testing.T) {
	errOther := errors.New("the store failed")
	for _, commits := range [][]error{{nil}, {weir.ErrStaleRead, nil}, {weir.ErrStaleRead, weir.ErrStaleRead}, {errOther}} {
		quick, c, hub, enqueued := quickSetup(t)
		run := run1()
		run.Data = json.RawMessage(`{"replyId":"w.1"}`)
		replies, cancel, err := hub.Register("w.1")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- quick.EnqueueRun(t.Context(), run) }()

		for _, commitErr := range commits {
			rc := <-c.submitted
			if len(rc.Keys) != 1 || !rc.Keys[0].Read || string(rc.Keys[0].Old) != "41" || string(rc.Keys[0].New) != "42" ||
				rc.Entry == nil || rc.Entry.PathsCompleted != 1 {
				t.Fatalf("commit %+v, entry %+v; want n read as 41 and written as 42, one completed path", rc.Keys, rc.Entry)
			}
			select {
			case r := <-replies:
				t.Fatalf("reply %q before the commit", r.Body)
			case <-done:
				t.Fatal("EnqueueRun returned before the commit")
			case <-time.After(50 * time.Millisecond):
			}
			c.release <- commitErr
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if commits[len(commits)-1] == nil {
			if r := <-replies; string(r.Body) != "42" {
				t.Errorf("commits %v: reply %q, want 42", commits, r.Body)
			}
			select {
			case r := <-enqueued:
				t.Errorf("commits %v: committed run %s queued too", commits, r.ID)
			default:
			}
		} else {
			if r := <-enqueued; r.ID != run.ID {
				t.Errorf("commits %v: queued %s, want the run %s", commits, r.ID, run.ID)
			}
			select {
			case r := <-replies:
				t.Errorf("commits %v: a run whose commit failed replied %q", commits, r.Body)
			default:
			}
		}
		if len(c.submitted) != 0 {
			t.Errorf("commits %v: more commits submitted", commits)
		}
		cancel()
	}
}

// TestQuickRunStops checks that a run that reaches for what cannot be
// staged (all of the flow's keys) is queued, with nothing submitted.
func TestQuickRunStops(t *testing.T) {
	flow := executorFlow(true, weir.Node{ID: "n", Type: "GetValueNode", Config: json.RawMessage(`{"getAll":true,"valuePath":"working.all"}`)})
	enqueued := make(chan *weir.Run, 1)
	q, _ := queueOf()
	q.EnqueueRunFn = func(_ context.Context, r *weir.Run) error { enqueued <- r; return nil }
	x, _ := startExecutor(t, q, flow, time.Minute)
	defer x.Close(context.Background())
	x.Storage = &mock.StorageService{StorageEntriesFn: func(context.Context, string) (map[string]json.RawMessage, error) {
		return nil, errors.New("the store must not be read")
	}}
	c := &committer{submitted: make(chan *weir.RunCommit, 1), release: make(chan error)}
	quick := &engine.QuickRuns{RunQueue: q, Executor: x, Commits: c}
	if err := quick.EnqueueRun(t.Context(), run1()); err != nil {
		t.Fatal(err)
	}
	if r := <-enqueued; r.ID != "r1" {
		t.Errorf("queued %s, want r1", r.ID)
	}
	if len(c.submitted) != 0 {
		t.Error("a stopped run was submitted")
	}
}
