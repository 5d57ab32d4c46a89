package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// weirBinary builds cmd/weir once per test process.
func weirBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "weir-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "weir")
		out, err := exec.Command("go", "build", "-tags", "weirtest", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a weir serve subprocess.
type process struct {
	cmd   *exec.Cmd
	token string // owner token, when this start printed one
}

// startProcess starts weir serve on addr with data in dir and waits until it
// answers /health.
func startProcess(t *testing.T, addr, dir string) *process {
	t.Helper()
	return startProcessWith(t, addr, dir, os.Stderr)
}

// startProcessWith is startProcess with the process's log written to stderr
// and extra serve flags.
func startProcessWith(t *testing.T, addr, dir string, stderr io.Writer, extra ...string) *process {
	t.Helper()
	args := append([]string{"serve", "--addr", addr, "--data", dir, "--log-level", "warn", "--press-limit", "0", "--mqtt-addr", ""}, extra...)
	_, err := os.Stat(filepath.Join(dir, "weir.db"))
	restart := err == nil && !slices.Contains(extra, "--store")
	cmd := exec.Command(weirBinary(t), args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor(t, 20*time.Second, "weir to answer /health", func() bool {
		resp, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	// weir prints the owner token before it serves, so once /health
	// answers the line is written; the reader may not have passed it on
	// yet. A start on a data directory with a database prints none (unless
	// the store is elsewhere), and is not kept waiting.
	wait := 2 * time.Second
	if restart {
		wait = 0
	}
	select {
	case l := <-lines:
		if strings.HasPrefix(l, "Owner API token") {
			p.token = <-lines
		}
	case <-time.After(wait):
	}
	return p
}

// TestCrashKeepsAcknowledgedPresses presses a button from several clients,
// kills weir with SIGKILL while presses are in flight, restarts it on the
// same data directory and checks that every acknowledged press ran.
func TestCrashKeepsAcknowledgedPresses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a weir process")
	}
	dir, addr := t.TempDir(), freeAddr(t)
	p := startProcess(t, addr, dir)
	if p.token == "" {
		t.Fatal("first start printed no owner token")
	}
	c := &client{t: t, base: "http://" + addr, token: p.token}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID

	var acked atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pc := &client{t: t, base: c.base, token: c.token}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if pressOnce(pc, flowPath, key) {
					acked.Add(1)
				}
			}
		}()
	}
	waitFor(t, 20*time.Second, "200 acknowledged presses", func() bool { return acked.Load() >= 200 })
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	close(stop)
	wg.Wait()
	want := acked.Load()

	startProcess(t, addr, dir)
	var storage map[string]float64
	waitFor(t, 30*time.Second, "every acknowledged press to run", func() bool {
		c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		return storage["hits"] >= float64(want)
	})
	// A run whose increment was committed before the kill but whose
	// completion was not runs again after the restart: hits already counts
	// it, its log entry comes when that second execution completes.
	var logs []map[string]any
	waitFor(t, 30*time.Second, "every run to be logged", func() bool {
		c.mustDo(200, "GET", flowPath+"/logs?limit=10000", nil, &logs)
		return int64(len(logs)) >= want
	})
	t.Logf("acknowledged %d presses before SIGKILL; after restart hits=%v, log entries=%d", want, storage["hits"], len(logs))
}

// pressOnce presses the counter button with a value that increments hits; it
// reports whether the press was acknowledged with 200. Connection errors
// (the server being killed) count as not acknowledged.
func pressOnce(c *client, flowPath, key string) bool {
	body := strings.NewReader(`{"key":"` + key + `","payload":{"value":99}}`)
	req, _ := http.NewRequest("POST", c.base+flowPath+"/virtualButton", body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == 200
}
