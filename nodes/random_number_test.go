package nodes

import (
	"math"
	"testing"
)

func TestRandomBetween(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lo, hi   float64
		wantNil  bool
		integral bool
	}{
		{name: "Integers", lo: -3, hi: 3, integral: true},
		{name: "Export", lo: -10000, hi: 10000, integral: true},
		{name: "Fractional", lo: -7.999, hi: 7.999},
		{name: "Equal", lo: 5, hi: 5, integral: true},
		{name: "ErrMinAboveMax", lo: 2, hi: 1, wantNil: true},
		{name: "ErrNaN", lo: math.NaN(), hi: 1, wantNil: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 500 {
				got := randomBetween(tc.lo, tc.hi)
				if tc.wantNil {
					if got != nil {
						t.Fatalf("randomBetween(%v, %v) = %v, want nil", tc.lo, tc.hi, got)
					}
					return
				}
				f := got.(float64)
				if f < tc.lo || f > tc.hi || (tc.integral && f != math.Trunc(f)) {
					t.Fatalf("randomBetween(%v, %v) = %v, out of range or not integral", tc.lo, tc.hi, f)
				}
			}
		})
	}
}
