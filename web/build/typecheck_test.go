package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTypeCheck runs the TypeScript compiler pinned in web/package-lock.json
// over web/src (tsc --noEmit, web/tsconfig.json): esbuild bundles without
// checking types, so this is where a type error fails. It skips when
// web/node_modules is missing, unless WEIR_TEST_BROWSER=required (as in
// CI), which installs it.
func TestTypeCheck(t *testing.T) {
	webDir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules")); err != nil && os.Getenv("WEIR_TEST_BROWSER") != "required" {
		t.Skip("web/node_modules is missing: run (cd web && npm ci) to check the console's types")
	}
	mustInstallPackages(t, webDir)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required to check the console's types: %v", err)
	}
	cmd := exec.Command(node, filepath.Join("node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", ".")
	cmd.Dir = webDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc --noEmit in web: %v\n%s", err, out)
	}
}
