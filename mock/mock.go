package mock

import (
	"context"
	"encoding/json"

	"github.com/weirhq/weir"
)

// ApplicationService is a mock weir.ApplicationService.
type ApplicationService struct {
	FindApplicationByIDFn   func(ctx context.Context, id string) (*weir.Application, error)
	FindApplicationsFn      func(ctx context.Context, ownerID string, opts weir.ListOptions) ([]*weir.Application, int, error)
	FindApplicationBySlugFn func(ctx context.Context, slug string) (*weir.Application, error)
	CreateApplicationFn     func(ctx context.Context, a *weir.Application) error
	UpdateApplicationFn     func(ctx context.Context, a *weir.Application) error
	DeleteApplicationFn     func(ctx context.Context, id string) error
}

// FindApplicationByID calls FindApplicationByIDFn.
func (s *ApplicationService) FindApplicationByID(ctx context.Context, id string) (*weir.Application, error) {
	return s.FindApplicationByIDFn(ctx, id)
}

// FindApplications calls FindApplicationsFn.
func (s *ApplicationService) FindApplications(ctx context.Context, ownerID string, opts weir.ListOptions) ([]*weir.Application, int, error) {
	return s.FindApplicationsFn(ctx, ownerID, opts)
}

// FindApplicationBySlug calls FindApplicationBySlugFn.
func (s *ApplicationService) FindApplicationBySlug(ctx context.Context, slug string) (*weir.Application, error) {
	return s.FindApplicationBySlugFn(ctx, slug)
}

// CreateApplication calls CreateApplicationFn.
func (s *ApplicationService) CreateApplication(ctx context.Context, a *weir.Application) error {
	return s.CreateApplicationFn(ctx, a)
}

// UpdateApplication calls UpdateApplicationFn.
func (s *ApplicationService) UpdateApplication(ctx context.Context, a *weir.Application) error {
	return s.UpdateApplicationFn(ctx, a)
}

// DeleteApplication calls DeleteApplicationFn.
func (s *ApplicationService) DeleteApplication(ctx context.Context, id string) error {
	return s.DeleteApplicationFn(ctx, id)
}

// FlowService is a mock weir.FlowService.
type FlowService struct {
	FindFlowByIDFn func(ctx context.Context, applicationID, flowID string) (*weir.Flow, error)
	FindFlowsFn    func(ctx context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error)
	CreateFlowFn   func(ctx context.Context, f *weir.Flow) error
	UpdateFlowFn   func(ctx context.Context, f *weir.Flow) error
	DeleteFlowFn   func(ctx context.Context, applicationID, flowID string) error
}

// FindFlowByID calls FindFlowByIDFn.
func (s *FlowService) FindFlowByID(ctx context.Context, applicationID, flowID string) (*weir.Flow, error) {
	return s.FindFlowByIDFn(ctx, applicationID, flowID)
}

// FindFlows calls FindFlowsFn.
func (s *FlowService) FindFlows(ctx context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	return s.FindFlowsFn(ctx, filter)
}

// CreateFlow calls CreateFlowFn.
func (s *FlowService) CreateFlow(ctx context.Context, f *weir.Flow) error {
	return s.CreateFlowFn(ctx, f)
}

// UpdateFlow calls UpdateFlowFn.
func (s *FlowService) UpdateFlow(ctx context.Context, f *weir.Flow) error {
	return s.UpdateFlowFn(ctx, f)
}

// DeleteFlow calls DeleteFlowFn.
func (s *FlowService) DeleteFlow(ctx context.Context, applicationID, flowID string) error {
	return s.DeleteFlowFn(ctx, applicationID, flowID)
}

// TokenService is a mock weir.TokenService.
type TokenService struct {
	FindTokenByIDFn func(ctx context.Context, id string) (*weir.Token, error)
	FindTokensFn    func(ctx context.Context, filter weir.TokenFilter) ([]*weir.Token, int, error)
	CreateTokenFn   func(ctx context.Context, t *weir.Token) error
	UpdateTokenFn   func(ctx context.Context, t *weir.Token) error
	DeleteTokenFn   func(ctx context.Context, id string) error
}

// FindTokenByID calls FindTokenByIDFn.
func (s *TokenService) FindTokenByID(ctx context.Context, id string) (*weir.Token, error) {
	return s.FindTokenByIDFn(ctx, id)
}

// FindTokens calls FindTokensFn.
func (s *TokenService) FindTokens(ctx context.Context, filter weir.TokenFilter) ([]*weir.Token, int, error) {
	return s.FindTokensFn(ctx, filter)
}

// CreateToken calls CreateTokenFn.
func (s *TokenService) CreateToken(ctx context.Context, t *weir.Token) error {
	return s.CreateTokenFn(ctx, t)
}

// UpdateToken calls UpdateTokenFn.
func (s *TokenService) UpdateToken(ctx context.Context, t *weir.Token) error {
	return s.UpdateTokenFn(ctx, t)
}

// DeleteToken calls DeleteTokenFn.
func (s *TokenService) DeleteToken(ctx context.Context, id string) error {
	return s.DeleteTokenFn(ctx, id)
}

// StorageService is a mock weir.StorageService.
type StorageService struct {
	StorageEntriesFn      func(ctx context.Context, flowID string) (map[string]json.RawMessage, error)
	StorageEntryFn        func(ctx context.Context, flowID, key string) (json.RawMessage, bool, error)
	SetStorageEntryFn     func(ctx context.Context, flowID, key string, value json.RawMessage) error
	DeleteStorageEntryFn  func(ctx context.Context, flowID, key string) (json.RawMessage, error)
	IncrStorageEntryFn    func(ctx context.Context, flowID, key string, delta float64) (float64, error)
	ClearStorageEntriesFn func(ctx context.Context, flowID string) error
	StorageMetadataFn     func(ctx context.Context, flowID string) (weir.StorageMetadata, error)
}

// StorageEntries calls StorageEntriesFn.
func (s *StorageService) StorageEntries(ctx context.Context, flowID string) (map[string]json.RawMessage, error) {
	return s.StorageEntriesFn(ctx, flowID)
}

// StorageEntry calls StorageEntryFn.
func (s *StorageService) StorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	return s.StorageEntryFn(ctx, flowID, key)
}

// SetStorageEntry calls SetStorageEntryFn.
func (s *StorageService) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	return s.SetStorageEntryFn(ctx, flowID, key, value)
}

// DeleteStorageEntry calls DeleteStorageEntryFn.
func (s *StorageService) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	return s.DeleteStorageEntryFn(ctx, flowID, key)
}

// IncrStorageEntry calls IncrStorageEntryFn.
func (s *StorageService) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	return s.IncrStorageEntryFn(ctx, flowID, key, delta)
}

// ClearStorageEntries calls ClearStorageEntriesFn.
func (s *StorageService) ClearStorageEntries(ctx context.Context, flowID string) error {
	return s.ClearStorageEntriesFn(ctx, flowID)
}

// StorageMetadata calls StorageMetadataFn.
func (s *StorageService) StorageMetadata(ctx context.Context, flowID string) (weir.StorageMetadata, error) {
	return s.StorageMetadataFn(ctx, flowID)
}

// LogService is a mock weir.LogService.
type LogService struct {
	FindLogEntriesFn func(ctx context.Context, flowID string, filter weir.LogFilter) ([]*weir.LogEntry, error)
}

// FindLogEntries calls FindLogEntriesFn.
func (s *LogService) FindLogEntries(ctx context.Context, flowID string, filter weir.LogFilter) ([]*weir.LogEntry, error) {
	return s.FindLogEntriesFn(ctx, flowID, filter)
}

// RunQueue is a mock weir.RunQueue.
type RunQueue struct {
	EnqueueRunFn  func(ctx context.Context, run *weir.Run) error
	ClaimRunsFn   func(ctx context.Context, max int) ([]*weir.Run, error)
	CompleteRunFn func(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error
}

// EnqueueRun calls EnqueueRunFn.
func (q *RunQueue) EnqueueRun(ctx context.Context, run *weir.Run) error {
	return q.EnqueueRunFn(ctx, run)
}

// ClaimRuns calls ClaimRunsFn.
func (q *RunQueue) ClaimRuns(ctx context.Context, max int) ([]*weir.Run, error) {
	return q.ClaimRunsFn(ctx, max)
}

// CompleteRun calls CompleteRunFn.
func (q *RunQueue) CompleteRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	return q.CompleteRunFn(ctx, run, entry)
}

var (
	_ weir.ApplicationService = (*ApplicationService)(nil)
	_ weir.FlowService        = (*FlowService)(nil)
	_ weir.TokenService       = (*TokenService)(nil)
	_ weir.StorageService     = (*StorageService)(nil)
	_ weir.LogService         = (*LogService)(nil)
	_ weir.RunQueue           = (*RunQueue)(nil)
)
