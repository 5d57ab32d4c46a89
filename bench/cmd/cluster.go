package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/weirhq/weir/bench/loadgen"
)

// clusterSizes are the process counts the PostgreSQL figures are taken on.
var clusterSizes = []int{1, 3}

// clusterSys names weir on PostgreSQL and NATS with n processes in the
// metrics.
func clusterSys(n int) string { return fmt.Sprintf("weir PG+NATS ×%d", n) }

// checkCluster validates -store and -queue: both or neither, PostgreSQL
// and NATS URLs.
func checkCluster(o options) error {
	switch {
	case o.store == "" && o.queue == "":
		return nil
	case o.store == "" || o.queue == "":
		return fmt.Errorf("-store and -queue go together: a postgres:// URL and a nats:// URL")
	case !strings.HasPrefix(o.store, "postgres://") && !strings.HasPrefix(o.store, "postgresql://"):
		return fmt.Errorf("-store must be a postgres:// URL")
	case !strings.HasPrefix(o.queue, "nats://"):
		return fmt.Errorf("-queue must be a nats:// URL")
	}
	return nil
}

// cluster is weir on PostgreSQL and NATS: n processes sharing one schema
// of their own and one run stream of their own.
type cluster struct {
	procs    []*weirServer
	schema   string
	stream   string
	s1       []loadgen.Request // S1's request to each process
	app3     string
	debugURL string // process 0's profiles; "" without -profile
}

// clusters runs S1 and S3 on weir with -store and -queue, on one process
// and on three, when both are given.
func (b *bench) clusters(ctx context.Context, bin string) error {
	if b.o.store == "" {
		return nil
	}
	for _, n := range clusterSizes {
		if err := b.clusterRun(ctx, bin, n); err != nil {
			return fmt.Errorf("PostgreSQL and NATS, %d processes: %w", n, err)
		}
	}
	return nil
}

// clusterRun starts n processes, loads S1's and S3's flows through the
// first, and runs S1 and S3 -rounds times, the load spread evenly over the
// processes (each gets its share of the connections and of the presses).
func (b *bench) clusterRun(ctx context.Context, bin string, n int) error {
	c, err := b.startCluster(ctx, bin, n)
	if err != nil {
		return err
	}
	defer c.stop(b)
	sys := clusterSys(n)
	for r := range b.o.rounds {
		if err := b.clusterProfiled(ctx, c, r, n, "S1", func() error { return b.clusterS1(ctx, c, sys, r) }); err != nil {
			return fmt.Errorf("round %d S1: %w", r+1, err)
		}
		if err := b.clusterProfiled(ctx, c, r, n, "S3", func() error { return b.clusterS3(ctx, c, sys) }); err != nil {
			return fmt.Errorf("round %d S3: %w", r+1, err)
		}
	}
	return nil
}

// startCluster starts n weir processes on a new schema and stream, and
// creates S1's webhook and flow and S3's application through the first.
func (b *bench) startCluster(ctx context.Context, bin string, n int) (*cluster, error) {
	suffix := make([]byte, 5)
	_, _ = rand.Read(suffix)
	tag := hex.EncodeToString(suffix)
	c := &cluster{schema: "weirbench_" + tag, stream: "WEIRBENCH_" + strings.ToUpper(tag)}
	store, err := withQuery(b.o.store, "search_path", c.schema)
	if err != nil {
		return nil, err
	}
	queue, err := withQuery(b.o.queue, "stream", c.stream)
	if err != nil {
		return nil, err
	}
	token := ""
	for i := range n {
		extra := []string{"--store", store, "--queue", queue}
		if i == 0 && b.o.profile != "" {
			port, err := freePort()
			if err != nil {
				c.stop(b)
				return nil, err
			}
			c.debugURL = "127.0.0.1:" + strconv.Itoa(port)
			extra = append(extra, "--debug-addr", c.debugURL)
		}
		data := filepath.Join(b.tmp, fmt.Sprintf("pg%d-%d", n, i))
		w, err := startWeir(ctx, bin, data, token, b.logf, extra...)
		if err != nil {
			c.stop(b)
			return nil, err
		}
		token = w.token
		c.procs = append(c.procs, w)
	}
	w := c.procs[0]
	app, err := w.createApp(ctx, "bench")
	if err != nil {
		c.stop(b)
		return nil, err
	}
	hook, tok, err := w.createWebhook(ctx, app, "s1")
	if err == nil {
		_, _, err = w.createFlow(ctx, app, weirS1("s1", hook))
	}
	if err == nil {
		c.app3, err = w.createApp(ctx, "bench-s3")
	}
	if err != nil {
		c.stop(b)
		return nil, err
	}
	h := map[string]string{"Content-Type": "application/json"}
	for _, p := range c.procs {
		c.s1 = append(c.s1, loadgen.Request{Method: "POST", URL: p.base + "/webhooks/" + tok, Header: h, Body: s1Body})
	}
	b.sayf("%s: %d processes started, schema %s", clusterSys(n), n, c.schema)
	return c, nil
}

// withQuery returns raw with query parameter k set to v.
func withQuery(raw, k, v string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// stop stops the processes, deletes the run stream and drops the schema.
func (c *cluster) stop(b *bench) {
	for _, p := range c.procs {
		p.stop()
	}
	c.procs = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := deleteStream(ctx, b.o.queue, c.stream); err != nil {
		b.notes = append(b.notes, fmt.Sprintf("delete stream %s: %v", c.stream, err))
	}
	conn, err := pgx.Connect(ctx, b.o.store)
	if err != nil {
		b.notes = append(b.notes, fmt.Sprintf("drop schema %s: %v", c.schema, err))
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{c.schema}.Sanitize()+` CASCADE`); err != nil {
		b.notes = append(b.notes, fmt.Sprintf("drop schema %s: %v", c.schema, err))
	}
}

// deleteStream deletes the JetStream stream named stream on the NATS server
// at url; a stream never created is no error.
func deleteStream(ctx context.Context, url, stream string) error {
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if err := js.DeleteStream(ctx, stream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	return nil
}

// cpu returns the CPU time the processes used so far, together.
func (c *cluster) cpu() (time.Duration, error) {
	var sum time.Duration
	for _, p := range c.procs {
		d, err := p.cpu()
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

// clusterS1 is S1 on the cluster: each process gets its share of -conns
// (at least one), driven at once for -duration by a generator of its own;
// throughput and requests add up, the p99 is the highest of the processes'
// (an upper bound of the whole's).
func (b *bench) clusterS1(ctx context.Context, c *cluster, sys string, round int) error {
	n := len(c.procs)
	share := func(i int) int { return max(1, b.o.conns/n+boolInt(i < b.o.conns%n)) }
	useWrk := b.wrk != ""
	drive := func(i int, d time.Duration) (loadgen.Result, error) {
		if useWrk {
			return runWrk(ctx, b.wrk, b.tmp, share(i), d, c.s1[i:i+1])
		}
		return loadgen.Run(ctx, loadgen.Config{Connections: share(i), Duration: d}, c.s1[i])
	}
	all := func(d time.Duration) ([]loadgen.Result, error) {
		res := make([]loadgen.Result, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { res[i], errs[i] = drive(i, d) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	if _, err := all(b.warmup()); err != nil {
		return err
	}
	runtime.GC()
	cpu0, err := c.cpu()
	if err != nil {
		return err
	}
	parts, err := all(b.o.duration)
	if err != nil {
		return err
	}
	cpu1, err := c.cpu()
	if err != nil {
		return err
	}
	var sum loadgen.Result
	for _, r := range parts {
		sum.Requests += r.Requests
		sum.Answered += r.Answered
		sum.Errors += r.Errors
		sum.Throughput += r.Throughput
		sum.Elapsed = max(sum.Elapsed, r.Elapsed)
		sum.P50, sum.P99, sum.P999, sum.Max = max(sum.P50, r.P50), max(sum.P99, r.P99), max(sum.P999, r.P999), max(sum.Max, r.Max)
		if sum.FirstError == "" {
			sum.FirstError = r.FirstError
		}
		if useWrk {
			sum.CPU += r.CPU // each wrk is a process of its own
		} else {
			sum.CPU = max(sum.CPU, r.CPU) // each is this whole process's CPU
		}
	}
	b.record("S1", sys, sum)
	b.addCPU("S1", sys, cpu1-cpu0, sum.CPU, sum.Answered)
	b.sayf("round %d S1 %s: %v", round+1, sys, sum)
	return nil
}

// clusterS3 is S3 on the cluster: -presses presses of a fresh flow's
// virtual button, spread evenly over the processes, timed until the
// counter (read through the first process) reaches the count; every run
// must be logged.
func (b *bench) clusterS3(ctx context.Context, c *cluster, sys string) error {
	w := c.procs[0]
	id, key, err := w.createFlow(ctx, c.app3, weirS3(fmt.Sprintf("s3-%d", time.Now().UnixNano())))
	if err != nil {
		return err
	}
	// Every process must know the flow before its presses start.
	time.Sleep(1100 * time.Millisecond)
	n, procs := b.o.presses, len(c.procs)
	press := func(p *weirServer) loadgen.Request {
		return loadgen.Request{Method: "POST", URL: p.base + "/applications/" + c.app3 + "/flows/" + id + "/virtualButton",
			Header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + w.token},
			Body:   []byte(`{"key":"` + key + `","payload":{"temp":35}}`)}
	}
	runtime.GC()
	cpu0, err := c.cpu()
	if err != nil {
		return err
	}
	t0 := time.Now()
	res := make([]loadgen.Result, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i, p := range c.procs {
		count := n/procs + boolInt(i < n%procs)
		conns := max(1, b.o.conns/procs)
		wg.Go(func() {
			res[i], errs[i] = loadgen.Run(ctx, loadgen.Config{Connections: conns, Duration: 5 * time.Minute, Count: count}, press(p))
		})
	}
	wg.Wait()
	accepted := time.Since(t0)
	var p99, genCPU time.Duration
	for i, r := range res {
		if errs[i] != nil {
			return errs[i]
		}
		if r.Errors > 0 {
			return fmt.Errorf("S3: %d presses failed: %s", r.Errors, r.FirstError)
		}
		p99, genCPU = max(p99, r.P99), max(genCPU, r.CPU)
	}
	count, err := w.awaitCount(ctx, c.app3, id, n)
	if err != nil {
		return err
	}
	done := time.Since(t0)
	cpu1, err := c.cpu()
	if err != nil {
		return err
	}
	if count != n {
		return fmt.Errorf("S3: counter is %d after 5 minutes, want %d", count, n)
	}
	logged, err := w.awaitLogged(ctx, c.app3, id, n)
	if err != nil {
		return err
	}
	if logged != n {
		b.notes = append(b.notes, fmt.Sprintf("S3 %s: %d runs logged for %d presses", sys, logged, n))
	}
	b.m.add("S3.runs", sys, float64(n)/done.Seconds())
	b.m.add("S3.accepted", sys, float64(n)/accepted.Seconds())
	b.m.add("S3.press.p99", sys, float64(p99)/float64(time.Millisecond))
	b.addCPU("S3", sys, cpu1-cpu0, genCPU, n)
	b.sayf("S3 %s: %d presses accepted in %v (%.0f/s), all run in %v: %.0f runs/s, %d logged",
		sys, n, accepted.Round(time.Millisecond), float64(n)/accepted.Seconds(), done.Round(time.Millisecond), float64(n)/done.Seconds(), logged)
	return nil
}

// clusterProfiled runs fn and, with -profile, in the first round takes a
// CPU profile of the cluster's first process meanwhile, into the -profile
// directory as PG<n>-<sc>.pprof.
func (b *bench) clusterProfiled(ctx context.Context, c *cluster, round, n int, sc string, fn func() error) error {
	if c.debugURL == "" || round != 0 {
		return fn()
	}
	secs := max(1, int(b.o.duration/time.Second))
	if sc == "S3" {
		secs = 3
	}
	done := make(chan error, 1)
	file := filepath.Join(b.o.profile, fmt.Sprintf("PG%d-%s.pprof", n, sc))
	go func() { done <- b.fetchProfile(ctx, c.debugURL, file, secs) }()
	if sc == "S1" {
		time.Sleep(b.warmup()) // the profile covers the measured run
	}
	err := fn()
	if perr := <-done; perr != nil {
		b.notes = append(b.notes, fmt.Sprintf("profile %s: %v", file, perr))
	}
	return err
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// clusterReport renders S1 and S3 of weir on SQLite beside weir on
// PostgreSQL and NATS, or "" when those were not measured.
func (b *bench) clusterReport() string {
	if b.o.store == "" {
		return ""
	}
	systems := []string{sysWeir}
	for _, n := range clusterSizes {
		systems = append(systems, clusterSys(n))
	}
	var s strings.Builder
	fmt.Fprintf(&s, "\n## weir on PostgreSQL and NATS\n\n")
	fmt.Fprintf(&s, "`-store` and `-queue`: each size on a schema and run stream of its own, the load spread evenly over the processes "+
		"(S1: a generator per process with its share of the %d connections, throughput summed, p99 the highest of the processes'; "+
		"S3: the presses split evenly). CPU per request adds up every process's. Same machine as above; no target.\n\n", b.o.conns)
	fmt.Fprintf(&s, "| scenario | metric |")
	for _, sys := range systems {
		name := sys
		if sys == sysWeir {
			name = "weir SQLite"
		}
		fmt.Fprintf(&s, " %s |", name)
	}
	fmt.Fprintf(&s, "\n|---|---|%s\n", strings.Repeat("---:|", len(systems)))
	for _, r := range []struct{ scenario, what, metric, unit string }{
		{"S1", "throughput", "S1.tput", "req/s"},
		{"S1", "p99 latency", "S1.p99", "ms"},
		{"S1", "server CPU per request", "S1.cpu", "µs"},
		{"S3", "completed runs/s", "S3.runs", "/s"},
		{"S3", "presses accepted/s", "S3.accepted", "/s"},
		{"S3", "server CPU per press and run", "S3.cpu", "µs"},
	} {
		fmt.Fprintf(&s, "| %s | %s (%s) |", r.scenario, r.what, r.unit)
		for _, sys := range systems {
			m, ok := b.m.median(r.metric, sys)
			fmt.Fprintf(&s, " %s |", num(m, ok))
		}
		s.WriteString("\n")
	}
	fmt.Fprintf(&s, "\nEvery round:\n\n")
	for _, metric := range []string{"S1.tput", "S1.cpu", "S3.runs", "S3.cpu"} {
		for _, sys := range systems[1:] {
			if vs := b.m[metric][sys]; len(vs) > 0 {
				parts := make([]string, len(vs))
				for i, v := range vs {
					parts[i] = num(v, true)
				}
				fmt.Fprintf(&s, "- %s %s: %s\n", metric, sys, strings.Join(parts, ", "))
			}
		}
	}
	return s.String()
}
