package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// installNodeRED runs `npm ci` in dir when node_modules is missing or older
// than package-lock.json (npm writes node_modules/.package-lock.json on every
// install), so a fresh checkout needs only Go, Node and npm.
func installNodeRED(dir string, logf io.Writer) error {
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	if inst, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !inst.ModTime().Before(lock.ModTime()) {
		return nil
	}
	fmt.Fprintf(logf, "installing Node-RED: npm ci in %s\n", dir)
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return nil
}

// startNodeRED starts the Node-RED installed in dir with dir/settings.js and
// the bench flows in a fresh user directory under tmp.
func startNodeRED(ctx context.Context, dir, tmp string, logf io.Writer) (*proc, error) {
	return startNodeREDWith(ctx, dir, filepath.Join(tmp, "nodered-user"), noderedFlows(), logf)
}

// startNodeREDWith starts the Node-RED installed in dir with dir/settings.js
// and flows in the fresh user directory user.
func startNodeREDWith(ctx context.Context, dir, user string, flows []byte, logf io.Writer) (*proc, error) {
	if err := os.MkdirAll(user, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(user, "flows.json"), flows, 0o644); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", filepath.Join(dir, "node_modules", "node-red", "red.js"),
		"--settings", filepath.Join(dir, "settings.js"), "--userDir", user)
	cmd.Env = append(os.Environ(), "BENCH_NODERED_PORT="+strconv.Itoa(port), "NODE_ENV=production")
	return start(ctx, "Node-RED", cmd, "http://127.0.0.1:"+strconv.Itoa(port), logf)
}
