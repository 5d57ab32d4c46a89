package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// TestSQLite drives the API over the real SQLite store, through a whole
// user journey, checking every answer against its schema.
func TestSQLite(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	t.Cleanup(func() { db.Close() })

	signer := &auth.Signer{Key: []byte("sqlite test key sqlite test key!")}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens, s.Storage, s.Logs, s.Runs = db, db, db, db, db, db
	s.Signer = signer
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv, signer: signer, userID: weir.NewID()}

	userRec := &weir.Token{OwnerType: weir.OwnerUser, OwnerID: h.userID, Scope: []string{"all.User"}, Status: weir.TokenActive, Name: "admin"}
	userRec.ID = weir.NewID()
	user, err := signer.Sign(userRec)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(t.Context(), userRec); err != nil {
		t.Fatal(err)
	}

	must := func(method, path, token string, body any, want int, schema string) map[string]any {
		t.Helper()
		status, b := h.do(method, path, token, body)
		if status != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, status, b, want)
		}
		mustConform(t, schema, b)
		if schema == "flowLog" {
			return nil
		}
		return decode(t, b)
	}

	app := must("POST", "/applications", user, `{"name":"Plant"}`, 201, "application")["id"].(string)
	must("GET", "/applications", user, nil, 200, "applications")
	tok := must("POST", "/applications/"+app+"/tokens", user, `{"name":"ci"}`, 201, "apiToken")
	appTok := tok["token"].(string)

	flow := must("POST", "/applications/"+app+"/flows", appTok,
		`{"name":"Button","triggers":[{"type":"virtualButton","meta":{"payload":"{\"n\":1}"},"outputIds":[["d"]]}],"nodes":[{"id":"d","type":"DebugNode","config":{}}]}`,
		201, "flow")
	flowID := flow["id"].(string)
	key := flow["triggers"].([]any)[0].(map[string]any)["key"].(string)
	fp := "/applications/" + app + "/flows/" + flowID

	must("GET", fp, appTok, nil, 200, "flow")
	must("PATCH", fp, appTok, `{"description":"pressed by tests"}`, 200, "flow")
	must("GET", "/applications/"+app+"/flows", appTok, nil, 200, "flows")
	must("PATCH", fp+"/storage", appTok, `{"key":"count","value":3}`, 200, "success")
	if got := must("GET", fp+"/storage", appTok, nil, 200, "flowStorageEntries"); got["count"] != 3.0 {
		t.Errorf("storage = %v, want count 3", got)
	}
	must("GET", fp+"/storage-metadata", appTok, nil, 200, "flowStorageMetadata")
	must("GET", fp+"/logs", appTok, nil, 200, "flowLog")
	must("POST", fp+"/virtualButton", appTok, `{"key":"`+key+`"}`, 200, "success")

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	runs, err := db.ClaimRuns(ctx, 10)
	if err != nil {
		t.Fatalf("ClaimRuns() error = %v", err)
	}
	if len(runs) != 1 || runs[0].FlowID != flowID || runs[0].TriggerKey != key || !jsonEqual(runs[0].Data, `{"n":1}`) {
		t.Errorf("claimed runs = %+v, want one press of %s with data {\"n\":1}", runs, key)
	}

	must("DELETE", fp+"/storage", appTok, "{}", 200, "flowStorageEntries")
	must("DELETE", "/applications/"+app+"/tokens/"+tok["id"].(string), user, nil, 200, "success")
	status, b := h.do("GET", fp, appTok, nil)
	wantError(t, status, b, http.StatusUnauthorized, weir.Unauthorized, "Invalid access token")
	must("DELETE", fp, user, nil, 200, "success")
	must("DELETE", "/applications/"+app, user, nil, 200, "success")
	status, b = h.do("GET", "/applications/"+app, user, nil)
	wantError(t, status, b, http.StatusNotFound, weir.NotFound, "")
}

func jsonEqual(raw json.RawMessage, want string) bool {
	var a, b any
	if json.Unmarshal(raw, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
