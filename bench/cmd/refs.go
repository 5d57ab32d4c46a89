package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/weirhq/weir/bench/loadgen"
)

// The reference servers, as named in the results: bench/refserver in its
// two modes.
const (
	sysCeiling = "ceiling"
	sysFloor   = "floor"
)

// buildRefServer builds bench/refserver of the module at root into dir.
func buildRefServer(root, dir string) (string, error) {
	bin := filepath.Join(dir, "refserver")
	cmd := exec.Command("go", "build", "-o", bin, "./bench/refserver")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./bench/refserver: %v\n%s", err, out)
	}
	return bin, nil
}

// startRefServer starts bin in mode on a free loopback port, the floor with
// its database at data; token guards its presses.
func startRefServer(ctx context.Context, bin, mode, data, token string, logf io.Writer, extra ...string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, append([]string{"-mode", mode, "-addr", addr, "-data", data}, extra...)...)
	cmd.Env = append(cmd.Environ(), "REFSERVER_TOKEN="+token)
	return start(ctx, mode, cmd, "http://"+addr, logf)
}

// startRefs builds the reference servers and starts the ceiling, the floor
// and a second floor with -sync (S1s's peer).
func (b *bench) startRefs(ctx context.Context) error {
	bin, err := buildRefServer(b.root, b.tmp)
	if err != nil {
		return err
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	b.refToken = hex.EncodeToString(tok)
	if b.ceil, err = startRefServer(ctx, bin, sysCeiling, "", b.refToken, b.logf); err != nil {
		return err
	}
	b.idle(sysCeiling, b.ceil)
	if b.floor, err = startRefServer(ctx, bin, sysFloor, filepath.Join(b.tmp, "floor.db"), b.refToken, b.logf); err != nil {
		return err
	}
	b.idle(sysFloor, b.floor)
	b.floorSync, err = startRefServer(ctx, bin, sysFloor, filepath.Join(b.tmp, "floor-sync.db"), b.refToken, b.logf, "-sync")
	return err
}

// stopRefs stops the reference servers that were started.
func (b *bench) stopRefs() {
	for _, p := range []*proc{b.ceil, b.floor, b.floorSync} {
		if p != nil {
			p.stop()
		}
	}
}

// refCounts reads a reference server's counters.
func refCounts(ctx context.Context, p *proc) (map[string]int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", p.base+"/count", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]int64
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s /count: %s", p.name, resp.Status)
	}
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// refPresses is S3 on a reference server: N presses, each answered once its
// run is done (for the floor: committed with its log row); the server's
// counter and runs must rise by exactly N.
func (b *bench) refPresses(ctx context.Context, sys string) error {
	p := b.server("S3", sys)
	before, err := refCounts(ctx, p)
	if err != nil {
		return err
	}
	n := b.o.presses
	req := loadgen.Request{Method: "POST", URL: p.base + "/press",
		Header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + b.refToken},
		Body:   []byte(`{"key":"button","payload":{"temp":35}}`)}
	runtime.GC()
	cpu0, _ := p.cpu()
	t0 := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Config{Connections: b.o.conns, Duration: 5 * time.Minute, Count: n}, req)
	if err != nil {
		return err
	}
	done := time.Since(t0)
	cpu1, _ := p.cpu()
	if res.Errors > 0 {
		return fmt.Errorf("S3: %d presses failed: %s", res.Errors, res.FirstError)
	}
	after, err := refCounts(ctx, p)
	if err != nil {
		return err
	}
	if d, r := after["presses"]-before["presses"], after["runs"]-before["runs"]; d != int64(n) || r != int64(n) {
		return fmt.Errorf("S3 %s: %d presses acknowledged, but the counter rose by %d and the runs by %d", sys, n, d, r)
	}
	b.m.add("S3.runs", sys, float64(n)/done.Seconds())
	b.m.add("S3.press.p99", sys, float64(res.P99)/float64(time.Millisecond))
	b.addCPU("S3", sys, cpu1-cpu0, res.CPU, n)
	b.sayf("S3 %s: %d presses done in %v: %.0f runs/s, p99 %v; counter and runs rose by %d", sys, n,
		done.Round(time.Millisecond), float64(n)/done.Seconds(), res.P99, n)
	return nil
}
