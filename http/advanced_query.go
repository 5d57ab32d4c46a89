package http

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/weirhq/weir"
)

// advancedQuery is an advanced flow or flow version query (schemas
// advancedFlowQuery and advancedFlowVersionQuery): field conditions, all of
// which must hold, and $and, $or and $nor of nested queries.
type advancedQuery map[string]any

// parseAdvancedQuery reads the JSON text of a query parameter or body field
// named param; it must satisfy schema.
func parseAdvancedQuery(text, param, schema string) (advancedQuery, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", param)
	}
	if err := validateValue(doc, param, schema); err != nil {
		return nil, err
	}
	return decodeAdvancedQuery([]byte(text))
}

// decodeAdvancedQuery decodes an already validated query.
func decodeAdvancedQuery(b []byte) (advancedQuery, error) {
	var q advancedQuery
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&q); err != nil {
		return nil, weir.Errorf(weir.Validation, "query is the wrong type")
	}
	return q, nil
}

// queryTarget is what an advanced query sees of a flow or a version: the
// value of each scalar field it may name, and the triggers and nodes.
type queryTarget struct {
	value    func(field string) any
	triggers []weir.Trigger
	nodes    []weir.Node
}

// matchVersion reports whether v satisfies q. Fields: id, version (and
// name, its alias), flowClass, enabled, creationDate and lastUpdated
// (compared as times: ISO 8601 text or milliseconds since the epoch),
// customNodeSupports (weir keeps none: it is null), and triggers and nodes,
// which match when one of the version's triggers or nodes has the type, key
// and config values given ($ne: when none has).
func (q advancedQuery) matchVersion(v *weir.FlowVersion) bool {
	return q.match(queryTarget{
		value:    func(field string) any { return versionFieldValue(field, v) },
		triggers: v.Triggers,
		nodes:    v.Nodes,
	})
}

// matchFlow reports whether f satisfies q. Fields: id, name, flowClass,
// enabled, creationDate, lastUpdated, defaultVersion (a version id, null
// for develop), customNodeSupports (null), and triggers and nodes, those of
// the flow document (its develop version), matched as matchVersion does.
func (q advancedQuery) matchFlow(f *weir.Flow) bool {
	return q.match(queryTarget{
		value:    func(field string) any { return flowFieldValue(field, f) },
		triggers: f.Triggers,
		nodes:    f.Nodes,
	})
}

func (q advancedQuery) match(t queryTarget) bool {
	for field, cond := range q {
		if !matchField(field, cond, t) {
			return false
		}
	}
	return true
}

func matchField(field string, cond any, t queryTarget) bool {
	switch field {
	case "$and", "$or", "$nor":
		subs, _ := cond.([]any)
		n := 0
		for _, s := range subs {
			if m, ok := s.(map[string]any); ok && advancedQuery(m).match(t) {
				n++
			}
		}
		switch field {
		case "$and":
			return n == len(subs)
		case "$or":
			return n > 0
		}
		return n == 0
	case "triggers":
		items := make([]queryItem, len(t.triggers))
		for i, tr := range t.triggers {
			items[i] = queryItem{tr.Type, tr.Key, tr.Config}
		}
		return matchItems(cond, items)
	case "nodes":
		items := make([]queryItem, len(t.nodes))
		for i, n := range t.nodes {
			items[i] = queryItem{typ: n.Type, config: n.Config}
		}
		return matchItems(cond, items)
	}
	return matchCondition(cond, t.value(field))
}

// versionFieldValue returns the value a condition on a version's field
// compares.
func versionFieldValue(field string, v *weir.FlowVersion) any {
	switch field {
	case "id":
		return v.ID
	case "version", "name":
		return v.Version
	case "flowClass":
		return v.FlowClass
	case "enabled":
		return v.Enabled
	case "creationDate":
		return v.CreationDate
	case "lastUpdated":
		return v.LastUpdated
	}
	return nil
}

// flowFieldValue returns the value a condition on a flow's field compares.
func flowFieldValue(field string, f *weir.Flow) any {
	switch field {
	case "id":
		return f.ID
	case "name":
		return f.Name
	case "flowClass":
		return f.FlowClass
	case "enabled":
		return f.Enabled
	case "creationDate":
		return f.CreationDate
	case "lastUpdated":
		return f.LastUpdated
	case "defaultVersion":
		if f.DefaultVersionID == nil {
			return nil
		}
		return *f.DefaultVersionID
	}
	return nil
}

// matchCondition tests a field value against a bare value (equality) or an
// object of operators, all of which must hold; $ci makes text comparisons
// case-insensitive.
func matchCondition(cond, val any) bool {
	ops, ok := cond.(map[string]any)
	if !ok {
		return queryEqual(val, cond, false)
	}
	ci, _ := ops["$ci"].(bool)
	for op, arg := range ops {
		if !matchOperator(op, arg, val, ci) {
			return false
		}
	}
	return true
}

func matchOperator(op string, arg, val any, ci bool) bool {
	switch op {
	case "$ci":
		return true
	case "$eq":
		return queryEqual(val, arg, ci)
	case "$ne":
		return !queryEqual(val, arg, ci)
	case "$gt", "$lt", "$gte", "$lte":
		c, ok := queryCompare(val, arg, ci)
		if !ok {
			return false
		}
		return map[string]bool{"$gt": c > 0, "$lt": c < 0, "$gte": c >= 0, "$lte": c <= 0}[op]
	case "$in", "$nin":
		list, _ := arg.([]any)
		in := false
		for _, e := range list {
			in = in || queryEqual(val, e, ci)
		}
		return in == (op == "$in")
	case "$startsWith", "$endsWith", "$contains":
		s, ok1 := val.(string)
		sub, ok2 := arg.(string)
		if !ok1 || !ok2 {
			return false
		}
		if ci {
			s, sub = strings.ToLower(s), strings.ToLower(sub)
		}
		switch op {
		case "$startsWith":
			return strings.HasPrefix(s, sub)
		case "$endsWith":
			return strings.HasSuffix(s, sub)
		}
		return strings.Contains(s, sub)
	}
	return false
}

// queryEqual compares a field value with a query operand.
func queryEqual(val, arg any, ci bool) bool {
	c, ok := queryCompare(val, arg, ci)
	return ok && c == 0
}

// queryCompare orders a field value against a query operand of a
// comparable kind; ok is false when they are not comparable.
func queryCompare(val, arg any, ci bool) (int, bool) {
	switch v := val.(type) {
	case nil:
		return 0, arg == nil
	case bool:
		a, ok := arg.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case v == a:
			return 0, true
		case !v:
			return -1, true
		}
		return 1, true
	case string:
		a, ok := arg.(string)
		if !ok {
			return 0, false
		}
		if ci {
			v, a = strings.ToLower(v), strings.ToLower(a)
		}
		return strings.Compare(v, a), true
	case time.Time:
		ms, ok := queryTime(arg)
		if !ok {
			return 0, false
		}
		return cmpInt64(v.UnixMilli(), ms), true
	}
	return 0, false
}

// queryTime reads a time operand: milliseconds since the epoch, or ISO 8601
// text.
func queryTime(arg any) (int64, bool) {
	switch a := arg.(type) {
	case float64:
		return int64(a), true
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
			if t, err := time.Parse(layout, a); err == nil {
				return t.UnixMilli(), true
			}
		}
	}
	return 0, false
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// queryItem is a trigger or node as a triggers or nodes condition sees it.
type queryItem struct {
	typ, key string
	config   json.RawMessage
}

// matchItems tests a triggers or nodes condition: {type, key?, config?} or
// {$eq: …} holds when some item matches, {$ne: …} when none does.
func matchItems(cond any, items []queryItem) bool {
	m, _ := cond.(map[string]any)
	want, negate := m, false
	if e, ok := m["$eq"].(map[string]any); ok {
		want = e
	} else if n, ok := m["$ne"].(map[string]any); ok {
		want, negate = n, true
	}
	found := false
	for _, it := range items {
		found = found || itemMatches(want, it)
	}
	return found != negate
}

// itemMatches reports whether it has the type, key and config values want
// gives.
func itemMatches(want map[string]any, it queryItem) bool {
	if t, _ := want["type"].(string); t != it.typ {
		return false
	}
	if k, ok := want["key"].(string); ok && k != it.key {
		return false
	}
	cfg, _ := want["config"].(map[string]any)
	if len(cfg) == 0 {
		return true
	}
	var have map[string]any
	if len(it.config) == 0 || json.Unmarshal(it.config, &have) != nil {
		return false
	}
	for k, w := range cfg {
		if h, ok := have[k]; !ok || !jsonScalarEqual(h, w) {
			return false
		}
	}
	return true
}

// jsonScalarEqual compares two decoded JSON scalars.
func jsonScalarEqual(a, b any) bool {
	switch a.(type) {
	case nil, bool, float64, string:
		return a == b
	}
	return false
}
