package weir

import (
	"encoding/json"
	"regexp"
)

// MaxGlobals is the largest number of globals an application or flow holds.
const MaxGlobals = 100

var globalKeyRE = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,255}$`)

// Global is one application or flow global: a key and its value as JSON text.
type Global struct {
	Key         string `json:"key"`
	JSON        string `json:"json"`
	Description string `json:"description,omitempty"`
	CloudOnly   bool   `json:"cloudOnly,omitempty"`
}

// ValidateGlobals checks the count, key syntax, uniqueness and JSON text of gs.
func ValidateGlobals(gs []Global) error {
	if len(gs) > MaxGlobals {
		return Errorf(Validation, "globals has more items than allowed")
	}
	seen := make(map[string]bool, len(gs))
	for _, g := range gs {
		if !globalKeyRE.MatchString(g.Key) {
			return Errorf(Validation, "global key %q must match %s", g.Key, globalKeyRE)
		}
		if seen[g.Key] {
			return Errorf(Validation, "global key %q is used twice", g.Key)
		}
		seen[g.Key] = true
		if len(g.JSON) < 1 || len(g.JSON) > 32767 || !json.Valid([]byte(g.JSON)) {
			return Errorf(Validation, "global %q must hold JSON text of 1 to 32767 characters", g.Key)
		}
	}
	return nil
}

// MergeGlobals decodes the values of each list into one object; a key in a
// later list overrides the same key in an earlier one. Values that fail to
// decode are skipped (lists are validated on save).
func MergeGlobals(lists ...[]Global) map[string]any {
	out := map[string]any{}
	for _, gs := range lists {
		for _, g := range gs {
			var v any
			if err := json.Unmarshal([]byte(g.JSON), &v); err == nil {
				out[g.Key] = v
			}
		}
	}
	return out
}
