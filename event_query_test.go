package weir_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func TestParseEventQueryFaults(t *testing.T) {
	deep := `{"level": "info"}`
	for range weir.MaxQueryDepth + 1 {
		deep = `{"$and": [` + deep + `]}`
	}
	many := `{"level": {"$in": [` + strings.TrimSuffix(strings.Repeat(`"info",`, weir.MaxQueryItems+1), ",") + `]}}`
	for _, c := range []struct{ query, want string }{
		{`[]`, "query must be an object"},
		{`{"colour": "red"}`, "query.colour is not a field of an event query"},
		{`{"$and": [{"level": {"$gtx": 1}}]}`, "query.$and[0].level.$gtx is not an operator"},
		{`{"$or": {"level": "info"}}`, "query.$or must be an array"},
		{`{"$nor": [1]}`, "query.$nor[0] must be an object"},
		{`{"subject": {"$startsWith": ""}}`, "query.subject.$startsWith must be a non-empty string"},
		{`{"subject": {"$ci": "yes"}}`, "query.subject.$ci must be a boolean"},
		{`{"subject": [1]}`, "query.subject must be a string, number, boolean, null or an object of operators"},
		{`{"eventTags": {"$eq": {"$tagKey": 1}}}`, "query.eventTags.$eq.$tagKey must be a string, null, {$in: [...]} or {$nin: [...]}"},
		{`{"eventTags": {"bad key": "x"}}`, "query.eventTags.bad key: tag key pattern mismatch"},
		{`{"experienceUserId": null}`, "query.experienceUserId is not supported: weir keeps no experience users or groups on events"},
		{many, "query.level.$in has more than 100 items"},
		{deep, "query.$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0].$and[0] is nested more than 16 levels deep"},
	} {
		var v any
		if err := json.Unmarshal([]byte(c.query), &v); err != nil {
			t.Fatal(err)
		}
		_, err := weir.ParseEventQuery(v)
		if weir.ErrorTypeOf(err) != weir.Validation || weir.ErrorMessage(err) != c.want {
			t.Errorf("ParseEventQuery(%.60s) = %v, want Validation %q", c.query, err, c.want)
		}
	}
}

func TestEventQueryMatch(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	e := &weir.Event{ID: "5a1b2c3d4e5f60718293a4b5", Level: "error", State: "new", Subject: "Pump Stopped",
		EventTags: map[string]string{"zone": "a"}, CreationDate: at, LastUpdated: at}
	for _, c := range []struct {
		query string
		want  bool
	}{
		{`{}`, true},
		{`{"level": "error", "state": {"$ne": "resolved"}}`, true},
		{`{"subject": {"$contains": "pump", "$ci": true}}`, true},
		{`{"subject": {"$contains": "pump"}}`, false},
		{`{"creationDate": {"$gte": "2026-01-01T12:00:00Z", "$lt": 1767272400001}}`, true},
		{`{"deviceId": null}`, true},
		{`{"eventTags": {"$eq": {"$tagKey": "zone", "$tagValue": {"$in": ["a", "b"]}}}}`, true},
		{`{"eventTags": {"$ne": {"zone": "a"}}}`, false},
		{`{"eventTags": {"$eq": null}}`, false},
		{`{"$or": []}`, false},
		{`{"$nor": [{"level": "info"}]}`, true},
	} {
		var v any
		if err := json.Unmarshal([]byte(c.query), &v); err != nil {
			t.Fatal(err)
		}
		q, err := weir.ParseEventQuery(v)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := q.Match(e); got != c.want {
			t.Errorf("%s matches = %v, want %v", c.query, got, c.want)
		}
	}
}

func TestSubjectMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, subject string
		want             bool
	}{
		{"", "anything", true},
		{"abnormal power*", "Abnormal Power Draw", true},
		{"abnormal power", "Abnormal Power Draw", false},
		{"*/b*", "a/b/c", true},
		{"[x]", "[x]", true},
		{"?ump", "Pump", true},
	} {
		if got := weir.SubjectMatches(c.pattern, c.subject); got != c.want {
			t.Errorf("SubjectMatches(%q, %q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
}

func TestEventPatchApplyKeepsEventWhenInvalid(t *testing.T) {
	e := &weir.Event{Level: "info", State: "new", Subject: "s", EventTags: map[string]string{"a": "1"}}
	bad := "fatal"
	if err := (&weir.EventPatch{Level: &bad, EventTags: map[string]string{"a": ""}}).Apply(e, weir.EventSource{}, "", time.Now()); err == nil {
		t.Fatal("an invalid level was applied")
	}
	if e.Level != "info" || e.EventTags["a"] != "1" || len(e.Updates) != 0 {
		t.Fatalf("a refused patch changed the event: %+v", e)
	}
}
