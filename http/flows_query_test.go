package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// mustFlowQueryHarness gives application A, besides "Flow one" (cloud, a
// virtual button), the flows "Edge hook" (edge, webhook hook1), "Timer
// flow" (cloud, disabled, timer t1) and "Versioned" (cloud, a virtual
// button in develop, default version v1 with webhook hook2). It returns the
// id of v1.
func mustFlowQueryHarness(t *testing.T) (*harness, string) {
	h := newHarness(t)
	ctx := t.Context()
	add := func(name, class string, enabled bool, triggers ...weir.Trigger) *weir.Flow {
		f := &weir.Flow{ID: weir.NewID(), ApplicationID: h.appA, Name: name, Enabled: enabled, FlowClass: class,
			Definition: weir.Definition{Triggers: triggers, Nodes: []weir.Node{}}}
		if err := h.store.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	add("Edge hook", weir.FlowClassEdge, true, weir.Trigger{Type: "webhook", Key: "hook1"})
	add("Timer flow", weir.FlowClassCloud, false, weir.Trigger{Type: "timer", Key: "t1", Config: json.RawMessage(`{"seconds":60}`)})
	f := add("Versioned", weir.FlowClassCloud, true, weir.Trigger{Type: "virtualButton", Key: "vb"})
	v := &weir.FlowVersion{ApplicationID: h.appA, FlowID: f.ID, Version: "v1", Enabled: true, FlowClass: f.FlowClass,
		Definition: weir.Definition{Triggers: []weir.Trigger{{Type: "webhook", Key: "hook2"}}, Nodes: []weir.Node{}}}
	if err := h.store.CreateFlowVersion(ctx, v, false); err != nil {
		t.Fatal(err)
	}
	f.DefaultVersionID = &v.ID
	if err := h.store.UpdateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	return h, v.ID
}

// flowNames lists a flows answer's flow names after checking it against
// the flows schema.
func flowNames(t *testing.T, b []byte) ([]string, int) {
	t.Helper()
	mustConform(t, "flows", b)
	var got struct {
		Items      []struct{ Name string }
		TotalCount int
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range got.Items {
		names = append(names, it.Name)
	}
	return names, got.TotalCount
}

func TestFlowsGet_Query(t *testing.T) {
	h, v1 := mustFlowQueryHarness(t)
	tests := []struct {
		name, query, extra string
		want               []string
	}{
		{"OK_Name", `{"name":"Timer flow"}`, "", []string{"Timer flow"}},
		{"OK_ReplacesFlowClass", `{"flowClass":"edge"}`, "&flowClass=cloud", []string{"Edge hook"}},
		{"OK_AllClasses", `{}`, "", []string{"Edge hook", "Flow one", "Timer flow", "Versioned"}},
		{"OK_ReplacesFilter", `{"enabled":false}`, "&filter=nothing", []string{"Timer flow"}},
		{"OK_ReplacesTriggerFilter", `{"name":"Flow one"}`, "&triggerFilter[0][type]=timer", []string{"Flow one"}},
		{"OK_DevelopTriggers", `{"triggers":{"type":"webhook"}}`, "", []string{"Edge hook"}},
		{"OK_TriggerConfig", `{"triggers":{"type":"timer","config":{"seconds":60}}}`, "", []string{"Timer flow"}},
		{"OK_DefaultVersionDevelop", `{"defaultVersion":null,"flowClass":"cloud"}`, "", []string{"Flow one", "Timer flow"}},
		{"OK_DefaultVersionID", `{"defaultVersion":"` + v1 + `"}`, "", []string{"Versioned"}},
		{"OK_OrCI", `{"$or":[{"name":{"$startsWith":"edge","$ci":true}},{"enabled":false}]}`, "", []string{"Edge hook", "Timer flow"}},
		{"OK_AllVersionsTriggers", `{"triggers":{"type":"webhook"}}`, "&allVersions=true", []string{"Edge hook", "Versioned"}},
		{"OK_AllVersionsName", `{"name":"v1"}`, "&allVersions=true", []string{"Versioned"}},
		{"OK_AllVersionsFalse", `{"name":"v1"}`, "&allVersions=false", nil},
		{"OK_PagedAfterFilter", `{"enabled":true}`, "&perPage=1&page=1", []string{"Flow one"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", "/applications/"+h.appA+"/flows?query="+url.QueryEscape(tc.query)+tc.extra, h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("list = %d %s, want 200", status, b)
			}
			names, total := flowNames(t, b)
			wantTotal := len(tc.want)
			if tc.name == "OK_PagedAfterFilter" {
				wantTotal = 3
			}
			if diff := cmp.Diff(tc.want, names); diff != "" || total != wantTotal {
				t.Errorf("query %s: totalCount %d (want %d), names (-want +got):\n%s", tc.query, total, wantTotal, diff)
			}
		})
	}
}

func TestFlowsGet_TriggerFilter(t *testing.T) {
	h, _ := mustFlowQueryHarness(t)
	tests := []struct {
		name, params string
		want         []string
	}{
		{"OK_DefaultVersionTriggers", "triggerFilter[0][type]=webhook", []string{"Versioned"}},
		{"OK_WithFlowClass", "triggerFilter[0][type]=webhook&flowClass=edge", []string{"Edge hook"}},
		{"OK_AnyEntry", "triggerFilter[0][type]=timer&triggerFilter[1][key]=hook2", []string{"Timer flow", "Versioned"}},
		{"OK_TypeAndKey", "triggerFilter[0][type]=webhook&triggerFilter[0][key]=t1", nil},
		{"OK_JSON", "triggerFilter=" + url.QueryEscape(`[{"type":"virtualButton"}]`), []string{"Flow one"}},
		{"OK_EmptyJSONSelectsAll", "triggerFilter=" + url.QueryEscape(`[]`), []string{"Flow one", "Timer flow", "Versioned"}},
		{"OK_WithFilter", "triggerFilter[0][type]=timer&filter=flow", []string{"Timer flow"}},
		{"OK_Paged", "triggerFilter[0][type]=timer&triggerFilter[1][type]=virtualButton&perPage=1&page=1", []string{"Timer flow"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", "/applications/"+h.appA+"/flows?"+tc.params, h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("list = %d %s, want 200", status, b)
			}
			names, total := flowNames(t, b)
			wantTotal := len(tc.want)
			if tc.name == "OK_Paged" {
				wantTotal = 2
			}
			if diff := cmp.Diff(tc.want, names); diff != "" || total != wantTotal {
				t.Errorf("%s: totalCount %d (want %d), names (-want +got):\n%s", tc.params, total, wantTotal, diff)
			}
		})
	}
}

func TestFlowsGet_BadQueryErrValidation(t *testing.T) {
	h, _ := mustFlowQueryHarness(t)
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = "triggerFilter[" + strconv.Itoa(i) + "][type]=webhook"
	}
	for _, tc := range []struct{ name, params, msg string }{
		{"ErrQueryNotJSON", "query=" + url.QueryEscape(`{name`), "query is not valid JSON"},
		{"ErrQueryField", "query=" + url.QueryEscape(`{"nope":1}`), ""},
		{"ErrQueryOperator", "query=" + url.QueryEscape(`{"name":{"$regex":"x"}}`), ""},
		{"ErrQueryID", "query=" + url.QueryEscape(`{"id":"short"}`), ""},
		{"ErrQueryVersionField", "query=" + url.QueryEscape(`{"version":"v1"}`), ""},
		{"ErrQueryRepeated", "query=%7B%7D&query=%7B%7D", "query is the wrong type"},
		{"ErrTriggerFilterField", "triggerFilter[0][color]=red", ""},
		{"ErrTriggerFilterNotJSON", "triggerFilter=webhook", "triggerFilter is not valid JSON"},
		{"ErrTriggerFilterObject", "triggerFilter=" + url.QueryEscape(`{"type":"webhook"}`), ""},
		{"ErrTriggerFilterType", "triggerFilter=" + url.QueryEscape(`[{"type":1}]`), ""},
		{"ErrTriggerFilterIndex", "triggerFilter[x][type]=webhook", "triggerFilter is the wrong type"},
		{"ErrTriggerFilterNoField", "triggerFilter[0]=webhook", "triggerFilter is the wrong type"},
		{"ErrTriggerFilterRepeated", "triggerFilter[0][type]=a&triggerFilter[0][type]=b", "triggerFilter is the wrong type"},
		{"ErrTriggerFilterTooMany", strings.Join(tooMany, "&"), ""},
		{"ErrTriggerFilterBadWithQuery", "query=%7B%7D&triggerFilter[0][color]=red", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", "/applications/"+h.appA+"/flows?"+tc.params, h.tokA, nil)
			wantError(t, status, b, 400, weir.Validation, tc.msg)
			_, lb := h.do("GET", "/applications/"+h.appA+"/flows?query=%7B%7D", h.tokA, nil)
			if _, total := flowNames(t, lb); total != 4 {
				t.Errorf("%d flows after the refused request, want all 4", total)
			}
		})
	}
}
