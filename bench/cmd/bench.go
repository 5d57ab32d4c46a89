package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weirhq/weir/bench/loadgen"
)

// Systems, as named in the results.
const (
	sysWeir    = "weir"
	sysNodeRED = "Node-RED"
)

// metrics holds every measured value by metric name and system.
type metrics map[string]map[string][]float64

func (m metrics) add(metric, sys string, v float64) {
	if m[metric] == nil {
		m[metric] = map[string][]float64{}
	}
	m[metric][sys] = append(m[metric][sys], v)
}

// median returns the median of metric for sys, and whether there is one.
func (m metrics) median(metric, sys string) (float64, bool) {
	vs := append([]float64(nil), m[metric][sys]...)
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// bench is one run of the command.
type bench struct {
	o         options
	root, tmp string
	logf      io.Writer
	say       io.Writer
	m         metrics
	notes     []string

	weir       *weirServer
	weirSync   *weirServer // a second weir, started with --sync, for S1s
	nr         *proc
	ceil       *proc // the reference servers (refs.go)
	floor      *proc
	floorSync  *proc    // a second floor, with -sync, for S1s
	refToken   string   // the reference servers' press token
	wrk        string   // the wrk binary driving the closed-loop runs; "" for loadgen
	app        string   // S1's application; S5 adds its flows here
	app3, app4 string   // S3's and S4's applications
	s1, s4     []string // webhook tokens
	s1s        []string // webhook tokens of S1 on weirSync
	debugAddr  string   // where weir serves its profiles; "" without -profile
}

func (b *bench) sayf(format string, a ...any) { fmt.Fprintf(b.say, "bench: "+format+"\n", a...) }

func (b *bench) run(ctx context.Context) error {
	switch b.o.gen {
	case "auto":
		b.wrk = wrkBinary()
	case "wrk":
		if b.wrk = wrkBinary(); b.wrk == "" {
			return fmt.Errorf("-gen wrk: wrk is not installed (Debian: apt-get install wrk)")
		}
	}
	nrDir := b.root + "/bench/nodered"
	if !b.o.weirOnly {
		if err := installNodeRED(nrDir, b.logf); err != nil {
			return err
		}
	}
	bin := b.o.weirBin
	if bin == "" {
		var err error
		if bin, err = buildWeir(b.root, b.tmp); err != nil {
			return err
		}
	}
	debug, err := b.debugFlags()
	if err != nil {
		return err
	}
	if b.weir, err = startWeir(ctx, bin, b.tmp+"/weir-data", "", b.logf, debug...); err != nil {
		return err
	}
	defer func() { b.weir.stop() }()
	b.idle(sysWeir, b.weir.proc)
	if !b.o.weirOnly {
		if b.nr, err = startNodeRED(ctx, nrDir, b.tmp, b.logf); err != nil {
			return err
		}
		defer func() { b.nr.stop() }()
		b.idle(sysNodeRED, b.nr)
	}
	if err := b.setupWeir(ctx); err != nil {
		return err
	}
	if b.weirSync, err = startWeir(ctx, bin, b.tmp+"/weir-sync-data", "", b.logf, "--sync"); err != nil {
		return err
	}
	defer func() { b.weirSync.stop() }()
	if err := b.setupSync(ctx); err != nil {
		return err
	}
	if b.o.refs {
		defer b.stopRefs()
		if err := b.startRefs(ctx); err != nil {
			return err
		}
	}
	if err := b.check(ctx); err != nil {
		return err
	}
	for r := range b.o.rounds {
		// Each round starts with the next system, so that none always goes first.
		systems := b.systems()
		systems = append(systems[r%len(systems):], systems[:r%len(systems)]...)
		for _, sc := range []string{"S1", "S1s", "S2", "S4", "S3"} {
			for _, sys := range systems {
				if b.server(sc, sys) == nil {
					continue
				}
				err := b.profiled(ctx, r, sc, sys, func() error { return b.scenario(ctx, r, sc, sys) })
				if err != nil {
					return fmt.Errorf("round %d %s %s: %w", r+1, sc, sys, err)
				}
			}
		}
	}
	if err := b.clusters(ctx, bin); err != nil {
		return err
	}
	return b.scale(ctx)
}

// systems returns the systems this run measures.
func (b *bench) systems() []string {
	s := []string{sysWeir}
	if !b.o.weirOnly {
		s = append(s, sysNodeRED)
	}
	if b.o.refs {
		s = append(s, sysFloor, sysCeiling)
	}
	return s
}

// server returns the process that serves scenario sc for sys, or nil if
// sys does not take part in sc: Node-RED and the ceiling have no S1s (no
// fsync setting), and the reference servers no S4 (no scripts).
func (b *bench) server(sc, sys string) *proc {
	switch {
	case sys == sysWeir && sc == "S1s":
		return b.weirSync.proc
	case sys == sysWeir:
		return b.weir.proc
	case sys == sysNodeRED && sc != "S1s":
		return b.nr
	case sys == sysFloor && sc == "S1s":
		return b.floorSync
	case sc == "S1s" || sc == "S4":
		return nil
	case sys == sysFloor:
		return b.floor
	case sys == sysCeiling:
		return b.ceil
	}
	return nil
}

// idle records a server's start-up time and its RSS one second after.
func (b *bench) idle(sys string, p *proc) {
	time.Sleep(time.Second)
	rss, err := p.rssMB()
	if err != nil {
		b.notes = append(b.notes, fmt.Sprintf("%s idle RSS: %v", sys, err))
	}
	b.m.add("idle.rss", sys, rss)
	b.m.add("idle.start", sys, p.startup.Seconds()*1000)
	b.sayf("%s started in %v, idle RSS %.1f MiB", sys, p.startup.Round(time.Millisecond), rss)
}

// setupWeir creates one application per scenario, the S1 and S4 webhooks
// and their flows.
func (b *bench) setupWeir(ctx context.Context) error {
	for _, a := range []*string{&b.app, &b.app3, &b.app4} {
		var err error
		if *a, err = b.weir.createApp(ctx, "bench"); err != nil {
			return err
		}
	}
	k := b.o.webhooks
	ids1, err := b.webhooks(ctx, b.app, "s1", k, &b.s1)
	if err != nil {
		return err
	}
	ids4, err := b.webhooks(ctx, b.app4, "s4", k, &b.s4)
	if err != nil {
		return err
	}
	if _, _, err := b.weir.createFlow(ctx, b.app, weirS1("s1", ids1...)); err != nil {
		return err
	}
	_, _, err = b.weir.createFlow(ctx, b.app4, weirS4("s4", ids4...))
	return err
}

// setupSync creates S1's application, webhook and flow on weirSync.
func (b *bench) setupSync(ctx context.Context) error {
	app, err := b.weirSync.createApp(ctx, "bench")
	if err != nil {
		return err
	}
	id, tok, err := b.weirSync.createWebhook(ctx, app, "s1")
	if err != nil {
		return err
	}
	b.s1s = []string{tok}
	_, _, err = b.weirSync.createFlow(ctx, app, weirS1("s1", id))
	return err
}

// webhooks creates k webhooks in app, appends their tokens to tokens and
// returns their ids.
func (b *bench) webhooks(ctx context.Context, app, name string, k int, tokens *[]string) ([]string, error) {
	var ids []string
	for i := range k {
		id, tok, err := b.weir.createWebhook(ctx, app, fmt.Sprintf("%s-%d", name, i))
		if err != nil {
			return nil, err
		}
		ids, *tokens = append(ids, id), append(*tokens, tok)
	}
	return ids, nil
}

// requests returns the load requests of scenario sc on sys.
func (b *bench) requests(sc, sys string) []loadgen.Request {
	h := map[string]string{"Content-Type": "application/json"}
	body := s1Body
	if sc == "S4" {
		body = s4Body()
	}
	if sys == sysNodeRED {
		path := map[string]string{"S1": "/s1", "S2": "/s1", "S3": "/s3", "S4": "/s4"}[sc]
		return []loadgen.Request{{Method: "POST", URL: b.nr.base + path, Header: h, Body: body}}
	}
	if sys == sysFloor || sys == sysCeiling {
		return []loadgen.Request{{Method: "POST", URL: b.server(sc, sys).base + "/s1", Header: h, Body: body}}
	}
	base, toks := b.weir.base, b.s1
	switch sc {
	case "S4":
		toks = b.s4
	case "S1s":
		base, toks = b.weirSync.base, b.s1s
	}
	var reqs []loadgen.Request
	for _, tok := range toks {
		reqs = append(reqs, loadgen.Request{Method: "POST", URL: base + "/webhooks/" + tok, Header: h, Body: body})
	}
	return reqs
}

// check sends one request of each scenario to each system, checks that
// every S1 answer is {"count":n} with n a positive integer, and compares the
// S4 answers, which must be the same computation.
func (b *bench) check(ctx context.Context) error {
	answers := map[string]string{}
	for _, sys := range b.systems() {
		for _, sc := range []string{"S1", "S1s", "S4"} {
			if b.server(sc, sys) == nil {
				continue
			}
			req := b.requests(sc, sys)[0]
			hr, _ := http.NewRequestWithContext(ctx, req.Method, req.URL, strings.NewReader(string(req.Body)))
			hr.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				return fmt.Errorf("check %s %s: %w", sys, sc, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("check %s %s: %d %s", sys, sc, resp.StatusCode, body)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				return fmt.Errorf("check %s %s: answer is not JSON: %s", sys, sc, body)
			}
			if sc != "S4" {
				var s1 struct{ Count *float64 }
				if json.Unmarshal(body, &s1) != nil || s1.Count == nil || *s1.Count < 1 || *s1.Count != math.Trunc(*s1.Count) {
					return fmt.Errorf("check %s %s: answer is %s, want {\"count\":n}", sys, sc, body)
				}
			}
			norm, _ := json.Marshal(v)
			answers[sys+sc] = string(norm)
			b.sayf("check %s %s: %.120s", sys, sc, norm)
		}
	}
	if !b.o.weirOnly && answers[sysWeir+"S4"] != answers[sysNodeRED+"S4"] {
		return fmt.Errorf("S4 answers differ:\nweir:     %s\nNode-RED: %s", answers[sysWeir+"S4"], answers[sysNodeRED+"S4"])
	}
	return nil
}

// warmup is the unmeasured start of each run: a fifth of -duration, at
// least 1 s, except in smoke mode, which only checks that the harness works.
func (b *bench) warmup() time.Duration {
	if b.o.smoke {
		return 200 * time.Millisecond
	}
	return max(time.Second, b.o.duration/5)
}

// closed is the closed-loop configuration of the scenarios.
func (b *bench) closed() loadgen.Config {
	return loadgen.Config{Connections: b.o.conns, Duration: b.o.duration, Warmup: b.warmup()}
}

// scenario runs one scenario once on one system and records it.
func (b *bench) scenario(ctx context.Context, round int, sc, sys string) error {
	switch {
	case sc == "S3" && sys == sysWeir:
		return b.presses(ctx)
	case sc == "S3" && (sys == sysFloor || sys == sysCeiling):
		return b.refPresses(ctx, sys)
	}
	res, err := b.drive(ctx, sc, sys, b.requests(sc, sys))
	if err != nil {
		return err
	}
	b.sayf("round %d %s %-8s %v", round+1, sc, sys, res)
	return nil
}

// drive runs scenario sc (S2 open loop, else closed loop) against sys with
// reqs and records the results, the server's CPU and the load generator's
// per request. Closed-loop runs use wrk when the bench found it: a warm-up
// run first, then the measured one.
func (b *bench) drive(ctx context.Context, sc, sys string, reqs []loadgen.Request) (loadgen.Result, error) {
	p := b.server(sc, sys)
	if sc == "S5" {
		p = b.weir.proc
	}
	warmup := b.warmup()
	cfg := b.closed()
	if sc == "S2" {
		cfg = loadgen.Config{Rate: b.o.rate, MaxInFlight: 256, Duration: b.o.duration, Warmup: warmup}
	}
	useWrk := b.wrk != "" && cfg.Connections > 0
	if useWrk && warmup >= time.Second { // wrk runs whole seconds
		if _, err := runWrk(ctx, b.wrk, b.tmp, cfg.Connections, warmup, reqs); err != nil {
			return loadgen.Result{}, err
		}
	}
	runtime.GC()
	cpu0, err := p.cpu()
	if err != nil {
		return loadgen.Result{}, err
	}
	var res loadgen.Result
	if useWrk {
		res, err = runWrk(ctx, b.wrk, b.tmp, cfg.Connections, cfg.Duration, reqs)
	} else {
		res, err = loadgen.Run(ctx, cfg, reqs...)
	}
	if err != nil {
		return res, err
	}
	cpu1, err := p.cpu()
	if err != nil {
		return res, err
	}
	b.record(sc, sys, res)
	b.addCPU(sc, sys, cpu1-cpu0, res.CPU, res.Answered)
	return res, nil
}

// addCPU records the server's and the load generator's CPU per request, in
// microseconds, for n requests.
func (b *bench) addCPU(sc, sys string, server, gen time.Duration, n int) {
	if n <= 0 {
		return
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(n) }
	b.m.add(sc+".cpu", sys, us(server))
	b.m.add(sc+".gencpu", sys, us(gen))
}

func (b *bench) record(sc, sys string, res loadgen.Result) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	if res.P50 == 0 { // nothing answered in time: the latency is unbounded, not 0
		ms = func(time.Duration) float64 { return math.Inf(1) }
	}
	b.m.add(sc+".tput", sys, res.Throughput)
	b.m.add(sc+".p50", sys, ms(res.P50))
	b.m.add(sc+".p99", sys, ms(res.P99))
	b.m.add(sc+".p999", sys, ms(res.P999))
	b.m.add(sc+".errors", sys, float64(res.Errors))
	if res.Errors > 0 {
		b.notes = append(b.notes, fmt.Sprintf("%s %s: %d errors (first: %s)", sc, sys, res.Errors, res.FirstError))
	}
}

// presses is S3 on weir: N presses of a fresh flow's virtual button, timed
// until the flow's stored counter reaches N; every run must be logged.
func (b *bench) presses(ctx context.Context) error {
	id, key, err := b.weir.createFlow(ctx, b.app3, weirS3(fmt.Sprintf("s3-%d", time.Now().UnixNano())))
	if err != nil {
		return err
	}
	n := b.o.presses
	req := loadgen.Request{Method: "POST", URL: b.weir.base + "/applications/" + b.app3 + "/flows/" + id + "/virtualButton",
		Header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + b.weir.token},
		Body:   []byte(`{"key":"` + key + `","payload":{"temp":35}}`)}
	runtime.GC()
	cpu0, _ := b.weir.cpu()
	t0 := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Config{Connections: b.o.conns, Duration: 5 * time.Minute, Count: n}, req)
	if err != nil {
		return err
	}
	accepted := time.Since(t0)
	if res.Errors > 0 {
		return fmt.Errorf("S3: %d presses failed: %s", res.Errors, res.FirstError)
	}
	count, err := b.weir.awaitCount(ctx, b.app3, id, n)
	if err != nil {
		return err
	}
	done := time.Since(t0)
	cpu1, _ := b.weir.cpu()
	if count != n {
		return fmt.Errorf("S3: counter is %d after 5 minutes, want %d", count, n)
	}
	logged, err := b.weir.awaitLogged(ctx, b.app3, id, n)
	if err != nil {
		return err
	}
	if logged != n {
		b.notes = append(b.notes, fmt.Sprintf("S3: %d runs logged for %d presses", logged, n))
	}
	b.m.add("S3.runs", sysWeir, float64(n)/done.Seconds())
	b.m.add("S3.accepted", sysWeir, float64(n)/accepted.Seconds())
	b.m.add("S3.press.p99", sysWeir, float64(res.P99)/float64(time.Millisecond))
	b.addCPU("S3", sysWeir, cpu1-cpu0, res.CPU, n)
	b.sayf("S3 weir: %d presses accepted in %v (%.0f/s, p99 %v), all run in %v: %.0f runs/s, %d logged",
		n, accepted.Round(time.Millisecond), float64(n)/accepted.Seconds(), res.P99, done.Round(time.Millisecond), float64(n)/done.Seconds(), logged)
	return nil
}

// scale is S5: load the filler flows, restart weir, measure start-up and
// idle RSS, then S1 throughput with them loaded.
func (b *bench) scale(ctx context.Context) error {
	if b.nr != nil {
		b.nr.stop() // S5 is weir only; free the CPU
		b.nr = nil
	}
	b.stopRefs()
	b.weirSync.stop()
	t0 := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.o.flows); i = next.Add(1) {
				f := weirS1(fmt.Sprintf("filler-%05d", i))
				if _, _, err := b.weir.createFlow(ctx, b.app, f); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("S5: creating flows: %w", err)
	}
	b.sayf("S5: created %d flows in %v", b.o.flows, time.Since(t0).Round(time.Millisecond))
	w, err := b.weir.restart(ctx, b.logf)
	if err != nil {
		return err
	}
	b.weir = w
	time.Sleep(time.Second)
	rss, err := w.rssMB()
	if err != nil {
		return err
	}
	b.m.add("S5.rss", sysWeir, rss)
	b.m.add("S5.start", sysWeir, w.startup.Seconds()*1000)
	b.sayf("S5: weir with %d flows started in %v, idle RSS %.1f MiB", b.o.flows, w.startup.Round(time.Millisecond), rss)
	for r := range b.o.rounds {
		res, err := b.drive(ctx, "S5", sysWeir, b.requests("S1", sysWeir))
		if err != nil {
			return err
		}
		b.sayf("round %d S5 S1 weir %v", r+1, res)
	}
	rss, _ = w.rssMB()
	b.m.add("S5.rss.loaded", sysWeir, rss)
	return nil
}
