package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
)

const (
	oldCaller = "5f0c5a8e1c9d440000a1b2c3"
	oldTarget = "5f0c5a8e1c9d440000a1b2c4"
)

// importBody holds a flow calling another flow's virtual button, and that
// flow, enabled explicitly.
var importBody = `{"flows": [
  {"id": "` + oldCaller + `", "name": "Caller",
   "triggers": [{"type": "timer", "key": "7Q5JXpfGQ2fZFUcuecRow", "config": {"seconds": 60}, "outputIds": [["call"]]}],
   "nodes": [{"id": "call", "type": "WorkflowTriggerNode", "config": {"flowId": "` + oldTarget + `", "triggerId": "` + oldTarget + `-0teBa51_yZl6G__"},
              "meta": {"x": 1, "label": "Call"}, "outputIds": [[]]}]},
  {"id": "` + oldTarget + `", "name": "Target", "enabled": true, "flowClass": "cloud",
   "triggers": [{"type": "virtualButton", "key": "` + oldTarget + `-0teBa51_yZl6G__", "meta": {"label": "Go"}},
                {"type": "virtualButton"}],
   "globals": [{"key": "limit", "json": "5"}]}
]}`

func TestFlowsImport(t *testing.T) {
	h := newHarness(t)
	path := "/applications/" + h.appA + "/flows/import"

	t.Run("OK", func(t *testing.T) {
		status, b := h.do("POST", path, h.tokA, importBody)
		if status != http.StatusCreated {
			t.Fatalf("import = %d %s, want 201", status, b)
		}
		mustConformImport(t, b)
		var got struct {
			Flows []struct {
				ID, ApplicationID, Name, FlowClass string
				Enabled                            bool
				Triggers                           []weir.Trigger
				Nodes                              []weir.Node
				Globals                            []weir.Global
			}
			FlowVersions         []any
			ImportedFlowIDMap    map[string]string `json:"importedFlowIdMap"`
			ImportedVersionIDMap map[string]string `json:"importedVersionIdMap"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Flows) != 2 || len(got.FlowVersions) != 0 || len(got.ImportedVersionIDMap) != 0 {
			t.Fatalf("import = %s, want 2 flows and no versions", b)
		}
		caller, target := got.Flows[0], got.Flows[1]
		wantMap := map[string]string{oldCaller: caller.ID, oldTarget: target.ID}
		if diff := cmp.Diff(wantMap, got.ImportedFlowIDMap); diff != "" {
			t.Errorf("importedFlowIdMap (-want +got):\n%s", diff)
		}
		if caller.ID == oldCaller || !weir.ValidID(caller.ID) || caller.ApplicationID != h.appA {
			t.Errorf("caller id %s app %s, want a new id in %s", caller.ID, caller.ApplicationID, h.appA)
		}
		if caller.Enabled || !target.Enabled || caller.FlowClass != "cloud" {
			t.Errorf("enabled = %v, %v; want false by default, true when the body says so", caller.Enabled, target.Enabled)
		}
		newKey := target.ID + "-0teBa51_yZl6G__"
		if target.Triggers[0].Key != newKey || !strings.HasPrefix(target.Triggers[1].Key, target.ID+"-") {
			t.Errorf("button keys = %q, %q; want %q and a generated one", target.Triggers[0].Key, target.Triggers[1].Key, newKey)
		}
		if caller.Triggers[0].Key != "7Q5JXpfGQ2fZFUcuecRow" {
			t.Errorf("timer key = %q, want it kept", caller.Triggers[0].Key)
		}
		var cfg struct{ FlowID, TriggerID string }
		_ = json.Unmarshal(caller.Nodes[0].Config, &cfg)
		if cfg.FlowID != target.ID || cfg.TriggerID != newKey {
			t.Errorf("WorkflowTriggerNode config = %s, want flowId %s, triggerId %s", caller.Nodes[0].Config, target.ID, newKey)
		}
		if string(caller.Nodes[0].Meta) != `{"x":1,"label":"Call"}` || len(target.Globals) != 1 {
			t.Errorf("meta %s globals %v, want them kept", caller.Nodes[0].Meta, target.Globals)
		}
		stored, err := h.store.FindFlowByID(t.Context(), h.appA, target.ID)
		if err != nil || stored.Triggers[0].Key != newKey || !stored.Enabled {
			t.Errorf("stored target = %+v, %v", stored, err)
		}
	})

	t.Run("OKEmpty", func(t *testing.T) {
		status, b := h.do("POST", path, h.tokA, `{}`)
		if status != http.StatusCreated {
			t.Fatalf("import {} = %d %s, want 201", status, b)
		}
		mustConformImport(t, b)
		if want := `{"flows":[],"flowVersions":[],"importedFlowIdMap":{},"importedVersionIdMap":{}}`; strings.TrimSpace(string(b)) != want {
			t.Errorf("import {} = %s, want %s", b, want)
		}
	})

	t.Run("OKScope", func(t *testing.T) {
		tok := h.token(weir.OwnerApplication, h.appA, "flows.import")
		if status, b := h.do("POST", path, tok, `{"flows":[{"name":"scoped"}]}`); status != http.StatusCreated {
			t.Errorf("import with scope flows.import = %d %s, want 201", status, b)
		}
	})

	for _, tc := range []struct {
		name, body, token string
		status            int
		typ               weir.ErrorType
		msg               string
	}{
		{"ErrInvalidFlow", `{"flows":[{"name":"good"},{"name":"bad","nodes":[{"id":"a","type":"DebugNode","outputIds":[["zz"]]}]}]}`,
			h.tokA, 400, weir.Validation, "flows.1: Referenced output ID zz does not exist."},
		{"ErrSchema", `{"flows":[{"name":"good"},{"description":"no name"}]}`, h.tokA, 400, weir.Validation, "importData.flows.1.name is required"},
		{"ErrVersions", `{"flows":[{"name":"good"}],"flowVersions":[{"version":"v1"}]}`, h.tokA, 400, weir.Validation, "flow versions are not supported yet"},
		{"ErrDuplicateIDs", `{"flows":[{"id":"` + oldCaller + `","name":"a"},{"id":"` + oldCaller + `","name":"b"}]}`, h.tokA, 400, weir.Validation, "flows contains the same id twice"},
		{"ErrNoBody", ``, h.tokA, 400, weir.Validation, "importData is required"},
		{"ErrNoToken", `{"flows":[{"name":"x"}]}`, "", 403, weir.Forbidden, ""},
		{"ErrBadToken", `{"flows":[{"name":"x"}]}`, "not.a.token", 401, weir.Unauthorized, ""},
		{"ErrScope", `{"flows":[{"name":"x"}]}`, h.token(weir.OwnerApplication, h.appA, "flows.get"), 403, weir.Forbidden, ""},
		{"ErrOtherApplication", `{"flows":[{"name":"x"}]}`, h.tokB, 404, weir.NotFound, "Application was not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, before, _ := h.store.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: h.appA, ListOptions: weir.ListOptions{PerPage: 1000}})
			status, b := h.do("POST", path, tc.token, tc.body)
			wantError(t, status, b, tc.status, tc.typ, tc.msg)
			_, after, _ := h.store.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: h.appA, ListOptions: weir.ListOptions{PerPage: 1000}})
			if after != before {
				t.Errorf("flows in application: %d before, %d after a refused import", before, after)
			}
		})
	}
}

// failingFlows fails the CreateFlow call number failOn (1-based).
type failingFlows struct {
	*memStore
	calls, failOn int
}

func (f *failingFlows) CreateFlow(ctx context.Context, fl *weir.Flow) error {
	if f.calls++; f.calls == f.failOn {
		return weir.Errorf(weir.Validation, "store refused the flow")
	}
	return f.memStore.CreateFlow(ctx, fl)
}

// TestFlowsImportRollback checks that flows stored before a failing one are
// removed again.
func TestFlowsImportRollback(t *testing.T) {
	now := func() time.Time { return testNow }
	store := newMemStore(now)
	flows := &failingFlows{memStore: store, failOn: 3}
	app := &weir.Application{ID: weir.NewID(), Name: "A", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := store.CreateApplication(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	signer := &auth.Signer{Key: []byte("test key test key test key 12345"), Now: now}
	tok := &weir.Token{ID: weir.NewID(), Name: "t", OwnerType: weir.OwnerApplication, OwnerID: app.ID, Scope: []string{"all.Application"}, Status: weir.TokenActive}
	if err := store.CreateToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	bearer, err := signer.Sign(tok)
	if err != nil {
		t.Fatal(err)
	}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens, s.Storage, s.Logs, s.Runs = store, flows, store, store, store, store
	s.Signer, s.Now = signer, now
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/applications/"+app.ID+"/flows/import",
		strings.NewReader(`{"flows":[{"name":"a"},{"name":"b"},{"name":"c"}]}`))
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("import = %d, want 400", resp.StatusCode)
	}
	if _, n, _ := store.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: app.ID, ListOptions: weir.ListOptions{PerPage: 100}}); n != 0 {
		t.Errorf("%d flows stored after a failed import, want 0", n)
	}
}

// mustConformImport fails t unless body is valid against
// schemas/flowsImportResult.json.
func mustConformImport(t *testing.T, body []byte) {
	t.Helper()
	b, err := os.ReadFile("schemas/flowsImportResult.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///test/flowsImportResult.json", doc); err != nil {
		t.Fatal(err)
	}
	sch := c.MustCompile("file:///test/flowsImportResult.json")
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("body does not conform to flowsImportResult.json: %v\n%s", err, body)
	}
}

func TestFlowsImportMethodNotAllowed(t *testing.T) {
	h := newHarness(t)
	resp := h.send("GET", "/applications/"+h.appA+"/flows/import", h.tokA, nil, nil)
	defer resp.Body.Close()
	wantError(t, resp.StatusCode, mustRead(t, resp), http.StatusMethodNotAllowed, weir.MethodNotAllowed, "")
	if got := resp.Header.Get("Allow"); got != "POST" {
		t.Errorf("Allow = %q, want POST", got)
	}
	// The flow routes beside it still answer.
	if status, b := h.do("GET", h.flowPath(""), h.tokA, nil); status != http.StatusOK {
		t.Errorf("GET flow = %d %s, want 200", status, b)
	}
}
