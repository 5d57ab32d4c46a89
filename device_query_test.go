package weir_test

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func TestDeviceQuery(t *testing.T) {
	on := true
	created := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := &weir.Device{ID: "5a1b2c3d4e5f60718293a4b1", Name: "Boiler North", DeviceClass: weir.DeviceGateway,
		Tags:         []weir.DeviceTag{{Key: "floor", Value: "8"}, {Key: "kind", Value: "heat"}},
		Attributes:   []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeNumber}},
		CreationDate: created, Connection: weir.ConnectionInfo{Connected: &on, Time: created.Add(time.Hour)},
		ParentID: "5a1b2c3d4e5f60718293a4c2", AncestorIDs: []string{"5a1b2c3d4e5f60718293a4c1", "5a1b2c3d4e5f60718293a4c2"}}
	top := &weir.Device{ID: "5a1b2c3d4e5f60718293a4c1", Name: "Site", DeviceClass: weir.DeviceSystem}
	tests := []struct {
		name  string
		query map[string]any
		want  bool
		top   bool // what the query says of top, a device with no parent
	}{
		{"EqName", map[string]any{"name": "Boiler North"}, true, false},
		{"NeName", map[string]any{"name": map[string]any{"$ne": "Boiler North"}}, false, true},
		{"ContainsCI", map[string]any{"name": map[string]any{"$contains": "north", "$ci": true}}, true, false},
		{"ContainsCase", map[string]any{"name": map[string]any{"$contains": "north"}}, false, false},
		{"InClass", map[string]any{"deviceClass": map[string]any{"$in": []any{"gateway", "standalone"}}}, true, false},
		{"CreatedAfterISO", map[string]any{"creationDate": map[string]any{"$gte": "2026-02-01T00:00:00Z"}}, true, false},
		{"CreatedBeforeMillis", map[string]any{"creationDate": map[string]any{"$lt": float64(created.UnixMilli())}}, false, true},
		{"Connected", map[string]any{"connectionStatus": "connected"}, true, false},
		{"DisconnectedAtNone", map[string]any{"disconnectedAt": map[string]any{"$gt": 0.0}}, false, false},
		{"TagKeyValue", map[string]any{"tags": map[string]any{"$tagKey": "floor", "$tagValue": map[string]any{"$in": []any{"7", "8"}}}}, true, false},
		{"TagKeyValueNoSameTag", map[string]any{"tags": map[string]any{"$tagKey": "kind", "$tagValue": "8"}}, false, false},
		{"TagPairs", map[string]any{"tags": map[string]any{"floor": "8", "kind": nil}}, true, false},
		{"AttributeName", map[string]any{"attributeName": map[string]any{"$startsWith": "te"}}, true, false},
		{"Or", map[string]any{"$or": []any{map[string]any{"name": "x"}, map[string]any{"id": "5a1b2c3d4e5f60718293a4b1"}}}, true, false},
		{"Nor", map[string]any{"$nor": []any{map[string]any{"name": "Boiler North"}}}, false, true},
		{"AndAll", map[string]any{"$and": []any{map[string]any{"deviceClass": "gateway"}, map[string]any{"tags": map[string]any{"floor": "9"}}}}, false, false},
		{"Parent", map[string]any{"parentId": "5a1b2c3d4e5f60718293a4c2"}, true, false},
		{"ParentNull", map[string]any{"parentId": nil}, false, true},
		{"ParentNeNull", map[string]any{"parentId": map[string]any{"$ne": nil}}, true, false},
		{"ParentIn", map[string]any{"parentId": map[string]any{"$in": []any{"5a1b2c3d4e5f60718293a4c1"}}}, false, false},
		{"Ancestor", map[string]any{"ancestorId": "5a1b2c3d4e5f60718293a4c1"}, true, false},
		{"AncestorEq", map[string]any{"ancestorId": map[string]any{"$eq": "5a1b2c3d4e5f60718293a4c2"}}, true, false},
		{"AncestorNe", map[string]any{"ancestorId": map[string]any{"$ne": "5a1b2c3d4e5f60718293a4c1"}}, false, true},
		{"AncestorIn", map[string]any{"ancestorId": map[string]any{"$in": []any{"5a1b2c3d4e5f60718293a4c9", "5a1b2c3d4e5f60718293a4c2"}}}, true, false},
		{"AncestorNin", map[string]any{"ancestorId": map[string]any{"$nin": []any{"5a1b2c3d4e5f60718293a4c9"}}}, true, true},
		{"AncestorNull", map[string]any{"ancestorId": nil}, false, true},
		{"AncestorNeNull", map[string]any{"ancestorId": map[string]any{"$ne": nil}}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := weir.ParseDeviceQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Match(d); got != tc.want {
				t.Errorf("Match(%v) = %v, want %v", tc.query, got, tc.want)
			}
			if got := q.Match(top); got != tc.top {
				t.Errorf("Match(%v) of a top device = %v, want %v", tc.query, got, tc.top)
			}
		})
	}
	for _, bad := range []any{"x", map[string]any{"deletedAt": "a"}, map[string]any{"$and": "x"}} {
		if _, err := weir.ParseDeviceQuery(bad); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("ParseDeviceQuery(%v) error %v, want Validation", bad, err)
		}
	}

	// experienceUserId and experienceGroupId hold as WithExperience says.
	q, err := weir.ParseDeviceQuery(map[string]any{"$or": []any{
		map[string]any{"experienceUserId": map[string]any{"$in": []any{"u1", "u2"}}},
		map[string]any{"experienceGroupId": map[string]any{"$ne": "g"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !q.NamesExperience() || q.Match(d) {
		t.Fatal("without WithExperience, the experience conditions never hold")
	}
	var asked []string
	q.WithExperience(func(kind, id string, _ *weir.Device) bool {
		asked = append(asked, kind+" "+id)
		return kind == "experienceGroup"
	})
	if q.Match(d) {
		t.Fatalf("neither u1 nor u2 sees the device, and group g does (asked %v)", asked)
	}
}
