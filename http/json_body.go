package http

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// jsonBody checks that b is a JSON document a run's data can hold and
// returns the value the run's data holds: the text as it came, so that the
// run decodes it once instead of it being decoded here and encoded again. It
// refuses what decoding would refuse: invalid JSON and numbers beyond
// float64's range. Text that is not UTF-8 is decoded here, which replaces
// the invalid bytes as the run's decoding would, so that no store is handed
// invalid text.
func jsonBody(b []byte) (any, bool) {
	if !utf8.Valid(b) {
		var v any
		return v, json.Unmarshal(b, &v) == nil
	}
	if !json.Valid(b) || !numbersFit(b) {
		return nil, false
	}
	return json.RawMessage(b), true
}

// numbersFit reports whether every number of the valid JSON text b fits a
// float64. Only numbers with an exponent or over 300 characters can
// overflow, so only those are parsed.
func numbersFit(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			i = stringEnd(b, i)
		case c == '-' || '0' <= c && c <= '9':
			j, big := i, false
			for ; j < len(b) && isNumberByte(b[j]); j++ {
				big = big || b[j] == 'e' || b[j] == 'E'
			}
			if big || j-i > 300 {
				if _, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil {
					return false
				}
			}
			i = j - 1
		}
	}
	return true
}

// stringEnd returns the index of the quote closing the string that opens
// at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return i
}

func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
