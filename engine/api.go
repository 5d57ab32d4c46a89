package engine

import (
	"context"
	"encoding/json"
	"net/url"
)

// APICall is one REST action called from a run: the method and the path
// below the API root (its parameters filled in, each segment escaped as
// url.PathEscape does), its query and its JSON body (nil for none).
type APICall struct {
	Method string
	Path   string
	Query  url.Values
	Body   json.RawMessage
	// FlowID is the calling flow: an event the call creates or changes
	// names it as its source.
	FlowID string
	// Origin and Depth are the calling run's Workflow Trigger chain, as a
	// press from it carries them (Env.Origin, Env.Depth+1): a flow pressing
	// a button through the API stays within the chain's bounds.
	Origin string
	Depth  int
}

// APIResult is the answer to an APICall: its HTTP status and JSON body
// (Losant's error document when the status is not 2xx).
type APIResult struct {
	StatusCode int
	Body       json.RawMessage
}

// APICaller calls weir's REST actions in process on behalf of one
// application: the call passes the same validation and gives the same
// answers as over HTTP, but may reach nothing outside that application.
type APICaller interface {
	CallAPI(ctx context.Context, applicationID string, c APICall) (APIResult, error)
}
