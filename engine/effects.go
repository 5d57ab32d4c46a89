package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync/atomic"

	"github.com/weirhq/weir"
)

// A run's storage writes and node state updates are named so that the same
// write of a run executed again (after a crash before the run was completed)
// gets the same weir.Effect, which the store applies once. A node state
// update executed again also sees the state the first one replaced (see
// Env.UpdateState), so latch, throttle and on-change nodes decide alike.
//
// Branches of a run execute concurrently, so the order in which a run's
// writes happen is not deterministic; their names do not depend on it. Each
// branch is a lane, named by where it starts in the graph: the lane that
// forked it, which of that lane's forks (a node with several targets, a
// loop, a custom node call) it comes from, and its index among the fork's
// targets (and the loop iteration). Within a lane nodes run one after the
// other, so a lane's writes are numbered in order. A write is named by its
// lane and that number, whatever the other lanes do.
//
// So the writes of a re-executed run get the names of the first execution
// as long as it takes the same paths and makes the same writes. It does not
// when a decision depends on something that may differ the second time:
// storage it reads (Get Value), the current time (a throttle's window, a
// Function node) or random numbers, an HTTP response, or a flow or custom
// node edited in between. A write then named like a recorded one returns the
// recorded result if it is the same operation on the same key (even with
// another value), and applies, unrecorded, otherwise; writes beyond the
// recorded ones apply anew. MQTT messages, HTTP requests, debug messages,
// replies, and the runs Workflow Trigger nodes and flow error handlers
// start are not covered: they happen again.

// lane is one sequential path of a run: the branch a goroutine executes.
type lane struct {
	name   string          // "" for a run's root, else ends in "/"
	ctx    context.Context // the run's context, carrying this lane
	forks  int             // forks started so far; only the lane's goroutine counts them
	writes atomic.Int64    // storage writes made so far
	from   hop             // what the lane's next node is reached from (trace.go)
	at     float64         // when the lane's current node started, ms into the run
	trace  *tracer         // the run's, which the custom node runs of the lane's nodes share
	inner  *weir.RunTrace  // the trace of the custom node run of the lane's current node
}

type laneKey struct{}

// newLane returns the lane called name on the run context ctx.
func newLane(ctx context.Context, name string) *lane {
	l := &lane{name: name}
	l.ctx = context.WithValue(ctx, laneKey{}, l)
	return l
}

// laneFrom returns the lane ctx carries, or nil.
func laneFrom(ctx context.Context) *lane {
	l, _ := ctx.Value(laneKey{}).(*lane)
	return l
}

// fork returns the name prefix of the lanes of l's next fork.
func (l *lane) fork() string {
	n := l.forks
	l.forks++
	return l.name + strconv.Itoa(n) + "."
}

// child returns the name of target i of a fork with prefix.
func child(prefix string, i int) string { return prefix + strconv.Itoa(i) + "/" }

// step names l's next write.
func (l *lane) step() string {
	s := l.name + strconv.FormatInt(l.writes.Add(1)-1, 10)
	if len(s) > weir.MaxEffectStepLength {
		sum := sha256.Sum256([]byte(s))
		s = hex.EncodeToString(sum[:])
	}
	return s
}

// effectStorage names each mutating call made on a run's behalf as an
// effect of run runID, by the lane of the call's context; calls made outside
// a lane pass through unnamed.
type effectStorage struct {
	weir.StorageService
	runID string
}

// SetStorageEntry sets key once per effect.
func (s *effectStorage) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	return s.StorageService.SetStorageEntry(s.effect(ctx), flowID, key, value)
}

// DeleteStorageEntry deletes key once per effect.
func (s *effectStorage) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	return s.StorageService.DeleteStorageEntry(s.effect(ctx), flowID, key)
}

// IncrStorageEntry adds delta once per effect.
func (s *effectStorage) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	return s.StorageService.IncrStorageEntry(s.effect(ctx), flowID, key, delta)
}

// ClearStorageEntries clears the flow's storage once per effect.
func (s *effectStorage) ClearStorageEntries(ctx context.Context, flowID string) error {
	return s.StorageService.ClearStorageEntries(s.effect(ctx), flowID)
}

// effect returns ctx naming the next write of its lane.
func (s *effectStorage) effect(ctx context.Context) context.Context {
	l := laneFrom(ctx)
	if l == nil {
		return ctx
	}
	return weir.WithEffect(ctx, weir.Effect{RunID: s.runID, Step: l.step()})
}

var _ weir.StorageService = (*effectStorage)(nil)
