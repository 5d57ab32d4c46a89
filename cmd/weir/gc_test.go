package main

import "testing"

// TestGCPercentFor checks the GC target: gcPercent for a small live heap,
// lower once the garbage it allows would pass gcHeadroom, never under Go's
// default.
func TestGCPercentFor(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, gcPercent},
		{8 << 20, gcPercent},
		{16 << 20, gcPercent},
		{20 << 20, 300},
		{32 << 20, 200},
		{48 << 20, 125},
		{64 << 20, 100},
		{1 << 30, 100},
	} {
		if got := gcPercentFor(tc.live); got != tc.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}
