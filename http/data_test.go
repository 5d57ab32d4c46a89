package http_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

func TestDataQueriesOverSQLite(t *testing.T) {
	h, _, app, user := newDeviceHarness(t, func(s *weirhttp.Server) { s.Data = s.Devices.(*sqlite.DB) })
	base := "/applications/" + app
	must := func(method, path, token string, body any, want int, schema string) map[string]any {
		t.Helper()
		return decode(t, h.mustRaw(t, method, path, token, body, want, schema))
	}
	boiler := must("POST", base+"/devices", user, `{"name":"Boiler","tags":[{"key":"floor","value":"8"}],
		"attributes":[{"name":"temp","dataType":"number"}]}`, 201, "device")["id"].(string)
	pump := must("POST", base+"/devices", user, `{"name":"Pump","tags":[{"key":"floor","value":"9"}],
		"attributes":[{"name":"temp","dataType":"number"}]}`, 201, "device")["id"].(string)
	// Reports at minutes 0..9 of a 10-minute-aligned window ending at most
	// 20 minutes ago: temp = minute (boiler), 100 + minute (pump).
	start := time.Now().UTC().Add(-20 * time.Minute).Truncate(10 * time.Minute)
	for m := range 10 {
		at := start.Add(time.Duration(m) * time.Minute).UnixMilli()
		must("POST", base+"/devices/"+boiler+"/state", user, fmt.Sprintf(`{"data":{"temp":%d},"time":%d}`, m, at), 200, "success")
		must("POST", base+"/devices/"+pump+"/state", user, fmt.Sprintf(`{"data":{"temp":%d},"time":%d}`, 100+m, at), 200, "success")
	}
	window := `"start":` + strconv.FormatInt(start.UnixMilli(), 10) + `,"end":` + strconv.FormatInt(start.Add(10*time.Minute).UnixMilli(), 10)

	t.Run("TimeSeriesByTagOK", func(t *testing.T) {
		got := must("POST", base+"/data/time-series-query", user,
			`{`+window+`,"resolution":300000,"aggregation":"SUM","attributes":["temp"],"deviceTags":[{"key":"floor","value":"8"}]}`,
			200, "timeSeriesData")
		devices := got["devices"].(map[string]any)
		if len(devices) != 1 || devices[boiler] == nil {
			t.Fatalf("devices = %v, want the boiler only", devices)
		}
		points := devices[boiler].(map[string]any)["points"].([]any)
		if len(points) != 2 || points[0].(map[string]any)["data"].(map[string]any)["temp"] != 10.0 ||
			points[1].(map[string]any)["data"].(map[string]any)["temp"] != 35.0 {
			t.Errorf("points = %v, want sums 10 and 35", points)
		}
		if at, _ := time.Parse(time.RFC3339, points[0].(map[string]any)["time"].(string)); !at.Equal(start) {
			t.Errorf("first point at %v, want the bucket start %v", points[0].(map[string]any)["time"], start)
		}
		if got["resolution"] != 300000.0 || got["aggregation"] != "SUM" || got["order"] != "asc" || got["limit"] != nil {
			t.Errorf("answer fields = %v", got)
		}
	})

	t.Run("TimeSeriesNoneByQueryOK", func(t *testing.T) {
		got := must("POST", base+"/data/time-series-query", user,
			`{`+window+`,"aggregation":"NONE","limit":2,"order":"desc","deviceQuery":{"name":"Pump"}}`, 200, "timeSeriesData")
		points := got["devices"].(map[string]any)[pump].(map[string]any)["points"].([]any)
		if len(points) != 2 || points[0].(map[string]any)["data"].(map[string]any)["temp"] != 109.0 {
			t.Errorf("points = %v, want the two latest, newest first", points)
		}
		if got["limit"] != 2.0 || got["resolution"] != nil {
			t.Errorf("answer fields = %v", got)
		}
	})

	t.Run("NoAttributesListedOK", func(t *testing.T) {
		got := must("POST", base+"/data/time-series-query", user,
			`{`+window+`,"resolution":600000,"aggregation":"COUNT","attributes":[],"deviceIds":["`+pump+`"]}`, 200, "timeSeriesData")
		points := got["devices"].(map[string]any)[pump].(map[string]any)["points"].([]any)
		if len(points) != 1 || points[0].(map[string]any)["data"].(map[string]any)["temp"] != 10.0 {
			t.Errorf("points = %v, want every attribute counted", points)
		}
	})

	t.Run("TimeAtValueOK", func(t *testing.T) {
		got := must("POST", base+"/data/time-series-query", user,
			`{`+window+`,"resolution":600000,"aggregation":{"type":"TIMEATVALUE","options":{"value":3}},"deviceIds":["`+boiler+`"]}`,
			200, "timeSeriesData")
		points := got["devices"].(map[string]any)[boiler].(map[string]any)["points"].([]any)
		if len(points) != 1 || points[0].(map[string]any)["data"].(map[string]any)["temp"] != 60000.0 {
			t.Errorf("points = %v, want one minute at 3", points)
		}
	})

	t.Run("LastValueOK", func(t *testing.T) {
		got := must("POST", base+"/data/last-value-query", user, `{"attribute":"temp","deviceIds":["`+boiler+`","`+pump+`"]}`, 200, "lastValueData")
		if len(got) != 2 || got[pump].(map[string]any)["data"].(map[string]any)["temp"] != 109.0 {
			t.Errorf("last values = %v", got)
		}
		got = must("POST", base+"/data/last-value-query", user,
			`{"attribute":"temp","deviceIds":["`+boiler+`"],"end":`+strconv.FormatInt(start.Add(150*time.Second).UnixMilli(), 10)+`}`, 200, "lastValueData")
		if got[boiler].(map[string]any)["data"].(map[string]any)["temp"] != 2.0 {
			t.Errorf("last value at minute 2.5 = %v, want 2", got)
		}
	})

	t.Run("DeviceTokenReadsOnlyItself", func(t *testing.T) {
		key := must("POST", base+"/keys", user, `{"description":"boiler","deviceIds":["`+boiler+`"]}`, 201, "")
		tok := must("POST", "/auth/device", "", `{"deviceId":"`+boiler+`","key":"`+key["key"].(string)+`","secret":"`+key["secret"].(string)+`"}`, 200, "")["token"].(string)
		got := must("POST", base+"/data/last-value-query", tok, `{"attribute":"temp"}`, 200, "lastValueData")
		if len(got) != 1 || got[boiler] == nil {
			t.Errorf("device token read %v, want its own value only", got)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		for name, tc := range map[string]struct {
			path, body, msg string
		}{
			"ErrAggregation":    {"time-series-query", `{"aggregation":"AVG"}`, ""},
			"ErrDeviceID":       {"time-series-query", `{"deviceIds":["nope"]}`, ""},
			"ErrTooManyBuckets": {"time-series-query", `{"end":86400000,"duration":86400000,"resolution":1000}`, "resolution 1000 ms gives 86400 points, more than 10000; raise resolution or shorten the range"},
			"ErrTooLong":        {"time-series-query", `{"duration":40000000000}`, "duration must be at most 31622400000 ms"},
			"ErrLimit":          {"time-series-query", `{"aggregation":"NONE","limit":0}`, "limit must be between 1 and 25000"},
			"ErrHugeTime":       {"time-series-query", `{"end":1e300}`, "query.end is out of range"},
			"ErrDeviceQuery":    {"time-series-query", `{"deviceQuery":{"parentId":"x"}}`, ""},
			"ErrNoAttribute":    {"last-value-query", `{"deviceIds":["` + boiler + `"]}`, "query.attribute is required"},
			"ErrNoBody":         {"last-value-query", ``, "query is required"},
		} {
			t.Run(name, func(t *testing.T) {
				status, b := h.do("POST", base+"/data/"+tc.path, user, tc.body)
				wantError(t, status, b, 400, weir.Validation, tc.msg)
			})
		}
	})
}
