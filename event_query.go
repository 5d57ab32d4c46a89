package weir

import (
	"encoding/json"
	"sort"
	"strconv"
)

// Limits of an advanced event query, as Losant's advancedEventQuery schema
// has them (and a nesting bound of weir's).
const (
	// MaxQueryDepth is how deeply $and, $or and $nor may nest.
	MaxQueryDepth = 16
	// MaxQueryItems is how many items $and, $or, $nor, $in and $nin may
	// hold.
	MaxQueryItems = 100
)

// EventQuery is Losant's advanced event query (advancedEventQuery): field
// conditions that must all hold, and $and, $or and $nor of nested queries.
// A condition is a bare value (equality) or an object of operators ($eq,
// $ne, $gt, $gte, $lt, $lte, $in, $nin, $startsWith, $endsWith, $contains;
// $ci makes text comparisons case-insensitive). Fields: id, creationDate,
// lastUpdated (dates as ISO text or milliseconds), sourceId, sourceType,
// level, state, subject, deviceId and eventTags ({$tagKey, $tagValue} or
// {key: value}, either maybe under $eq or $ne). Build it with
// ParseEventQuery.
type EventQuery struct {
	q map[string]any
}

// eventQueryFields are the plain fields an event query may name.
var eventQueryFields = map[string]bool{
	"id": true, "creationDate": true, "lastUpdated": true, "sourceId": true, "sourceType": true,
	"level": true, "state": true, "subject": true, "deviceId": true,
}

// ParseEventQuery checks a decoded JSON query against Losant's schema. A
// fault is a Validation error naming its place, e.g. "query.$and[1].level.$gt
// must be a string, number, boolean or null". Experience user and group ids
// (which weir does not keep) are refused the same way.
func ParseEventQuery(v any) (*EventQuery, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(Validation, "query must be an object")
	}
	if err := checkEventQuery("query", m, 0); err != nil {
		return nil, err
	}
	return &EventQuery{q: m}, nil
}

func checkEventQuery(at string, m map[string]any, depth int) error {
	if depth > MaxQueryDepth {
		return Errorf(Validation, "%s is nested more than %d levels deep", at, MaxQueryDepth)
	}
	for _, k := range sortedKeys(m) {
		v, here := m[k], at+"."+k
		switch {
		case k == "$and" || k == "$or" || k == "$nor":
			list, ok := v.([]any)
			if !ok {
				return Errorf(Validation, "%s must be an array", here)
			}
			if len(list) > MaxQueryItems {
				return Errorf(Validation, "%s has more than %d items", here, MaxQueryItems)
			}
			for i, e := range list {
				sub, ok := e.(map[string]any)
				item := here + "[" + strconv.Itoa(i) + "]"
				if !ok {
					return Errorf(Validation, "%s must be an object", item)
				}
				if err := checkEventQuery(item, sub, depth+1); err != nil {
					return err
				}
			}
		case k == "eventTags":
			if err := checkEventTagsCondition(here, v); err != nil {
				return err
			}
		case k == "experienceUserId" || k == "experienceGroupId":
			return Errorf(Validation, "%s is not supported: weir keeps no experience users or groups on events", here)
		case eventQueryFields[k]:
			if err := checkCondition(here, v); err != nil {
				return err
			}
		default:
			return Errorf(Validation, "%s is not a field of an event query", here)
		}
	}
	return nil
}

// checkCondition checks a field condition: a bare scalar or an object of
// operators.
func checkCondition(at string, v any) error {
	ops, ok := v.(map[string]any)
	if !ok {
		if !isScalar(v) {
			return Errorf(Validation, "%s must be a string, number, boolean, null or an object of operators", at)
		}
		return nil
	}
	for _, op := range sortedKeys(ops) {
		arg, here := ops[op], at+"."+op
		switch op {
		case "$eq", "$ne", "$gt", "$lt", "$gte", "$lte":
			if !isScalar(arg) {
				return Errorf(Validation, "%s must be a string, number, boolean or null", here)
			}
		case "$startsWith", "$endsWith", "$contains":
			if s, ok := arg.(string); !ok || s == "" {
				return Errorf(Validation, "%s must be a non-empty string", here)
			}
		case "$ci":
			if _, ok := arg.(bool); !ok {
				return Errorf(Validation, "%s must be a boolean", here)
			}
		case "$in", "$nin":
			list, ok := arg.([]any)
			if !ok {
				return Errorf(Validation, "%s must be an array", here)
			}
			if len(list) > MaxQueryItems {
				return Errorf(Validation, "%s has more than %d items", here, MaxQueryItems)
			}
			for i, e := range list {
				if !isScalar(e) || e == nil {
					return Errorf(Validation, "%s[%d] must be a string, number or boolean", here, i)
				}
			}
		default:
			return Errorf(Validation, "%s is not an operator", here)
		}
	}
	return nil
}

// checkEventTagsCondition checks an eventTags condition: null, a tag
// match, or $eq / $ne of one.
func checkEventTagsCondition(at string, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		if v != nil {
			return Errorf(Validation, "%s must be an object or null", at)
		}
		return nil
	}
	for _, op := range []string{"$eq", "$ne"} {
		if inner, ok := m[op]; ok {
			if len(m) != 1 {
				return Errorf(Validation, "%s may hold nothing beside %s", at, op)
			}
			if inner == nil {
				return nil
			}
			return checkTagMatch(at+"."+op, inner)
		}
	}
	return checkTagMatch(at, m)
}

// checkTagMatch checks {$tagKey, $tagValue} or {key: value, ...}.
func checkTagMatch(at string, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return Errorf(Validation, "%s must be an object or null", at)
	}
	_, hasKey := m["$tagKey"]
	_, hasValue := m["$tagValue"]
	for _, k := range sortedKeys(m) {
		here := at + "." + k
		if hasKey || hasValue {
			if k != "$tagKey" && k != "$tagValue" {
				return Errorf(Validation, "%s may not be beside $tagKey and $tagValue", here)
			}
		} else if !validTagKey(k) {
			return Errorf(Validation, "%s: tag key pattern mismatch", here)
		}
		if err := checkTagCondition(here, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// checkTagCondition checks a tag key or value condition: a string, null,
// {$in: [...]} or {$nin: [...]}.
func checkTagCondition(at string, v any) error {
	switch c := v.(type) {
	case nil:
		return nil
	case string:
		if len([]rune(c)) > 255 {
			return Errorf(Validation, "%s is longer than 255 characters", at)
		}
		return nil
	case map[string]any:
		if len(c) == 1 {
			for op, arg := range c {
				list, ok := arg.([]any)
				if op != "$in" && op != "$nin" || !ok {
					break
				}
				if len(list) > MaxQueryItems {
					return Errorf(Validation, "%s.%s has more than %d items", at, op, MaxQueryItems)
				}
				for i, e := range list {
					if _, ok := e.(string); !ok {
						return Errorf(Validation, "%s.%s[%d] must be a string", at, op, i)
					}
				}
				return nil
			}
		}
	}
	return Errorf(Validation, "%s must be a string, null, {$in: [...]} or {$nin: [...]}", at)
}

func isScalar(v any) bool {
	switch v.(type) {
	case nil, string, float64, bool:
		return true
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Match reports whether e satisfies the query.
func (q *EventQuery) Match(e *Event) bool { return matchEventQuery(q.q, e) }

// MarshalJSON returns the query as it was given.
func (q *EventQuery) MarshalJSON() ([]byte, error) { return json.Marshal(q.q) }

func matchEventQuery(m map[string]any, e *Event) bool {
	for k, v := range m {
		var ok bool
		switch k {
		case "$and":
			ok = true
			for _, s := range v.([]any) {
				ok = ok && matchEventQuery(s.(map[string]any), e)
			}
		case "$or":
			for _, s := range v.([]any) {
				ok = ok || matchEventQuery(s.(map[string]any), e)
			}
		case "$nor":
			ok = true
			for _, s := range v.([]any) {
				ok = ok && !matchEventQuery(s.(map[string]any), e)
			}
		case "eventTags":
			ok = matchEventTags(v, e)
		default:
			ok = matchCondition(v, eventField(k, e))
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchEventTags matches an eventTags condition, as checkEventTagsCondition
// allows it.
func matchEventTags(v any, e *Event) bool {
	tags := make([]DeviceTag, 0, len(e.EventTags))
	for k, val := range e.EventTags {
		tags = append(tags, DeviceTag{Key: k, Value: val})
	}
	if m, ok := v.(map[string]any); ok {
		if inner, ok := m["$eq"]; ok {
			return inner == nil && len(tags) == 0 || inner != nil && matchTags(inner, tags)
		}
		if inner, ok := m["$ne"]; ok {
			return !(inner == nil && len(tags) == 0 || inner != nil && matchTags(inner, tags))
		}
	}
	return matchTags(v, tags)
}

// eventField returns the value a condition on field compares: a string, a
// time or nil.
func eventField(field string, e *Event) any {
	var s string
	switch field {
	case "creationDate":
		return e.CreationDate
	case "lastUpdated":
		return e.LastUpdated
	case "id":
		s = e.ID
	case "sourceId":
		s = e.SourceID
	case "sourceType":
		s = e.SourceType
	case "level":
		s = e.Level
	case "state":
		s = e.State
	case "subject":
		s = e.Subject
	case "deviceId":
		s = e.DeviceID
	}
	if s == "" {
		return nil
	}
	return s
}

// Matches reports whether f selects e: its application, state, subject
// filter and query.
func (f *EventFilter) Matches(e *Event) bool {
	if e.ApplicationID != f.ApplicationID || f.State != "" && e.State != f.State {
		return false
	}
	if f.Filter != "" && !SubjectMatches("*"+f.Filter+"*", e.Subject) {
		return false
	}
	return f.Query == nil || f.Query.Match(e)
}

// Empty reports whether the query sets no condition: {} or only empty
// $and, $or and $nor lists.
func (q *EventQuery) Empty() bool {
	for k, v := range q.q {
		if list, ok := v.([]any); !ok || len(list) > 0 || k != "$and" && k != "$or" && k != "$nor" {
			return false
		}
	}
	return true
}
