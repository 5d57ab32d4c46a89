package weir

import (
	"context"
	"encoding/json"
	"time"
)

// Flow classes.
const (
	FlowClassCloud      = "cloud"
	FlowClassEdge       = "edge"
	FlowClassEmbedded   = "embedded"
	FlowClassExperience = "experience"
	FlowClassCustomNode = "customNode"
)

// DevelopVersion names the editable version every flow has: the flow
// document itself. Its version id is the same string.
const DevelopVersion = "develop"

// Flow is a workflow together with its develop version's definition.
type Flow struct {
	ID                 string    `json:"id"`
	ApplicationID      string    `json:"applicationId"`
	Name               string    `json:"name"`
	Description        string    `json:"description,omitempty"`
	ShortDescription   string    `json:"shortDescription,omitempty"`
	IconData           string    `json:"iconData,omitempty"`
	DocsURL            string    `json:"docsUrl,omitempty"`
	Category           string    `json:"category,omitempty"`
	Enabled            bool      `json:"enabled"`
	FlowClass          string    `json:"flowClass"`
	DefaultVersionID   *string   `json:"defaultVersionId"` // a FlowVersion id; nil: develop
	CustomNodeSupports []string  `json:"customNodeSupports,omitempty"`
	CreationDate       time.Time `json:"creationDate"`
	LastUpdated        time.Time `json:"lastUpdated"`
	CreatedByID        string    `json:"createdById,omitempty"`
	CreatedByType      string    `json:"createdByType,omitempty"`
	LastUpdatedByID    string    `json:"lastUpdatedById,omitempty"`
	LastUpdatedByType  string    `json:"lastUpdatedByType,omitempty"`
	Stats              FlowStats `json:"stats"`
	// Weir holds weir's own settings of the flow, which Losant's flows do
	// not have; omitted while they are all off.
	Weir FlowSettings `json:"weir,omitzero"`
	Definition
}

// FlowSettings are weir's own settings of a flow. They are not part of the
// versioned definition: they apply to the runs of every version, and a
// PATCH that does not name them leaves them as they are.
type FlowSettings struct {
	// KeepPayloads keeps each run's trigger payload in its log entry
	// (bounded by MaxKeptPayload, credentials redacted), so that the run
	// can be replayed.
	KeepPayloads bool `json:"keepPayloads"`
}

// Definition is the versioned part of a flow: what runs.
type Definition struct {
	Triggers            []Trigger       `json:"triggers"`
	Nodes               []Node          `json:"nodes"`
	Globals             []Global        `json:"globals"`
	MinimumAgentVersion string          `json:"minimumAgentVersion,omitempty"`
	CustomNodeConfig    json.RawMessage `json:"customNodeConfig,omitempty"`

	// Hash identifies the definition's content when a store decoded it (see
	// DecodeDefinition); empty otherwise. Changing the definition does not
	// update it.
	Hash string `json:"-"`
}

// Trigger starts runs of a flow. Config and Meta are kept verbatim.
type Trigger struct {
	Key       string          `json:"key,omitempty"`
	Type      string          `json:"type"`
	Config    json.RawMessage `json:"config,omitempty"`
	Meta      json.RawMessage `json:"meta,omitempty"`
	OutputIDs [][]string      `json:"outputIds,omitempty"`
}

// Node is one step of a flow. Config and Meta are kept verbatim; the engine
// decodes Config according to Type.
type Node struct {
	ID        string          `json:"id,omitempty"`
	Type      string          `json:"type"`
	Config    json.RawMessage `json:"config,omitempty"`
	Meta      json.RawMessage `json:"meta,omitempty"`
	OutputIDs [][]string      `json:"outputIds,omitempty"`
}

// FlowStats counts the runs of a flow, in total and per version name.
type FlowStats struct {
	RunCount   int                     `json:"runCount"`
	ErrorCount int                     `json:"errorCount"`
	ByVersion  map[string]VersionStats `json:"byVersion"`
}

// VersionStats counts the runs of one version of a flow.
type VersionStats struct {
	RunCount   int `json:"runCount"`
	ErrorCount int `json:"errorCount"`
}

// FlowFilter selects flows.
type FlowFilter struct {
	ApplicationID string // empty: the flows of every application
	FlowClass     string // empty: any class
	ListOptions
}

// FlowService manages flows.
type FlowService interface {
	// FindFlowByID returns NotFound ("Flow was not found") unless the flow
	// exists in that application.
	FindFlowByID(ctx context.Context, applicationID, flowID string) (*Flow, error)

	// FindFlows returns one page of flows and the number matching the filter.
	FindFlows(ctx context.Context, filter FlowFilter) ([]*Flow, int, error)

	// CreateFlow stores a new flow; it sets ID (when empty), CreationDate and
	// LastUpdated. It returns NotFound if the application does not exist.
	CreateFlow(ctx context.Context, f *Flow) error

	// UpdateFlow replaces the stored flow (except its stats) with f and sets
	// LastUpdated. It returns NotFound if the flow does not exist.
	UpdateFlow(ctx context.Context, f *Flow) error

	// DeleteFlow removes the flow with its versions, storage, logs and queued
	// runs. It returns NotFound if the flow does not exist in that
	// application.
	DeleteFlow(ctx context.Context, applicationID, flowID string) error
}
