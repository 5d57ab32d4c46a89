package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape reads GET /metrics with token and returns each sample by its
// series ("name{label=\"v\",...}", labels as Prometheus prints them) and
// the raw text.
func scrape(t *testing.T, base, token string) (map[string]float64, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics = %d %s %.300s, want 200 text/plain", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples, string(body)
}

// TestMetricsAfterTraffic sends presses (some over the press limit) to a
// counting flow and a failing one, then scrapes /metrics and checks that
// each counter moved by what was sent; with one worker held by a slow run,
// the queue gauges show the runs waiting and running.
func TestMetricsAfterTraffic(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PressLimit, cfg.Workers, cfg.Shutdown = 3, 1, 100*time.Millisecond
	_, c := openMain(t, cfg)
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	for range 3 {
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 80}}, nil)
	}
	c.mustDo(429, "POST", flowPath+"/virtualButton", map[string]any{"key": key}, nil)
	failing := mustCreateFlow(c, appID, map[string]any{"name": "fails",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"boom"}}}},
		"nodes":    []any{map[string]any{"id": "boom", "type": "ThrowErrorNode", "config": map[string]any{"messageTemplate": "boom"}}}})
	c.mustDo(200, "POST", "/applications/"+appID+"/flows/"+failing.ID+"/virtualButton", map[string]any{"key": failing.key}, nil)

	var got map[string]float64
	var text string
	waitFor(t, 10*time.Second, "four runs recorded", func() bool {
		got, text = scrape(t, c.base, c.token)
		return got["weir_runs_completed_total"]+got["weir_runs_failed_total"] == 4
	})
	press := `route="POST /applications/{applicationId}/flows/{flowId}/virtualButton"`
	for series, want := range map[string]float64{
		"weir_runs_accepted_total":                           4,
		"weir_runs_completed_total":                          3,
		"weir_runs_failed_total":                             1,
		"weir_runs_dropped_total":                            0,
		"weir_run_duration_seconds_count":                    4,
		`weir_node_errors_total{node_type="ThrowErrorNode"}`: 1,
		`weir_node_errors_total{node_type="DebugNode"}`:      0,
		`weir_rate_limited_total{limit="presses"}`:           1,
		`weir_http_requests_total{code="200",` + press + `}`: 4,
		`weir_http_requests_total{code="429",` + press + `}`: 1,
		// The counting runs execute as they are accepted and commit in
		// one write (commit_run), their increments with them; the failing
		// one is queued, executed and completed.
		`weir_store_duration_seconds_count{op="commit_run"}`:   3,
		`weir_store_duration_seconds_count{op="enqueue_run"}`:  1,
		`weir_store_duration_seconds_count{op="complete_run"}`: 1,
		`weir_store_duration_seconds_count{op="storage_incr"}`: 0,
		"weir_runs_waiting":                    0,
		"weir_runs_running":                    0,
		"weir_runs_oldest_waiting_age_seconds": 0,
	} {
		if got[series] != want {
			t.Errorf("%s = %v, want %v", series, got[series], want)
		}
	}
	if strings.Contains(text, flowID) || strings.Contains(text, appID) {
		t.Errorf("metrics name a raw path (application or flow id):\n%s", text)
	}

	// One worker, held by a 30 s delay: the second press waits.
	slow := mustCreateFlow(c, appID, map[string]any{"name": "slow",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"wait"}}}},
		"nodes":    []any{map[string]any{"id": "wait", "type": "DelayNode", "config": map[string]any{"delay": "30"}}}})
	for range 2 {
		c.mustDo(200, "POST", "/applications/"+appID+"/flows/"+slow.ID+"/virtualButton", map[string]any{"key": slow.key}, nil)
	}
	waitFor(t, 10*time.Second, "one run running and one waiting", func() bool {
		got, _ = scrape(t, c.base, c.token)
		return got["weir_runs_running"] >= 1 && got["weir_runs_running"]+got["weir_runs_waiting"] == 2
	})
	time.Sleep(50 * time.Millisecond) // the oldest waiting run ages
	got, _ = scrape(t, c.base, c.token)
	if age := got["weir_runs_oldest_waiting_age_seconds"]; got["weir_runs_waiting"] == 1 && (age <= 0 || age > 10) {
		t.Errorf("weir_runs_oldest_waiting_age_seconds = %v, want the age of the second press", age)
	}
}

// TestMetricsScope checks who may read /metrics: user tokens of scope
// all.User or metrics.get; a metrics.get token reads nothing else; neither
// an application token nor a request without a token gets in.
func TestMetricsScope(t *testing.T) {
	m, c := openMain(t, DefaultConfig())
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "a"}, &app)
	var appTok struct{ Token string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/tokens", map[string]any{"name": "t", "scope": []string{"all.Application"}}, &appTok)
	var out bytes.Buffer
	if err := run(t.Context(), []string{"token", "create", "--data", m.Config.DataDir, "--scope", "metrics.get"}, &out, io.Discard); err != nil {
		t.Fatalf("token create --scope metrics.get: %v", err)
	}
	scraper := &client{t: t, base: c.base, token: strings.TrimSpace(out.String())}
	scrape(t, c.base, scraper.token)
	scraper.mustDo(403, "GET", "/applications", nil, nil)
	(&client{t: t, base: c.base, token: appTok.Token}).mustDo(403, "GET", "/metrics", nil, nil)
	(&client{t: t, base: c.base}).mustDo(403, "GET", "/metrics", nil, nil)
}

// createdFlow is a flow mustCreateFlow made: its id and its first
// trigger's key.
type createdFlow struct{ ID, key string }

// mustCreateFlow creates the flow body describes in the application.
func mustCreateFlow(c *client, appID string, body map[string]any) createdFlow {
	c.t.Helper()
	var f struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+appID+"/flows", body, &f)
	return createdFlow{f.ID, f.Triggers[0].Key}
}
