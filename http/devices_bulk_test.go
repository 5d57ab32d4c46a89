package http_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestDevicesByQueryOverSQLite(t *testing.T) {
	h, ev, app, user := newDeviceHarness(t)
	base := "/applications/" + app
	must := h.mustAs(t, user)
	ids := map[string]string{}
	for _, d := range []struct{ name, floor string }{{"a1", "1"}, {"a2", "1"}, {"b1", "2"}} {
		dev := must("POST", base+"/devices", `{"name":"`+d.name+`","tags":[{"key":"floor","value":"`+d.floor+`"}],
			"attributes":[{"name":"temp","dataType":"number"}]}`, 201, "device")
		ids[d.name] = dev["id"].(string)
	}
	t.Run("SendCommandOK", func(t *testing.T) {
		must("POST", base+"/devices/command", `{"name":"reboot","deviceTags":[{"key":"floor","value":"1"}]}`, 200, "success")
		must("POST", base+"/devices/command", `{"name":"blink","deviceQuery":{"name":"b1"}}`, 200, "success")
		got := slices.Sorted(slices.Values(ev.heard))
		want := slices.Sorted(slices.Values([]string{ids["a1"] + ":reboot", ids["a2"] + ":reboot", ids["b1"] + ":blink"}))
		if !slices.Equal(got, want) || len(ev.commands) != 3 {
			t.Errorf("commands heard %v (delivered %v), want %v", got, ev.commands, want)
		}
		if n := countItems(t, h, base+"/devices/"+ids["a2"]+"/command?limit=10", user); n != 1 {
			t.Errorf("a2 has %d commands recorded, want 1", n)
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		must("POST", base+"/devices/command", `{"name":"x"}`, 400, "error")
		must("POST", base+"/devices/command", `{"name":"x","deviceQuery":{"name":{"$near":1}}}`, 400, "error")
		must("POST", base+"/devices/delete", `{}`, 400, "error")
		must("POST", base+"/devices/delete", `{"query":{"colour":"red"}}`, 400, "error")
		must("POST", base+"/devices/removeData", `{"query":{},"attributes":["no space"]}`, 400, "error")
		must("POST", base+"/devices/removeData", `{"query":{},"attributes":"temp"}`, 400, "error")
		must("POST", base+"/devices/removeData", `{"query":{},"keepCommandHistory":"yes"}`, 400, "error")
		if n := must("GET", base+"/devices", nil, 200, "")["totalCount"].(float64); n != 3 {
			t.Fatalf("refused requests left %v devices, want 3", n)
		}
	})
	t.Run("RemoveDataOK", func(t *testing.T) {
		now := time.Now()
		for _, id := range ids {
			must("POST", base+"/devices/"+id+"/state", `[{"time":`+strconv.FormatInt(now.Add(-time.Hour).UnixMilli(), 10)+`,"data":{"temp":1}},
				{"time":`+strconv.FormatInt(now.Add(-time.Minute).UnixMilli(), 10)+`,"data":{"temp":2}}]`, 200, "")
		}
		must("POST", base+"/devices/removeData", `{"query":{"tags":{"floor":"1"}},"start":`+
			strconv.FormatInt(now.Add(-10*time.Minute).UnixMilli(), 10)+`}`, 202, "")
		for name, want := range map[string]int{"a1": 1, "a2": 1, "b1": 2} {
			if n := countItems(t, h, base+"/devices/"+ids[name]+"/state?limit=10", user); n != want {
				t.Errorf("%s keeps %d states, want %d", name, n, want)
			}
		}
	})
	t.Run("DeleteOK", func(t *testing.T) {
		res := must("POST", base+"/devices/delete", `{"query":{"tags":{"floor":"1"}}}`, 200, "bulkDeleteResponse")
		if res["removed"].(float64) != 2 || res["failed"].(float64) != 0 {
			t.Errorf("devices.delete = %v, want 2 removed", res)
		}
		list := must("GET", base+"/devices", nil, 200, "")
		if list["totalCount"].(float64) != 1 {
			t.Errorf("devices left %v, want b1 alone", list["totalCount"])
		}
	})
}

// countItems returns the length of the JSON array a GET of path answers.
func countItems(t *testing.T, h *harness, path, token string) int {
	t.Helper()
	status, b := h.do("GET", path, token, nil)
	var items []any
	if err := json.Unmarshal(b, &items); status != 200 || err != nil {
		t.Fatalf("GET %s = %d %s", path, status, b)
	}
	return len(items)
}
