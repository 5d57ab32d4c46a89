package engine

import (
	"encoding/json"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/weirhq/weir"
)

// CheckJSON is the one check every JSON text entering weir passes (request
// bodies of the API, webhooks, experience endpoints and HTTP request
// triggers; button payloads; flow files): it returns the text as a run can
// carry it, or a Validation error whose message starts with what and says
// why, so that nothing is accepted that a run could not decode, nor stored
// that could not be read back.
//
// Valid UTF-8 text is returned as it is, checked without being decoded:
// go-json's validator (about 4x encoding/json's Valid on a 12 KB document)
// plus the float64 range of its numbers (weir.CheckJSONNumbers), so that the
// run decodes it once. Text that is not UTF-8 is decoded and encoded again,
// which replaces the invalid bytes as decoding would: no store is handed
// invalid text.
func CheckJSON(b []byte, what string) (json.RawMessage, error) {
	if utf8.Valid(b) {
		if !gojson.Valid(b) {
			return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", what)
		}
		if err := weir.CheckJSONNumbers(b, what); err != nil {
			return nil, err
		}
		return b, nil
	}
	if !json.Valid(b) {
		return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", what)
	}
	if err := weir.CheckJSONNumbers(b, what); err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", what)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", what)
	}
	return out, nil
}

// Decodable reports whether DecodeValue decodes the UTF-8 text b without
// error, without decoding it: b is valid JSON and its numbers fit a
// float64 (CheckJSON's test). Text that is not UTF-8 is not Decodable.
func Decodable(b []byte) bool {
	return utf8.Valid(b) && gojson.Valid(b) && weir.CheckJSONNumbers(b, "") == nil
}
