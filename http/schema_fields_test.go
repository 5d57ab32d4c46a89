package http_test

import (
	"slices"
	"testing"

	weirhttp "github.com/weirhq/weir/http"
)

// TestSchemaFields checks the body fields importers are told weir takes.
func TestSchemaFields(t *testing.T) {
	got, ok := weirhttp.SchemaFields("experienceEndpointPost")
	if !ok || !slices.Contains(got, "route") || slices.Contains(got, "enableStaticReplyIfFlowsUnavailable") || !slices.IsSorted(got) {
		t.Errorf("SchemaFields(experienceEndpointPost) = %v, %v; want sorted, with route, without enableStaticReplyIfFlowsUnavailable", got, ok)
	}
	if got, ok := weirhttp.SchemaFields("noSuchSchema"); ok || got != nil {
		t.Errorf("SchemaFields(noSuchSchema) = %v, %v; want none", got, ok)
	}
}
