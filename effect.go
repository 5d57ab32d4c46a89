package weir

import (
	"context"
	"time"
)

// Effect names one mutating storage call (or node state update) of a run,
// so that a run executed again after a crash (or delivered twice) does not
// apply its writes twice. NodeStateService documents what it does with one.
// The engine numbers a run's calls so that the same call of a re-executed
// run gets the same Effect.
//
// A StorageService given an Effect in the context of SetStorageEntry,
// DeleteStorageEntry, IncrStorageEntry or ClearStorageEntries applies the
// call at most once per Effect: it records the effect and its result in the
// same transaction as the write, and a repeat returns the first result
// without writing again, even when its arguments differ (a value computed
// anew). A call that fails records nothing, so a repeat tries again. A call
// of another operation, flow or key under a recorded Effect is applied
// without being recorded. The records of a run are deleted when its queue completes or
// records it (CompleteRun, RecordRun), and otherwise after EffectRetention.
type Effect struct {
	RunID string // the run making the call
	Step  string // which call of the run: unique within the run, at most MaxEffectStepLength bytes
}

// MaxEffectStepLength bounds the length of Effect.Step.
const MaxEffectStepLength = 255

// EffectRetention is how long a store keeps the effect records of a run
// that was neither completed nor recorded: longer than a run can wait to
// be executed again.
const EffectRetention = 24 * time.Hour

type effectKey struct{}

// WithEffect returns a copy of ctx naming the storage call made with it as e.
func WithEffect(ctx context.Context, e Effect) context.Context {
	return context.WithValue(ctx, effectKey{}, e)
}

// EffectFromContext returns the effect ctx names and whether it names one
// (with a RunID and a Step of valid length).
func EffectFromContext(ctx context.Context) (Effect, bool) {
	e, ok := ctx.Value(effectKey{}).(Effect)
	if !ok || e.RunID == "" || e.Step == "" || len(e.Step) > MaxEffectStepLength {
		return Effect{}, false
	}
	return e, true
}
