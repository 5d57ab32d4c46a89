package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// mustVersionQueryHarness gives the harness flow versions v1 (enabled, a
// virtual button and a Debug node), v2 (disabled, a timer of 60 s), beta
// (enabled, a webhook trigger and a Debug node) and v10 (empty).
func mustVersionQueryHarness(t *testing.T) (*harness, map[string]string) {
	h := newHarness(t)
	ids := map[string]string{}
	for name, body := range map[string]string{
		"v1":   `{"version":"v1","notes":"first"}`,
		"v2":   `{"version":"v2","enabled":false,"triggers":[{"type":"timer","key":"t1","config":{"seconds":60},"outputIds":[]}],"nodes":[]}`,
		"beta": `{"version":"beta","triggers":[{"type":"webhook","key":"` + weir.NewID() + `","config":{},"outputIds":[[]]}]}`,
		"v10":  `{"version":"v10","triggers":[],"nodes":[]}`,
	} {
		ids[name] = h.mustPostVersion(body).ID
	}
	return h, ids
}

// versionNames lists a flowVersions answer's version names.
func versionNames(t *testing.T, b []byte) ([]string, int) {
	t.Helper()
	mustConform(t, "flowVersions", b)
	var got struct {
		Items      []struct{ Version string }
		TotalCount int
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range got.Items {
		names = append(names, it.Version)
	}
	return names, got.TotalCount
}

func TestFlowVersionsGet_Query(t *testing.T) {
	h, ids := mustVersionQueryHarness(t)
	tests := []struct {
		name, query string
		extra       string
		want        []string
		total       int
	}{
		{"OK_Equal", `{"version":"v1"}`, "", []string{"v1"}, 1},
		{"OK_NameAlias", `{"name":"beta"}`, "", []string{"beta"}, 1},
		{"OK_Enabled", `{"enabled":false}`, "", []string{"v2"}, 1},
		{"OK_StartsWithCI", `{"version":{"$startsWith":"V","$ci":true}}`, "", []string{"v1", "v10", "v2"}, 3},
		{"OK_StartsWithCaseSensitive", `{"version":{"$startsWith":"V"}}`, "", nil, 0},
		{"OK_InNin", `{"version":{"$in":["v1","v2","nope"],"$nin":["v2"]}}`, "", []string{"v1"}, 1},
		{"OK_Ne", `{"version":{"$ne":"v1"}}`, "", []string{"beta", "v10", "v2"}, 3},
		{"OK_Range", `{"version":{"$gt":"v1","$lte":"v2"}}`, "", []string{"v10", "v2"}, 2},
		{"OK_ID", `{"id":"` + ids["beta"] + `"}`, "", []string{"beta"}, 1},
		{"OK_Or", `{"$or":[{"version":"v1"},{"enabled":false}]}`, "", []string{"v1", "v2"}, 2},
		{"OK_AndNor", `{"$and":[{"enabled":true}],"$nor":[{"version":"beta"}]}`, "", []string{"v1", "v10"}, 2},
		{"OK_TriggerType", `{"triggers":{"type":"timer"}}`, "", []string{"v2"}, 1},
		{"OK_TriggerConfig", `{"triggers":{"type":"timer","config":{"seconds":60}}}`, "", []string{"v2"}, 1},
		{"OK_TriggerConfigMismatch", `{"triggers":{"type":"timer","config":{"seconds":61}}}`, "", nil, 0},
		{"OK_TriggerNe", `{"triggers":{"$ne":{"type":"virtualButton"}}}`, "", []string{"beta", "v10", "v2"}, 3},
		{"OK_Nodes", `{"nodes":{"$eq":{"type":"DebugNode"}}}`, "", []string{"beta", "v1"}, 2},
		{"OK_CreationDate", `{"creationDate":{"$lte":"2100-01-01T00:00:00Z","$gt":0}}`, "", []string{"beta", "v1", "v10", "v2"}, 4},
		{"OK_PagedAfterFilter", `{"enabled":true}`, "&perPage=1&page=1&sortDirection=desc", []string{"v1"}, 3},
		{"OK_WithFilter", `{"enabled":true}`, "&filter=v*", []string{"v1", "v10"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/versions?query="+url.QueryEscape(tc.query)+tc.extra), h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("list = %d %s, want 200", status, b)
			}
			names, total := versionNames(t, b)
			if diff := cmp.Diff(tc.want, names); diff != "" || total != tc.total {
				t.Errorf("query %s: totalCount %d (want %d), names (-want +got):\n%s", tc.query, total, tc.total, diff)
			}
		})
	}
}

func TestFlowVersionsDelete(t *testing.T) {
	t.Run("OK_RemovesMatches", func(t *testing.T) {
		h, ids := mustVersionQueryHarness(t)
		v1 := ids["v1"]
		h.setDefaultVersion(&v1)
		status, b := h.do("POST", h.flowPath("/versions/delete"), h.tokA, `{"query":{"version":{"$startsWith":"v"}},"email":"a@example.com"}`)
		if status != http.StatusOK {
			t.Fatalf("delete = %d %s, want 200", status, b)
		}
		mustConform(t, "bulkDeleteResponse", b)
		if got := decode(t, b); got["removed"] != 2.0 || got["failed"] != 1.0 {
			t.Errorf("delete = %s, want 2 removed (v2, v10) and 1 failed (v1, the default)", b)
		}
		_, lb := h.do("GET", h.flowPath("/versions"), h.tokA, nil)
		if names, _ := versionNames(t, lb); !slices.Equal(names, []string{"beta", "v1"}) {
			t.Errorf("left versions %v, want beta and v1", names)
		}
	})
	t.Run("OK_NothingMatches", func(t *testing.T) {
		h, _ := mustVersionQueryHarness(t)
		status, b := h.do("POST", h.flowPath("/versions/delete"), h.tokA, `{"query":{"version":"nope"}}`)
		if got := decode(t, b); status != 200 || got["removed"] != 0.0 || got["failed"] != 0.0 {
			t.Fatalf("delete = %d %s, want 200 nothing removed", status, b)
		}
	})
	for _, tc := range []struct{ name, body, msg string }{
		{"ErrQueryRequired", `{}`, "options.query is required"},
		{"ErrBadQueryField", `{"query":{"nope":1}}`, ""},
		{"ErrBadOperator", `{"query":{"version":{"$regex":"x"}}}`, ""},
		{"ErrExtraField", `{"query":{},"extra":1}`, "options has additional properties"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := mustVersionQueryHarness(t)
			status, b := h.do("POST", h.flowPath("/versions/delete"), h.tokA, tc.body)
			wantError(t, status, b, 400, weir.Validation, tc.msg)
			_, lb := h.do("GET", h.flowPath("/versions"), h.tokA, nil)
			if _, total := versionNames(t, lb); total != 4 {
				t.Errorf("%d versions left, want all 4", total)
			}
		})
	}
	t.Run("ErrFlowNotFound", func(t *testing.T) {
		h, _ := mustVersionQueryHarness(t)
		status, b := h.do("POST", "/applications/"+h.appA+"/flows/"+weir.NewID()+"/versions/delete", h.tokA, `{"query":{}}`)
		wantError(t, status, b, 404, weir.NotFound, "Flow was not found")
	})
}
