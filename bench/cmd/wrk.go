package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/weirhq/weir/bench/loadgen"
)

// wrkScript is the Lua script wrk runs: the request (or requests, taken in
// turn) and a done function printing the figures the bench reads.
func wrkScript(reqs []loadgen.Request) (string, error) {
	var s strings.Builder
	first, err := url.Parse(reqs[0].URL)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&s, "wrk.method = %s\nwrk.body = %s\n", luaString(reqs[0].Method), luaString(string(reqs[0].Body)))
	for k, v := range reqs[0].Header {
		fmt.Fprintf(&s, "wrk.headers[%s] = %s\n", luaString(k), luaString(v))
	}
	if len(reqs) > 1 {
		s.WriteString("local paths, reqs, i = {")
		for _, r := range reqs {
			u, err := url.Parse(r.URL)
			if err != nil {
				return "", err
			}
			if u.Host != first.Host || r.Method != reqs[0].Method || !bytes.Equal(r.Body, reqs[0].Body) {
				return "", fmt.Errorf("wrk: the requests differ in more than their path")
			}
			fmt.Fprintf(&s, "%s, ", luaString(u.RequestURI()))
		}
		s.WriteString("}, {}, 0\n")
		s.WriteString("function init(args)\n  for k, p in ipairs(paths) do reqs[k] = wrk.format(nil, p) end\nend\n")
		s.WriteString("function request()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n")
	}
	s.WriteString(`function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %d %d %d %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
`)
	return s.String(), nil
}

// luaString quotes s as a Lua string literal, every byte but plain
// printable ASCII as a three-digit decimal escape.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// runWrk drives reqs with wrk for d (whole seconds, at least 1) on conns
// connections and as many threads as CPUs (at most conns), and returns the
// figures in loadgen's terms; CPU is wrk's own user and system time.
func runWrk(ctx context.Context, bin, dir string, conns int, d time.Duration, reqs []loadgen.Request) (loadgen.Result, error) {
	script, err := wrkScript(reqs)
	if err != nil {
		return loadgen.Result{}, err
	}
	f, err := os.CreateTemp(dir, "wrk-*.lua")
	if err != nil {
		return loadgen.Result{}, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(script); err != nil {
		f.Close()
		return loadgen.Result{}, err
	}
	f.Close()
	secs := max(1, int(math.Ceil(d.Seconds())))
	threads := min(runtime.NumCPU(), conns)
	u, _ := url.Parse(reqs[0].URL)
	cmd := exec.CommandContext(ctx, bin, "-t", fmt.Sprint(threads), "-c", fmt.Sprint(conns), "-d", fmt.Sprintf("%ds", secs),
		"--timeout", "10s", "-s", f.Name(), u.String())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return loadgen.Result{}, fmt.Errorf("wrk: %v\n%s%s", err, out.Bytes(), errb.Bytes())
	}
	res, err := parseWrk(out.String())
	if err != nil {
		return res, fmt.Errorf("%w\n%s%s", err, out.Bytes(), errb.Bytes())
	}
	res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return res, nil
}

// parseWrk reads the WRKRESULT line the script's done function prints.
func parseWrk(out string) (loadgen.Result, error) {
	for _, l := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(l, "WRKRESULT ")
		if !ok {
			continue
		}
		var n, us, status, connect, read, write, timeout, p50, p99, p999, maxl int64
		if _, err := fmt.Sscan(rest, &n, &us, &status, &connect, &read, &write, &timeout, &p50, &p99, &p999, &maxl); err != nil {
			return loadgen.Result{}, fmt.Errorf("wrk: %q: %w", l, err)
		}
		res := loadgen.Result{Requests: int(n + connect + read + write + timeout), Answered: int(n),
			Errors: int(status + connect + read + write + timeout), Elapsed: time.Duration(us) * time.Microsecond,
			P50: time.Duration(p50) * time.Microsecond, P99: time.Duration(p99) * time.Microsecond,
			P999: time.Duration(p999) * time.Microsecond, Max: time.Duration(maxl) * time.Microsecond}
		if us > 0 {
			res.Throughput = float64(n-status) / res.Elapsed.Seconds()
		}
		if res.Errors > 0 {
			res.FirstError = fmt.Sprintf("wrk: %d answers of status 400 or above, %d connect, %d read, %d write errors, %d timeouts",
				status, connect, read, write, timeout)
		}
		return res, nil
	}
	return loadgen.Result{}, fmt.Errorf("wrk printed no WRKRESULT line")
}

// wrkVersion returns the first line of `wrk --version` (which exits 1).
func wrkVersion(bin string) string {
	out, _ := exec.Command(bin, "--version").CombinedOutput()
	l, _, _ := strings.Cut(string(out), "\n")
	if i := strings.Index(l, " ["); i > 0 {
		l = l[:i]
	}
	return strings.TrimSpace(l)
}

// wrkBinary returns where the wrk executable is, or "".
func wrkBinary() string {
	p, err := exec.LookPath("wrk")
	if err != nil {
		return ""
	}
	return filepath.Clean(p)
}
