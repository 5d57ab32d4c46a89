package e2e_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/internal/nodejs"
)

// codeBlock is a fenced block of the README: its language and text.
type codeBlock struct{ lang, text string }

var fence = regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```$")

// readmeBlocks returns the fenced code blocks of the README.
func readmeBlocks(t *testing.T, root string) []codeBlock {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []codeBlock
	for _, m := range fence.FindAllStringSubmatch(string(b), -1) {
		blocks = append(blocks, codeBlock{m[1], m[2]})
	}
	return blocks
}

// TestReadmeShellBlocksAreBash checks that every README block using bash
// arrays says it is bash, not sh.
func TestReadmeShellBlocksAreBash(t *testing.T) {
	for _, b := range readmeBlocks(t, mustModuleRoot(t)) {
		if strings.Contains(b.text, "[@]}") && b.lang != "bash" {
			t.Errorf("a README block using bash arrays is marked %q:\n%s", b.lang, b.text)
		}
	}
}

// TestReadmeWalkthrough runs the README's walk-through as a newcomer would:
// its bash block with curl and jq against a real weir serve, then its
// JavaScript example with node and Losant's client.
func TestReadmeWalkthrough(t *testing.T) {
	bash, node := mustLookPath(t, "bash"), mustLookPath(t, "node")
	mustLookPath(t, "curl")
	mustLookPath(t, "jq") // the README lists it as a prerequisite
	root := mustModuleRoot(t)
	var walk, install, js string
	for _, b := range readmeBlocks(t, root) {
		switch {
		case b.lang == "bash" && walk == "" && strings.Contains(b.text, "Greenhouse"):
			walk = b.text
		case b.lang == "bash" && strings.Contains(b.text, "npm install losant-rest"):
			install = b.text
		case b.lang == "js" && js == "":
			js = b.text
		}
	}
	if walk == "" || install == "" || js == "" {
		t.Fatalf("README lacks the walk-through (%t), the client's install lines (%t) or the JavaScript example (%t)",
			walk != "", install != "", js != "")
	}
	jsDir := filepath.Join(root, "e2e", "js")
	nodejs.MustInstall(t, jsDir) // the README's npm install, pinned
	srv := startServer(t, mustBuildWeir(t, root))

	// The walk-through, with this server's token and address.
	script := regexp.MustCompile(`(?m)^TOKEN=\S+`).ReplaceAllString(walk, "TOKEN="+srv.token)
	script = strings.Replace(script, "API=http://127.0.0.1:8080", "API="+srv.url, 1)
	script += "\necho \"vars: $APP $FLOW_ID $KEY\"\n"
	out := runScript(t, bash, []string{"-euo", "pipefail", "-c", script}, "", nil)
	if !strings.Contains(out, `{"hotReadings":1,"lastCool":18}`) {
		t.Errorf("the walk-through's storage is not the README's {\"hotReadings\":1,\"lastCool\":18}:\n%s", out)
	}
	vars := strings.Fields(out[strings.LastIndex(out, "vars: ")+len("vars: "):])
	if len(vars) != 3 {
		t.Fatalf("walk-through variables: %q", vars)
	}

	// The JavaScript example, run the way the install block says.
	run := regexp.MustCompile(`(?m)^.*node press\.js.*$`).FindString(install)
	if run == "" {
		t.Fatalf("the install block does not say how to run press.js:\n%s", install)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "press.js"), []byte(strings.Replace(js, "http://127.0.0.1:8080", srv.url, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TOKEN=" + srv.token, "APP=" + vars[0], "FLOW_ID=" + vars[1], "KEY=" + vars[2],
		"NODE_PATH=" + filepath.Join(jsDir, "node_modules"), "PATH=" + filepath.Dir(node) + ":" + os.Getenv("PATH")}
	out = runScript(t, bash, []string{"-euo", "pipefail", "-c", run}, dir, env)
	if !strings.Contains(out, "hotReadings: 2") {
		t.Errorf("press.js printed %q, want the storage with a second hot reading", out)
	}
}

// runScript runs bash with args in dir (the test's when "") and the extra
// environment, and returns its output; it fails the test on an error.
func runScript(t *testing.T, bash string, args []string, dir string, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash %s: %v\n%s", args[len(args)-1], err, out.String())
	}
	return out.String()
}
