package engine

import (
	"bytes"
	"encoding/json"
)

// Text is a config field that holds text but that exports sometimes write as
// a JSON number, boolean or null; it decodes any of them to their text.
type Text string

// UnmarshalJSON accepts a string, or any other JSON scalar as its literal
// text; null decodes to "".
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return &json.UnsupportedValueError{Str: string(b)}
	}
	*t = Text(b)
	return nil
}
