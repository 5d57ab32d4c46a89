package weir_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// TestRunAppendJSON: AppendJSON writes a document that decodes to what
// json.Marshal's does.
func TestRunAppendJSON(t *testing.T) {
	at := time.Date(2026, 11, 28, 1, 2, 3, 456_000_000, time.UTC)
	for _, r := range []weir.Run{
		{},
		{ID: "r1", ApplicationID: "a", FlowID: "f", FlowVersion: "develop", TriggerType: "webhook", TriggerKey: "k",
			TriggerID: "t", RelayType: "public", RelayID: "p", Time: at, Data: json.RawMessage(`{"body":{"v":75}}`),
			Experience: json.RawMessage(`{"user":null}`), Attempt: 3, Origin: "o\"1", Depth: 4, ReplayOf: "r0"},
		{ID: "quo\"te\\ <&> \x01\x1f \u2028\u2029 é 😀 \xff", Time: at.In(time.FixedZone("x", 3600)), Data: json.RawMessage(`[1, 2]`)},
	} {
		checkRunJSON(t, &r)
	}
}

// FuzzRunAppendJSON holds AppendJSON to json.Marshal on any strings.
func FuzzRunAppendJSON(f *testing.F) {
	f.Add("id", "webhook", "\xff\"\\\x00\u2028", int64(1700000000123), 2)
	f.Fuzz(func(t *testing.T, id, trigger, relay string, ms int64, attempt int) {
		r := weir.Run{ID: id, TriggerType: trigger, RelayType: relay, RelayID: relay,
			Time: time.UnixMilli(ms % 253402300799000).UTC(), Data: json.RawMessage(`{"a":1}`), Attempt: attempt}
		checkRunJSON(t, &r)
	})
}

func checkRunJSON(t *testing.T, r *weir.Run) {
	t.Helper()
	want, err := json.Marshal(r)
	if err != nil {
		t.Skip("json.Marshal refuses the run:", err)
	}
	got := r.AppendJSON(nil)
	var g, w weir.Run
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("AppendJSON wrote %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !g.Time.Equal(w.Time) {
		t.Fatalf("time %v, want %v", g.Time, w.Time)
	}
	if !sameJSON(t, g.Data, w.Data) || !sameJSON(t, g.Experience, w.Experience) {
		t.Fatalf("data %s / %s, want %s / %s", g.Data, g.Experience, w.Data, w.Experience)
	}
	g.Time, w.Time = time.Time{}, time.Time{}
	g.Data, w.Data, g.Experience, w.Experience = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("AppendJSON decodes to\n%+v\njson.Marshal to\n%+v\n(%s vs %s)", g, w, got, want)
	}
}

// sameJSON reports whether two JSON texts (or two empty ones) hold the same
// value; json.Marshal compacts raw JSON, AppendJSON keeps it as it is.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}
