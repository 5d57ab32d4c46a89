package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a server the bench started: weir or Node-RED.
type proc struct {
	name    string
	cmd     *exec.Cmd
	base    string        // http://127.0.0.1:port
	startup time.Duration // from exec to the first 200 on /health
	stdout  *bufio.Reader
	lines   chan string
	done    chan error
	stopped sync.Once
}

// start runs cmd, and waits (up to 60 s) for GET base/health to answer 200.
func start(ctx context.Context, name string, cmd *exec.Cmd, base string, logf io.Writer) (*proc, error) {
	p := &proc{name: name, cmd: cmd, base: base, done: make(chan error, 1)}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.stdout = bufio.NewReader(out)
	lines := make(chan string, 16)
	go func() { // keep stdout drained; the first lines go to readLine
		for {
			l, err := p.stdout.ReadString('\n')
			if l != "" {
				select {
				case lines <- l:
				default:
					fmt.Fprint(logf, l)
				}
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	p.lines = lines
	deadline := time.Now().Add(60 * time.Second)
	client := http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited before answering /health: %v", name, err)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		default:
		}
		if resp, err := client.Get(base + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.startup = time.Since(t0)
				return p, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer /health within 60 s", name)
}

// readLine returns the next line p printed on stdout, waiting up to 5 s.
func (p *proc) readLine() (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			return "", io.EOF
		}
		return strings.TrimSpace(l), nil
	case <-time.After(5 * time.Second):
		return "", errors.New("no output within 5 s")
	}
}

// rssMB returns the process's resident set size (VmRSS) in MiB.
func (p *proc) rssMB() (float64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// stop sends SIGTERM to the process the bench started (by its pid) and kills
// it if it has not exited after 15 s. Calls after the first do nothing.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.stopped.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// cpu returns the user and system CPU time the process has used so far,
// from /proc/<pid>/stat (in the kernel's 100 Hz USER_HZ ticks).
func (p *proc) cpu() (time.Duration, error) {
	return statCPU(filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "stat"))
}

// statCPU returns the user and system CPU time in a /proc stat file.
func statCPU(file string) (time.Duration, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after it start
	// with the state (field 3), so utime and stime (14 and 15) are at 11 and 12.
	i := strings.LastIndex(string(b), ") ")
	f := strings.Fields(string(b)[i+2:])
	if i < 0 || len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * (time.Second / 100), nil
}
