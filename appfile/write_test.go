package appfile_test

import (
	"archive/zip"
	"bytes"
	"io"
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

// TestWriteZip: a template written as a zip holds the files Write writes,
// with the same contents, and reads back through ZipFS as the directory
// does.
func TestWriteZip(t *testing.T) {
	tpl, err := appfile.Read(os.DirFS("testdata/templates/connected-product-foundation"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := appfile.Write(dir, tpl); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := appfile.WriteZip(&buf, tpl); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	inZip := map[string]bool{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		inZip[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: the zip's %d bytes differ from the directory's %d (%v)", f.Name, len(got), len(want), err)
		}
	}
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			n++
			if !inZip[filepath.ToSlash(rel)] {
				t.Errorf("%s is not in the zip", rel)
			}
		}
		return nil
	})
	if n != len(inZip) || n < 100 {
		t.Errorf("the directory has %d files, the zip %d", n, len(inZip))
	}
	fsys, err := appfile.ZipFS(zr)
	if err != nil {
		t.Fatal(err)
	}
	back, err := appfile.Read(fsys)
	if err != nil || len(back.Resources) != len(tpl.Resources) {
		t.Fatalf("Read of the zip: %v, %d resources, want %d", err, len(back.Resources), len(tpl.Resources))
	}
}
