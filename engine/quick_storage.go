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
// commit then failed fails its own commit too and is queued instead. It
// also remembers the values such commits stored (up to maxCommittedKeys
// keys), so that the next run need not read the store; a value changed
// since by anything else (a queued run, the API) makes the commit of the
// run that read it fail, and is forgotten then.
type pendingKeys struct {
	mu        sync.Mutex
	m         map[pendingKey]pendingValue
	committed int // entries of m with no run
}

// maxCommittedKeys bounds the committed values pendingKeys remembers.
const maxCommittedKeys = 4096

type pendingKey struct{ flowID, key string }

// pendingValue is the latest submitted write of a key: the value (nil:
// deleted) and the run that wrote it, nil once committed.
type pendingValue struct {
	value json.RawMessage
	run   *quickRun
}

// read returns the value of the key as the runs submitted so far leave it:
// the latest pending or remembered write, else the store's.
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
// them submits after it. It waits for the outcome, then marks the writes no
// later run replaced committed, or, when the commit failed, forgets them
// and the values the run read.
func (p *pendingKeys) commit(ctx context.Context, r *quickRun, store weir.RunCommitter, c *weir.RunCommit) error {
	writes := false
	for _, k := range c.Keys {
		writes = writes || k.Write
	}
	var wait func() error
	if writes {
		p.mu.Lock()
		if p.m == nil {
			p.m = map[pendingKey]pendingValue{}
		}
		for _, k := range c.Keys {
			if k.Write {
				p.set(pendingKey{k.FlowID, k.Key}, pendingValue{value: k.New, run: r})
			}
		}
		wait = store.SubmitRun(ctx, c)
		p.mu.Unlock()
	} else {
		wait = store.SubmitRun(ctx, c)
	}
	err := wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range c.Keys {
		pk := pendingKey{k.FlowID, k.Key}
		pv, ok := p.m[pk]
		switch {
		case !ok || pv.run != r && (err == nil || pv.run != nil):
			// another run's write, or kept: nothing to do
		case err == nil:
			p.set(pk, pendingValue{value: pv.value})
		default:
			p.set(pk, pendingValue{})
		}
	}
	if p.committed > maxCommittedKeys {
		for pk, pv := range p.m {
			if pv.run == nil {
				delete(p.m, pk)
			}
		}
		p.committed = 0
	}
	return err
}

// set stores pv at pk, keeping count of the committed values; a zero pv
// deletes pk. p.mu must be held.
func (p *pendingKeys) set(pk pendingKey, pv pendingValue) {
	if old, ok := p.m[pk]; ok && old.run == nil {
		p.committed--
	}
	if pv.run == nil && pv.value == nil {
		delete(p.m, pk)
		return
	}
	p.m[pk] = pv
	if pv.run == nil {
		p.committed++
	}
}

// Forgetting returns s, each write through which makes q forget the value
// it remembers of the keys written, so that the next run executed at once
// reads the store rather than fail its commit on a value changed meanwhile.
// Writes to the storage of runs q executes at once that do not go through
// q (queued runs, the API) should go through it.
func (q *QuickRuns) Forgetting(s weir.StorageService) weir.StorageService {
	return &forgettingStorage{StorageService: s, p: &q.pending}
}

// forgettingStorage is a StorageService whose writes forget the values
// pendingKeys remembers of their keys once applied.
type forgettingStorage struct {
	weir.StorageService
	p *pendingKeys
}

// SetStorageEntry sets key and forgets its remembered value.
func (s *forgettingStorage) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	defer s.p.forget(flowID, key)
	return s.StorageService.SetStorageEntry(ctx, flowID, key, value)
}

// DeleteStorageEntry deletes key and forgets its remembered value.
func (s *forgettingStorage) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	defer s.p.forget(flowID, key)
	return s.StorageService.DeleteStorageEntry(ctx, flowID, key)
}

// IncrStorageEntry increments key and forgets its remembered value.
func (s *forgettingStorage) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	defer s.p.forget(flowID, key)
	return s.StorageService.IncrStorageEntry(ctx, flowID, key, delta)
}

// ClearStorageEntries clears the flow's storage and forgets every value
// remembered of it.
func (s *forgettingStorage) ClearStorageEntries(ctx context.Context, flowID string) error {
	defer s.p.forget(flowID, "")
	return s.StorageService.ClearStorageEntries(ctx, flowID)
}

// forget drops the remembered (committed) value of the key, or of every
// key of the flow when key is empty; pending writes stay, their commits
// decide.
func (p *pendingKeys) forget(flowID, key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if key != "" {
		if pv, ok := p.m[pendingKey{flowID, key}]; ok && pv.run == nil {
			p.set(pendingKey{flowID, key}, pendingValue{})
		}
		return
	}
	for pk, pv := range p.m {
		if pk.flowID == flowID && pv.run == nil {
			p.set(pk, pendingValue{})
		}
	}
}

var (
	_ weir.StorageService = (*stagedStorage)(nil)
	_ weir.StorageService = (*forgettingStorage)(nil)
)
