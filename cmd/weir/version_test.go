package main

import (
	"testing"
	"time"
)

func TestMainPressRunsDefaultVersion(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID

	var v struct{ ID, Version string }
	c.mustDo(201, "POST", flowPath+"/versions", map[string]any{"version": "v1"}, &v)
	c.mustDo(200, "PATCH", flowPath, map[string]any{"defaultVersionId": v.ID}, nil)
	c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 80}}, nil)

	var logs []struct{ FlowVersionID string }
	waitFor(t, 10*time.Second, "a log entry of v1", func() bool {
		c.mustDo(200, "GET", flowPath+"/versions/v1/logs?limit=10", nil, &logs)
		return len(logs) == 1
	})
	if logs[0].FlowVersionID != v.ID {
		t.Errorf("log entry version id = %q, want %s", logs[0].FlowVersionID, v.ID)
	}
	var flow struct {
		Stats struct {
			ByVersion map[string]struct{ RunCount int }
		}
	}
	c.mustDo(200, "GET", flowPath, nil, &flow)
	if n := flow.Stats.ByVersion["v1"].RunCount; n != 1 {
		t.Errorf("stats.byVersion.v1.runCount = %d, want 1", n)
	}
	c.mustDo(400, "DELETE", flowPath+"/versions/v1", nil, nil)
}
