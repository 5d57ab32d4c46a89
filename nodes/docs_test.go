package nodes_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/engine"
)

// TestNodeDocs checks that docs/nodes holds exactly the pages the node specs
// generate; -update rewrites them.
func TestNodeDocs(t *testing.T) {
	dir := filepath.Join("..", "docs", "nodes")
	specs := engine.Specs()
	want := map[string][]byte{"README.md": engine.SpecIndex(specs)}
	for _, s := range specs {
		if s.Summary == "" {
			t.Errorf("%s has no summary", s.Type)
		}
		want[s.Type+".md"] = engine.SpecDoc(s)
	}
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range want {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read docs: %v (run go test ./nodes -run TestNodeDocs -update)", err)
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("docs/nodes/%s documents no registered node type", e.Name())
		}
	}
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("docs/nodes/%s is missing or out of date; run go test ./nodes -run TestNodeDocs -update", name)
		}
	}
}
