package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// crashFlows are the flows the crash loop drives: a button flow and a
// webhook flow that each increment a counter and write one key per request,
// and a flow whose storage the API writes directly.
type crashFlows struct {
	appID                          string
	press, hook, direct            string // flow ids
	pressKey, hookToken            string
	pressPath, hookPath, storePath string // request paths
}

// crashFlow is a flow started by trigger that increments counter and stores
// the request's id under prefix+id.
func crashFlow(name string, trigger map[string]any, counter, prefix, idPath string) map[string]any {
	trigger["outputIds"] = []any{[]any{"incr"}}
	return map[string]any{
		"name":     name,
		"triggers": []any{trigger},
		"nodes": []any{
			map[string]any{"id": "incr", "type": "StoreValueNode", "config": map[string]any{"keyName": counter, "valueType": "incr", "value": "1"},
				"outputIds": []any{[]any{"mark"}}},
			map[string]any{"id": "mark", "type": "StoreValueNode", "config": map[string]any{"keyName": prefix + "{{" + idPath + "}}", "valueType": "path", "value": idPath}},
		},
	}
}

// setupCrashFlows creates the application, its webhook and the three flows.
func setupCrashFlows(c *client) crashFlows {
	c.t.Helper()
	var f crashFlows
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "crash loop"}, &app)
	f.appID = app.ID
	var hook struct{ ID, Token string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "crash hook"}, &hook)
	f.hookToken = hook.Token
	var flow struct {
		ID       string
		Triggers []struct{ Key string }
	}
	flows := "/applications/" + app.ID + "/flows"
	c.mustDo(201, "POST", flows, crashFlow("presses", map[string]any{"type": "virtualButton", "config": map[string]any{}}, "hits", "p-", "data.id"), &flow)
	f.press, f.pressKey = flow.ID, flow.Triggers[0].Key
	c.mustDo(201, "POST", flows, crashFlow("hooks", map[string]any{"type": "webhook", "key": hook.ID, "config": map[string]any{}}, "hits", "w-", "data.query.id"), &flow)
	f.hook = flow.ID
	c.mustDo(201, "POST", flows, map[string]any{"name": "direct"}, &flow)
	f.direct = flow.ID
	f.pressPath = flows + "/" + f.press + "/virtualButton"
	f.hookPath = "/webhooks/" + f.hookToken
	f.storePath = flows + "/" + f.direct + "/storage"
	return f
}

// crashLedger records what the server acknowledged.
type crashLedger struct {
	mu                    sync.Mutex
	presses, hooks, store []string // request ids answered 2xx
	sent                  atomic.Int64
}

func (l *crashLedger) ack(list *[]string, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*list = append(*list, id)
}

// crashDriver sends one kind of request per call, round robin, and records
// the acknowledged ones. Connection errors (the server being killed, or down
// between a kill and the restart) are expected and count as not
// acknowledged.
type crashDriver struct {
	base, token string
	flows       crashFlows
	http        *http.Client
	ledger      *crashLedger
}

func (d *crashDriver) send(worker, n int) {
	id := fmt.Sprintf("%d-%d", worker, n)
	d.ledger.sent.Add(1)
	var req *http.Request
	var list *[]string
	switch n % 3 {
	case 0:
		body := `{"key":"` + d.flows.pressKey + `","payload":{"id":"` + id + `"}}`
		req, _ = http.NewRequest("POST", d.base+d.flows.pressPath, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+d.token)
		list = &d.ledger.presses
	case 1:
		req, _ = http.NewRequest("POST", d.base+d.flows.hookPath+"?id="+id, strings.NewReader(`{"n":1}`))
		list = &d.ledger.hooks
	default:
		body := `{"key":"s-` + id + `","value":"` + id + `"}`
		req, _ = http.NewRequest("PATCH", d.base+d.flows.storePath, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+d.token)
		list = &d.ledger.store
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.http.Do(req)
	if err != nil {
		time.Sleep(5 * time.Millisecond) // down: do not spin
		return
	}
	defer resp.Body.Close()
	_, _ = bytes.NewBuffer(nil).ReadFrom(resp.Body)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		d.ledger.ack(list, id)
	}
}

// TestCrashLoopKeepsAcknowledgedWork drives presses, public webhook requests
// and Set Storage Entry calls from several clients while weir serve is killed
// with SIGKILL at random moments and restarted on the same data directory.
// Every acknowledged request must have its effect afterwards: the run's
// storage key and log entry, or the stored entry; the counters never fall
// below the acknowledged increments; every start is clean; and each run
// that executed did so exactly once (counter, per-run keys and log entries
// agree). WEIR_SOAK=10m runs it for that long instead of five kills.
func TestCrashLoopKeepsAcknowledgedWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills weir processes")
	}
	kills, soak := 5, time.Duration(0)
	if v := os.Getenv("WEIR_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("WEIR_SOAK=%q: %v", v, err)
		}
		soak, kills = d, 1<<30
	}
	http.DefaultClient.CloseIdleConnections()
	baseline := runtime.NumGoroutine()

	dir, addr := t.TempDir(), freeAddr(t)
	flags := []string{"--webhook-limit", "0", "--log-keep", "0", "--storage-keys", "0"}
	var logs bytes.Buffer
	lw := &lockedWriter{w: &logs}
	p := startProcessWith(t, addr, dir, lw, flags...)
	if p.token == "" {
		t.Fatal("first start printed no owner token")
	}
	c := &client{t: t, base: "http://" + addr, token: p.token}
	flows := setupCrashFlows(c)

	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	ledger := &crashLedger{}
	d := &crashDriver{base: c.base, token: c.token, flows: flows, http: &http.Client{Transport: tr, Timeout: 10 * time.Second}, ledger: ledger}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				d.send(w, n)
			}
		}()
	}

	start, survived := time.Now(), 0
	for survived < kills && (soak == 0 || time.Since(start) < soak) {
		time.Sleep(time.Duration(200+rand.IntN(1000)) * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		survived++
		p = startProcessWith(t, addr, dir, lw, flags...)
	}
	time.Sleep(300 * time.Millisecond) // some load on the last start too
	close(stop)
	wg.Wait()
	tr.CloseIdleConnections()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	if bad := errorLines(lw.String()); len(bad) > 0 {
		t.Errorf("weir logged errors across %d starts:\n%s", survived+1, strings.Join(bad, "\n"))
	}

	// Verify in-process on the same data directory, then close and check
	// that nothing is left running.
	checkCrashLedger(t, dir, flows, ledger, survived)
	http.DefaultClient.CloseIdleConnections()
	checkGoroutines(t, baseline)
}

// checkCrashLedger opens dir in-process, waits for every acknowledged run
// and checks the effects of every acknowledged request.
func checkCrashLedger(t *testing.T, dir string, flows crashFlows, l *crashLedger, kills int) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.LogKeep, cfg.StorageKeys = "127.0.0.1:0", dir, "warn", 0, 0
	m := &Main{Config: cfg, Stdout: new(bytes.Buffer)}
	if err := m.Open(t.Context()); err != nil {
		t.Fatalf("open after %d kills: %v", kills, err)
	}
	defer func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	}()
	db := m.inst.DB
	entries := func(flowID string) map[string]json.RawMessage {
		e, err := db.StorageEntries(t.Context(), flowID)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	missing := func(flowID, prefix string, ids []string) []string {
		e := entries(flowID)
		var out []string
		for _, id := range ids {
			if string(e[prefix+id]) != `"`+id+`"` {
				out = append(out, id)
			}
		}
		return out
	}
	waitFor(t, 60*time.Second, "every acknowledged run to finish", func() bool {
		return len(missing(flows.press, "p-", l.presses)) == 0 && len(missing(flows.hook, "w-", l.hooks)) == 0
	})
	if len(l.presses) == 0 || len(l.hooks) == 0 || len(l.store) == 0 {
		t.Fatalf("acknowledged %d presses, %d webhooks and %d storage entries; want some of each", len(l.presses), len(l.hooks), len(l.store))
	}
	miss := missing(flows.direct, "s-", l.store)
	if len(miss) > 0 {
		t.Errorf("%d of %d acknowledged storage entries are missing: %v", len(miss), len(l.store), miss[:min(len(miss), 10)])
	}
	t.Logf("%d kills survived; %d requests sent", kills, l.sent.Load())
	t.Logf("Set Storage Entry: %d acknowledged, %d found", len(l.store), len(l.store)-len(miss))
	for _, f := range []struct {
		name, id, prefix string
		acked            []string
	}{{"presses", flows.press, "p-", l.presses}, {"webhooks", flows.hook, "w-", l.hooks}} {
		// Storage writes are idempotent per run, so once the queue drains
		// the counter, the per-request keys and the log entries agree: each
		// run that executed did so to completion exactly once.
		var hits float64
		var keys, logs int
		deadline := time.Now().Add(30 * time.Second)
		for {
			e := entries(f.id)
			hits, keys = 0, 0
			_ = json.Unmarshal(e["hits"], &hits)
			for k := range e {
				if strings.HasPrefix(k, f.prefix) {
					keys++
				}
			}
			l, err := db.FindLogEntries(t.Context(), f.id, weir.LogFilter{})
			if err != nil {
				t.Fatal(err)
			}
			logs = len(l)
			if (hits == float64(keys) && keys == logs) || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if hits < float64(len(f.acked)) || logs < len(f.acked) {
			t.Errorf("%s: counter %v and %d log entries, want at least the %d acknowledged requests", f.name, hits, logs, len(f.acked))
		}
		if hits != float64(keys) || keys != logs {
			t.Errorf("%s: counter %v, %d runs' keys, %d log entries; want all three equal", f.name, hits, keys, logs)
		}
		found := len(f.acked) - len(missing(f.id, f.prefix, f.acked))
		t.Logf("%s: %d acknowledged, %d found; counter %v, %d runs' keys, %d log entries", f.name, len(f.acked), found, hits, keys, logs)
	}
}

// errorLines returns the ERROR-level lines of a text log.
func errorLines(log string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, line)
		}
	}
	return out
}

// checkGoroutines waits up to 10 s for the goroutine count to return to
// baseline and fails t with every stack if it does not.
func checkGoroutines(t *testing.T, baseline int) {
	t.Helper()
	var now int
	deadline := time.Now().Add(10 * time.Second)
	for now = runtime.NumGoroutine(); now > baseline && time.Now().Before(deadline); now = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	if now > baseline {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines at the end, %d at the start:\n%s", now, baseline, buf[:runtime.Stack(buf, true)])
	}
}

// lockedWriter serializes writes to w; the processes' log copiers share it.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// String returns what was written so far.
func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
