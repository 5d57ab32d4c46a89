package appfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weirhq/weir/appfile"
)

// TestWriteNames checks that resource names become file names inside the
// directory, never paths out of it, and that two resources of one name
// get two files.
func TestWriteNames(t *testing.T) {
	dir := t.TempDir()
	app := &appfile.Resource{Kind: appfile.KindApplication, ID: "~exportplaceholderid-application-a~", Doc: appfile.Doc{"name": "A"}}
	flow := func(name string) *appfile.Resource {
		return &appfile.Resource{Kind: appfile.KindFlow, ID: appfile.Placeholder("flow", name), Doc: appfile.Doc{"name": name, "flowClass": "cloud"}}
	}
	tpl := &appfile.Template{Application: app, Resources: []*appfile.Resource{flow("../../escape"), flow("a/b"), flow("a b"), flow("a_b")}}
	if err := appfile.Write(dir, tpl); err != nil {
		t.Fatal(err)
	}
	var got []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	want := "application.yaml workflows/a_b.yaml workflows/a_b_2.yaml workflows/a_b_3.yaml workflows/escape.yaml"
	if strings.Join(got, " ") != want {
		t.Errorf("wrote %v, want %s", got, want)
	}
	back, err := appfile.Read(os.DirFS(dir))
	if err != nil || len(back.Of(appfile.KindFlow)) != 4 {
		t.Fatalf("Read of the written directory: %v, %d flows", err, len(back.Of(appfile.KindFlow)))
	}

	bad := &appfile.Template{Application: app, Resources: []*appfile.Resource{{Kind: appfile.KindFile,
		Doc: appfile.Doc{"name": "x", "parentDirectory": "/../../..", "type": "file"}, Content: []byte("x")}}}
	if err := appfile.Write(t.TempDir(), bad); err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Errorf("Write of a file outside files/ = %v, want an error", err)
	}
	if got := appfile.Placeholder("experienceEndpoint", "get /admin/alerting/{deviceRecipeId?}"); got != "~exportplaceholderid-experienceEndpoint-getAdminAlertingDeviceRecipeId~" {
		t.Errorf("Placeholder = %s, want Losant's spelling", got)
	}
}
