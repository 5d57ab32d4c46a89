package engine

import (
	"context"

	"github.com/weirhq/weir"
)

// flowPage is how many flows EachFlow reads at a time.
const flowPage = 1000

// EachFlow calls fn with every flow filter matches, reading them a page at a
// time (filter's own paging is ignored), so that a background scan of
// thousands of flows holds a page of decoded definitions at once rather
// than all of them: the collector's target grows with what is live, and an
// idle server would keep that room. Flows created or deleted meanwhile may
// be missed or seen twice; the callers read the flows' stamp
// (ReadFlowsStamp) first and scan again when it changed.
func EachFlow(ctx context.Context, flows weir.FlowService, filter weir.FlowFilter, fn func(*weir.Flow) error) error {
	// By id, which the stores keep an index of: a page costs no sort.
	filter.ListOptions = weir.ListOptions{PerPage: flowPage, SortField: "id"}
	for page := 0; ; page++ {
		filter.Page = page
		fs, total, err := flows.FindFlows(ctx, filter)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if err := fn(f); err != nil {
				return err
			}
		}
		// The last page, or a service that ignores paging.
		if len(fs) != flowPage || (page+1)*flowPage >= total {
			return nil
		}
	}
}
