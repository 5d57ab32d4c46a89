package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/weirhq/weir/nats"
)

// TestClusterKillKeepsEveryPress runs three weir serve processes sharing
// PostgreSQL (a schema of their own) and NATS JetStream (a stream of their
// own), presses a counter button 1,000 times spread across them, kills one
// with SIGKILL midway and restarts it. Every acknowledged press must run,
// each run must be recorded once and counted once.
func TestClusterKillKeepsEveryPress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds weir and kills one of three processes")
	}
	natsURL := os.Getenv("WEIR_TEST_NATS_URL")
	if natsURL == "" {
		t.Skip("set WEIR_TEST_NATS_URL (e.g. nats://127.0.0.1:4222) to run the scale-out tests")
	}
	store := mustPostgresStore(t)
	stream := mustKillStream(t, natsURL)
	flags := []string{"--store", store, "--queue", natsURL + "?stream=" + stream + "&lease=2s",
		"--log-keep", "0", "--log-level", "info"}

	var dirs, addrs [3]string
	for i := range dirs {
		dirs[i], addrs[i] = t.TempDir(), freeAddr(t)
	}
	var logged [4]*lockedWriter // what each process logged; the restarted one is the fourth
	for i := range logged {
		logged[i] = &lockedWriter{w: &bytes.Buffer{}}
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i, lw := range logged {
				out := lw.String()
				t.Logf("process %d logged:\n%s", i, out[max(0, len(out)-4000):])
			}
		}
	})
	procs := make([]*process, 3)
	procs[0] = startProcessWith(t, addrs[0], dirs[0], logged[0], flags...)
	if procs[0].token == "" {
		t.Fatal("first start printed no owner token")
	}
	for i := 1; i < 3; i++ {
		procs[i] = startProcessWith(t, addrs[i], dirs[i], logged[i], flags...)
	}
	c := &client{t: t, base: "http://" + addrs[0], token: procs[0].token}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID

	const presses = 1000
	p := &presser{token: c.token, path: flowPath, key: key, addrs: addrs}
	p.tickets.Store(presses)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() { p.run(g) })
	}

	waitFor(t, 30*time.Second, "350 acknowledged presses", func() bool { return p.acked.Load() >= 350 })
	if err := procs[1].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = procs[1].cmd.Wait()
	killed, ackedAtKill := time.Now(), p.acked.Load()
	time.Sleep(500 * time.Millisecond)
	restarted := startProcessWith(t, addrs[1], dirs[1], logged[3], flags...)
	wg.Wait()
	lastPress := time.Now()
	if got := p.acked.Load(); got != presses {
		t.Fatalf("%d presses acknowledged, want %d", got, presses)
	}

	// Wait until every acknowledged press ran, then for longer than a lease
	// and a poll so that a late duplicate would show.
	var logs, hits, stats int
	count := func() {
		var entries []map[string]any
		c.mustDo(200, "GET", flowPath+"/logs?limit=10000", nil, &entries)
		var storage map[string]float64
		c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		var flow struct{ Stats struct{ RunCount int } }
		c.mustDo(200, "GET", flowPath, nil, &flow)
		logs, hits, stats = len(entries), int(storage["hits"]), flow.Stats.RunCount
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if count(); logs >= presses && hits >= presses {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the last press: %d runs recorded, counter %d; want the %d acknowledged presses",
				logs, hits, presses)
		}
	}
	drained := time.Now()
	time.Sleep(3500 * time.Millisecond)
	count()

	for _, pr := range []*process{procs[0], procs[2], restarted} {
		_ = pr.cmd.Process.Signal(syscall.SIGTERM)
		_ = pr.cmd.Wait()
	}
	dups := 0
	for _, lw := range logged {
		dups += duplicatesLogged(lw.String())
	}

	t.Logf("presses acknowledged %d (%d before the kill), unacknowledged attempts whose fate is unknown %d, refused %d",
		p.acked.Load(), ackedAtKill, p.ambiguous.Load(), p.refused.Load())
	t.Logf("runs recorded (log entries) %d, flow stats run count %d, counter %d, duplicate deliveries suppressed %d",
		logs, stats, hits, dups)
	t.Logf("every acknowledged press had run %v after the kill, %v after the last press",
		drained.Sub(killed).Round(time.Millisecond), max(0, drained.Sub(lastPress)).Round(time.Millisecond))

	if logs < presses || int64(logs) > presses+p.ambiguous.Load() {
		t.Errorf("%d runs recorded, want the %d acknowledged presses plus at most the %d whose answer was lost",
			logs, presses, p.ambiguous.Load())
	}
	if stats != logs {
		t.Errorf("flow stats count %d runs, the log holds %d: a run was counted twice or not at all", stats, logs)
	}
	if hits != logs {
		t.Errorf("counter %d after %d runs recorded: a run's increment was lost or applied twice", hits, logs)
	}
}

// presser presses the counter button across the processes until its
// tickets are used up by acknowledged presses.
type presser struct {
	token, path, key string
	addrs            [3]string
	tickets          atomic.Int64 // presses still to acknowledge
	acked            atomic.Int64 // answered 200
	refused          atomic.Int64 // connection refused: never reached weir
	ambiguous        atomic.Int64 // anything else: may or may not have been accepted
}

// run presses from goroutine g, moving to the next process after each
// press.
func (p *presser) run(g int) {
	for i := g; ; i++ {
		if p.tickets.Add(-1) < 0 {
			// None left now, but a press still in flight elsewhere may
			// hand its ticket back: undo this take so the count stays
			// true, or that ticket would be lost when it returns.
			p.tickets.Add(1)
			return
		}
		switch p.press(p.addrs[i%len(p.addrs)]) {
		case pressAcked:
			p.acked.Add(1)
			continue
		case pressRefused:
			p.refused.Add(1)
			time.Sleep(5 * time.Millisecond)
		default:
			p.ambiguous.Add(1)
		}
		p.tickets.Add(1) // not acknowledged: press again
	}
}

type pressResult int

const (
	pressAcked pressResult = iota
	pressRefused
	pressUnknown
)

// press presses once on addr.
func (p *presser) press(addr string) pressResult {
	body := strings.NewReader(`{"key":"` + p.key + `","payload":{"value":99}}`)
	req, _ := http.NewRequest("POST", "http://"+addr+p.path+"/virtualButton", body)
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return pressRefused
	case err != nil:
		return pressUnknown
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		return pressAcked
	}
	return pressUnknown
}

// duplicatesLogged sums the duplicates a process logged when its run queue
// closed.
func duplicatesLogged(stderr string) int {
	n := 0
	for _, m := range regexp.MustCompile(`duplicates_suppressed"?[=:](\d+)`).FindAllStringSubmatch(stderr, -1) {
		d, _ := strconv.Atoi(m[1])
		n += d
	}
	return n
}

// mustKillStream returns a new stream name, deleted when t ends.
func mustKillStream(t *testing.T, url string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	stream := "weirkill_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		c, err := nats.Dial(url, "weir-test-cleanup")
		if err != nil {
			t.Errorf("delete stream %s: %v", stream, err)
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.JS.DeleteStream(ctx, stream); err != nil {
			t.Errorf("delete stream %s: %v", stream, err)
		}
	})
	return stream
}
