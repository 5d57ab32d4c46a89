package http_test

import (
	"net/url"
	"slices"
	"testing"
)

func TestDevicesNamesOverSQLite(t *testing.T) {
	h, _, app, user := newDeviceHarness(t)
	base := "/applications/" + app + "/devices"
	must := h.mustAs(t, user)
	for _, d := range []string{
		`{"name":"Boiler","tags":[{"key":"floor","value":"1"},{"key":"Zone","value":"north"}],
			"attributes":[{"name":"temp","dataType":"number"},{"name":"label","dataType":"string"}]}`,
		`{"name":"beacon","tags":[{"key":"floor","value":"2"}],"attributes":[{"name":"where","dataType":"gps"}]}`,
		`{"name":"Cooler","deviceClass":"gateway","tags":[{"key":"floor","value":"1"},{"key":"owner","value":"Ann"}],
			"attributes":[{"name":"temp","dataType":"number"}]}`,
	} {
		must("POST", base, d, 201, "device")
	}
	list := func(path, field string) []string {
		t.Helper()
		var out []string
		for _, v := range must("GET", path, nil, 200, "")[field].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	q := func(s string) string { return url.QueryEscape(s) }
	cases := []struct {
		path, field, schema string
		want                []string
	}{
		{base + "/tagKeys", "tagKeys", "tagKeysResponse", []string{"Zone", "floor", "owner"}},
		{base + "/tagKeys?startsWith=Z", "tagKeys", "", []string{"Zone"}},
		{base + "/tagKeys?startsWith=z", "tagKeys", "", []string{"Zone"}},
		{base + "/tagKeys?query=" + q(`{"name":"beacon"}`), "tagKeys", "", []string{"floor"}},
		{base + "/tagValues?key=floor", "tagValues", "tagValuesResponse", []string{"1", "2"}},
		{base + "/tagValues?key=floor&query=" + q(`{"deviceClass":"gateway"}`), "tagValues", "", []string{"1"}},
		{base + "/tagValues?key=owner&startsWith=an", "tagValues", "", []string{"Ann"}},
		{base + "/tagValues?key=none", "tagValues", "", nil},
		{base + "/attributeNames", "attributeNames", "attributeNamesResponse", []string{"label", "temp", "where"}},
		{base + "/attributeNames?dataType=number", "attributeNames", "", []string{"temp"}},
		{base + "/attributeNames?dataType[0]=gps&dataType[1]=string", "attributeNames", "", []string{"label", "where"}},
		{base + "/attributeNames?startsWith=W", "attributeNames", "", []string{"where"}},
	}
	for _, c := range cases {
		if c.schema != "" {
			must("GET", c.path, nil, 200, c.schema)
		}
		if got := list(c.path, c.field); !slices.Equal(got, c.want) {
			t.Errorf("GET %s %s = %v, want %v", c.path, c.field, got, c.want)
		}
	}
	if got := must("GET", base+"/tagValues?key=floor", nil, 200, "")["tagKey"]; got != "floor" {
		t.Errorf("tagValues tagKey = %v, want floor", got)
	}
	names := must("GET", base+"/deviceNames?startsWith=b", nil, 200, "deviceNamesResponse")["deviceSummary"].([]any)
	var got []string
	for _, d := range names {
		m := d.(map[string]any)
		if m["id"] == "" || m["deviceClass"] == "" {
			t.Errorf("deviceSummary item %v lacks id or deviceClass", m)
		}
		got = append(got, m["name"].(string))
	}
	if !slices.Equal(got, []string{"beacon", "Boiler"}) {
		t.Errorf("deviceNames startsWith=b = %v, want [beacon Boiler]", got)
	}
	for _, bad := range []string{
		base + "/tagValues",
		base + "/tagValues?key=" + q("a b"),
		base + "/tagKeys?query=" + q(`{"colour":"red"}`),
		base + "/tagKeys?query=" + q(`{`),
		base + "/attributeNames?dataType=text",
		base + "/attributeNames?dataType[x]=gps",
		base + "/deviceNames?query=" + q(`[1]`),
	} {
		must("GET", bad, nil, 400, "error")
	}
}

func TestDevicesPatchOverSQLite(t *testing.T) {
	h, _, app, user := newDeviceHarness(t)
	base := "/applications/" + app + "/devices"
	must := h.mustAs(t, user)
	ids := map[string]string{}
	for _, d := range []struct{ name, floor string }{{"a1", "1"}, {"a2", "1"}, {"b1", "2"}} {
		dev := must("POST", base, `{"name":"`+d.name+`","description":"old","tags":[{"key":"floor","value":"`+d.floor+`"},
			{"key":"zone","value":"z"}],"attributes":[{"name":"temp","dataType":"number","description":"C"},
			{"name":"hum","dataType":"number"}]}`, 201, "device")
		ids[d.name] = dev["id"].(string)
	}
	get := func(name string) map[string]any { return must("GET", base+"/"+ids[name], nil, 200, "device") }
	snapshot := func() []any { return must("GET", base+"?sortField=name", nil, 200, "")["items"].([]any) }
	t.Run("ErrBadInput", func(t *testing.T) {
		before := snapshot()
		for _, body := range []string{
			`{}`,
			`{"query":{"colour":"red"},"updateFields":{"description":"x"}}`,
			`{"query":{},"updateFields":{"name":""}}`,
			`{"query":{},"updateOperations":[{"operation":"set","target":"nothing","value":"x"}]}`,
			`{"query":{},"updateOperations":[{"operation":"set","target":"systemInterval","value":5}]}`,
			`{"query":{},"updateOperations":[{"operation":"remove","target":"attributeTag","attributeName":"temp","tagKey":"k"}]}`,
			`{"query":{},"updateOperations":[{"operation":"add","target":"attribute","value":{"name":"x","dataType":"number","attributeTags":{"k":"v"}}}]}`,
			`{"deviceIds":["nothex"],"updateFields":{"description":"x"}}`,
			`[]`,
		} {
			must("PATCH", base, body, 400, "error")
		}
		if after := snapshot(); len(after) != len(before) || get("a1")["description"] != "old" {
			t.Errorf("refused patches changed devices")
		}
	})
	t.Run("OK", func(t *testing.T) {
		res := must("PATCH", base, `{"query":{"tags":{"floor":"1"}},"updateFields":{"description":"new"},
			"updateOperations":[
				{"operation":"set","target":"tag","value":{"key":"zone","value":"south"}},
				{"operation":"remove","target":"tag","tagKey":"floor"},
				{"operation":"set","target":"attributeName","attributeName":"temp","value":"temperature"},
				{"operation":"remove","target":"attribute","attributeName":"hum"},
				{"operation":"add","target":"attribute","value":{"name":"pos","dataType":"gps"}},
				{"operation":"set","target":"attributeDescription","attributeName":"nothere","value":"ignored"}]}`,
			200, "devicesUpdated")
		if res["updated"].(float64) != 2 || res["failed"].(float64) != 0 || res["skipped"].(float64) != 0 {
			t.Errorf("devices.patch = %v, want 2 updated", res)
		}
		a1 := get("a1")
		if a1["description"] != "new" {
			t.Errorf("a1 description = %v", a1["description"])
		}
		if tags := a1["tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["value"] != "south" {
			t.Errorf("a1 tags = %v, want zone=south alone", tags)
		}
		var attrs []string
		for _, a := range a1["attributes"].([]any) {
			attrs = append(attrs, a.(map[string]any)["name"].(string))
		}
		if !slices.Equal(attrs, []string{"temperature", "pos"}) {
			t.Errorf("a1 attributes = %v, want [temperature pos]", attrs)
		}
		if b1 := get("b1"); b1["description"] != "old" || len(b1["attributes"].([]any)) != 2 {
			t.Errorf("b1, not selected, changed: %v", b1)
		}
	})
	t.Run("ParentID", func(t *testing.T) {
		res := must("PATCH", base, `{"deviceIds":["`+ids["a1"]+`","`+ids["a2"]+`"],
			"updateOperations":[{"operation":"set","target":"parentId","value":"`+ids["b1"]+`"}]}`, 200, "devicesUpdated")
		if res["updated"].(float64) != 2 || get("a2")["parentId"] != ids["b1"] {
			t.Errorf("set parentId = %v, a2 parentId %v, want both under b1", res, get("a2")["parentId"])
		}
		res = must("PATCH", base, `{"deviceIds":["`+ids["a2"]+`"],
			"updateOperations":[{"operation":"set","target":"parentId","value":"0123456789abcdef01234567"}]}`, 200, "devicesUpdated")
		if res["failed"].(float64) != 1 || get("a2")["parentId"] != ids["b1"] {
			t.Errorf("set parentId to no device = %v, want 1 failed and a2 unchanged", res)
		}
		res = must("PATCH", base, `{"deviceIds":["`+ids["a1"]+`","`+ids["a2"]+`"],
			"updateOperations":[{"operation":"remove","target":"parentId"}]}`, 200, "devicesUpdated")
		if res["updated"].(float64) != 2 || get("a1")["parentId"] != nil {
			t.Errorf("remove parentId = %v, a1 parentId %v", res, get("a1")["parentId"])
		}
	})
	t.Run("SkippedAndFailed", func(t *testing.T) {
		res := must("PATCH", base, `{"deviceIds":["`+ids["a1"]+`","`+ids["b1"]+`"],
			"updateOperations":[{"operation":"set","target":"attributeName","attributeName":"hum","value":"temp"}]}`,
			200, "devicesUpdated")
		// a1 has no hum: skipped; b1's hum would become a second temp: failed.
		if res["updated"].(float64) != 0 || res["skipped"].(float64) != 1 || res["failed"].(float64) != 1 {
			t.Errorf("devices.patch = %v, want 1 skipped, 1 failed", res)
		}
		if b1 := get("b1"); b1["attributes"].([]any)[1].(map[string]any)["name"] != "hum" {
			t.Errorf("a failed device changed: %v", b1["attributes"])
		}
	})
}
