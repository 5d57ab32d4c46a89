package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/mock"
)

func TestButtonPress(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		asUser    bool
		wantData  string
		wantRelay [2]string // type, id placeholder ("user" or "token")
	}{
		{name: "OKPayload", body: `{"key":"{key}","payload":{"temp":21.5}}`, wantData: `{"temp":21.5}`, wantRelay: [2]string{"apiToken", "token"}},
		{name: "OKPayloadNull", body: `{"key":"{key}","payload":null}`, wantData: `null`, wantRelay: [2]string{"apiToken", "token"}},
		{name: "OKMetaPayload", body: `{"key":"{key}"}`, wantData: `{"from":"meta"}`, wantRelay: [2]string{"apiToken", "token"}},
		{name: "OKDevelopByName", body: `{"key":"{key}","flowVersion":"develop","meta":{"x":1}}`, wantData: `{"from":"meta"}`, wantRelay: [2]string{"apiToken", "token"}},
		{name: "OKAsUser", body: `{"key":"{key}","payload":"hi"}`, asUser: true, wantData: `"hi"`, wantRelay: [2]string{"user", "user"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.tokA
			relayID := h.tokenID(h.tokA)
			if tc.asUser {
				tok, relayID = h.user, h.userID
			}
			status, b := h.do("POST", h.flowPath("/virtualButton"), tok, strings.ReplaceAll(tc.body, "{key}", h.button))
			if status != http.StatusOK || strings.TrimSpace(string(b)) != `{"success":true}` {
				t.Fatalf("press = %d %s, want 200 {\"success\":true}", status, b)
			}
			runs := h.store.queued()
			if len(runs) != 1 {
				t.Fatalf("queued %d runs, want 1", len(runs))
			}
			want := &weir.Run{
				ApplicationID: h.appA, FlowID: h.flow.ID, FlowVersion: "develop",
				TriggerType: "virtualButton", TriggerKey: h.button, TriggerID: h.button,
				RelayType: tc.wantRelay[0], RelayID: relayID,
				Time: testNow, Data: json.RawMessage(tc.wantData),
			}
			if diff := cmp.Diff(want, runs[0], cmpopts.IgnoreFields(weir.Run{}, "ID")); diff != "" {
				t.Errorf("queued run mismatch (-want +got):\n%s", diff)
			}
			if !weir.ValidID(runs[0].ID) {
				t.Errorf("run id %q is not an id", runs[0].ID)
			}
		})
	}

	t.Run("OKDisabledRunsNothing", func(t *testing.T) {
		h := newHarness(t)
		f, _ := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)
		f.Enabled = false
		if err := h.store.UpdateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		status, b := h.do("POST", h.flowPath("/virtualButton"), h.tokA, `{"key":"`+h.button+`"}`)
		if status != http.StatusOK {
			t.Fatalf("press = %d %s, want 200", status, b)
		}
		mustConform(t, "success", b)
		if n := len(h.store.queued()); n != 0 {
			t.Errorf("disabled flow queued %d runs, want 0", n)
		}
	})

	t.Run("ErrDefaultVersionNotDevelop", func(t *testing.T) {
		h := newHarness(t)
		f, _ := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)
		v := weir.NewID()
		f.DefaultVersionID = &v
		if err := h.store.UpdateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		status, b := h.do("POST", h.flowPath("/virtualButton"), h.tokA, `{"key":"`+h.button+`"}`)
		wantError(t, status, b, http.StatusNotFound, weir.NotFound, "Flow version was not found")
		// Naming develop explicitly still works.
		status, b = h.do("POST", h.flowPath("/virtualButton"), h.tokA, `{"key":"`+h.button+`","flowVersion":"develop"}`)
		if status != http.StatusOK {
			t.Fatalf("press develop = %d %s, want 200", status, b)
		}
	})

	t.Run("ErrRateLimited", func(t *testing.T) {
		h := newHarness(t)
		s := weirhttp.NewServer()
		s.Applications, s.Flows, s.Tokens, s.Runs = h.store, h.store, h.store, h.store
		s.Signer, s.Now = h.signer, func() time.Time { return testNow }
		s.ButtonLimiter = denyAll{}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		h.srv = srv
		resp := h.send("POST", h.flowPath("/virtualButton"), h.tokA, `{"key":"`+h.button+`"}`, nil)
		wantError(t, resp.StatusCode, mustRead(t, resp), http.StatusTooManyRequests, weir.TooManyRequests, "Over rate limit, request throttled")
		if got := resp.Header.Get("Retry-After"); got != "2" {
			t.Errorf("Retry-After = %q, want 2 (1.5 s rounded up)", got)
		}
		if n := len(h.store.queued()); n != 0 {
			t.Errorf("throttled press queued %d runs, want 0", n)
		}
	})
}

type denyAll struct{}

func (denyAll) Allow(string) (bool, time.Duration) { return false, 1500 * time.Millisecond }

func TestFlowsPost(t *testing.T) {
	h := newHarness(t)
	body := `{"name":"New","triggers":[{"type":"virtualButton","meta":{"payload":""}},{"type":"webhook","key":"` + weir.NewID() + `","config":{}}],"nodes":[{"id":"n1","type":"DebugNode"}]}`
	status, b := h.do("POST", "/applications/"+h.appA+"/flows", h.tokA, body)
	if status != http.StatusCreated {
		t.Fatalf("post = %d %s", status, b)
	}
	mustConform(t, "flow", b)
	var got struct {
		ID, FlowID, FlowClass, Type, CreatedByType, CreatedByID string
		Enabled                                                 bool
		DefaultVersionID                                        *string
		Triggers                                                []weir.Trigger
		Links                                                   map[string]map[string]string `json:"_links"`
	}
	_ = json.Unmarshal(b, &got)
	m := decode(t, b)
	if got.FlowID != got.ID || got.FlowClass != "cloud" || !got.Enabled || got.DefaultVersionID != nil || m["_type"] != "flow" {
		t.Errorf("post = %s; want flowId=id, cloud, enabled, no defaultVersionId, _type flow", b)
	}
	if !strings.HasPrefix(got.Triggers[0].Key, got.ID+"-") {
		t.Errorf("button key = %q, want prefix %q", got.Triggers[0].Key, got.ID+"-")
	}
	if got.CreatedByType != "apiToken" || got.CreatedByID != h.tokenID(h.tokA) {
		t.Errorf("createdBy = %s/%s, want apiToken/%s", got.CreatedByType, got.CreatedByID, h.tokenID(h.tokA))
	}
	wantLinks := map[string]map[string]string{
		"self":        {"href": "/applications/" + h.appA + "/flows/" + got.ID},
		"application": {"href": "/applications/" + h.appA},
		"flows":       {"href": "/applications/" + h.appA + "/flows"},
	}
	if diff := cmp.Diff(wantLinks, got.Links); diff != "" {
		t.Errorf("_links mismatch (-want +got):\n%s", diff)
	}
	if _, err := h.store.FindFlowByID(t.Context(), h.appA, got.ID); err != nil {
		t.Errorf("created flow not stored: %v", err)
	}

	status, b = h.do("POST", "/applications/"+h.appA+"/flows", h.tokA, `{"name":"Edge","flowClass":"edge","enabled":false}`)
	if status != http.StatusCreated {
		t.Fatalf("post edge = %d %s", status, b)
	}
	if m := decode(t, b); m["flowClass"] != "edge" || m["enabled"] != false {
		t.Errorf("post edge = %s, want flowClass edge, enabled false", b)
	}
	// The default listing shows cloud flows only.
	status, b = h.do("GET", "/applications/"+h.appA+"/flows", h.tokA, nil)
	mustConform(t, "flows", b)
	if m := decode(t, b); status != 200 || m["totalCount"] != 2.0 || m["flowClass"] != "cloud" || m["_type"] != "flows" {
		t.Errorf("list = %d %s, want 2 cloud flows", status, b)
	}
	status, b = h.do("GET", "/applications/"+h.appA+"/flows?flowClass=edge&perPage=1&page=0&filter=ed*e", h.tokA, nil)
	mustConform(t, "flows", b)
	if m := decode(t, b); status != 200 || m["totalCount"] != 1.0 || m["perPage"] != 1.0 || m["filterField"] != "name" {
		t.Errorf("edge list = %d %s, want 1 edge flow", status, b)
	}
}

func TestFlowPatch(t *testing.T) {
	h := newHarness(t)
	before, _ := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)

	// A rejected patch changes nothing.
	for _, body := range []string{
		`{"name":"X","nodes":[{"id":"a","type":"DebugNode","outputIds":[["zz"]]}]}`,
		`{"name":"X","flowClass":"edge"}`,
		`{"name":"X","enabled":"yes"}`,
	} {
		status, b := h.do("PATCH", h.flowPath(""), h.tokA, body)
		wantError(t, status, b, http.StatusBadRequest, weir.Validation, "")
	}
	after, _ := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("rejected patches changed the flow (-before +after):\n%s", diff)
	}

	body := `{"name":"Renamed","enabled":false,"iconData":null,"triggers":[{"type":"virtualButton"},{"type":"timer","config":{"seconds":60}}],"nodes":[],"globals":[{"key":"g","json":"{\"a\":1}"}]}`
	status, b := h.do("PATCH", h.flowPath(""), h.tokA, body)
	if status != http.StatusOK {
		t.Fatalf("patch = %d %s", status, b)
	}
	mustConform(t, "flow", b)
	got, _ := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)
	if got.Name != "Renamed" || got.Enabled || len(got.Nodes) != 0 || len(got.Triggers) != 2 || len(got.Globals) != 1 {
		t.Errorf("stored flow = %+v, want renamed, disabled, arrays replaced", got)
	}
	if got.FlowClass != "cloud" {
		t.Errorf("flowClass = %q, want cloud", got.FlowClass)
	}
	for _, tr := range got.Triggers {
		if !strings.HasPrefix(tr.Key, h.flow.ID+"-") {
			t.Errorf("trigger %s key = %q, want generated", tr.Type, tr.Key)
		}
	}
	if got.LastUpdatedByType != "apiToken" {
		t.Errorf("lastUpdatedByType = %q, want apiToken", got.LastUpdatedByType)
	}
}

func TestStorage(t *testing.T) {
	h := newHarness(t)
	set := func(body string) {
		t.Helper()
		status, b := h.do("PATCH", h.flowPath("/storage"), h.tokA, body)
		if status != http.StatusOK {
			t.Fatalf("set %s = %d %s", body, status, b)
		}
	}
	get := func() map[string]any {
		t.Helper()
		status, b := h.do("GET", h.flowPath("/storage"), h.tokA, nil)
		if status != http.StatusOK {
			t.Fatalf("get = %d %s", status, b)
		}
		mustConform(t, "flowStorageEntries", b)
		return decode(t, b)
	}
	set(`{"key":"a","value": [ 13, 21 ]}`)
	set(`{"key":"other key","value":"hello"}`)
	set(`{"key":"n","value":null}`)
	want := map[string]any{"a": []any{13.0, 21.0}, "other key": "hello", "n": nil}
	if diff := cmp.Diff(want, get()); diff != "" {
		t.Errorf("entries mismatch (-want +got):\n%s", diff)
	}
	set(`{"key":"n"}`) // no value: delete
	delete(want, "n")
	if diff := cmp.Diff(want, get()); diff != "" {
		t.Errorf("entries after delete mismatch (-want +got):\n%s", diff)
	}

	// Too large a value is refused and stores nothing.
	status, b := h.do("PATCH", h.flowPath("/storage"), h.tokA, `{"key":"big","value":"`+strings.Repeat("x", weir.MaxStorageValueSize)+`"}`)
	wantError(t, status, b, http.StatusBadRequest, weir.Validation, "")
	if diff := cmp.Diff(want, get()); diff != "" {
		t.Errorf("entries after rejected set (-want +got):\n%s", diff)
	}

	status, b = h.do("GET", h.flowPath("/storage-metadata"), h.tokA, nil)
	mustConform(t, "flowStorageMetadata", b)
	if m := decode(t, b); status != 200 || m["keysCount"] != 2.0 {
		t.Errorf("metadata = %d %s, want keysCount 2", status, b)
	}

	status, b = h.do("DELETE", h.flowPath("/storage"), h.tokA, "")
	if status != http.StatusOK || strings.TrimSpace(string(b)) != `{}` {
		t.Errorf("clear = %d %s, want 200 {}", status, b)
	}
	if len(get()) != 0 {
		t.Error("storage not empty after clear")
	}
}

func TestFlowLogs(t *testing.T) {
	h := newHarness(t)
	for i := range 3 {
		h.store.logs[h.flow.ID] = append(h.store.logs[h.flow.ID], &weir.LogEntry{
			FlowVersionID: "develop", Time: testNow.Add(-time.Duration(i) * time.Minute),
			RunCount: 1, PathsCompleted: 1, WallTime: 1.5,
		})
	}
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"OKDefaultLimit", "", 1},
		{"OKLimit", "?limit=10", 3},
		{"OKSince", "?limit=10&since=" + itoa(testNow.Add(-90*time.Second).UnixMilli()), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/logs"+tc.query), h.tokA, nil)
			if status != http.StatusOK {
				t.Fatalf("logs = %d %s", status, b)
			}
			mustConform(t, "flowLog", b)
			var got []map[string]any
			_ = json.Unmarshal(b, &got)
			if len(got) != tc.want {
				t.Fatalf("got %d entries, want %d: %s", len(got), tc.want, b)
			}
			for _, k := range []string{"flowVersionId", "time", "runCount", "pathsCompleted", "pathsFailed", "wallTime", "errors"} {
				if _, ok := got[0][k]; !ok {
					t.Errorf("entry lacks %q: %s", k, b)
				}
			}
		})
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTokenLifecycle(t *testing.T) {
	h := newHarness(t)
	base := "/applications/" + h.appA + "/tokens"
	status, b := h.do("POST", base, h.user, `{"name":"ci","scope":["flow.*"],"expirationDate":"2027-01-01T00:00:00.000Z"}`)
	if status != http.StatusCreated {
		t.Fatalf("post = %d %s", status, b)
	}
	mustConform(t, "apiToken", b)
	var created struct {
		ID, APITokenID, Token, Status, CreatorType, CreatorID string
		Scope                                                 []string
	}
	_ = json.Unmarshal(b, &created)
	if created.Token == "" || created.APITokenID != created.ID || created.Status != "active" || created.CreatorType != "user" || created.CreatorID != h.userID {
		t.Fatalf("post = %s; want token, apiTokenId, active, creator user", b)
	}

	// The new token works for its scope, and only its scope.
	if status, b := h.do("GET", h.flowPath(""), created.Token, nil); status != http.StatusOK {
		t.Errorf("new token GET flow = %d %s, want 200", status, b)
	}
	if status, _ := h.do("GET", base, created.Token, nil); status != http.StatusForbidden {
		t.Errorf("new flow.* token GET tokens = %d, want 403", status)
	}

	// Lists and gets never show the token string.
	status, b = h.do("GET", base+"?sortField=name&sortDirection=desc", h.user, nil)
	mustConform(t, "apiTokens", b)
	if status != 200 || strings.Contains(string(b), created.Token) || strings.Contains(string(b), `"token"`) {
		t.Errorf("list = %d %s; want no token strings", status, b)
	}
	if m := decode(t, b); m["ownerId"] != h.appA || m["ownerType"] != "application" || m["sortDirection"] != "desc" {
		t.Errorf("list envelope = %s", b)
	}

	// Deactivate: 401 at once; reactivate: works again.
	for _, tc := range []struct{ status string }{{"inactive"}, {"active"}} {
		status, b = h.do("PATCH", base+"/"+created.ID, h.user, `{"status":"`+tc.status+`"}`)
		if status != http.StatusOK {
			t.Fatalf("patch status %s = %d %s", tc.status, status, b)
		}
		mustConform(t, "apiToken", b)
		want := http.StatusOK
		if tc.status == "inactive" {
			want = http.StatusUnauthorized
		}
		if got, b := h.do("GET", h.flowPath(""), created.Token, nil); got != want {
			t.Errorf("after status %s: GET flow = %d %s, want %d", tc.status, got, b, want)
		}
	}

	// Delete: 401 at once.
	status, b = h.do("DELETE", base+"/"+created.ID, h.user, nil)
	if status != http.StatusOK {
		t.Fatalf("delete = %d %s", status, b)
	}
	status, b = h.do("GET", h.flowPath(""), created.Token, nil)
	wantError(t, status, b, http.StatusUnauthorized, weir.Unauthorized, "Invalid access token")

	// A rejected create stores nothing.
	_, total, _ := h.store.FindTokens(t.Context(), weir.TokenFilter{OwnerID: h.appA, OwnerType: weir.OwnerApplication})
	for _, body := range []string{`{"name":"x","scope":["all.Organization"]}`, `{"name":"x","defaultRole":"admin"}`, `{"name":""}`} {
		status, b = h.do("POST", base, h.user, body)
		wantError(t, status, b, http.StatusBadRequest, weir.Validation, "")
	}
	_, total2, _ := h.store.FindTokens(t.Context(), weir.TokenFilter{OwnerID: h.appA, OwnerType: weir.OwnerApplication})
	if total2 != total {
		t.Errorf("token count %d after rejected creates, want %d", total2, total)
	}
}

func TestApplications(t *testing.T) {
	h := newHarness(t)
	status, b := h.do("POST", "/applications", h.user, `{"name":"Zed","description":"last"}`)
	if status != http.StatusCreated {
		t.Fatalf("post = %d %s", status, b)
	}
	mustConform(t, "application", b)
	m := decode(t, b)
	if m["ownerId"] != h.userID || m["ownerType"] != "user" || m["applicationId"] != m["id"] || m["_type"] != "application" {
		t.Errorf("post = %s", b)
	}

	status, b = h.do("GET", "/applications?perPage=2&page=1&_links=false", h.user, nil)
	mustConform(t, "applications", b)
	m = decode(t, b)
	if status != 200 || m["count"] != 1.0 || m["totalCount"] != 3.0 || m["page"] != 1.0 {
		t.Errorf("page 1 = %d %s, want 1 of 3", status, b)
	}
	if strings.Contains(string(b), "_links") {
		t.Errorf("_links=false still has links: %s", b)
	}

	status, b = h.do("GET", "/applications?filterField=name&filter=app*", h.user, nil)
	if m := decode(t, b); status != 200 || m["totalCount"] != 2.0 {
		t.Errorf("filtered = %d %s, want 2", status, b)
	}

	// An application token of A reaches A and nothing else.
	if status, _ := h.do("GET", "/applications/"+h.appA, h.tokA, nil); status != 200 {
		t.Errorf("app token own app = %d, want 200", status)
	}
	status, b = h.do("DELETE", "/applications/"+h.appB, h.tokA, nil)
	wantError(t, status, b, http.StatusNotFound, weir.NotFound, "Application was not found")
	if _, err := h.store.FindApplicationByID(t.Context(), h.appB); err != nil {
		t.Errorf("app B gone after a rejected delete: %v", err)
	}
}

func TestIgnoredParams(t *testing.T) {
	h := newHarness(t)
	hdr := http.Header{"Losantdomain": {"example"}, "Accept-Version": {"^0.9.9"}, "Content-Type": {"text/plain"}}
	resp := h.send("PATCH", h.flowPath("?_actions=true&_embedded=yes&_links=1"), h.tokA, `{"description":"d"}`, hdr)
	defer resp.Body.Close()
	b := mustRead(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d %s, want 200", resp.StatusCode, b)
	}
	mustConform(t, "flow", b)
	if m := decode(t, b); m["_links"] == nil {
		t.Errorf("_links=1 omitted links: %s", b)
	}
}

func TestPanicRecovery(t *testing.T) {
	h := newHarness(t)
	s := weirhttp.NewServer()
	s.Applications, s.Tokens, s.Signer = h.store, h.store, h.signer
	s.Now = func() time.Time { return testNow }
	s.Logger = slog.New(slog.DiscardHandler)
	s.Flows = &mock.FlowService{
		FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { panic("boom") },
		FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
			return nil, 0, errors.New("disk on fire: secret detail")
		},
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	h.srv = srv
	for _, path := range []string{h.flowPath(""), "/applications/" + h.appA + "/flows"} {
		status, b := h.do("GET", path, h.tokA, nil)
		wantError(t, status, b, http.StatusInternalServerError, weir.Internal, "Internal error")
		if strings.Contains(string(b), "secret") || strings.Contains(string(b), "boom") {
			t.Errorf("500 body leaks details: %s", b)
		}
	}
}

// levelRecorder keeps the level and message of every record logged.
type levelRecorder struct {
	mu      sync.Mutex
	records []string
}

func (l *levelRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *levelRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *levelRecorder) WithGroup(string) slog.Handler            { return l }
func (l *levelRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Level.String()+" "+r.Message)
	return nil
}

// TestClientCanceledLoggedAtDebug cancels a request while its handler waits
// on the store: the store's context.Canceled is logged at debug level, not
// as an internal error; an internal error of the server's own still is.
func TestClientCanceledLoggedAtDebug(t *testing.T) {
	h := newHarness(t)
	s := weirhttp.NewServer()
	s.Applications, s.Tokens, s.Signer = h.store, h.store, h.signer
	s.Now = func() time.Time { return testNow }
	logs := &levelRecorder{}
	s.Logger = slog.New(logs)
	entered := make(chan struct{}, 1)
	var calls atomic.Int32
	s.Flows = &mock.FlowService{
		FindFlowsFn: func(ctx context.Context, f weir.FlowFilter) ([]*weir.Flow, int, error) {
			if calls.Add(1) > 1 {
				return nil, 0, fmt.Errorf("find flows: %w", context.Canceled) // canceled, but not by the client
			}
			entered <- struct{}{}
			<-ctx.Done()
			return nil, 0, fmt.Errorf("find flows: %w", ctx.Err())
		},
	}
	srv := httptest.NewServer(s.Handler())
	h.srv = srv
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/applications/"+h.appA+"/flows", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.tokA)
	go func() {
		<-entered
		cancel()
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request answered %d, want it canceled", resp.StatusCode)
	}
	status, b := h.do("GET", "/applications/"+h.appA+"/flows", h.tokA, nil)
	wantError(t, status, b, http.StatusInternalServerError, weir.Internal, "Internal error")
	srv.Close() // waits for the handlers, and their logs
	logs.mu.Lock()
	got := slices.Sorted(slices.Values(logs.records))
	logs.mu.Unlock()
	want := []string{"DEBUG http: request canceled by the client", "ERROR http: internal error"}
	if !slices.Equal(got, want) {
		t.Errorf("logged %q, want %q", got, want)
	}
}
