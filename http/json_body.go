package http

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/weirhq/weir/engine"
)

// jsonBody checks that b is a JSON document a run's data can hold and
// returns the value the run's data holds: the text as it came, so that the
// run decodes it once instead of it being decoded here and encoded again
// (engine.Decodable refuses what decoding would refuse). Text that is not
// UTF-8 is decoded here, which replaces the invalid bytes as the run's
// decoding would, so that no store is handed invalid text.
func jsonBody(b []byte) (any, bool) {
	if !utf8.Valid(b) {
		var v any
		return v, json.Unmarshal(b, &v) == nil
	}
	if !engine.Decodable(b) {
		return nil, false
	}
	return json.RawMessage(b), true
}
