package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/weirhq/weir/internal/nodejs"
	"github.com/weirhq/weir/internal/pgtest"
)

// ownerHeader is the line `weir serve` prints on stdout before the owner
// token, on first start with an empty data directory.
const ownerHeader = "Owner API token (scope all.User; shown only this once, use it as 'Authorization: Bearer <token>'):"

const (
	startTimeout    = 20 * time.Second  // binary start to /health 200
	shutdownTimeout = 10 * time.Second  // SIGTERM to exit
	nodeTimeout     = 150 * time.Second // the whole JS suite
	nodeTestTimeout = "30000"           // one JS test, ms
)

// TestLosantClient runs the JS suite in js/*.test.mjs, which drives a real
// `weir serve` through Losant's official REST client (losant-rest). It is
// fast, so -short skips nothing.
func TestLosantClient(t *testing.T) {
	root := mustModuleRoot(t)
	jsDir := filepath.Join(root, "e2e", "js")
	bin := mustBuildWeir(t, root)
	nodejs.MustInstall(t, jsDir)
	files, err := filepath.Glob(filepath.Join(jsDir, "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JS test files in %s (err %v)", jsDir, err)
	}
	runNodeTests(t, jsDir, bin, startServer(t, bin), files)
}

// postgresFiles are the JS files that also run against weir on PostgreSQL:
// the platform resources, whose SQL is shared by both stores but whose
// dialects differ. The flow, run and CLI files read the data directory.
var postgresFiles = []string{"app", "data", "device", "event", "experience", "table", "views"}

// TestLosantClientPostgres runs the platform resources' JS files against
// `weir serve --store postgres://…` (WEIR_TEST_POSTGRES_DSN), in a schema of
// the test's own; it skips without a DSN.
func TestLosantClientPostgres(t *testing.T) {
	store := pgtest.Store(t, "weir_e2e_")
	root := mustModuleRoot(t)
	jsDir := filepath.Join(root, "e2e", "js")
	bin := mustBuildWeir(t, root)
	nodejs.MustInstall(t, jsDir)
	var files []string
	for _, name := range postgresFiles {
		files = append(files, filepath.Join(jsDir, name+".test.mjs"))
	}
	runNodeTests(t, jsDir, bin, startServer(t, bin, "--store", store), files)
}

// runNodeTests runs node --test on files against srv.
func runNodeTests(t *testing.T, jsDir, bin string, srv *server, files []string) {
	t.Helper()
	node := mustLookPath(t, "node")
	ctx, cancel := context.WithTimeout(t.Context(), nodeTimeout)
	defer cancel()
	args := append([]string{"--test", "--test-reporter=spec", "--test-timeout=" + nodeTestTimeout}, files...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = jsDir
	cmd.Env = append(os.Environ(),
		"WEIR_URL="+srv.url,
		"WEIR_TOKEN="+srv.token,
		"WEIR_BIN="+bin,
		"WEIR_DATA="+srv.data,
		"NO_COLOR=1",
	)
	cmd.WaitDelay = 5 * time.Second
	out := &lineLogger{t: t, prefix: "node: "}
	cmd.Stdout, cmd.Stderr = out, out
	t.Logf("running node --test on %d files against %s", len(files), srv.url)
	err := cmd.Run()
	out.Flush()
	if ctx.Err() != nil {
		t.Fatalf("node --test did not finish within %v", nodeTimeout)
	}
	if err != nil {
		t.Fatalf("node --test failed (%v); see the node output above", err)
	}
}

// server is a running `weir serve` process.
type server struct {
	url, token, data string
	addr             string

	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited; err is then set
	err    error
}

// startServer starts `weir serve` on a free loopback port with an empty data
// directory, reads the owner token from stdout and waits until /health
// answers 200; args are more flags for serve. Cleanup stops it with SIGTERM and checks it exits cleanly.
func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	s := &server{data: t.TempDir(), stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	s.addr = fmt.Sprintf("127.0.0.1:%d", mustFreePort(t))
	s.url = "http://" + s.addr
	// --mqtt-addr on an ephemeral port: the suite never takes the machine's 1883.
	s.cmd = exec.Command(bin, "serve", "--addr", s.addr, "--data", s.data, "--log-level", "info", "--log-format", "text", "--mqtt-addr", "127.0.0.1:0")
	s.cmd.Args = append(s.cmd.Args, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start weir serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.stop(t) })

	lines := s.waitFor(t, "the owner token on stdout", func() ([]string, bool) {
		l := s.stdout.Lines()
		return l, len(l) >= 2
	})
	if lines[0] != ownerHeader {
		t.Fatalf("stdout line 1 = %q, want %q", lines[0], ownerHeader)
	}
	s.token = strings.TrimSpace(lines[1])
	if s.token == "" || strings.ContainsAny(s.token, " \t") {
		t.Fatalf("stdout line 2 = %q, want a token", lines[1])
	}

	client := &http.Client{Timeout: 2 * time.Second}
	s.waitFor(t, "GET /health to answer 200", func() ([]string, bool) {
		resp, err := client.Get(s.url + "/health")
		if err != nil {
			return nil, false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, resp.StatusCode == http.StatusOK
	})
	s.waitFor(t, "the 'weir is serving' log line on stderr", func() ([]string, bool) {
		for _, l := range s.stderr.Lines() {
			if strings.Contains(l, "weir is serving") && strings.Contains(l, "addr="+s.addr) {
				return nil, true
			}
		}
		return nil, false
	})
	t.Logf("weir serving at %s, data %s", s.url, s.data)
	return s
}

// waitFor polls cond until it holds, the process exits or startTimeout
// passes; the last two end the test.
func (s *server) waitFor(t *testing.T, what string, cond func() ([]string, bool)) []string {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		if v, ok := cond(); ok {
			return v
		}
		select {
		case <-s.exited:
			t.Fatalf("weir serve exited (%v) while waiting for %s\nstdout:\n%s\nstderr:\n%s",
				s.err, what, s.stdout, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s\nstderr:\n%s", startTimeout, what, s.stderr)
		}
	}
}

// stop sends SIGTERM and checks that the server exits with status 0 within
// shutdownTimeout, printed nothing more on stdout and logged no errors.
func (s *server) stop(t *testing.T) {
	t.Helper()
	select {
	case <-s.exited:
		t.Errorf("weir serve exited before the end of the test: %v", s.err)
	default:
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("send SIGTERM: %v", err)
		}
		select {
		case <-s.exited:
			if s.err != nil {
				t.Errorf("weir serve after SIGTERM: %v, want a clean exit (status 0)", s.err)
			}
		case <-time.After(shutdownTimeout):
			t.Errorf("weir serve did not exit within %v of SIGTERM; dumping its goroutines (SIGQUIT) into the log below", shutdownTimeout)
			s.cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-s.exited:
			case <-time.After(2 * time.Second):
				s.cmd.Process.Kill()
				<-s.exited
			}
		}
	}
	if l := s.stdout.Lines(); len(l) != 3 || !strings.HasSuffix(l[2], "/console/#token="+s.token) {
		t.Errorf("weir serve printed %d lines on stdout, want 3 (header, token, console link):\n%s", len(l), s.stdout)
	}
	var errLines []string
	for _, l := range s.stderr.Lines() {
		if strings.Contains(l, "level=ERROR") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) > 0 {
		t.Errorf("weir serve logged %d error(s):\n%s", len(errLines), strings.Join(errLines, "\n"))
	}
	if t.Failed() {
		t.Logf("weir serve stderr:\n%s", s.stderr)
	}
}

// built is the weir binary the tests share, built once.
var built struct {
	once     sync.Once
	bin, out string
	err      error
}

// mustBuildWeir builds ./cmd/weir into a temporary directory, once for
// all the tests of the package.
func mustBuildWeir(t *testing.T, root string) string {
	t.Helper()
	built.once.Do(func() {
		goTool := "go"
		if goroot := os.Getenv("GOROOT"); goroot != "" {
			goTool = filepath.Join(goroot, "bin", "go")
		}
		dir, err := os.MkdirTemp("", "weir-e2e")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "weir")
		cmd := exec.Command(goTool, "build", "-o", built.bin, "./cmd/weir")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		built.out, built.err = string(out), err
	})
	if built.err != nil {
		t.Fatalf("go build ./cmd/weir: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// mustLookPath finds a required tool; a missing one fails the test.
func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required on PATH for the end-to-end tests (Node 20+ with npm): %v", name, err)
	}
	return p
}

// mustModuleRoot returns the module root, the parent of this package.
func mustModuleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", root, err)
	}
	return root
}

// mustFreePort returns a loopback TCP port that was free a moment ago.
func mustFreePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns the complete lines written so far.
func (b *syncBuffer) Lines() []string {
	s := b.String()
	i := strings.LastIndexByte(s, '\n')
	if i < 0 {
		return nil
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s[:i+1]))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// lineLogger streams a child process's output into the test log, one
// t.Log call per line.
type lineLogger struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log(l.prefix + strings.TrimRight(string(l.buf[:i]), "\r"))
		l.buf = l.buf[i+1:]
	}
}

// Flush logs a last unterminated line.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.t.Log(l.prefix + string(l.buf))
		l.buf = nil
	}
}

var _ io.Writer = (*lineLogger)(nil)
