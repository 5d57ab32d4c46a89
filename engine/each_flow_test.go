package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/mock"
)

// TestEachFlow checks that EachFlow sees every flow once, a page at a time,
// and ends with a service that returns everything whatever the page.
func TestEachFlow(t *testing.T) {
	for _, n := range []int{0, 1, flowPage - 1, flowPage, flowPage + 1, 3*flowPage + 7} {
		var all []*weir.Flow
		for i := range n {
			all = append(all, &weir.Flow{ID: fmt.Sprint(i)})
		}
		var biggest int
		paged := &mock.FlowService{FindFlowsFn: func(_ context.Context, f weir.FlowFilter) ([]*weir.Flow, int, error) {
			lo := min(f.Page*f.PerPage, len(all))
			hi := min(lo+f.PerPage, len(all))
			biggest = max(biggest, hi-lo)
			return all[lo:hi], len(all), nil
		}}
		unpaged := &mock.FlowService{FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
			return all, len(all), nil
		}}
		for name, svc := range map[string]weir.FlowService{"paged": paged, "unpaged": unpaged} {
			seen := map[string]int{}
			err := EachFlow(t.Context(), svc, weir.FlowFilter{ApplicationID: "a"}, func(f *weir.Flow) error {
				seen[f.ID]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != n {
				t.Errorf("%s, %d flows: saw %d", name, n, len(seen))
			}
			for id, k := range seen {
				if k != 1 {
					t.Errorf("%s, %d flows: flow %s seen %d times", name, n, id, k)
				}
			}
		}
		if biggest > flowPage {
			t.Errorf("%d flows: a page of %d, want at most %d", n, biggest, flowPage)
		}
	}
}
