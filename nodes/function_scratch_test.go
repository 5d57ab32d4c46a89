package nodes

import "testing"

func TestReuse(t *testing.T) {
	s := append(make([]*int, 0, 8), new(int), new(int))
	got := reuse(s)
	if len(got) != 0 || cap(got) != 8 {
		t.Fatalf("reuse: len %d cap %d, want 0 and 8", len(got), cap(got))
	}
	for i, p := range got[:2] {
		if p != nil {
			t.Errorf("element %d still set after reuse", i)
		}
	}
	if got := reuse(make([]*int, maxScratch+1)); got != nil {
		t.Errorf("reuse kept a slice of capacity %d, want it dropped", cap(got))
	}
}
