package weir_test

import (
	"testing"

	"github.com/weirhq/weir"
)

func TestDecodeDefinition(t *testing.T) {
	text := []byte(`{"triggers":[{"key":"k","type":"virtualButton","outputIds":[["a"]]}],"nodes":[{"id":"a","type":"DebugNode"}],"globals":[{"key":"g","json":"1"}]}`)
	a, err := weir.DecodeDefinition(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Hash) != 64 || len(a.Triggers) != 1 || a.Nodes[0].ID != "a" || a.Globals[0].Key != "g" {
		t.Fatalf("DecodeDefinition = %+v, want the decoded definition with a SHA-256 hash", a)
	}
	a.Triggers[0].Key = "changed"
	a.Nodes = append(a.Nodes, weir.Node{ID: "b"})
	b, err := weir.DecodeDefinition(text)
	if err != nil {
		t.Fatal(err)
	}
	if b.Triggers[0].Key != "k" || len(b.Nodes) != 1 || b.Hash != a.Hash {
		t.Errorf("second decode %+v was changed through the first copy, want the stored definition", b)
	}
	if c, _ := weir.DecodeDefinition([]byte(`{"nodes":[]}`)); c.Hash == a.Hash {
		t.Error("different texts share a hash")
	}
	if _, err := weir.DecodeDefinition([]byte(`{"nodes":`)); err == nil {
		t.Error("DecodeDefinition of broken JSON succeeded")
	}
}
