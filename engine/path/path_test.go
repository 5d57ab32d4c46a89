package path_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
)

func payload() map[string]any {
	return map[string]any{
		"data": map[string]any{
			"arr":        []any{"a", 20.0, map[string]any{"x": true}},
			"s":          "héllo",
			"a key":      1.0,
			"nested.dot": "d",
		},
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		path string
		want any
	}{
		{"data.arr.[1]", 20.0},
		{"data.arr.[2].x", true},
		{"data.arr.1", 20.0},
		{"data.arr[1]", 20.0},
		{"data.arr.length", 3.0},
		{"data.s.[1]", "é"},
		{"data.s.length", 5.0},
		{"data.[a key]", 1.0},
		{"data.[nested.dot]", "d"},
		{"data.missing.deeper", js.Undefined{}},
		{"data.arr.[9]", js.Undefined{}},
		{"data.arr.[01]", js.Undefined{}},
		{" data.s ", "héllo"},
	}
	for _, tc := range tests {
		p, err := path.Parse(tc.path)
		if err != nil {
			t.Fatalf("Parse(%q) error %v", tc.path, err)
		}
		if got := p.Get(payload()); !cmp.Equal(got, tc.want) {
			t.Errorf("Get(%q) = %#v, want %#v", tc.path, got, tc.want)
		}
	}
	root := payload()
	if got := path.MustParse(".").Get(root); !cmp.Equal(got, root) {
		t.Errorf("Get(.) = %v, want the root", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "  ", "a..b", "a.", ".a", "a.[b", "a]b", "a.[b]c"} {
		if _, err := path.Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", s)
		}
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name string
		path string
		val  any
		want map[string]any
	}{
		{"NewNested", "working.a.b", 1.0, map[string]any{"working": map[string]any{"a": map[string]any{"b": 1.0}}}},
		{"ArrayWhenIndex", "working.[1]", "x", map[string]any{"working": []any{nil, "x"}}},
		{"OverPrimitive", "n.x", 2.0, map[string]any{"n": map[string]any{"x": 2.0}}},
		{"UndefinedDeletes", "n", js.Undefined{}, map[string]any{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := map[string]any{"n": 5.0}
			if tc.name != "OverPrimitive" && tc.name != "UndefinedDeletes" {
				delete(root, "n")
			}
			if err := path.MustParse(tc.path).Set(root, tc.val); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, root); diff != "" {
				t.Errorf("Set(%q) mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

func TestSetErrors(t *testing.T) {
	root := map[string]any{"arr": []any{1.0}}
	if err := path.MustParse("arr.x").Set(root, 1.0); err == nil {
		t.Error("Set(arr.x) on an array succeeded, want an error")
	}
	if err := path.MustParse("big.[99999999]").Set(root, 1.0); err == nil {
		t.Error("Set of a huge index succeeded, want an error")
	}
	if err := path.MustParse(".").Set(root, 1.0); err == nil {
		t.Error("Set(.) with a number succeeded, want an error")
	}
}

func TestDelete(t *testing.T) {
	root := payload()
	path.MustParse("data.arr.[0]").Delete(root)
	path.MustParse("data.s").Delete(root)
	path.MustParse("nope.deeper").Delete(root)
	want := payload()
	want["data"].(map[string]any)["arr"].([]any)[0] = nil
	delete(want["data"].(map[string]any), "s")
	if diff := cmp.Diff(want, root); diff != "" {
		t.Errorf("Delete mismatch (-want +got):\n%s", diff)
	}
}

func FuzzPath(f *testing.F) {
	for _, s := range []string{"data.a", "data.[x y].[0]", ".", "a[0].b", "a..b", "[", "a.[99]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := path.Parse(s)
		if err != nil {
			return
		}
		root := payload()
		_ = p.Get(root)
		_ = p.Set(root, "v")
		p.Delete(root)
	})
}
