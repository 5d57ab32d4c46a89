package http

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/weirhq/weir"
)

// triggerFilterParam is the name of Flows get's trigger filter parameter.
const triggerFilterParam = "triggerFilter"

// triggerFilter selects flows by their triggers (schema flowTriggerFilter):
// a flow matches when one of its default version's triggers matches one
// entry. An empty filter selects every flow.
type triggerFilter []triggerFilterEntry

// triggerFilterEntry matches a trigger of Type and Key; an empty field
// matches any.
type triggerFilterEntry struct {
	Type string `json:"type"`
	Key  string `json:"key"`
}

// parseTriggerFilter reads the trigger filter from a request's query, given
// either as JSON text (triggerFilter=[{"type":"webhook"}]) or in the
// bracket notation of the qs library (triggerFilter[0][type]=webhook). It
// returns nil when the query has none.
func parseTriggerFilter(q url.Values) (triggerFilter, error) {
	doc, err := triggerFilterDoc(q)
	if err != nil || doc == nil {
		return nil, err
	}
	if err := validateValue(doc, triggerFilterParam, "flowTriggerFilter"); err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var f triggerFilter
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, weir.Errorf(weir.Validation, "%s is the wrong type", triggerFilterParam)
	}
	return f, nil
}

// triggerFilterDoc returns the filter as a decoded JSON value, not yet
// validated, or nil when the query has none.
func triggerFilterDoc(q url.Values) (any, error) {
	wrongType := weir.Errorf(weir.Validation, "%s is the wrong type", triggerFilterParam)
	if vs, ok := q[triggerFilterParam]; ok {
		if len(vs) != 1 {
			return nil, wrongType
		}
		if vs[0] == "" {
			return nil, nil
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(vs[0]))
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", triggerFilterParam)
		}
		return doc, nil
	}
	entries := map[int]map[string]any{}
	for k, vs := range q {
		rest, ok := strings.CutPrefix(k, triggerFilterParam+"[")
		if !ok {
			continue
		}
		i, field, ok := bracketIndexField(rest)
		if !ok || len(vs) != 1 {
			return nil, wrongType
		}
		if entries[i] == nil {
			entries[i] = map[string]any{}
		}
		entries[i][field] = vs[0]
	}
	if len(entries) == 0 {
		return nil, nil
	}
	// Like qs, the entries keep their indices' order; gaps close up.
	indices := make([]int, 0, len(entries))
	for i := range entries {
		indices = append(indices, i)
	}
	slices.Sort(indices)
	doc := make([]any, len(indices))
	for n, i := range indices {
		doc[n] = entries[i]
	}
	return doc, nil
}

// bracketIndexField splits "0][type]", what follows "triggerFilter[", into
// its index and field.
func bracketIndexField(s string) (int, string, bool) {
	idx, rest, ok := strings.Cut(s, "][")
	if !ok || !strings.HasSuffix(rest, "]") || len(idx) > 6 {
		return 0, "", false
	}
	i, err := strconv.Atoi(idx)
	field := strings.TrimSuffix(rest, "]")
	if err != nil || i < 0 || field == "" || strings.ContainsAny(field, "[]") {
		return 0, "", false
	}
	return i, field, true
}

// match reports whether one of triggers matches an entry of f, or f is
// empty.
func (f triggerFilter) match(triggers []weir.Trigger) bool {
	if len(f) == 0 {
		return true
	}
	for _, e := range f {
		for _, t := range triggers {
			if (e.Type == "" || e.Type == t.Type) && (e.Key == "" || e.Key == t.Key) {
				return true
			}
		}
	}
	return false
}
