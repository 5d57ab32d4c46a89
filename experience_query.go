package weir

import "time"

// ExperienceQuery is Losant's advanced experience user query
// (advancedExperienceUserQuery) or group query
// (advancedExperienceGroupQuery): field conditions that must all hold, and
// $and, $or and $nor of nested queries, with the operators of DeviceQuery.
// A field with many values (a user's experienceGroupId, a group's
// ancestorId, experienceUserId or experienceEndpointId) matches when one of
// them does, and a condition on one with none compares with null. Tags
// (userTags, groupTags) take {key: condition, ...} (each key present with a
// matching value) or {$tagKey, $tagValue} (one tag matching both). Build it
// with ParseExperienceUserQuery or ParseExperienceGroupQuery.
type ExperienceQuery struct {
	q map[string]any
}

var (
	userQueryFields = map[string]bool{"id": true, "creationDate": true, "lastUpdated": true, "firstName": true,
		"lastName": true, "email": true, "lastLogin": true, "passwordLastUpdated": true, "userTags": true,
		"experienceGroupId": true}
	groupQueryFields = map[string]bool{"id": true, "creationDate": true, "lastUpdated": true, "name": true,
		"parentId": true, "ancestorId": true, "groupTags": true, "experienceUserId": true, "experienceEndpointId": true}
)

// ParseExperienceUserQuery checks a decoded JSON user query; unknown fields
// are Validation.
func ParseExperienceUserQuery(v any) (*ExperienceQuery, error) {
	return parseExperienceQuery(v, userQueryFields)
}

// ParseExperienceGroupQuery checks a decoded JSON group query; unknown
// fields are Validation.
func ParseExperienceGroupQuery(v any) (*ExperienceQuery, error) {
	return parseExperienceQuery(v, groupQueryFields)
}

func parseExperienceQuery(v any, fields map[string]bool) (*ExperienceQuery, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(Validation, "query must be an object")
	}
	if err := checkQuery(m, 0, fields); err != nil {
		return nil, err
	}
	return &ExperienceQuery{q: m}, nil
}

// MatchUser reports whether u satisfies a user query.
func (q *ExperienceQuery) MatchUser(u *ExperienceUser) bool {
	return matchQuery(q.q, func(k string, cond any) bool {
		switch k {
		case "userTags":
			return matchTagObject(cond, u.UserTags)
		case "experienceGroupId":
			return matchAny(cond, u.GroupIDs)
		}
		var v any
		switch k {
		case "id":
			v = u.ID
		case "email":
			v = u.Email
		case "firstName":
			v = u.FirstName
		case "lastName":
			v = u.LastName
		case "creationDate":
			v = u.CreationDate
		case "lastUpdated":
			v = u.LastUpdated
		case "lastLogin":
			v = timeOrNil(u.LastLogin)
		case "passwordLastUpdated":
			v = timeOrNil(u.PasswordLastUpdated)
		}
		return matchCondition(cond, v)
	})
}

// MatchGroup reports whether g, a group of t, satisfies a group query.
func (q *ExperienceQuery) MatchGroup(g *ExperienceGroup, t GroupTree) bool {
	return matchQuery(q.q, func(k string, cond any) bool {
		switch k {
		case "groupTags":
			return matchTagObject(cond, g.GroupTags)
		case "ancestorId":
			return matchAny(cond, t.Ancestors(g.ID))
		case "experienceUserId":
			return matchAny(cond, g.UserIDs)
		case "experienceEndpointId":
			return matchAny(cond, g.EndpointIDs)
		}
		var v any
		switch k {
		case "id":
			v = g.ID
		case "name":
			v = g.Name
		case "parentId":
			if g.ParentID != "" {
				v = g.ParentID
			}
		case "creationDate":
			v = g.CreationDate
		case "lastUpdated":
			v = g.LastUpdated
		}
		return matchCondition(cond, v)
	})
}

// matchAny matches a condition against a field of many values: one must
// match; none compares with null. A negative operator ($ne, $nin) must hold
// for every value, as in MongoDB.
func matchAny(cond any, vals []string) bool {
	if len(vals) == 0 {
		return matchCondition(cond, nil)
	}
	if ops, ok := cond.(map[string]any); ok {
		if _, ne := ops["$ne"]; ne {
			return allMatch(cond, vals)
		}
		if _, nin := ops["$nin"]; nin {
			return allMatch(cond, vals)
		}
	}
	for _, v := range vals {
		if matchCondition(cond, v) {
			return true
		}
	}
	return false
}

func allMatch(cond any, vals []string) bool {
	for _, v := range vals {
		if !matchCondition(cond, v) {
			return false
		}
	}
	return true
}

// matchTagObject matches tags (one value per key) against {$tagKey,
// $tagValue} or {key: condition, ...}; null matches anything.
func matchTagObject(cond any, tags map[string]string) bool {
	m, ok := cond.(map[string]any)
	if !ok {
		return cond == nil
	}
	tk, hasKey := m["$tagKey"]
	tv, hasValue := m["$tagValue"]
	if hasKey || hasValue {
		for k, v := range tags {
			if (!hasKey || tk == nil || matchCondition(tk, k)) && (!hasValue || tv == nil || matchCondition(tv, v)) {
				return true
			}
		}
		return false
	}
	for key, c := range m {
		v, ok := tags[key]
		if !ok || !matchCondition(c, v) {
			return false
		}
	}
	return true
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}
