package http

import (
	"encoding/json"

	"github.com/weirhq/weir/engine"
)

// jsonBody checks that b, a webhook's or endpoint's JSON request body, is
// a document a run's data can hold (engine.CheckJSON, the check every body
// passes) and returns the value the run's data holds: the text as it came,
// so that the run decodes it once instead of it being decoded here and
// encoded again.
func jsonBody(b []byte) (any, error) {
	raw, err := engine.CheckJSON(b, "body")
	if err != nil {
		return nil, err
	}
	return json.RawMessage(raw), nil
}
