package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// versionDoc is what the tests read of a flowVersion response.
type versionDoc struct {
	ID, FlowVersionID, FlowID, ApplicationID, Version, Notes, FlowClass, Type string
	Enabled                                                                   bool
	Triggers                                                                  []weir.Trigger
	Nodes                                                                     []weir.Node
	Links                                                                     map[string]struct{ Href string } `json:"_links"`
}

func decodeVersion(t *testing.T, b []byte) versionDoc {
	t.Helper()
	mustConform(t, "flowVersion", b)
	var v versionDoc
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	v.Type, _ = m["_type"].(string)
	return v
}

// mustPostVersion creates a version of the harness flow through the API.
func (h *harness) mustPostVersion(body string) versionDoc {
	h.t.Helper()
	status, b := h.do("POST", h.flowPath("/versions"), h.tokA, body)
	if status != http.StatusCreated {
		h.t.Fatalf("post version %s = %d %s, want 201", body, status, b)
	}
	return decodeVersion(h.t, b)
}

// setDefaultVersion makes id (nil: develop) the harness flow's default.
func (h *harness) setDefaultVersion(id *string) {
	h.t.Helper()
	f, err := h.store.FindFlowByID(h.t.Context(), h.appA, h.flow.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	f.DefaultVersionID = id
	if err := h.store.UpdateFlow(h.t.Context(), f); err != nil {
		h.t.Fatal(err)
	}
}

func TestFlowVersionsPost(t *testing.T) {
	t.Run("OKSnapshotsDevelop", func(t *testing.T) {
		h := newHarness(t)
		v := h.mustPostVersion(`{"version":"v1","notes":"first"}`)
		if !weir.ValidID(v.ID) || v.FlowVersionID != v.ID || v.FlowID != h.flow.ID || v.ApplicationID != h.appA ||
			v.Version != "v1" || v.Notes != "first" || !v.Enabled || v.FlowClass != "cloud" || v.Type != "flowVersion" {
			t.Fatalf("version = %+v", v)
		}
		if want := h.flowPath("/versions/" + v.ID); v.Links["self"].Href != want {
			t.Errorf("self link = %q, want %q", v.Links["self"].Href, want)
		}
		if len(v.Triggers) != 1 || v.Triggers[0].Key != h.button || len(v.Nodes) != 1 || v.Nodes[0].ID != "n1" {
			t.Errorf("definition = %+v %+v, want develop's", v.Triggers, v.Nodes)
		}
	})
	t.Run("OKBodyDefinition", func(t *testing.T) {
		h := newHarness(t)
		v := h.mustPostVersion(`{"version":"v1","enabled":false,"triggers":[{"type":"virtualButton","outputIds":[]}],"nodes":[]}`)
		if v.Enabled || len(v.Nodes) != 0 || len(v.Triggers) != 1 || !strings.HasPrefix(v.Triggers[0].Key, h.flow.ID+"-") || v.Triggers[0].Key == h.button {
			t.Fatalf("version = %+v, want disabled, no nodes, one new button key", v)
		}
	})
	t.Run("OKReplacement", func(t *testing.T) {
		h := newHarness(t)
		v1 := h.mustPostVersion(`{"version":"v1"}`)
		status, b := h.do("POST", h.flowPath("/versions?allowReplacement=true"), h.tokA, `{"version":"v1","notes":"again","nodes":[],"triggers":[]}`)
		if status != http.StatusCreated {
			t.Fatalf("replace = %d %s", status, b)
		}
		v := decodeVersion(t, b)
		if v.ID != v1.ID || v.Notes != "again" || len(v.Nodes) != 0 {
			t.Fatalf("replacement = %+v, want id %s with the new content", v, v1.ID)
		}
	})
	tests := []struct {
		name, path, body string
		status           int
		typ              weir.ErrorType
		msg              string
	}{
		{"ErrNameTaken", "/versions", `{"version":"v1"}`, 400, weir.Validation, "Flow version v1 already exists"},
		{"ErrDevelop", "/versions", `{"version":"develop"}`, 400, weir.Validation, ""},
		{"ErrDefault", "/versions?allowReplacement=true", `{"version":"default"}`, 400, weir.Validation, ""},
		{"ErrEmptyName", "/versions", `{"version":""}`, 400, weir.Validation, "flowVersion.version has less length than allowed"},
		{"ErrNameRequired", "/versions", `{"notes":"x"}`, 400, weir.Validation, "flowVersion.version is required"},
		{"ErrAdditional", "/versions", `{"version":"v2","name":"x"}`, 400, weir.Validation, "flowVersion has additional properties"},
		{"ErrWiring", "/versions", `{"version":"v2","nodes":[]}`, 400, weir.Validation, "Referenced output ID n1 does not exist."},
		{"ErrAllowReplacement", "/versions?allowReplacement=maybe", `{"version":"v2"}`, 400, weir.Validation, "allowReplacement is the wrong type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.mustPostVersion(`{"version":"v1"}`)
			status, b := h.do("POST", h.flowPath(tc.path), h.tokA, tc.body)
			wantError(t, status, b, tc.status, tc.typ, tc.msg)
		})
	}
	t.Run("ErrFlowNotFound", func(t *testing.T) {
		h := newHarness(t)
		status, b := h.do("POST", "/applications/"+h.appA+"/flows/"+weir.NewID()+"/versions", h.tokA, `{"version":"v1"}`)
		wantError(t, status, b, 404, weir.NotFound, "Flow was not found")
	})
	t.Run("ErrOtherApplication", func(t *testing.T) {
		h := newHarness(t)
		status, b := h.do("POST", h.flowPath("/versions"), h.tokB, `{"version":"v1"}`)
		wantError(t, status, b, 404, weir.NotFound, "Application was not found")
	})
}

func TestFlowVersionsGet(t *testing.T) {
	h := newHarness(t)
	for _, name := range []string{"v2", "beta", "v1"} {
		h.mustPostVersion(`{"version":"` + name + `"}`)
	}
	tests := []struct {
		name, query string
		want        []string
		total       int
	}{
		{"OKDefaultSort", "", []string{"beta", "v1", "v2"}, 3},
		{"OKDesc", "?sortDirection=desc", []string{"v2", "v1", "beta"}, 3},
		{"OKFilter", "?filter=v*", []string{"v1", "v2"}, 2},
		{"OKFilterField", "?filterField=version&filter=BET", []string{"beta"}, 1},
		{"OKPage", "?perPage=1&page=1", []string{"v1"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/versions"+tc.query), h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("list = %d %s", status, b)
			}
			mustConform(t, "flowVersions", b)
			var got struct {
				Items []struct {
					Version string
				}
				Count, TotalCount int
				SortField, Type   string
				FlowID            string
			}
			_ = json.Unmarshal(b, &got)
			var names []string
			for _, it := range got.Items {
				names = append(names, it.Version)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" || got.TotalCount != tc.total || got.Count != len(tc.want) ||
				got.SortField != "version" || got.FlowID != h.flow.ID {
				t.Fatalf("list = %s\nnames diff (-want +got):\n%s", b, diff)
			}
		})
	}
	for _, q := range []string{"?sortField=name", "?filterField=name&filter=x", "?query=nope", `?query={"nope":1}`,
		`?query={"version":{"$startsWith":""}}`, `?query={"$or":[{"id":"x"}]}`} {
		t.Run("Err"+q, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/versions"+q), h.tokA, nil)
			wantError(t, status, b, 400, weir.Validation, "")
		})
	}
	t.Run("ErrFlowNotFound", func(t *testing.T) {
		status, b := h.do("GET", "/applications/"+h.appA+"/flows/"+weir.NewID()+"/versions", h.tokA, nil)
		wantError(t, status, b, 404, weir.NotFound, "Flow was not found")
	})
}

func TestFlowVersionGetPatchDelete(t *testing.T) {
	h := newHarness(t)
	v := h.mustPostVersion(`{"version":"release 1.0","notes":"n"}`)
	byName := "/versions/" + url.PathEscape("release 1.0")

	for _, p := range []string{"/versions/" + v.ID, "/versions/" + strings.ToUpper(v.ID), byName} {
		status, b := h.do("GET", h.flowPath(p), h.tokA, nil)
		if status != http.StatusOK {
			t.Fatalf("get %s = %d %s", p, status, b)
		}
		if got := decodeVersion(t, b); got.ID != v.ID {
			t.Fatalf("get %s = version %s, want %s", p, got.ID, v.ID)
		}
	}

	status, b := h.do("PATCH", h.flowPath(byName), h.tokA, `{"notes":"changed","enabled":false}`)
	if status != http.StatusOK {
		t.Fatalf("patch = %d %s", status, b)
	}
	if got := decodeVersion(t, b); got.Notes != "changed" || got.Enabled || len(got.Nodes) != 1 {
		t.Fatalf("patched = %+v, want notes changed, disabled, definition kept", got)
	}

	errs := []struct {
		name, method, path, body string
		status                   int
		typ                      weir.ErrorType
		msg                      string
	}{
		{"GetErrNotFound", "GET", "/versions/v9", "", 404, weir.NotFound, "Flow version was not found"},
		{"GetErrDevelop", "GET", "/versions/develop", "", 404, weir.NotFound, "Flow version was not found"},
		{"GetErrTooLong", "GET", "/versions/" + strings.Repeat("x", 256), "", 400, weir.Validation, "flowVersionId must be between 1 and 255 characters"},
		{"PatchErrImmutable", "PATCH", "/versions/" + v.ID, `{"nodes":[]}`, 400, weir.Validation, "flowVersion has additional properties"},
		{"PatchErrType", "PATCH", "/versions/" + v.ID, `{"enabled":"yes"}`, 400, weir.Validation, "flowVersion.enabled is the wrong type"},
		{"PatchErrNotFound", "PATCH", "/versions/v9", `{"notes":""}`, 404, weir.NotFound, "Flow version was not found"},
		{"DeleteErrDevelop", "DELETE", "/versions/develop", "", 400, weir.Validation, "The develop version cannot be deleted"},
		{"DeleteErrNotFound", "DELETE", "/versions/" + weir.NewID(), "", 404, weir.NotFound, "Flow version was not found"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			status, b := h.do(tc.method, h.flowPath(tc.path), h.tokA, body)
			wantError(t, status, b, tc.status, tc.typ, tc.msg)
		})
	}

	t.Run("DeleteErrDefault", func(t *testing.T) {
		h.setDefaultVersion(&v.ID)
		defer h.setDefaultVersion(nil)
		status, b := h.do("DELETE", h.flowPath(byName), h.tokA, nil)
		wantError(t, status, b, 400, weir.Validation, "The default version of a flow cannot be deleted")
	})
	t.Run("DeleteOK", func(t *testing.T) {
		status, b := h.do("DELETE", h.flowPath(byName), h.tokA, "{}")
		if status != http.StatusOK {
			t.Fatalf("delete = %d %s", status, b)
		}
		mustConform(t, "success", b)
		status, b = h.do("GET", h.flowPath("/versions/"+v.ID), h.tokA, nil)
		wantError(t, status, b, 404, weir.NotFound, "Flow version was not found")
	})
}

func TestFlowDefaultVersion(t *testing.T) {
	h := newHarness(t)
	v := h.mustPostVersion(`{"version":"v1"}`)
	other := h.mustFlow(h.appA, "Other")
	otherV := &weir.FlowVersion{ApplicationID: h.appA, FlowID: other.ID, Version: "ov", Definition: other.Definition}
	if err := h.store.CreateFlowVersion(t.Context(), otherV, false); err != nil {
		t.Fatal(err)
	}

	status, b := h.do("PATCH", h.flowPath(""), h.tokA, `{"defaultVersionId":"`+strings.ToUpper(v.ID)+`"}`)
	if status != http.StatusOK {
		t.Fatalf("patch defaultVersionId = %d %s", status, b)
	}
	mustConform(t, "flow", b)
	status, b = h.do("GET", h.flowPath(""), h.tokA, nil)
	mustConform(t, "flow", b)
	if got := decode(t, b)["defaultVersionId"]; status != http.StatusOK || got != v.ID {
		t.Fatalf("flow get = %d, defaultVersionId %v; want %s", status, got, v.ID)
	}

	for name, id := range map[string]string{"Unknown": weir.NewID(), "OtherFlows": otherV.ID} {
		t.Run("Err"+name, func(t *testing.T) {
			status, b := h.do("PATCH", h.flowPath(""), h.tokA, `{"defaultVersionId":"`+id+`"}`)
			wantError(t, status, b, 400, weir.Validation, "flow.defaultVersionId does not name a version of this flow")
		})
	}
	t.Run("ErrByName", func(t *testing.T) {
		status, b := h.do("PATCH", h.flowPath(""), h.tokA, `{"defaultVersionId":"v1"}`)
		wantError(t, status, b, 400, weir.Validation, "")
	})

	status, b = h.do("PATCH", h.flowPath(""), h.tokA, `{"defaultVersionId":null}`)
	if _, set := decode(t, b)["defaultVersionId"]; status != http.StatusOK || set {
		t.Fatalf("patch null = %d %s, want 200 without defaultVersionId", status, b)
	}
}

func TestFlowVersionCascade(t *testing.T) {
	h := newHarness(t)
	v := h.mustPostVersion(`{"version":"v1"}`)
	if status, b := h.do("DELETE", h.flowPath(""), h.tokA, nil); status != http.StatusOK {
		t.Fatalf("delete flow = %d %s", status, b)
	}
	if _, err := h.store.FindFlowVersion(t.Context(), h.appA, h.flow.ID, v.ID); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Fatalf("version after its flow was deleted: %v, want NotFound", err)
	}
}

func TestFlowVersionLogsStatsErrors(t *testing.T) {
	h := newHarness(t)
	v := h.mustPostVersion(`{"version":"v1"}`)
	fail := weir.RunError{Time: testNow.Add(-5 * time.Minute), NodeID: "n1", NodeLabel: "Debug", FlowVersion: "v1",
		FlowVersionID: v.ID, Error: weir.ErrorDetails{Name: "Error", Message: "boom"}}
	h.store.logs[h.flow.ID] = []*weir.LogEntry{
		{FlowVersion: "v1", FlowVersionID: v.ID, Time: testNow.Add(-5 * time.Minute), RunCount: 1, PathsFailed: 1, Errors: []weir.RunError{fail}},
		{FlowVersion: "develop", FlowVersionID: "develop", Time: testNow.Add(-6 * time.Minute), RunCount: 1, PathsCompleted: 1},
		{FlowVersion: "v1", FlowVersionID: v.ID, Time: testNow.Add(-7 * time.Minute), RunCount: 1, PathsCompleted: 1},
	}
	logs := []struct {
		name, version string
		wantIDs       []string
	}{
		{"ByID", v.ID, []string{v.ID, v.ID}},
		{"ByName", "v1", []string{v.ID, v.ID}},
		{"Develop", "develop", []string{"develop"}},
	}
	for _, tc := range logs {
		t.Run("Logs"+tc.name, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/versions/"+tc.version+"/logs?limit=10"), h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("logs = %d %s", status, b)
			}
			mustConform(t, "flowLog", b)
			var got []struct{ FlowVersionID string }
			_ = json.Unmarshal(b, &got)
			var ids []string
			for _, e := range got {
				ids = append(ids, e.FlowVersionID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Fatalf("log versions (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("LogsErrNotFound", func(t *testing.T) {
		status, b := h.do("GET", h.flowPath("/versions/v9/logs"), h.tokA, nil)
		wantError(t, status, b, 404, weir.NotFound, "Flow version was not found")
	})

	t.Run("StatsOK", func(t *testing.T) {
		status, b := h.do("GET", h.flowPath("/versions/v1/stats?flowVersion=develop"), h.tokA, nil)
		if status != http.StatusOK {
			t.Fatalf("stats = %d %s", status, b)
		}
		mustConform(t, "flowStats", b)
		var got struct {
			FlowVersion, FlowVersionID string
			Metrics                    []struct{ RunCount int }
		}
		_ = json.Unmarshal(b, &got)
		runs := 0
		for _, m := range got.Metrics {
			runs += m.RunCount
		}
		if got.FlowVersion != "v1" || got.FlowVersionID != v.ID || runs != 2 {
			t.Fatalf("stats = %s, want v1 (%s) with 2 runs", b, v.ID)
		}
	})
	t.Run("FlowStatsByVersionOK", func(t *testing.T) {
		status, b := h.do("GET", h.flowPath("/stats?flowVersion="+v.ID), h.tokA, nil)
		mustConform(t, "flowStats", b)
		if m := decode(t, b); status != http.StatusOK || m["flowVersion"] != "v1" || m["flowVersionId"] != v.ID {
			t.Fatalf("flow stats for a version = %d %s", status, b)
		}
	})
	t.Run("ErrorsOK", func(t *testing.T) {
		status, b := h.do("GET", h.flowPath("/versions/"+v.ID+"/errors"), h.tokA, nil)
		if status != http.StatusOK {
			t.Fatalf("errors = %d %s", status, b)
		}
		mustConform(t, "flowErrors", b)
		var got struct {
			FlowVersion string
			Errors      []struct{ FlowVersion, FlowVersionID, NodeID string }
		}
		_ = json.Unmarshal(b, &got)
		if got.FlowVersion != "v1" || len(got.Errors) != 1 || got.Errors[0].FlowVersionID != v.ID {
			t.Fatalf("errors = %s", b)
		}
	})
	t.Run("StatsErrNotFound", func(t *testing.T) {
		status, b := h.do("GET", h.flowPath("/versions/v9/stats"), h.tokA, nil)
		wantError(t, status, b, 404, weir.NotFound, "Flow version was not found")
	})
}

func TestButtonPressVersions(t *testing.T) {
	// The harness flow's develop button is h.button; version v1 snapshots
	// it, version v2 has a button of its own, version off is disabled.
	setup := func(t *testing.T) (h *harness, v1, v2 versionDoc) {
		h = newHarness(t)
		v1 = h.mustPostVersion(`{"version":"v1"}`)
		v2 = h.mustPostVersion(`{"version":"v2","triggers":[{"type":"virtualButton","key":"` + h.flow.ID + `-v2button","outputIds":[["n1"]]}]}`)
		h.mustPostVersion(`{"version":"off","enabled":false}`)
		return h, v1, v2
	}
	press := func(h *harness, body string) (int, []byte) {
		return h.do("POST", h.flowPath("/virtualButton"), h.tokA, strings.ReplaceAll(body, "{key}", h.button))
	}
	tests := []struct {
		name        string
		dflt        string // "", "v1" or "v2": the flow's default version
		body        string
		wantVersion string // "" when no run is queued
		status      int
		msg         string
	}{
		{"OKDevelopDefault", "", `{"key":"{key}"}`, "develop", 200, ""},
		{"OKDefaultVersion", "v1", `{"key":"{key}"}`, "v1", 200, ""},
		{"OKNamed", "", `{"key":"{key}","flowVersion":"v1"}`, "v1", 200, ""},
		{"OKDevelopOverDefault", "v1", `{"key":"{key}","flowVersion":"develop"}`, "develop", 200, ""},
		{"OKVersionsOwnButton", "", `{"key":"{flow}-v2button","flowVersion":"v2"}`, "v2", 200, ""},
		{"OKDisabledVersion", "", `{"key":"{key}","flowVersion":"off"}`, "", 200, ""},
		{"ErrUnknownVersion", "", `{"key":"{key}","flowVersion":"v9"}`, "", 404, "Flow version was not found"},
		{"ErrButtonNotInVersion", "v2", `{"key":"{key}"}`, "", 404, "Virtual button was not found"},
		{"ErrVersionButtonNotInDevelop", "", `{"key":"{flow}-v2button"}`, "", 404, "Virtual button was not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, v1, v2 := setup(t)
			switch tc.dflt {
			case "v1":
				h.setDefaultVersion(&v1.ID)
			case "v2":
				h.setDefaultVersion(&v2.ID)
			}
			status, b := press(h, strings.ReplaceAll(tc.body, "{flow}", h.flow.ID))
			if tc.status != http.StatusOK {
				wantError(t, status, b, tc.status, weir.NotFound, tc.msg)
			} else if status != http.StatusOK {
				t.Fatalf("press = %d %s, want 200", status, b)
			}
			runs := h.store.queued()
			if tc.wantVersion == "" {
				if len(runs) != 0 {
					t.Fatalf("queued %d runs, want none", len(runs))
				}
				return
			}
			if len(runs) != 1 || runs[0].FlowVersion != tc.wantVersion {
				t.Fatalf("queued %+v, want one run of %s", runs, tc.wantVersion)
			}
		})
	}
}

// TestFlowVersionScopes checks the scope decision of every version action.
func TestFlowVersionScopes(t *testing.T) {
	actions := []struct {
		name, method, path, body string
		read                     bool
		own                      string // the action's own scope
	}{
		{"flowVersions.get", "GET", "/versions", "", true, "flowVersions.get"},
		{"flowVersions.post", "POST", "/versions", `{"version":"new"}`, false, "flowVersions.post"},
		{"flowVersion.get", "GET", "/versions/v1", "", true, "flowVersion.get"},
		{"flowVersion.patch", "PATCH", "/versions/v1", `{"notes":"x"}`, false, "flowVersion.patch"},
		{"flowVersion.getLogEntries", "GET", "/versions/v1/logs", "", true, "flowVersion.log"},
		{"flowVersion.stats", "GET", "/versions/v1/stats", "", true, "flowVersion.stats"},
		{"flowVersion.errors", "GET", "/versions/v1/errors", "", true, "flowVersion.errors"},
		{"flowVersion.delete", "DELETE", "/versions/v1", "", false, "flowVersion.delete"},
	}
	for _, a := range actions {
		t.Run(a.name, func(t *testing.T) {
			resource := a.name[:strings.Index(a.name, ".")]
			scopes := []struct {
				scope string
				allow bool
			}{
				{"all.Application", true},
				{"all.Application.read", a.read},
				{resource + ".*", true},
				{a.own, true},
				{"flow.*", false},
				{"flowVersion.getLogEntries", false},
			}
			for _, sc := range scopes {
				h := newHarness(t)
				h.mustPostVersion(`{"version":"v1"}`)
				tok := h.token(weir.OwnerApplication, h.appA, sc.scope)
				var body any
				if a.body != "" {
					body = a.body
				}
				status, b := h.do(a.method, h.flowPath(a.path), tok, body)
				if allowed := status != http.StatusForbidden && status != http.StatusUnauthorized; allowed != sc.allow {
					t.Errorf("scope %q: status %d (%s), want allowed=%v", sc.scope, status, b, sc.allow)
				}
				if sc.allow && status >= 300 {
					t.Errorf("scope %q: status %d (%s), want success", sc.scope, status, b)
				}
			}
		})
	}
}
