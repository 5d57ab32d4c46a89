package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestApplicationExportAPI: application.export answers 202, then stores
// the application as a zip under /exports/ and POSTs its URL to the
// callbackUrl. With every include option the zip holds exactly what weir
// app export writes; without them it leaves devices, data table rows and
// files out. A token of scope application.export alone suffices: the job
// reads the application as the application itself. Earlier exports are
// never part of an export.
func TestApplicationExportAPI(t *testing.T) {
	t.Parallel()
	app := mustImportApp(t, "connected-product-foundation")
	owner, dir, appID := app.owner, app.dir, app.id
	var stdout, stderr bytes.Buffer
	var tok struct{ Token string }
	owner.mustDo(201, "POST", "/applications/"+appID+"/tokens", map[string]any{"name": "export", "scope": []string{"application.export"}}, &tok)
	exporter := &client{t: t, base: owner.base, token: tok.Token}
	if status := exporter.do("GET", "/applications/"+appID+"/flows", nil, nil); status != 403 {
		t.Fatalf("the export token reads flows: %d", status)
	}

	callbacks := make(chan map[string]any, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		callbacks <- body
	}))
	defer receiver.Close()
	export := func(options map[string]any) map[string][]byte {
		t.Helper()
		options["callbackUrl"] = receiver.URL
		var job struct {
			JobQueued bool
			JobID     string
		}
		exporter.mustDo(202, "POST", "/applications/"+appID+"/export", options, &job)
		var done map[string]any
		select {
		case done = <-callbacks:
		case <-time.After(30 * time.Second):
			t.Fatal("no export callback")
		}
		url, _ := done["url"].(string)
		if done["success"] != true || done["jobId"] != job.JobID || !strings.Contains(url, "/files/"+appID+"/exports/application-Connected_Product_Foundation-"+job.JobID+".zip") {
			t.Fatalf("callback %v for job %+v", done, job)
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("GET %s = %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			if strings.HasSuffix(f.Name, "/") {
				continue
			}
			rc, _ := f.Open()
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		return files
	}

	full := export(map[string]any{"includeFiles": true, "includeDataTableRows": true, "includeDevices": true})
	// The second export finds the first under /exports/ and leaves it out.
	again := export(map[string]any{"includeFiles": true, "includeDataTableRows": true, "includeDevices": true})
	written := t.TempDir()
	stderr.Reset()
	if err := run(t.Context(), []string{"app", "export", "--application", appID, "--data", dir, written}, &stdout, &stderr); err != nil {
		t.Fatalf("app export: %v (%s)", err, stderr.String())
	}
	n := 0
	_ = filepath.WalkDir(written, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(written, p)
		want, _ := os.ReadFile(p)
		for name, got := range map[string]map[string][]byte{"first": full, "second": again} {
			if !bytes.Equal(got[filepath.ToSlash(rel)], want) {
				t.Errorf("%s export's %s differs from weir app export's", name, rel)
			}
		}
		return nil
	})
	if len(full) != n || len(again) != n || n < 100 {
		t.Errorf("the exports hold %d and %d files, weir app export wrote %d", len(full), len(again), n)
	}
	if _, ok := full["files/customTheme.min.css"]; !ok {
		t.Error("the export with includeFiles lacks the application's files")
	}

	bare := export(map[string]any{})
	for name, content := range bare {
		if strings.HasPrefix(name, "files/") || name == "devices.yaml" {
			t.Errorf("the export without include options holds %s", name)
		}
		if strings.HasSuffix(name, ".csv") && bytes.Count(content, []byte("\n")) > 1 {
			t.Errorf("the export without includeDataTableRows holds rows in %s: %q", name, content)
		}
	}
	if _, ok := bare["experience/develop/pages/cpf-page-login.hbs"]; !ok {
		t.Errorf("the bare export lacks the views: %d files", len(bare))
	}

	// An email alone is refused before any work, as for every export.
	if status := exporter.do("POST", "/applications/"+appID+"/export", map[string]any{"email": "a@example.com"}, nil); status != 400 {
		t.Errorf("export to an email = %d, want 400", status)
	}
	if status := exporter.do("POST", "/applications/"+appID+"/export", map[string]any{"includeEverything": true}, nil); status != 400 {
		t.Errorf("export with an unknown option = %d, want 400", status)
	}
}
