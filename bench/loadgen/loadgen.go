// Package loadgen drives one HTTP endpoint on loopback with a fixed request,
// either closed-loop (a fixed number of connections, each sending its next
// request when the previous answer arrives) or open-loop (requests scheduled
// at a fixed rate, latency measured from the scheduled time so that a slow
// server cannot hide its queueing). It speaks HTTP/1.1 keep-alive directly
// on net.Conn to keep its own CPU cost low on a machine it shares.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxSamples caps the latencies one Run keeps (8 bytes each).
const maxSamples = 4 << 20

// Request is the one request a Run repeats.
type Request struct {
	Method string
	URL    string // http://127.0.0.1:port/path; only loopback hosts are accepted
	Header map[string]string
	Body   []byte
}

// Config says how to drive the endpoint. Exactly one of Connections (closed
// loop) or Rate (open loop) is set; the run stops after Warmup+Duration or
// once Count requests (warm-up included) are sent and answered, whichever
// comes first. A zero Count means no count limit; otherwise exactly Count
// requests are sent unless time runs out.
type Config struct {
	Connections int           // closed loop: concurrent connections
	Rate        float64       // open loop: requests per second
	MaxInFlight int           // open loop: connections available; default 256
	Duration    time.Duration // required, at most 10 minutes
	Count       int
	Warmup      time.Duration // requests in this first span are not recorded
	WantStatus  int           // default 200; other statuses count as errors
}

// Result summarises a Run.
type Result struct {
	Requests            int // recorded (after warm-up), successful or not
	Errors              int // transport errors and unexpected statuses
	Elapsed             time.Duration
	Throughput          float64 // recorded successful requests per second
	P50, P99, P999, Max time.Duration
	FirstError          string

	// Answered counts every request answered or failed, warm-up included,
	// and CPU is the user and system CPU time the calling process used
	// during the whole run (its other work included): CPU/Answered is the
	// generator's own cost per request.
	Answered int
	CPU      time.Duration
}

// String formats r on one line.
func (r Result) String() string {
	return fmt.Sprintf("%d req in %v: %.0f req/s, p50 %v p99 %v p99.9 %v max %v, %d errors %s",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.Throughput, r.P50, r.P99, r.P999, r.Max, r.Errors, r.FirstError)
}

// Run drives the endpoint as cfg says, sending reqs in turn (they must
// share one host), and returns the measurements.
func Run(ctx context.Context, cfg Config, reqs ...Request) (Result, error) {
	if len(reqs) == 0 {
		return Result{}, errors.New("loadgen: no request")
	}
	wire := &wires{}
	var addr string
	for _, req := range reqs {
		b, a, err := encode(req)
		if err != nil {
			return Result{}, err
		}
		if addr != "" && a != addr {
			return Result{}, errors.New("loadgen: requests to more than one host")
		}
		addr = a
		wire.all = append(wire.all, b)
	}
	if cfg.Duration <= 0 || cfg.Duration > 10*time.Minute {
		return Result{}, errors.New("loadgen: duration must be in (0, 10m]")
	}
	if (cfg.Connections > 0) == (cfg.Rate > 0) {
		return Result{}, errors.New("loadgen: set exactly one of Connections and Rate")
	}
	if cfg.WantStatus == 0 {
		cfg.WantStatus = http.StatusOK
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Warmup+cfg.Duration)
	defer cancel()
	r := &recorder{want: cfg.WantStatus}
	cpu0 := processCPU()
	start := time.Now()
	r.from = start.Add(cfg.Warmup)
	if cfg.Connections > 0 {
		closedLoop(ctx, addr, wire, cfg.Connections, cfg.Count, r)
	} else {
		openLoop(ctx, addr, wire, cfg, r)
	}
	end := time.Now()
	res := r.result(end.Sub(r.from))
	res.CPU = processCPU() - cpu0
	return res, nil
}

// closedLoop runs n workers, each on its own connection, until ctx ends or
// count requests are sent (count 0: no limit).
func closedLoop(ctx context.Context, addr string, wire *wires, n, count int, r *recorder) {
	var sent atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c := &conn{addr: addr}
			defer c.close()
			for ctx.Err() == nil && (count <= 0 || sent.Add(1) <= int64(count)) {
				t0 := time.Now()
				status, err := c.do(ctx, wire.next())
				r.record(t0, time.Since(t0), status, err)
			}
		})
	}
	wg.Wait()
}

// openLoop schedules requests at cfg.Rate and hands them to up to
// cfg.MaxInFlight connections; a request waiting for a free connection is
// late, and its latency counts from when it was due.
func openLoop(ctx context.Context, addr string, wire *wires, cfg Config, r *recorder) {
	slots := cfg.MaxInFlight
	if slots <= 0 {
		slots = 256
	}
	due := make(chan time.Time, 1<<16)
	var wg sync.WaitGroup
	for range slots {
		wg.Go(func() {
			c := &conn{addr: addr}
			defer c.close()
			for t0 := range due {
				if ctx.Err() != nil { // due but never sent: the server fell behind
					if !t0.Before(r.from) {
						r.overflow.Add(1)
					}
					continue
				}
				status, err := c.do(ctx, wire.next())
				r.record(t0, time.Since(t0), status, err)
			}
		})
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	start := time.Now()
	sent := 0
	limit := cfg.Count
	if limit <= 0 {
		limit = int((cfg.Warmup+cfg.Duration).Seconds()*cfg.Rate) + 1
	}
	for ctx.Err() == nil && sent < limit {
		now := time.Now()
		for sent < limit {
			at := start.Add(time.Duration(sent) * interval)
			if at.After(now) {
				break
			}
			select {
			case due <- at:
				sent++
			default: // the backlog is full: the server is far behind; stop scheduling
				r.overflow.Add(1)
				sent++
			}
		}
		next := start.Add(time.Duration(sent) * interval)
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(next)):
		}
	}
	close(due)
	wg.Wait()
}

// wires are the encoded requests, handed out in turn.
type wires struct {
	all [][]byte
	i   atomic.Uint64
}

func (w *wires) next() []byte {
	if len(w.all) == 1 {
		return w.all[0]
	}
	return w.all[(w.i.Add(1)-1)%uint64(len(w.all))]
}

// recorder collects latencies from concurrent workers.
type recorder struct {
	want     int
	from     time.Time
	overflow atomic.Int64
	answered atomic.Int64

	mu       sync.Mutex
	samples  []time.Duration
	errors   int
	firstErr string
}

// record notes one answer sent at t0 that took d.
func (r *recorder) record(t0 time.Time, d time.Duration, status int, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	r.answered.Add(1)
	if t0.Before(r.from) {
		return
	}
	r.mu.Lock()
	switch {
	case err != nil:
		r.errors++
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
	case status != r.want:
		r.errors++
		if r.firstErr == "" {
			r.firstErr = "status " + strconv.Itoa(status)
		}
	default:
		if len(r.samples) < maxSamples {
			r.samples = append(r.samples, d)
		}
	}
	r.mu.Unlock()
}

func (r *recorder) result(elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.samples
	slices.Sort(s)
	res := Result{Requests: len(s) + r.errors, Errors: r.errors + int(r.overflow.Load()), Elapsed: elapsed, FirstError: r.firstErr,
		Answered: int(r.answered.Load())}
	if r.overflow.Load() > 0 && res.FirstError == "" {
		res.FirstError = "requests due but not sent (server too slow for the rate)"
	}
	if elapsed > 0 {
		res.Throughput = float64(len(s)) / elapsed.Seconds()
	}
	if len(s) > 0 {
		res.P50, res.P99, res.P999, res.Max = pct(s, 0.50), pct(s, 0.99), pct(s, 0.999), s[len(s)-1]
	}
	return res
}

// pct returns the q-quantile of sorted s (nearest rank).
func pct(s []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// conn is one keep-alive connection, redialled after an error.
type conn struct {
	addr string
	c    net.Conn
	br   *bufio.Reader
}

// do sends wire and reads one response, discarding its body.
func (c *conn) do(ctx context.Context, wire []byte) (int, error) {
	if c.c == nil {
		d := net.Dialer{Timeout: 5 * time.Second}
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return 0, err
		}
		c.c, c.br = nc, bufio.NewReaderSize(nc, 16<<10)
	}
	if dl, ok := ctx.Deadline(); ok {
		c.c.SetDeadline(dl.Add(30 * time.Second)) // a stuck server still ends the run
	}
	if _, err := c.c.Write(wire); err != nil {
		c.close()
		return 0, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.close()
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	return resp.StatusCode, err
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.br = nil, nil
	}
}

// encode renders req as HTTP/1.1 bytes and returns the address to dial.
func encode(req Request) ([]byte, string, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, "", err
	}
	if u.Scheme != "http" {
		return nil, "", fmt.Errorf("loadgen: %s: only http is supported", req.URL)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, "", fmt.Errorf("loadgen: %s: only loopback IP addresses are allowed", req.URL)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	b := fmt.Appendf(nil, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, u.RequestURI(), u.Host, len(req.Body))
	for k, v := range req.Header {
		b = fmt.Appendf(b, "%s: %s\r\n", k, v)
	}
	b = append(b, "\r\n"...)
	b = append(b, req.Body...)
	return b, u.Host, nil
}
