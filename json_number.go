package weir

import (
	"strconv"
	"unicode/utf8"
)

// CheckJSONNumbers returns nil when every number of the valid JSON text b
// fits a float64, the only number a run carries (as JavaScript's), or a
// Validation error naming the first that does not: "<what> holds the number
// 1e400, …". Only numbers with an exponent or over 300 characters can be out
// of range, so only those are parsed; the walk is a single pass.
func CheckJSONNumbers(b []byte, what string) error {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			i = jsonStringEnd(b, i)
		case c == '-' || '0' <= c && c <= '9':
			j, exp := i, false
			for ; j < len(b) && isJSONNumberByte(b[j]); j++ {
				exp = exp || b[j] == 'e' || b[j] == 'E'
			}
			if exp || j-i > 300 {
				if _, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil {
					return Errorf(Validation, "%s holds the number %s, out of range: numbers are 64-bit floats, at most ±1.7976931348623157e308",
						what, abbreviate(string(b[i:j]), 24))
				}
			}
			i = j - 1
		}
	}
	return nil
}

// jsonStringEnd returns the index of the quote closing the string that
// opens at b[i].
func jsonStringEnd(b []byte, i int) int {
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

func isJSONNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// abbreviate returns s, or its first n characters and how many more there
// are when it is longer.
func abbreviate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "… (" + strconv.Itoa(len(r)) + " characters)"
}
