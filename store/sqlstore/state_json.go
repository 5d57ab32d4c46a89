package sqlstore

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeState decodes a stored report's data. Reports are stored as marshal
// writes them: a flat JSON object of numbers, strings and booleans, which
// decodeFlat reads some ten times faster than encoding/json (a data query
// decodes every report it reads); anything else goes to encoding/json, and
// so does a string with an escape.
func decodeState(text string) (map[string]any, error) {
	if m, ok := decodeFlat(text); ok {
		return m, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeFlat reads s when it is a JSON object whose values are numbers,
// strings without escapes, booleans or null; ok is false for anything else.
func decodeFlat(s string) (m map[string]any, ok bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil, false
	}
	m = make(map[string]any, 4)
	if i = skipSpace(s, i+1); i < len(s) && s[i] == '}' {
		return m, skipSpace(s, i+1) == len(s)
	}
	for {
		key, j, ok := flatString(s, i)
		if !ok {
			return nil, false
		}
		if i = skipSpace(s, j); i >= len(s) || s[i] != ':' {
			return nil, false
		}
		if i = skipSpace(s, i+1); i >= len(s) {
			return nil, false
		}
		switch c := s[i]; {
		case c == '"':
			v, j, ok := flatString(s, i)
			if !ok {
				return nil, false
			}
			m[key], i = v, j
		case c == 't' && len(s) >= i+4 && s[i:i+4] == "true":
			m[key], i = true, i+4
		case c == 'f' && len(s) >= i+5 && s[i:i+5] == "false":
			m[key], i = false, i+5
		case c == 'n' && len(s) >= i+4 && s[i:i+4] == "null":
			m[key], i = nil, i+4
		default:
			j, ok := numberEnd(s, i)
			if !ok {
				return nil, false
			}
			f, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				return nil, false
			}
			m[key], i = f, j
		}
		if i = skipSpace(s, i); i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			return m, skipSpace(s, i+1) == len(s)
		default:
			return nil, false
		}
	}
}

// skipSpace returns the index of the first byte of s from i on that is not
// JSON white space.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// flatString reads the JSON string at s[i] when it has no escape and is
// valid UTF-8, and returns it and the index after it.
func flatString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			v := s[i+1 : j]
			return v, j + 1, utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// numberEnd returns the index after the JSON number at s[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func numberEnd(s string, i int) (int, bool) {
	digits := func(j int) int {
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(i)
	default:
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}
