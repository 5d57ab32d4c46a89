package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/nats"
)

// startCluster runs n weir processes in-process on one PostgreSQL schema
// (WEIR_TEST_POSTGRES_DSN) and one NATS server (WEIR_TEST_NATS_URL) under a
// stream name of their own, sharing a data directory (signing key, owner).
// It returns them and the owner's token. set, when not nil, adjusts each
// process's settings.
func startCluster(t testing.TB, n int, set func(*Config)) ([]*Main, string) {
	t.Helper()
	natsURL := os.Getenv("WEIR_TEST_NATS_URL")
	if natsURL == "" {
		t.Skip("set WEIR_TEST_NATS_URL (e.g. nats://127.0.0.1:4222) to run the scale-out tests")
	}
	store := mustPostgresStore(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	stream := "weirtest_" + hex.EncodeToString(b)
	queue := natsURL + "?stream=" + stream
	t.Cleanup(func() { dropNATSState(t, natsURL, stream) }) // runs after the processes closed
	dir := t.TempDir()
	var out bytes.Buffer
	ms := make([]*Main, n)
	for i := range ms {
		cfg := DefaultConfig()
		cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.Store, cfg.Queue = "127.0.0.1:0", dir, "warn", store, queue
		cfg.MQTTAddr = "" // never the machine's 1883; set may ask for :0
		if set != nil {
			set(&cfg)
		}
		ms[i] = &Main{Config: cfg, Stdout: &out}
		if err := ms[i].Open(t.Context()); err != nil {
			t.Fatalf("Open() process %d: %v", i, err)
		}
		t.Cleanup(func() { closeOnce(ms[i]) })
	}
	return ms, ownerToken(t, out.String())
}

// closed remembers the Mains closeOnce closed.
var closed sync.Map // *Main → *sync.Once

// closeOnce closes m unless it was closed already, and returns Close's
// error the first time.
func closeOnce(m *Main) (err error) {
	once, _ := closed.LoadOrStore(m, &sync.Once{})
	once.(*sync.Once).Do(func() { err = m.Close() })
	return err
}

// dropNATSState deletes what a test cluster left on the NATS server: its
// run stream and its limit buckets, where they exist.
func dropNATSState(t testing.TB, url, stream string) {
	c, err := nats.Dial(url, "weir-test-cleanup")
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.JS.DeleteStream(ctx, stream)
	for _, name := range []string{"presses", "webhooks"} {
		_ = c.JS.DeleteKeyValue(ctx, stream+"_limit_"+name)
	}
}

// stopExecuting makes m serve requests without executing runs, so that the
// other processes run everything m enqueues.
func stopExecuting(t *testing.T, m *Main) {
	t.Helper()
	if err := m.executor.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.executor = nil
}

// TestClusterWebhookReplyFromOtherProcess waits on process A for a reply
// that a run on process B sends.
func TestClusterWebhookReplyFromOtherProcess(t *testing.T) {
	ms, token := startCluster(t, 2, nil)
	a, b := ms[0], ms[1]
	stopExecuting(t, a)
	c := &client{t: t, base: "http://" + a.Addr(), token: token}
	hook := setupGreeter(c)
	for i := range 5 {
		resp, err := http.Get(c.base + "/webhooks/" + hook + "/greet?name=n" + string(rune('0'+i)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := "hello n" + string(rune('0'+i)); resp.StatusCode != 201 || string(body) != want {
			t.Fatalf("webhook on A = %d %q, want 201 %q from B's run", resp.StatusCode, body, want)
		}
	}
	if n := b.executor.Replies.Waiting(); n != 0 {
		t.Errorf("B holds %d waiters, want 0", n)
	}
}

// TestClusterDebugReachesEveryProcess streams a flow's debug messages from
// both processes while runs execute on B only: each stream gets each
// message once.
func TestClusterDebugReachesEveryProcess(t *testing.T) {
	ms, token := startCluster(t, 2, nil)
	stopExecuting(t, ms[0])
	c := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second) // a missing message fails, not hangs
	defer cancel()
	var streams []*bufio.Reader
	for _, m := range ms {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+m.Addr()+flowPath+"/debug?access_token="+token, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		streams = append(streams, bufio.NewReader(resp.Body))
	}
	const presses = 3
	for range presses {
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 70}}, nil)
	}
	// The counter's Debug node says "hits N"; the runs are serialised by
	// nothing, but each N from 1 to presses is said once.
	for i, r := range streams {
		got := map[string]int{}
		for range presses {
			got[nextDebugMessage(t, r)]++
		}
		for n := 1; n <= presses; n++ {
			if msg := "hits " + string(rune('0'+n)); got[msg] != 1 {
				t.Errorf("stream on process %d got %q %d times, want once (all: %v)", i, msg, got[msg], got)
			}
		}
	}
	// A late subscriber on A gets the messages B's runs sent.
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+flowPath+"/debug?access_token="+token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	late := bufio.NewReader(resp.Body)
	for range presses {
		if msg := nextDebugMessage(t, late); !strings.HasPrefix(msg, "hits ") {
			t.Errorf("late subscriber got %q, want the recent messages", msg)
		}
	}
}

// setupGreeter creates a webhook that waits for a reply and a flow that
// answers it with "hello <query name>"; it returns the webhook's token.
func setupGreeter(c *client) string {
	c.t.Helper()
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "hooks"}, &app)
	var hook struct{ ID, Token string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "greeter", "waitForReply": true}, &hook)
	flow := map[string]any{
		"name": "greet",
		"triggers": []any{map[string]any{
			"type": "webhook", "key": hook.ID, "config": map[string]any{}, "meta": map[string]any{"label": "Webhook"},
			"outputIds": []any{[]any{"reply"}},
		}},
		"nodes": []any{map[string]any{
			"id": "reply", "type": "WebhookReplyNode", "meta": map[string]any{"label": "Reply"},
			"config": map[string]any{
				"replyIdPath": "", "responseCodeTemplate": "201", "bodyTemplateType": "string",
				"bodyTemplate": "hello {{data.query.name}}",
			},
		}},
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", flow, nil)
	return hook.Token
}

// nextDebugMessage reads the next debug event and returns its "message".
func nextDebugMessage(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	_, data := nextSSE(t, r)
	_, rest, _ := strings.Cut(data, `"message":"`)
	msg, _, _ := strings.Cut(rest, `"`)
	return msg
}

// TestClusterLimits presses one button, and calls one webhook, through two
// processes in turn: the limit of 3 per 10 s holds across them.
func TestClusterLimits(t *testing.T) {
	ms, token := startCluster(t, 2, func(c *Config) { c.PressLimit, c.WebhookLimit = 3, 3 })
	cs := []*client{{t: t, base: "http://" + ms[0].Addr(), token: token}, {t: t, base: "http://" + ms[1].Addr(), token: token}}
	appID, flowID, key := setupCounter(cs[0])
	flowPath := "/applications/" + appID + "/flows/" + flowID
	var hook struct{ Token string }
	cs[0].mustDo(201, "POST", "/applications/"+appID+"/webhooks", map[string]any{"name": "h"}, &hook)
	var presses, calls []int
	for i := range 6 {
		c := cs[i%2]
		presses = append(presses, c.do("POST", flowPath+"/virtualButton", map[string]any{"key": key}, nil))
		resp, err := http.Post(c.base+"/webhooks/"+hook.Token, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		calls = append(calls, resp.StatusCode)
	}
	want := []int{200, 200, 200, 429, 429, 429}
	if !slices.Equal(presses, want) {
		t.Errorf("presses alternating between processes = %v, want %v", presses, want)
	}
	if !slices.Equal(calls, want) {
		t.Errorf("webhook calls alternating between processes = %v, want %v", calls, want)
	}
}

// BenchmarkClusterPress measures one virtual button press through the API
// of a cluster process (limiter, enqueue in PostgreSQL, answer), with the
// cluster-wide limit of 100 per 10 s and without a limit. Each button gets
// at most 90 presses, so none is refused.
func BenchmarkClusterPress(b *testing.B) {
	for _, bc := range []struct {
		name  string
		limit int
	}{{"Limit100", 100}, {"NoLimit", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			ms, token := startCluster(b, 1, func(c *Config) { c.PressLimit = bc.limit; c.Workers = 1 })
			c := &client{t: b, base: "http://" + ms[0].Addr(), token: token}
			var path, key string
			b.ResetTimer()
			for i := range b.N {
				if i%90 == 0 {
					b.StopTimer()
					appID, flowID, k := setupCounter(c)
					path, key = "/applications/"+appID+"/flows/"+flowID+"/virtualButton", k
					b.StartTimer()
				}
				c.mustDo(200, "POST", path, map[string]any{"key": key}, nil)
			}
		})
	}
}

// TestClusterTokenRevocation deletes an application token through process
// A while process B has its record cached. A refuses it from the next
// request on. B refuses it within the token cache's second: with NATS
// (--queue) well before it, through A's announcement; without NATS (two
// processes on one PostgreSQL store) once its cached record is a second
// old.
func TestClusterTokenRevocation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		set    func(*Config)
		within time.Duration
	}{
		{"nats", nil, 900 * time.Millisecond},
		{"store only", func(c *Config) { c.Queue = "" }, weirhttp.DefaultTokenTTL + 500*time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, owner := startCluster(t, 2, tc.set)
			a := &client{t: t, base: "http://" + ms[0].Addr(), token: owner}
			var app struct{ ID string }
			a.mustDo(201, "POST", "/applications", map[string]any{"name": "tokens"}, &app)
			var tok struct{ ID, Token string }
			a.mustDo(201, "POST", "/applications/"+app.ID+"/tokens", map[string]any{"name": "t", "scope": []string{"all.Application"}}, &tok)
			onA := &client{t: t, base: "http://" + ms[0].Addr(), token: tok.Token}
			onB := &client{t: t, base: "http://" + ms[1].Addr(), token: tok.Token}
			path := "/applications/" + app.ID + "/flows"
			onA.mustDo(200, "GET", path, nil, nil)
			onB.mustDo(200, "GET", path, nil, nil) // cached on B now
			a.mustDo(200, "DELETE", "/applications/"+app.ID+"/tokens/"+tok.ID, nil, nil)
			deleted := time.Now()
			onA.mustDo(401, "GET", path, nil, nil)
			waitFor(t, 5*time.Second, "B to refuse the deleted token", func() bool {
				return onB.do("GET", path, nil, nil) == 401
			})
			if d := time.Since(deleted); d > tc.within {
				t.Errorf("B accepted the deleted token for %v, want less than %v", d, tc.within)
			}
		})
	}
}

// TestClusterTimerOncePerTick runs two processes on one PostgreSQL store
// with its own run queue (no --queue) and a flow with a 1 s timer that
// counts the runs of each tick under a key of its own: no tick runs twice.
func TestClusterTimerOncePerTick(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for ticks of a 1 s timer")
	}
	ms, token := startCluster(t, 2, func(c *Config) { c.Queue = "" })
	c := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "timers"}, &app)
	flow := map[string]any{
		"name": "tick",
		"triggers": []any{map[string]any{
			"type": "timer", "key": "t1", "config": map[string]any{"seconds": 1}, "meta": map[string]any{"label": "Every second"},
			"outputIds": []any{[]any{"incr"}},
		}},
		"nodes": []any{map[string]any{"id": "incr", "type": "StoreValueNode", "meta": map[string]any{"label": "Count"},
			"config": map[string]any{"keyName": "tick {{time}}", "valueType": "incr", "value": "1"}}},
	}
	var created struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", flow, &created)
	// The timers read new flows within 5 s; then a tick a second. A second
	// run of a tick follows the first within the 250 ms the processes'
	// checks are apart, so every tick but the newest has all its runs.
	var storage map[string]any
	waitFor(t, 20*time.Second, "five ticks", func() bool {
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+created.ID+"/storage", nil, &storage)
		return len(storage) >= 5
	})
	keys := slices.Sorted(maps.Keys(storage))
	for _, k := range keys[:len(keys)-1] {
		if storage[k] != 1.0 {
			t.Errorf("%s ran %v times, want once", k, storage[k])
		}
	}
}

// TestClusterWebhookDeletion deletes a webhook through process A while
// process B has it cached: A's announcement drops B's cache, so B refuses
// it well before the cache's second is up.
func TestClusterWebhookDeletion(t *testing.T) {
	ms, token := startCluster(t, 2, nil)
	a := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	var app struct{ ID string }
	a.mustDo(201, "POST", "/applications", map[string]any{"name": "hooks"}, &app)
	var hook struct{ ID, Token string }
	a.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "h"}, &hook)
	call := func() int {
		resp, err := http.Post("http://"+ms[1].Addr()+"/webhooks/"+hook.Token, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(); got != 200 {
		t.Fatalf("webhook on B = %d, want 200", got)
	}
	a.mustDo(200, "DELETE", "/applications/"+app.ID+"/webhooks/"+hook.ID, nil, nil)
	deleted := time.Now()
	waitFor(t, 5*time.Second, "B to refuse the deleted webhook", func() bool { return call() == 404 })
	if d := time.Since(deleted); d > 900*time.Millisecond {
		t.Errorf("B accepted the deleted webhook for %v, want less than the cache's 1 s", d)
	}
}

// TestClusterCloseLeavesNoGoroutines uses every cluster relay of a process
// (debug and trace streams, waiting webhook, limits, cache announcements), closes it and
// finds no goroutine of its left.
func TestClusterCloseLeavesNoGoroutines(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()
	ms, token := startCluster(t, 1, nil)
	c := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	hook := setupGreeter(c)
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+flowPath+"/debug?access_token="+token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	req, _ = http.NewRequestWithContext(ctx, "GET", c.base+flowPath+"/trace?access_token="+token, nil)
	traces, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer traces.Body.Close()
	c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 60}}, nil)
	if typ, _ := nextSSE(t, bufio.NewReader(traces.Body)); typ != "run" {
		t.Errorf("trace event %q, want run", typ)
	}
	if msg := nextDebugMessage(t, bufio.NewReader(resp.Body)); msg != "hits 1" {
		t.Errorf("debug message %q, want hits 1", msg)
	}
	wh, err := http.Get(c.base + "/webhooks/" + hook + "/x?name=y")
	if err != nil {
		t.Fatal(err)
	}
	wh.Body.Close()
	if wh.StatusCode != 201 {
		t.Errorf("webhook = %d, want 201", wh.StatusCode)
	}
	if err := closeOnce(ms[0]); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	traces.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	var now int
	deadline := time.Now().Add(10 * time.Second)
	for now = runtime.NumGoroutine(); now > before && time.Now().Before(deadline); now = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	if now > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", now, before, buf[:runtime.Stack(buf, true)])
	}
}
