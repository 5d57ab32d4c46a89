package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// commands are every command line weir knows, for the help tests.
var commands = [][]string{
	{"serve"}, {"token", "create"}, {"flow", "import"}, {"flow", "export"}, {"flow", "check"},
	{"backup"}, {"restore"}, {"version"},
}

func TestHelpListsEveryCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"--help"}, &out, io.Discard); err != nil {
		t.Fatalf("weir --help: %v", err)
	}
	for _, c := range commands {
		if !strings.Contains(out.String(), "weir "+strings.Join(c, " ")) {
			t.Errorf("weir --help does not list %q:\n%s", strings.Join(c, " "), out.String())
		}
	}
}

func TestHelpFlagSucceeds(t *testing.T) {
	lines := [][]string{{"-h"}, {"--help"}, {"help"}, {"token", "-h"}, {"flow", "-h"}, {"flow", "--help"}, {"help", "flow", "import"}}
	for _, c := range commands {
		lines = append(lines, append(c[:len(c):len(c)], "-h"))
	}
	for _, args := range lines {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(t.Context(), args, &out, &errOut); err != nil {
				t.Errorf("weir %s = %v, want success (exit status 0)", strings.Join(args, " "), err)
			}
			if out.Len()+errOut.Len() == 0 {
				t.Errorf("weir %s printed no help", strings.Join(args, " "))
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out bytes.Buffer
		if err := run(t.Context(), args, &out, io.Discard); err != nil {
			t.Fatalf("weir %s: %v", args[0], err)
		}
		if !strings.HasPrefix(out.String(), "weir ") || !strings.Contains(out.String(), runtime.Version()) {
			t.Errorf("weir %s printed %q, want weir's version and Go's", args[0], out.String())
		}
	}
	if testing.Short() {
		return
	}
	// A binary built from the repository names its commit.
	out, err := exec.Command(weirBinary(t), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^weir (v\S+|devel( [0-9a-f]{12}(\+dirty)?)?) \(go`).Match(out) {
		t.Errorf("weir --version printed %q", out)
	}
}

func TestStrayArgumentsAreErrors(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir)
	m.Close()
	canceled, cancel := context.WithCancel(context.Background())
	cancel() // a serve that ignored the argument would start, then stop at once
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--data", dir, "extra"},
		{"token", "create", "--data", dir, "extra"},
		{"token", "create", "extra", "--data", dir},
		{"flow", "export", "--data", dir, "--application", "aaaaaaaaaaaaaaaaaaaaaaaa", "extra"},
		{"backup", "--data", dir, filepath.Join(t.TempDir(), "a.db"), "extra"},
		{"restore", "--data", t.TempDir(), "a.db", "extra"},
		{"version", "extra"},
		{"help", "extra"}, // weir help COMMAND: there is no command extra
	} {
		err := run(canceled, args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) && !strings.Contains(err.Error(), `unknown command "extra"`) {
			t.Errorf("weir %s = %v, want an error naming the stray argument", strings.Join(args, " "), err)
		}
	}
}

func TestTokenCreateNeedsDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	var out bytes.Buffer
	err := run(t.Context(), []string{"token", "create", "--data", dir}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds no weir database") {
		t.Errorf("token create on an empty directory = %v, want an error saying it holds no weir database", err)
	}
	if out.Len() > 0 {
		t.Errorf("token create printed %q", out.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("token create made %s (stat: %v); it must create nothing", dir, err)
	}
}

func TestTokenCreateNeedsPostgresInstance(t *testing.T) {
	store := mustPostgresStore(t) // a schema of its own, not created yet
	args := []string{"token", "create", "--data", t.TempDir(), "--store", store}
	var out bytes.Buffer
	err := run(t.Context(), args, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds no weir instance") || out.Len() > 0 {
		t.Errorf("token create on an empty schema = %v, printed %q; want an error saying it holds no weir instance", err, out.String())
	}
	cfg := DefaultConfig()
	cfg.Store = store
	openMain(t, cfg)
	if err := run(t.Context(), args, &out, io.Discard); err != nil || out.Len() == 0 {
		t.Errorf("token create on the instance weir serve started = %v", err)
	}
}

func TestTokenCreateScopes(t *testing.T) {
	m, c := openMain(t, DefaultConfig())
	for _, tc := range []struct {
		scope string
		ok    bool
	}{{"all.User.read", true}, {"flow.*", true}, {"metrics.get", true}, {"all.user", false}, {"flow.gett", false}, {"", false}} {
		var out bytes.Buffer
		err := run(t.Context(), []string{"token", "create", "--data", m.Config.DataDir, "--scope", tc.scope}, &out, io.Discard)
		switch {
		case tc.ok && err != nil:
			t.Errorf("--scope %q: %v", tc.scope, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "unknown scope")):
			t.Errorf("--scope %q = %v, want an unknown scope error", tc.scope, err)
		case tc.ok:
			(&client{t: t, base: c.base, token: strings.TrimSpace(out.String())}).do("GET", "/applications", nil, nil)
		}
	}
}

// TestOwnerTokenAfterListen starts weir on an address in use: the start
// fails and prints no owner token, so the next start still prints one.
func TestOwnerTokenAfterListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = ln.Addr().String(), dir, "warn"
	var out bytes.Buffer
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err == nil {
		t.Fatal("Open on an address in use succeeded")
	}
	m.Close()
	if out.Len() > 0 {
		t.Errorf("a start that could not listen printed %q", out.String())
	}
	m2, out2 := startMain(t, dir)
	defer m2.Close()
	ownerToken(t, out2.String())
}

func TestDefaultDataDirIsIgnoredByGit(t *testing.T) {
	b, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(DefaultConfig().DataDir)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Trim(strings.TrimSpace(line), "/") == name {
			return
		}
	}
	t.Errorf(".gitignore does not ignore the default data directory %s", name)
}
