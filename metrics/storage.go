package metrics

import (
	"context"
	"encoding/json"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weirhq/weir"
)

// Storage is a weir.StorageService that times each operation of the store
// it wraps. Create it with Metrics.Storage.
type Storage struct {
	weir.StorageService
	list, get, set, del, incr, clear, meta prometheus.Observer
}

// Storage wraps s.
func (m *Metrics) Storage(s weir.StorageService) *Storage {
	return &Storage{StorageService: s,
		list: m.storeTimer("storage_list"), get: m.storeTimer("storage_get"), set: m.storeTimer("storage_set"),
		del: m.storeTimer("storage_delete"), incr: m.storeTimer("storage_incr"),
		clear: m.storeTimer("storage_clear"), meta: m.storeTimer("storage_metadata")}
}

// StorageEntries times the wrapped call.
func (s *Storage) StorageEntries(ctx context.Context, flowID string) (map[string]json.RawMessage, error) {
	defer since(s.list, time.Now())
	return s.StorageService.StorageEntries(ctx, flowID)
}

// StorageEntry times the wrapped call.
func (s *Storage) StorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	defer since(s.get, time.Now())
	return s.StorageService.StorageEntry(ctx, flowID, key)
}

// SetStorageEntry times the wrapped call.
func (s *Storage) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	defer since(s.set, time.Now())
	return s.StorageService.SetStorageEntry(ctx, flowID, key, value)
}

// DeleteStorageEntry times the wrapped call.
func (s *Storage) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	defer since(s.del, time.Now())
	return s.StorageService.DeleteStorageEntry(ctx, flowID, key)
}

// IncrStorageEntry times the wrapped call.
func (s *Storage) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	defer since(s.incr, time.Now())
	return s.StorageService.IncrStorageEntry(ctx, flowID, key, delta)
}

// ClearStorageEntries times the wrapped call.
func (s *Storage) ClearStorageEntries(ctx context.Context, flowID string) error {
	defer since(s.clear, time.Now())
	return s.StorageService.ClearStorageEntries(ctx, flowID)
}

// StorageMetadata times the wrapped call.
func (s *Storage) StorageMetadata(ctx context.Context, flowID string) (weir.StorageMetadata, error) {
	defer since(s.meta, time.Now())
	return s.StorageService.StorageMetadata(ctx, flowID)
}

var _ weir.StorageService = (*Storage)(nil)
