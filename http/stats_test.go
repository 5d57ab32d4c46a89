package http_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// seedLogs stores, newest first, one clean run 10 minutes ago, one failed run
// 70 minutes ago and one run two days ago (outside the default window).
func seedLogs(h *harness) {
	fail := weir.RunError{Time: testNow.Add(-70 * time.Minute), NodeID: "n1", NodeLabel: "Store", FlowVersion: "develop",
		FlowVersionID: "develop", Error: weir.ErrorDetails{Name: "TypeError", Message: "not a number"}}
	h.store.logs[h.flow.ID] = []*weir.LogEntry{
		{FlowVersionID: "develop", Time: testNow.Add(-10 * time.Minute), RunCount: 1, PathsCompleted: 2, WallTime: 1.5},
		{FlowVersionID: "develop", Time: testNow.Add(-70 * time.Minute), RunCount: 1, PathsFailed: 1, WallTime: 3, Errors: []weir.RunError{fail}},
		{FlowVersionID: "develop", Time: testNow.Add(-48 * time.Hour), RunCount: 1, PathsCompleted: 1},
	}
}

func TestFlowStats(t *testing.T) {
	h := newHarness(t)
	seedLogs(h)
	status, b := h.do("GET", h.flowPath("/stats"), h.tokA, nil)
	if status != http.StatusOK {
		t.Fatalf("stats = %d %s", status, b)
	}
	mustConform(t, "flowStats", b)
	var got struct {
		Resolution int
		Metrics    []struct {
			Time                                  time.Time
			RunCount, PathsCompleted, PathsFailed int
			WallTime                              float64
		}
	}
	_ = json.Unmarshal(b, &got)
	if got.Resolution != 3600000 || len(got.Metrics) != 24 {
		t.Fatalf("resolution %d with %d buckets, want 3600000 and 24 (24 h of hours)", got.Resolution, len(got.Metrics))
	}
	var runs, completed, failed int
	for _, m := range got.Metrics {
		runs, completed, failed = runs+m.RunCount, completed+m.PathsCompleted, failed+m.PathsFailed
	}
	if runs != 2 || completed != 2 || failed != 1 {
		t.Errorf("window sums runs=%d completed=%d failed=%d, want 2, 2, 1", runs, completed, failed)
	}
	last := got.Metrics[len(got.Metrics)-1]
	if last.RunCount != 1 || last.WallTime != 1.5 || !last.Time.Equal(testNow.Add(-time.Hour)) {
		t.Errorf("last bucket %+v, want the run of 10 minutes ago", last)
	}

	status, b = h.do("GET", h.flowPath("/stats?resolution=60000&duration=31622400000"), h.tokA, nil)
	wantError(t, status, b, http.StatusBadRequest, weir.Validation, "")
	status, b = h.do("GET", h.flowPath("/stats?flowVersion=v2"), h.tokA, nil)
	wantError(t, status, b, http.StatusNotFound, weir.NotFound, "Flow version was not found")
}

func TestFlowErrors(t *testing.T) {
	h := newHarness(t)
	seedLogs(h)
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"OKDefault", "", 1},
		{"OKWindowExcludes", "?duration=1800000", 0},
		{"OKEndInPast", "?end=" + itoa(testNow.Add(-time.Hour).UnixMilli()) + "&duration=3600000&sortDirection=asc", 1},
		{"OKDevelop", "?flowVersion=develop&limit=5", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/errors"+tc.query), h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("errors = %d %s", status, b)
			}
			mustConform(t, "flowErrors", b)
			var got struct {
				Errors []struct {
					NodeID string
					Error  weir.ErrorDetails
				}
			}
			_ = json.Unmarshal(b, &got)
			if len(got.Errors) != tc.want {
				t.Fatalf("%d errors, want %d: %s", len(got.Errors), tc.want, b)
			}
			if tc.want > 0 && (got.Errors[0].NodeID != "n1" || got.Errors[0].Error.Name != "TypeError") {
				t.Errorf("error %+v, want node n1's TypeError", got.Errors[0])
			}
		})
	}
	status, b := h.do("GET", h.flowPath("/errors?limit=0"), h.tokA, nil)
	wantError(t, status, b, http.StatusBadRequest, weir.Validation, "")
}
