package http_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// importBoundary separates the parts of importBundleBody.
const importBoundary = "weirimportboundary"

// importBundleBody is a multipart body whose importBundle is a zip of a
// one-flow application template in a top folder.
var importBundleBody = multipartBundle(map[string]string{
	"tpl/application.yaml": "resourceType: Application\nresources:\n  - name: Imported\n    id: ~exportplaceholderid-application-imported~\n    globals: []\nversion: 1\n",
	"tpl/workflows/Button.yaml": "resourceType: Flow\nresources:\n  - name: Button\n    id: ~exportplaceholderid-flow-button~\n    flowClass: cloud\n" +
		"    triggers:\n      - type: virtualButton\n        key: ~exportplaceholderid-flow-button~-0teBa51\n        config: {}\n        outputIds: [[d]]\n" +
		"    nodes:\n      - id: d\n        type: DebugNode\n        config:\n          message: 'app ~exportplaceholderid-application-imported~'\nversion: 1\n",
	"tpl/dataTables/t.yaml":  "resourceType: DataTable\nresources:\n  - name: t\n    id: ~exportplaceholderid-dataTable-t~\n    columns: []\nversion: 1\n",
	"tpl/deviceRecipes.yaml": "resourceType: DeviceRecipe\nresources:\n  - name: r\n    id: ~exportplaceholderid-deviceRecipe-r~\nversion: 1\n",
	"tpl/devices.yaml":       "resourceType: DeviceTree\nresources:\n  - name: Boiler\n    id: ~exportplaceholderid-device-boiler~\n    deviceClass: standalone\n    children: []\nversion: 1\n",
})

// multipartBundle zips files and wraps the zip in a multipart body, with
// the form fields given as name, value pairs.
func multipartBundle(files map[string]string, fields ...string) string {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, content := range files {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(content))
	}
	_ = zw.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.SetBoundary(importBoundary)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("importBundle", "bundle.zip")
	_, _ = fw.Write(zb.Bytes())
	_ = mw.Close()
	return body.String()
}

// TestApplicationsImport imports a bundle over the SQLite store and checks
// the new application, its flow with every placeholder replaced, the
// report, and the refusals of bodies that are no bundle.
func TestApplicationsImport(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer := &auth.Signer{Key: []byte("import test key import test key!")}
	s := weirhttp.NewServer()
	s.Signer = signer
	s.UseServices(db)
	rec := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerUser, OwnerID: weir.NewID(), Scope: []string{"all.User"}, Status: weir.TokenActive}
	tok, _ := signer.Sign(rec)
	if err := db.CreateToken(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	post := func(contentType, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/applications/import", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w
	}
	w := post("multipart/form-data; boundary="+importBoundary, importBundleBody)
	if w.Code != http.StatusCreated {
		t.Fatalf("import = %d %s", w.Code, w.Body)
	}
	var got struct {
		Application  struct{ ID, Name string }
		ImportReport struct {
			Created map[string]int
			Skipped []struct{ Kind, Name, Reason string }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	app := got.Application.ID
	if got.Application.Name != "Imported" || got.ImportReport.Created["flow"] != 1 || got.ImportReport.Created["dataTable"] != 1 ||
		got.ImportReport.Created["deviceRecipe"] != 1 || len(got.ImportReport.Skipped) != 1 ||
		got.ImportReport.Skipped[0].Reason != "includeDevices is not set" {
		t.Errorf("import answered %s", w.Body)
	}
	flows, _, err := db.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: app})
	if err != nil || len(flows) != 1 {
		t.Fatalf("flows = %v, %v", flows, err)
	}
	f := flows[0]
	if f.Triggers[0].Key != f.ID+"-0teBa51" || !strings.Contains(string(f.Nodes[0].Config), "app "+app) {
		t.Errorf("flow key %q, config %s: want the new flow and application ids", f.Triggers[0].Key, f.Nodes[0].Config)
	}

	// With includeDevices, the device comes too.
	bundle := importBundleBody[:strings.LastIndex(importBundleBody, "--"+importBoundary+"--")] +
		"--" + importBoundary + "\r\nContent-Disposition: form-data; name=\"includeDevices\"\r\n\r\ntrue\r\n--" + importBoundary + "--\r\n"
	if w := post("multipart/form-data; boundary="+importBoundary, bundle); w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"device":1`) {
		t.Errorf("import with includeDevices = %d %s, want the device created", w.Code, w.Body)
	}

	// An endpointSlug comes with the application, unless another
	// application has it: then the application comes without it, and the
	// report says so.
	slugged := multipartBundle(map[string]string{"application.yaml": "resourceType: Application\nresources:\n  - name: Slugged\n" +
		"    endpointSlug: slugged\n    blobUrlTTL: 7200\n    globals: []\nversion: 1\n"})
	for i, want := range []string{`"endpointSlug":"slugged"`, `"leftOut":[{"kind":"application","name":"Slugged","field":"endpointSlug",` +
		`"reason":"weir refused slugged: Endpoint slug slugged is already in use"}]`} {
		w := post("multipart/form-data; boundary="+importBoundary, slugged)
		var got struct {
			Application struct {
				EndpointSlug string
				BlobURLTTL   float64 `json:"blobUrlTTL"`
			}
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusCreated || err != nil || !strings.Contains(w.Body.String(), want) ||
			got.Application.BlobURLTTL != 7200 || (i == 1) != (got.Application.EndpointSlug == "") {
			t.Errorf("import %d of the slugged bundle = %d %s, want %s", i+1, w.Code, w.Body, want)
		}
	}

	// A token that may import but not create: the refusal of the creation
	// is the answer, not a server error.
	narrow := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerUser, OwnerID: rec.OwnerID, Scope: []string{"applications.import"}, Status: weir.TokenActive}
	narrowTok, _ := signer.Sign(narrow)
	if err := db.CreateToken(t.Context(), narrow); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/applications/import", strings.NewReader(importBundleBody))
	req.Header.Set("Authorization", "Bearer "+narrowTok)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+importBoundary)
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `"type":"Forbidden"`) {
		t.Errorf("import with scope applications.import only = %d %s, want 403 Forbidden", w.Code, w.Body)
	}

	apps, _, _ := db.FindApplications(t.Context(), "", weir.ListOptions{})
	for name, tc := range map[string]struct{ contentType, body, want string }{
		"JSON":         {"application/json", `{}`, "importBundle is required"},
		"NoFile":       {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--x--\r\n", "importBundle is required"},
		"NotZip":       {"multipart/form-data; boundary=" + importBoundary, strings.Replace(multipartBundle(nil), "PK", "XX", -1), "importBundle is not a zip file"},
		"Organization": {"multipart/form-data; boundary=" + importBoundary, multipartBundle(nil, "ownerType", "organization"), "weir has no organizations"},
		"NoAppYAML":    {"multipart/form-data; boundary=" + importBoundary, multipartBundle(map[string]string{"a/b.yaml": "x: 1\n"}), "importBundle: application.yaml"},
	} {
		w := post(tc.contentType, tc.body)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tc.want) || !strings.Contains(w.Body.String(), `"type":"Validation"`) {
			t.Errorf("%s: import = %d %s, want 400 Validation %q", name, w.Code, w.Body, tc.want)
		}
	}
	if after, _, _ := db.FindApplications(t.Context(), "", weir.ListOptions{}); len(after) != len(apps) {
		t.Errorf("refused imports created applications: %d, then %d", len(apps), len(after))
	}
}
