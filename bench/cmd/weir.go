package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// buildWeir builds cmd/weir of the module at root into dir.
func buildWeir(root, dir string) (string, error) {
	bin := filepath.Join(dir, "weir")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/weir")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/weir: %v\n%s", err, out)
	}
	return bin, nil
}

// weirServer is a running weir and an API client with its owner token.
type weirServer struct {
	*proc
	bin, data string
	extra     []string // further serve flags
	token     string
	client    *http.Client
}

// startWeir starts bin on a free loopback port with data as its data
// directory, presses, webhook requests and kept run logs unlimited (S3
// counts every run's log entry), and reads the owner token on first start;
// extra are further serve flags.
func startWeir(ctx context.Context, bin, data, token string, logf io.Writer, extra ...string) (*weirServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(port), "--data", data,
		"--press-limit", "0", "--webhook-limit", "0", "--log-keep", "0", "--log-level", "warn", "--mqtt-addr", ""}, extra...)
	cmd := exec.Command(bin, args...)
	p, err := start(ctx, "weir", cmd, base, logf)
	if err != nil {
		return nil, err
	}
	w := &weirServer{proc: p, bin: bin, data: data, extra: extra, token: token,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	if token == "" {
		for range 4 {
			l, err := p.readLine()
			if err != nil {
				p.stop()
				return nil, fmt.Errorf("weir: reading the owner token: %w", err)
			}
			if strings.HasPrefix(l, "eyJ") {
				w.token = l
				break
			}
		}
		if w.token == "" {
			p.stop()
			return nil, fmt.Errorf("weir printed no owner token")
		}
	}
	return w, nil
}

// restart stops w and starts it again on the same data directory.
func (w *weirServer) restart(ctx context.Context, logf io.Writer) (*weirServer, error) {
	w.stop()
	return startWeir(ctx, w.bin, w.data, w.token, logf, w.extra...)
}

// call sends an API request and decodes the JSON answer into out (if not nil).
func (w *weirServer) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// createApp creates an application and returns its id.
func (w *weirServer) createApp(ctx context.Context, name string) (string, error) {
	var app struct{ ID string }
	err := w.call(ctx, "POST", "/applications", map[string]string{"name": name}, &app)
	return app.ID, err
}

// createWebhook creates a webhook that waits for replies; it returns the id and token.
func (w *weirServer) createWebhook(ctx context.Context, app, name string) (id, token string, err error) {
	var wh struct{ ID, Token string }
	err = w.call(ctx, "POST", "/applications/"+app+"/webhooks", map[string]any{"name": name, "waitForReply": true}, &wh)
	return wh.ID, wh.Token, err
}

// createFlow creates f in app and returns its id and first trigger's key.
func (w *weirServer) createFlow(ctx context.Context, app string, f weirFlow) (id, key string, err error) {
	var out struct {
		ID       string
		Triggers []struct{ Key string }
	}
	if err := w.call(ctx, "POST", "/applications/"+app+"/flows", f, &out); err != nil {
		return "", "", err
	}
	if len(out.Triggers) > 0 {
		key = out.Triggers[0].Key
	}
	return out.ID, key, nil
}

// storageCount returns the flow's storage entry "count" (0 when unset).
func (w *weirServer) storageCount(ctx context.Context, app, flow string) (int, error) {
	var st map[string]any
	if err := w.call(ctx, "GET", "/applications/"+app+"/flows/"+flow+"/storage", nil, &st); err != nil {
		return 0, err
	}
	n, _ := st["count"].(float64)
	return int(n), nil
}

// runCount returns how many runs the flow logged in the last 24 hours, from its stats.
func (w *weirServer) runCount(ctx context.Context, app, flow string) (int, error) {
	var st struct {
		Metrics []struct{ RunCount int }
	}
	if err := w.call(ctx, "GET", "/applications/"+app+"/flows/"+flow+"/stats", nil, &st); err != nil {
		return 0, err
	}
	n := 0
	for _, m := range st.Metrics {
		n += m.RunCount
	}
	return n, nil
}

// mustRemoveAll removes a temporary directory, ignoring errors.
func mustRemoveAll(dir string) { _ = os.RemoveAll(dir) }

// awaitCount polls S3's counter in flow until it reaches n (up to 5
// minutes) and returns its last value.
func (w *weirServer) awaitCount(ctx context.Context, app, flow string, n int) (int, error) {
	return poll(5*time.Minute, 10*time.Millisecond, n, func() (int, error) { return w.storageCount(ctx, app, flow) })
}

// awaitLogged polls flow's logged runs until they reach n (up to a
// minute) and returns the last count.
func (w *weirServer) awaitLogged(ctx context.Context, app, flow string, n int) (int, error) {
	return poll(time.Minute, 50*time.Millisecond, n, func() (int, error) { return w.runCount(ctx, app, flow) })
}

// poll calls read every interval until it returns at least n, fails, or
// limit passes, and returns its last value.
func poll(limit, interval time.Duration, n int, read func() (int, error)) (int, error) {
	var v int
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(interval) {
		var err error
		if v, err = read(); err != nil || v >= n {
			return v, err
		}
	}
	return v, nil
}
