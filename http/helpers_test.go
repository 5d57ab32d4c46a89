package http_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
)

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// harness is a server over a memStore, with two applications (A and B), a
// user token and an all.Application token for A, and one flow in A.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	store  *memStore
	signer *auth.Signer
	userID string
	user   string // all.User token
	appA   string
	appB   string
	tokA   string // all.Application token of A
	tokB   string // all.Application token of B
	flow   *weir.Flow
	button string // key of flow's virtual button
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, userID: weir.NewID()}
	now := func() time.Time { return testNow }
	h.store = newMemStore(now)
	h.signer = &auth.Signer{Key: []byte("test key test key test key 12345"), Now: now}
	s := weirhttp.NewServer()
	s.Applications, s.Flows = h.store, h.store
	s.Tokens = &weirhttp.TokenCache{Tokens: h.store, Now: now} // the clock stands still: records stay cached
	s.Versions = h.store
	s.Storage, s.Logs, s.Runs = h.store, h.store, h.store
	s.Signer = h.signer
	s.Now = now
	s.MaxBodyBytes = 64 << 10
	h.srv = httptest.NewServer(s.Handler())
	t.Cleanup(h.srv.Close)

	h.user = h.token(weir.OwnerUser, h.userID, "all.User")
	h.appA = h.mustApp("App A")
	h.appB = h.mustApp("App B")
	h.tokA = h.token(weir.OwnerApplication, h.appA, "all.Application")
	h.tokB = h.token(weir.OwnerApplication, h.appB, "all.Application")
	h.flow = h.mustFlow(h.appA, "Flow one")
	h.button = h.flow.Triggers[0].Key
	return h
}

func (h *harness) mustApp(name string) string {
	h.t.Helper()
	a := &weir.Application{ID: weir.NewID(), Name: name, OwnerID: h.userID, OwnerType: weir.OwnerUser}
	if err := h.store.CreateApplication(h.t.Context(), a); err != nil {
		h.t.Fatal(err)
	}
	return a.ID
}

// mustFlow stores an enabled flow with one virtual button wired to a debug
// node.
func (h *harness) mustFlow(appID, name string) *weir.Flow {
	h.t.Helper()
	f := &weir.Flow{
		ID: weir.NewID(), ApplicationID: appID, Name: name, Enabled: true, FlowClass: weir.FlowClassCloud,
		Definition: weir.Definition{
			Triggers: []weir.Trigger{{
				Type:      "virtualButton",
				Config:    json.RawMessage(`{}`),
				Meta:      json.RawMessage(`{"category":"trigger","name":"virtualButton","label":"Press","x":100,"y":80,"uiId":"b1","payload":"{\"from\":\"meta\"}"}`),
				OutputIDs: [][]string{{"n1"}},
			}},
			Nodes: []weir.Node{{ID: "n1", Type: "DebugNode", Config: json.RawMessage(`{"message":"hi"}`), Meta: json.RawMessage(`{"x":100,"y":200}`), OutputIDs: [][]string{}}},
		},
	}
	f.Definition.AssignTriggerKeys(f.ID)
	if err := h.store.CreateFlow(h.t.Context(), f); err != nil {
		h.t.Fatal(err)
	}
	return f
}

// token stores a token record and returns its signed string.
func (h *harness) token(ownerType, ownerID string, scope ...string) string {
	h.t.Helper()
	return h.tokenRecord(&weir.Token{OwnerType: ownerType, OwnerID: ownerID, Scope: scope, Status: weir.TokenActive})
}

func (h *harness) tokenRecord(t *weir.Token) string {
	h.t.Helper()
	if t.ID == "" {
		t.ID = weir.NewID()
	}
	if t.Name == "" {
		t.Name = "test token"
	}
	s, err := h.signer.Sign(t)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.CreateToken(h.t.Context(), t); err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) flowPath(suffix string) string {
	return "/applications/" + h.appA + "/flows/" + h.flow.ID + suffix
}

// do sends a request and returns the status and body. body may be nil, a
// string (sent verbatim) or a value encoded as JSON.
func (h *harness) do(method, path, token string, body any) (int, []byte) {
	h.t.Helper()
	resp := h.send(method, path, token, body, nil)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (h *harness) send(method, path, token string, body any, header http.Header) *http.Response {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(h.t.Context(), method, h.srv.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Version", "^1.30.0")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// wantError checks an error answer: status, type and (when not "") message,
// and that the body conforms to error.json.
func wantError(t *testing.T, status int, body []byte, wantStatus int, wantType weir.ErrorType, wantMsg string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", status, wantStatus, body)
	}
	mustConform(t, "error", body)
	var e struct {
		Type    weir.ErrorType `json:"type"`
		Message string         `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.Type != wantType {
		t.Errorf("type = %q, want %q (message %q)", e.Type, wantType, e.Message)
	}
	if wantMsg != "" && e.Message != wantMsg {
		t.Errorf("message = %q, want %q", e.Message, wantMsg)
	}
}

var (
	testSchemasOnce sync.Once
	testSchemas     map[string]*jsonschema.Schema
)

// mustConform fails t unless body is valid against schemas/<name>.json.
func mustConform(t *testing.T, name string, body []byte) {
	t.Helper()
	testSchemasOnce.Do(func() {
		testSchemas = map[string]*jsonschema.Schema{}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		for _, n := range []string{"flow", "flows", "flowLog", "flowStorageEntries", "flowStorageMetadata", "success", "error", "application", "applications", "apiToken", "apiTokens", "flowStats", "flowErrors", "flowVersion", "flowVersions", "bulkDeleteResponse",
			"device", "devices", "compositeDeviceState", "deviceStates", "deviceCommands", "authedDevice", "applicationKey", "applicationKeys", "applicationKeyPostResponse",
			"event", "events", "eventPlusNewCount", "eventsDeleted",
			"experienceView", "experienceViews", "experienceVersion", "experienceVersions", "file", "files", "fileUploadPostResponse",
			"dataTable", "dataTables", "dataTableRow", "dataTableRows", "dataTableRowInsertResult", "dataTableRowsDelete",
			"timeSeriesData", "lastValueData", "jobEnqueuedResult",
			"deviceLog", "deviceRecipe", "deviceRecipes", "deviceRecipeBulkCreate",
			"tagKeysResponse", "tagValuesResponse", "attributeNamesResponse", "deviceNamesResponse", "devicesUpdated", "deviceState"} {
			b, err := os.ReadFile("schemas/" + n + ".json")
			if err != nil {
				panic(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				panic(err)
			}
			url := "file:///test/" + n + ".json"
			if err := c.AddResource(url, doc); err != nil {
				panic(err)
			}
			testSchemas[n] = c.MustCompile(url)
		}
	})
	sch, ok := testSchemas[name]
	if !ok {
		t.Fatalf("no test schema %q", name)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("response does not conform to %s.json: %v\n%s", name, err, body)
	}
}

// decode unmarshals body into a map.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return m
}

func mustRead(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tokenID returns the jti of a signed token.
func (h *harness) tokenID(token string) string {
	h.t.Helper()
	c, err := h.signer.Verify(token)
	if err != nil {
		h.t.Fatal(err)
	}
	return c.TokenID
}

// mustAs returns a request function for token: it sends the request, fails
// t unless the status is want (and the body conforms to schema, when
// named) and returns the body decoded as an object.
func (h *harness) mustAs(t *testing.T, token string) func(method, path string, body any, want int, schema string) map[string]any {
	return func(method, path string, body any, want int, schema string) map[string]any {
		t.Helper()
		return decode(t, h.mustRaw(t, method, path, token, body, want, schema))
	}
}

// mustRaw sends the request with token, fails t unless the status is want
// (and the body conforms to schema, when named) and returns the body.
func (h *harness) mustRaw(t *testing.T, method, path, token string, body any, want int, schema string) []byte {
	t.Helper()
	status, b := h.do(method, path, token, body)
	if status != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, status, b, want)
	}
	if schema != "" {
		mustConform(t, schema, b)
	}
	return b
}
