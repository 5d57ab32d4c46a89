package engine

import (
	"strconv"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// Decodable reports whether DecodeValue decodes the UTF-8 text b without
// error, without decoding it: b is valid JSON and its numbers fit a
// float64. It lets a request's JSON body be checked where it arrives and
// decoded once, by the run. Text that is not UTF-8 is not Decodable (decode
// it instead: decoding replaces the invalid bytes).
func Decodable(b []byte) bool {
	return utf8.Valid(b) && gojson.Valid(b) && numbersFit(b)
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
