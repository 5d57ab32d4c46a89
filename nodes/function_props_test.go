package nodes

import (
	"strings"
	"testing"
)

func TestPlainProps_Assignable(t *testing.T) {
	s, err := pooledSandbox(DefaultFunctionLimits)
	if err != nil {
		t.Fatal(err)
	}
	proto := s.vm.NewObject().Prototype().GetOwnPropertyNames()
	for _, k := range proto {
		if s.props.assignable(k) {
			t.Errorf("assignable(%q) = true for a key of Object.prototype", k)
		}
	}
	// Keys as long as some of Object.prototype's, and of other lengths.
	for _, k := range []string{"", "a", "value", "toStrinG", "__proto_", "constructo", "valueOf_", "hasOwnPropertY", strings.Repeat("k", 70)} {
		if !s.props.assignable(k) {
			t.Errorf("assignable(%q) = false", k)
		}
	}
	if fresh := newSandbox(nil, "", "", DefaultFunctionLimits); fresh.props.assignable("value") {
		t.Error("a key is assignable on a fresh runtime")
	}
}
