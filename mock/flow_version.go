package mock

import (
	"context"

	"github.com/weirhq/weir"
)

// FlowVersionService is a mock weir.FlowVersionService.
type FlowVersionService struct {
	FindFlowVersionFn   func(ctx context.Context, applicationID, flowID, idOrName string) (*weir.FlowVersion, error)
	FindFlowVersionsFn  func(ctx context.Context, filter weir.FlowVersionFilter) ([]*weir.FlowVersion, int, error)
	CreateFlowVersionFn func(ctx context.Context, v *weir.FlowVersion, allowReplacement bool) error
	UpdateFlowVersionFn func(ctx context.Context, applicationID, flowID, idOrName string, upd weir.FlowVersionUpdate) (*weir.FlowVersion, error)
	DeleteFlowVersionFn func(ctx context.Context, applicationID, flowID, idOrName string) error
}

// FindFlowVersion calls FindFlowVersionFn.
func (s *FlowVersionService) FindFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) (*weir.FlowVersion, error) {
	return s.FindFlowVersionFn(ctx, applicationID, flowID, idOrName)
}

// FindFlowVersions calls FindFlowVersionsFn.
func (s *FlowVersionService) FindFlowVersions(ctx context.Context, filter weir.FlowVersionFilter) ([]*weir.FlowVersion, int, error) {
	return s.FindFlowVersionsFn(ctx, filter)
}

// CreateFlowVersion calls CreateFlowVersionFn.
func (s *FlowVersionService) CreateFlowVersion(ctx context.Context, v *weir.FlowVersion, allowReplacement bool) error {
	return s.CreateFlowVersionFn(ctx, v, allowReplacement)
}

// UpdateFlowVersion calls UpdateFlowVersionFn.
func (s *FlowVersionService) UpdateFlowVersion(ctx context.Context, applicationID, flowID, idOrName string, upd weir.FlowVersionUpdate) (*weir.FlowVersion, error) {
	return s.UpdateFlowVersionFn(ctx, applicationID, flowID, idOrName, upd)
}

// DeleteFlowVersion calls DeleteFlowVersionFn.
func (s *FlowVersionService) DeleteFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) error {
	return s.DeleteFlowVersionFn(ctx, applicationID, flowID, idOrName)
}

var _ weir.FlowVersionService = (*FlowVersionService)(nil)
