package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/weirhq/weir"
)

// stagedStorage is the storage of a run executing before it is accepted
// (QuickRuns): it writes nothing, but keeps each key the run reads and
// writes, the first reads going through the writes other such runs
// submitted and not yet committed (pendingKeys) to the store. Calls the
// commit could not check (all of the flow's keys, another flow's storage)
// stop the run.
type stagedStorage struct {
	r *quickRun
}

// StorageEntry returns the key's value as the run sees it.
func (s *stagedStorage) StorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	k, err := s.key(ctx, flowID, key, true)
	if err != nil {
		return nil, false, err
	}
	defer s.r.mu.Unlock()
	v := current(k)
	return v, v != nil, nil
}

// SetStorageEntry stages value, compacted as a store keeps it, at key.
func (s *stagedStorage) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, value); err != nil {
		return weir.Errorf(weir.Validation, "Storage value must be JSON")
	}
	k, err := s.key(ctx, flowID, key, false)
	if err != nil {
		return err
	}
	defer s.r.mu.Unlock()
	k.Write, k.New = true, buf.Bytes()
	return nil
}

// DeleteStorageEntry stages the key's removal and returns its value as the
// run saw it.
func (s *stagedStorage) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	k, err := s.key(ctx, flowID, key, true)
	if err != nil {
		return nil, err
	}
	defer s.r.mu.Unlock()
	prev := current(k)
	k.Write, k.New = true, nil
	return prev, nil
}

// IncrStorageEntry stages the sum of the key's number and delta, as a store
// computes it, and returns it.
func (s *stagedStorage) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	k, err := s.key(ctx, flowID, key, true)
	if err != nil {
		return 0, err
	}
	defer s.r.mu.Unlock()
	var n float64
	if v := current(k); v != nil {
		if n, err = storedNumber(v); err != nil {
			return 0, err
		}
	}
	n += delta
	sum, err := json.Marshal(n)
	if err != nil {
		return 0, weir.Errorf(weir.Validation, "Stored value would not be a finite number")
	}
	k.Write, k.New = true, sum
	return n, nil
}

// ClearStorageEntries stops the run: it cannot be staged.
func (s *stagedStorage) ClearStorageEntries(context.Context, string) error { return s.r.stop() }

// StorageEntries stops the run: it cannot be staged.
func (s *stagedStorage) StorageEntries(context.Context, string) (map[string]json.RawMessage, error) {
	return nil, s.r.stop()
}

// StorageMetadata stops the run: it cannot be staged.
func (s *stagedStorage) StorageMetadata(context.Context, string) (weir.StorageMetadata, error) {
	return weir.StorageMetadata{}, s.r.stop()
}

// key returns the run's record of key, reading its value first when read
// and the run has not seen it yet, with the run's lock held. A key of
// another flow stops the run.
func (s *stagedStorage) key(ctx context.Context, flowID, key string, read bool) (*weir.StagedKey, error) {
	r := s.r
	if flowID != r.flowID {
		return nil, r.stop()
	}
	r.mu.Lock()
	if k, ok := r.keys[key]; ok {
		return k, nil
	}
	r.mu.Unlock()
	k := &weir.StagedKey{FlowID: flowID, Key: key, Read: read}
	if read {
		v, err := r.q.pending.read(ctx, r.base, flowID, key)
		if err != nil {
			return nil, err
		}
		k.Old = v
	}
	r.mu.Lock()
	if k2, ok := r.keys[key]; ok { // another branch of the run got there first
		return k2, nil
	}
	if r.keys == nil {
		r.keys = map[string]*weir.StagedKey{}
	}
	r.keys[key] = k
	r.order = append(r.order, key)
	return k, nil
}

// current is the value of k as its run sees it: what it wrote, else what
// it read; nil when absent.
func current(k *weir.StagedKey) json.RawMessage {
	if k.Write {
		return k.New
	}
	return k.Old
}

// storedNumber reads a stored value as a number as the stores do, or
// returns Validation.
func storedNumber(v json.RawMessage) (float64, error) {
	if len(v) == 0 || !(v[0] == '-' || '0' <= v[0] && v[0] <= '9') {
		return 0, weir.Errorf(weir.Validation, "Stored value is not a number")
	}
	n, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, weir.Errorf(weir.Validation, "Stored value is not a number")
	}
	return n, nil
}

// pendingKeys holds the storage writes of runs executed before they were
// accepted that are submitted to the store and not yet committed, so that
// later runs read them: the store applies commits in submission order, and
// each run's commit checks what it read, so a run that read a write whose
// commit then failed fails its own commit too and is queued instead.
type pendingKeys struct {
	mu sync.Mutex
	m  map[pendingKey]pendingValue
}

type pendingKey struct{ flowID, key string }

// pendingValue is the latest submitted write of a key: the value (nil:
// deleted) and the run that wrote it.
type pendingValue struct {
	value json.RawMessage
	run   *quickRun
}

// read returns the value of the key as the runs submitted so far leave it:
// the latest pending write, else the store's.
func (p *pendingKeys) read(ctx context.Context, base weir.StorageService, flowID, key string) (json.RawMessage, error) {
	pk := pendingKey{flowID, key}
	p.mu.Lock()
	pv, ok := p.m[pk]
	p.mu.Unlock()
	if ok {
		return pv.value, nil
	}
	v, found, err := base.StorageEntry(ctx, flowID, key)
	if err != nil {
		return nil, err
	}
	// A write submitted while the store was read is newer than what it
	// read (or equal, if committed meanwhile).
	p.mu.Lock()
	pv, ok = p.m[pk]
	p.mu.Unlock()
	if ok {
		return pv.value, nil
	}
	if !found {
		return nil, nil
	}
	return v, nil
}

// commit submits c, the commit of run r, to store: a run that writes
// publishes its writes and submits in one step, so that every run reading
// them submits after it. It waits for the outcome, then withdraws the
// writes no later run replaced.
func (p *pendingKeys) commit(ctx context.Context, r *quickRun, store weir.RunCommitter, c *weir.RunCommit) error {
	writes := false
	for _, k := range c.Keys {
		writes = writes || k.Write
	}
	if !writes {
		return store.SubmitRun(ctx, c)()
	}
	p.mu.Lock()
	if p.m == nil {
		p.m = map[pendingKey]pendingValue{}
	}
	for _, k := range c.Keys {
		if k.Write {
			p.m[pendingKey{k.FlowID, k.Key}] = pendingValue{value: k.New, run: r}
		}
	}
	wait := store.SubmitRun(ctx, c)
	p.mu.Unlock()
	err := wait()
	p.mu.Lock()
	for _, k := range c.Keys {
		pk := pendingKey{k.FlowID, k.Key}
		if k.Write && p.m[pk].run == r {
			delete(p.m, pk)
		}
	}
	p.mu.Unlock()
	return err
}

var _ weir.StorageService = (*stagedStorage)(nil)
