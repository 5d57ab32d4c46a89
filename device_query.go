package weir

import (
	"fmt"
	"strings"
	"time"
)

// DeviceQuery is Losant's advanced device query (advancedDeviceQuery): field
// conditions that must all hold, and $and, $or and $nor of nested queries.
// A condition is a bare value (equality) or an object of operators ($eq,
// $ne, $gt, $gte, $lt, $lte, $in, $nin, $startsWith, $endsWith, $contains;
// $ci makes text comparisons case-insensitive). Fields: id, name,
// deviceClass, gatewayId, parentId, ancestorId (some ancestor matches; with
// $ne or $nin, none does; null: the device has none), creationDate, lastUpdated, connectedAt,
// disconnectedAt (dates as ISO text or milliseconds), connectionStatus
// (connected, disconnected or never), attributeName (some attribute's name
// matches) and tags ({$tagKey, $tagValue} or {key: value}: some tag
// matches). Build it with ParseDeviceQuery.
type DeviceQuery struct {
	q map[string]any
	// associated decides the experienceUserId and experienceGroupId
	// conditions (WithExperience); nil: they never hold.
	associated func(kind, id string, d *Device) bool
}

// WithExperience has q decide its experienceUserId and experienceGroupId
// conditions with associated (kind "experienceUser" or "experienceGroup"),
// usually an ExperienceDevices. It returns q.
func (q *DeviceQuery) WithExperience(associated func(kind, id string, d *Device) bool) *DeviceQuery {
	q.associated = associated
	return q
}

// NamesExperience reports whether q has experienceUserId or
// experienceGroupId conditions.
func (q *DeviceQuery) NamesExperience() bool {
	found := false
	matchQuery(q.q, func(k string, _ any) bool {
		found = found || k == "experienceUserId" || k == "experienceGroupId"
		return true
	})
	return found
}

// deviceQueryFields are the fields a query may name.
var deviceQueryFields = map[string]bool{
	"id": true, "name": true, "deviceClass": true, "gatewayId": true, "parentId": true, "ancestorId": true,
	"creationDate": true, "lastUpdated": true,
	"connectedAt": true, "disconnectedAt": true, "connectionStatus": true, "attributeName": true, "tags": true,
	"experienceUserId": true, "experienceGroupId": true,
}

// ParseDeviceQuery checks a decoded JSON query. Fields weir does not keep
// (deletedAt) and unknown ones are Validation.
// experienceUserId and experienceGroupId (devices a user or group may see:
// $eq, $ne, $in, $nin or a bare id) hold only once WithExperience says how.
func ParseDeviceQuery(v any) (*DeviceQuery, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(Validation, "query must be an object")
	}
	if err := checkDeviceQuery(m, 0); err != nil {
		return nil, err
	}
	return &DeviceQuery{q: m}, nil
}

func checkDeviceQuery(m map[string]any, depth int) error {
	return checkQuery(m, depth, deviceQueryFields)
}

// checkQuery checks an advanced query of $and, $or and $nor lists and
// conditions on fields, nested at most 16 deep.
func checkQuery(m map[string]any, depth int, fields map[string]bool) error {
	if depth > 16 {
		return Errorf(Validation, "query is nested too deeply")
	}
	for k, v := range m {
		switch {
		case k == "$and" || k == "$or" || k == "$nor":
			list, ok := v.([]any)
			if !ok {
				return Errorf(Validation, "query %s must be an array", k)
			}
			for _, e := range list {
				sub, ok := e.(map[string]any)
				if !ok {
					return Errorf(Validation, "query %s items must be objects", k)
				}
				if err := checkQuery(sub, depth+1, fields); err != nil {
					return err
				}
			}
		case !fields[k]:
			return Errorf(Validation, "query field %s is not supported yet", k)
		}
	}
	return nil
}

// Match reports whether d satisfies the query.
func (q *DeviceQuery) Match(d *Device) bool { return matchDeviceQuery(q.q, d, q.associated) }

func matchDeviceQuery(m map[string]any, d *Device, associated func(kind, id string, d *Device) bool) bool {
	return matchQuery(m, func(k string, v any) bool {
		switch k {
		case "experienceUserId":
			return matchAssociation(v, "experienceUser", d, associated)
		case "experienceGroupId":
			return matchAssociation(v, "experienceGroup", d, associated)
		case "tags":
			return matchTags(v, d.Tags)
		case "ancestorId":
			return matchAny(v, d.AncestorIDs)
		case "attributeName":
			ok := false
			for _, a := range d.Attributes {
				ok = ok || matchCondition(v, a.Name)
			}
			return ok
		}
		return matchCondition(v, deviceField(k, d))
	})
}

// matchAssociation decides an experienceUserId or experienceGroupId
// condition: a bare id or $eq (associated with it), $in (with one of
// them), $ne and $nin (with none of them).
func matchAssociation(cond any, kind string, d *Device, associated func(kind, id string, d *Device) bool) bool {
	if associated == nil {
		return false
	}
	with := func(id any) bool {
		s, ok := id.(string)
		return ok && associated(kind, s, d)
	}
	anyOf := func(list any) bool {
		l, _ := list.([]any)
		for _, id := range l {
			if with(id) {
				return true
			}
		}
		return false
	}
	ops, ok := cond.(map[string]any)
	if !ok {
		return with(cond)
	}
	for op, arg := range ops {
		var holds bool
		switch op {
		case "$eq":
			holds = with(arg)
		case "$ne":
			holds = !with(arg)
		case "$in":
			holds = anyOf(arg)
		case "$nin":
			holds = !anyOf(arg)
		}
		if !holds {
			return false
		}
	}
	return true
}

// matchQuery reports whether a checked query holds: its $and, $or and $nor
// lists, and each field condition as field decides it.
func matchQuery(m map[string]any, field func(k string, cond any) bool) bool {
	for k, v := range m {
		var ok bool
		switch k {
		case "$and":
			ok = true
			for _, e := range v.([]any) {
				ok = ok && matchQuery(e.(map[string]any), field)
			}
		case "$or":
			for _, e := range v.([]any) {
				ok = ok || matchQuery(e.(map[string]any), field)
			}
		case "$nor":
			ok = true
			for _, e := range v.([]any) {
				ok = ok && !matchQuery(e.(map[string]any), field)
			}
		default:
			ok = field(k, v)
		}
		if !ok {
			return false
		}
	}
	return true
}

// deviceField returns the value a condition on field compares: a string, a
// time or nil.
func deviceField(field string, d *Device) any {
	c := d.Connection
	switch field {
	case "id":
		return d.ID
	case "name":
		return d.Name
	case "deviceClass":
		return d.DeviceClass
	case "gatewayId":
		if d.GatewayID == "" {
			return nil
		}
		return d.GatewayID
	case "parentId":
		if d.ParentID == "" {
			return nil
		}
		return d.ParentID
	case "creationDate":
		return d.CreationDate
	case "lastUpdated":
		return d.LastUpdated
	case "connectionStatus":
		switch {
		case c.Connected == nil:
			return "never"
		case *c.Connected:
			return "connected"
		}
		return "disconnected"
	case "connectedAt":
		if c.Connected != nil && *c.Connected {
			return c.Time
		}
	case "disconnectedAt":
		if c.Connected != nil && !*c.Connected {
			return c.Time
		}
	}
	return nil
}

// matchTags matches {$tagKey, $tagValue} (one tag satisfies both) or
// {key: value, ...} (for each pair, one tag has the key and a matching
// value); null matches anything.
func matchTags(v any, tags []DeviceTag) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return v == nil
	}
	tk, hasKey := m["$tagKey"]
	tv, hasValue := m["$tagValue"]
	if hasKey || hasValue {
		for _, t := range tags {
			if (!hasKey || tagCondition(tk, t.Key)) && (!hasValue || tagCondition(tv, t.Value)) {
				return true
			}
		}
		return false
	}
	for key, cond := range m {
		found := false
		for _, t := range tags {
			found = found || t.Key == key && tagCondition(cond, t.Value)
		}
		if !found {
			return false
		}
	}
	return true
}

// tagCondition matches a tag key or value against a string, null (any) or
// {$in}/{$nin}.
func tagCondition(cond any, s string) bool {
	switch c := cond.(type) {
	case nil:
		return true
	case string:
		return c == s
	case map[string]any:
		if in, ok := c["$in"].([]any); ok {
			return containsValue(in, s)
		}
		if nin, ok := c["$nin"].([]any); ok {
			return !containsValue(nin, s)
		}
	}
	return false
}

func containsValue(list []any, s string) bool {
	for _, e := range list {
		if fmt.Sprint(e) == s {
			return true
		}
	}
	return false
}

// matchCondition tests a field value against a bare value or an object of
// operators, all of which must hold.
func matchCondition(cond, val any) bool {
	ops, isOps := cond.(map[string]any)
	if !isOps {
		return compareValues(val, cond, false) == 0
	}
	ci, _ := ops["$ci"].(bool)
	for op, arg := range ops {
		if op == "$ci" {
			continue
		}
		if !matchOperator(op, arg, val, ci) {
			return false
		}
	}
	return true
}

func matchOperator(op string, arg, val any, ci bool) bool {
	if op == "$in" || op == "$nin" {
		list, _ := arg.([]any)
		in := false
		for _, e := range list {
			in = in || compareValues(val, e, ci) == 0
		}
		return in == (op == "$in")
	}
	if op == "$ne" {
		return compareValues(val, arg, ci) != 0
	}
	if val == nil {
		return op == "$eq" && arg == nil
	}
	switch op {
	case "$eq":
		return compareValues(val, arg, ci) == 0
	case "$gt":
		return compareValues(val, arg, ci) == 1
	case "$gte":
		c := compareValues(val, arg, ci)
		return c == 1 || c == 0
	case "$lt":
		return compareValues(val, arg, ci) == -1
	case "$lte":
		c := compareValues(val, arg, ci)
		return c == -1 || c == 0
	}
	s, a := textOf(val, ci), textOf(arg, ci)
	switch op {
	case "$startsWith":
		return strings.HasPrefix(s, a)
	case "$endsWith":
		return strings.HasSuffix(s, a)
	case "$contains":
		return strings.Contains(s, a)
	}
	return false
}

// compareValues compares a field value with a query operand: -1, 0 or 1,
// or 2 when they do not compare. Times compare with ISO text or
// milliseconds.
func compareValues(val, arg any, ci bool) int {
	if val == nil || arg == nil {
		if val == nil && arg == nil {
			return 0
		}
		return 2
	}
	if t, ok := val.(time.Time); ok {
		at, ok := queryTime(arg)
		if !ok {
			return 2
		}
		return t.Compare(at)
	}
	s, a := textOf(val, ci), textOf(arg, ci)
	return strings.Compare(s, a)
}

// queryTime reads a query operand as a time: ISO text or milliseconds.
func queryTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case float64:
		return time.UnixMilli(int64(x)).UTC(), true
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func textOf(v any, ci bool) string {
	s := fmt.Sprint(v)
	if ci {
		return strings.ToLower(s)
	}
	return s
}
