package appfile_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/weirhq/weir/appfile"
)

// slugTemplate writes a copy of the GPS distance template whose
// application has the endpointSlug gps-farm and a global naming its flow
// (a reference the import sets once the flow exists), and returns its
// directory.
func slugTemplate(t *testing.T) string {
	t.Helper()
	src := "testdata/templates/gps-distance"
	dir := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "application.yaml" {
			b = []byte(strings.Replace(string(b), "    globals: []\n",
				"    endpointSlug: gps-farm\n    globals:\n      - key: flow\n        json: '\"~exportplaceholderid-flow-gpsDistance~\"'\n", 1))
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestImportSlugTaken: an application's endpointSlug is imported and
// exported back; imported again into the same weir, where the slug is
// taken, the application is created without it (its references still
// set), and the report says so.
func TestImportSlugTaken(t *testing.T) {
	c := newClient(t)
	dir := slugTemplate(t)
	first := roundTrip(t, c, dir)
	if len(first.LeftOut) != 0 {
		t.Errorf("first import left out %v, want nothing", first.LeftOut)
	}
	if app := getApp(t, c, first.ApplicationID); app["endpointSlug"] != "gps-farm" {
		t.Errorf("first import: application %v, want endpointSlug gps-farm", app)
	}

	second := roundTrip(t, c, dir)
	want := []appfile.LeftOut{{Kind: appfile.KindApplication, Name: "GPS Distance", Field: "endpointSlug",
		Reason: "weir refused gps-farm: Endpoint slug gps-farm is already in use"}}
	if !reflect.DeepEqual(second.LeftOut, want) {
		t.Errorf("second import left out %+v, want %+v", second.LeftOut, want)
	}
	for _, s := range second.Skipped {
		if s.Kind == appfile.KindApplication {
			t.Errorf("second import skipped the application: %s", s.Reason)
		}
	}
	app := getApp(t, c, second.ApplicationID)
	flowID := second.IDs["~exportplaceholderid-flow-gpsDistance~"]
	globals, _ := json.Marshal(app["globals"])
	if app["endpointSlug"] != nil || flowID == "" || !strings.Contains(string(globals), flowID) {
		t.Errorf("second import: application %v, want no endpointSlug and its global naming flow %s", app, flowID)
	}
	// The first keeps its slug.
	if app := getApp(t, c, first.ApplicationID); app["endpointSlug"] != "gps-farm" {
		t.Errorf("after the second import the first application is %v, want endpointSlug gps-farm", app)
	}
}

// getApp returns the application id as c's API answers it.
func getApp(t *testing.T, c *appfile.Client, id string) map[string]any {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), "GET", "/applications/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	w := httptest.NewRecorder()
	c.Handler.ServeHTTP(w, req)
	var app map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &app); w.Code != 200 || err != nil {
		t.Fatalf("GET /applications/%s = %d %s", id, w.Code, w.Body)
	}
	return app
}
