package weir_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func TestExperienceQuery(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	root := &weir.ExperienceGroup{ID: "r", Name: "Root", GroupTags: map[string]string{"tier": "top"}, UserIDs: []string{"u1"}}
	leaf := &weir.ExperienceGroup{ID: "l", Name: "Leaf", ParentID: "r", CreationDate: at}
	tree := weir.NewGroupTree([]*weir.ExperienceGroup{root, leaf})
	user := &weir.ExperienceUser{ID: "u1", Email: "ann@example.com", FirstName: "Ann", GroupIDs: []string{"r"},
		UserTags: map[string]string{"plan": "gold"}, CreationDate: at}
	parse := func(text string, group bool) *weir.ExperienceQuery {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			t.Fatal(err)
		}
		var q *weir.ExperienceQuery
		var err error
		if group {
			q, err = weir.ParseExperienceGroupQuery(v)
		} else {
			q, err = weir.ParseExperienceUserQuery(v)
		}
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return q
	}
	for _, c := range []struct {
		query string
		group bool
		want  bool
	}{
		{`{"email": {"$endsWith": "@EXAMPLE.com", "$ci": true}}`, false, true},
		{`{"$or": [{"firstName": "Bob"}, {"userTags": {"plan": "gold"}}]}`, false, true},
		{`{"userTags": {"$tagKey": "plan", "$tagValue": {"$in": ["silver"]}}}`, false, false},
		{`{"experienceGroupId": "r", "lastLogin": null}`, false, true},
		{`{"experienceGroupId": {"$ne": "r"}}`, false, false},
		{`{"creationDate": {"$gte": "2026-03-01T00:00:00Z"}}`, false, true},
		{`{"ancestorId": {"$eq": "r"}}`, true, true},
		{`{"$nor": [{"parentId": "r"}]}`, true, false},
		{`{"name": {"$startsWith": "Le"}, "groupTags": null}`, true, true},
	} {
		q := parse(c.query, c.group)
		var got bool
		if c.group {
			got = q.MatchGroup(leaf, tree)
		} else {
			got = q.MatchUser(user)
		}
		if got != c.want {
			t.Errorf("%s = %v, want %v", c.query, got, c.want)
		}
	}
	if !parse(`{"experienceUserId": "u1", "parentId": null}`, true).MatchGroup(root, tree) {
		t.Error("root has member u1 and no parent")
	}
	for _, bad := range []string{`{"password": "x"}`, `{"$and": {}}`, `[]`} {
		var v any
		_ = json.Unmarshal([]byte(bad), &v)
		if _, err := weir.ParseExperienceUserQuery(v); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("%s: %v, want Validation", bad, err)
		}
	}
}
