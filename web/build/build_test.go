package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// TestDistUpToDate rebuilds the console in memory from web/src and the
// locked npm packages, and fails when the committed web/dist differs: run
// `go generate ./web` after changing the source or the lockfile.
func TestDistUpToDate(t *testing.T) {
	webDir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mustInstallPackages(t, webDir)
	want, err := bundle(webDir)
	if err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(webDir, "dist")
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
		data, err := os.ReadFile(filepath.Join(dist, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[e.Name()]
		switch {
		case !ok:
			t.Errorf("web/dist/%s is not built from the source any more", e.Name())
		case !bytes.Equal(data, w):
			t.Errorf("web/dist/%s differs from a build of web/src (%d bytes, want %d)", e.Name(), len(data), len(w))
		}
	}
	for name := range want {
		if _, err := os.Stat(filepath.Join(dist, name)); err != nil {
			t.Errorf("web/dist/%s is missing", name)
		}
	}
	if t.Failed() {
		sort.Strings(got)
		t.Logf("web/dist holds %v; run go generate ./web and commit web/dist", got)
	}
}

// TestBundleDeterministic builds twice and expects the same bytes, the
// property the drift check rests on.
func TestBundleDeterministic(t *testing.T) {
	webDir, _ := filepath.Abs("..")
	mustInstallPackages(t, webDir)
	a, err := bundle(webDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle(webDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("builds made %d and %d files", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

// mustInstallPackages runs `npm ci` in dir when node_modules is missing or
// older than package-lock.json, as the end-to-end tests do for the client.
func mustInstallPackages(t *testing.T, dir string) {
	t.Helper()
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatalf("package-lock.json: %v", err)
	}
	installed, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if err == nil && !installed.ModTime().Before(lock.ModTime()) {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm is required to check the console build (Node 20+ with npm): %v", err)
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}
