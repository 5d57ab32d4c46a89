package appfile_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/weirhq/weir/appfile"
	weirhttp "github.com/weirhq/weir/http"
)

const appYAML = "resourceType: Application\nresources:\n  - name: A\n    id: ~exportplaceholderid-application-a~\nversion: 1\n"

// TestRead checks what Read makes of a directory: trees flattened with
// parents named, rows typed by their columns, views with their template
// files, experience develop versions as flows, files with their folders.
func TestRead(t *testing.T) {
	fsys := fstest.MapFS{
		"application.yaml": {Data: []byte(appYAML)},
		"devices.yaml": {Data: []byte("resourceType: DeviceTree\nresources:\n  - name: gw\n    id: ~exportplaceholderid-device-gw~\n" +
			"    children:\n      - name: leaf\n        id: ~exportplaceholderid-device-leaf~\n        children: []\nversion: 1\n")},
		"dataTables/t.yaml": {Data: []byte("resourceType: DataTable\nresources:\n  - name: t\n    localFilename: ./t.csv\n" +
			"    columns:\n      - {name: n, dataType: number}\n      - {name: b, dataType: boolean}\n      - {name: s, dataType: string}\nversion: 1\n")},
		"dataTables/t.csv":                        {Data: []byte("id,n,b,s\n65a593d44f0b4347de1e2eba,1.5,true,\"x, y\"\n65a593d44f0b4347de1e2ebb,,false,\n")},
		"experience/develop/layouts/layouts.yaml": {Data: []byte("resourceType: ExperienceView\nresources:\n  - name: l\n    viewType: layout\n    localFilename: ./l.hbs\nversion: 1\n")},
		"experience/develop/layouts/l.hbs":        {Data: []byte("<html>{{ page }}</html>")},
		"experience/develop/workflows/w.yaml": {Data: []byte("resourceType: ExperienceFlowVersion\nresources:\n  - name: w\n    id: ~exportplaceholderid-flowVersion-w~\n" +
			"    flowId: ~exportplaceholderid-flow-w~\n    version: develop\n    triggers: []\n    nodes: []\nversion: 1\n")},
		"files/dir/a.txt": {Data: []byte("hello")},
		"README.md":       {Data: []byte("# A")},
		"index.yaml":      {Data: []byte("name: x\nresourceTypes: null\n")},
	}
	tpl, err := appfile.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Application.Name() != "A" || len(tpl.Ignored) != 1 || tpl.Ignored[0].Name != "index.yaml" {
		t.Errorf("application %q, ignored %v", tpl.Application.Name(), tpl.Ignored)
	}
	devs := tpl.Of(appfile.KindDevice)
	if len(devs) != 2 || devs[1].Parent != "~exportplaceholderid-device-gw~" || devs[0].Doc["children"] != nil {
		t.Errorf("devices %+v, want gw then leaf under it", devs)
	}
	rows := tpl.Of(appfile.KindDataTable)[0].Rows
	if len(rows) != 2 || rows[0]["n"].(interface{ String() string }).String() != "1.5" || rows[0]["b"] != true || rows[0]["s"] != "x, y" ||
		rows[1]["b"] != false || rows[1]["n"] != nil || rows[1]["s"] != nil {
		t.Errorf("rows = %v", rows)
	}
	if v := tpl.Of(appfile.KindExperienceView)[0]; string(v.Content) != "<html>{{ page }}</html>" {
		t.Errorf("view content %q", v.Content)
	}
	f := tpl.Of(appfile.KindFlow)[0]
	if f.ID != "~exportplaceholderid-flow-w~" || f.Aliases[0] != "~exportplaceholderid-flowVersion-w~" || f.Doc["flowClass"] != "experience" || f.Doc["enabled"] != false {
		t.Errorf("experience flow %+v", f)
	}
	files := tpl.Of(appfile.KindFile)
	if len(files) != 2 || files[0].Doc["type"] != "directory" || files[1].Doc["parentDirectory"] != "/dir" || string(files[1].Content) != "hello" {
		t.Errorf("files %+v", files)
	}
}

// TestReadErrors checks that a directory Read cannot use fails naming the
// file and the reason.
func TestReadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"NoApplication":    {map[string]string{"devices.yaml": "resourceType: DeviceTree\nresources: []\n"}, "application.yaml: file does not exist"},
		"NotYAML":          {map[string]string{"application.yaml": appYAML, "x.yaml": "a: [\n"}, "x.yaml: neither JSON nor YAML"},
		"EmptyApplication": {map[string]string{"application.yaml": "resourceType: Application\nresources: []\n"}, "holds no Application resource"},
		"ResourceNotObject": {map[string]string{"application.yaml": appYAML, "webhooks.yaml": "resourceType: Webhook\nresources: [1]\n"},
			"webhooks.yaml: not a template resource file"},
		"MissingView": {map[string]string{"application.yaml": appYAML,
			"v/views.yaml": "resourceType: ExperienceView\nresources:\n  - name: p\n    localFilename: ./p.hbs\n"}, "v/views.yaml: p names v/p.hbs: file does not exist"},
		"OutsideTheDirectory": {map[string]string{"application.yaml": appYAML,
			"v/views.yaml": "resourceType: ExperienceView\nresources:\n  - name: p\n    localFilename: ../../secret\n"}, "names ../secret"},
		"RowFields": {map[string]string{"application.yaml": appYAML,
			"t.yaml": "resourceType: DataTable\nresources:\n  - name: t\n    localFilename: t.csv\n", "t.csv": "id,a\n1,2,3\n"}, "t.csv: row 1 has 3 fields, the header 2"},
		"RowNumber": {map[string]string{"application.yaml": appYAML,
			"t.yaml": "resourceType: DataTable\nresources:\n  - name: t\n    localFilename: t.csv\n    columns: [{name: a, dataType: number}]\n", "t.csv": "a\nten\n"},
			`t.csv: row 1: a: "ten" is not a number`},
	} {
		fsys := fstest.MapFS{}
		for p, s := range tc.files {
			fsys[p] = &fstest.MapFile{Data: []byte(s)}
		}
		_, err := appfile.Read(fsys)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Read = %v, want an error containing %q", name, err, tc.want)
		}
	}
}

// TestImportResolvesLaterReferences checks references to resources created
// after the one naming them: the application's globals naming the
// application and a flow, a flow's button key naming the flow itself, a
// flow calling a custom node listed after it.
func TestImportResolvesLaterReferences(t *testing.T) {
	fsys := fstest.MapFS{
		"application.yaml": {Data: []byte("resourceType: Application\nresources:\n  - name: A\n    id: ~exportplaceholderid-application-a~\n" +
			"    globals:\n      - key: me\n        json: '\"~exportplaceholderid-application-a~ ~exportplaceholderid-flow-caller~\"'\nversion: 1\n")},
		"workflows/caller.yaml": {Data: []byte("resourceType: Flow\nresources:\n  - name: caller\n    id: ~exportplaceholderid-flow-caller~\n" +
			"    triggers:\n      - type: virtualButton\n        key: ~exportplaceholderid-flow-caller~-k\n        config: {}\n        outputIds: [[n]]\n" +
			"    nodes:\n      - id: n\n        type: DebugNode\n        config:\n          message: 'calls ~exportplaceholderid-flow-node~'\nversion: 1\n")},
		"workflows/node.yaml": {Data: []byte("resourceType: Flow\nresources:\n  - name: node\n    id: ~exportplaceholderid-flow-node~\n" +
			"    flowClass: customNode\n    triggers: []\n    nodes: []\nversion: 1\n")},
	}
	c, rep := mustImport(t, fsys)
	app, caller, node := rep.ApplicationID, rep.IDs["~exportplaceholderid-flow-caller~"], rep.IDs["~exportplaceholderid-flow-node~"]
	got := get(t, c, "/applications/"+app)
	if want := `"\"` + app + " " + caller + `\""`; !strings.Contains(got, want) {
		t.Errorf("application = %s, want its global to hold %s", got, want)
	}
	got = get(t, c, "/applications/"+app+"/flows/"+caller)
	if !strings.Contains(got, `"key":"`+caller+`-k"`) || !strings.Contains(got, "calls "+node) {
		t.Errorf("flow = %s, want its key and config to name the new ids", got)
	}
	if len(rep.Unresolved) != 0 || len(rep.Skipped) != 0 {
		t.Errorf("report: unresolved %v, skipped %v", rep.Unresolved, rep.Skipped)
	}
}

// mustImport reads the application directory fsys and imports it into a
// new weir.
func mustImport(t *testing.T, fsys fstest.MapFS) (*appfile.Client, *appfile.Report) {
	t.Helper()
	tpl, err := appfile.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	rep, err := (&appfile.Importer{Client: c, Fields: weirhttp.SchemaFields}).Import(t.Context(), tpl)
	if err != nil {
		t.Fatal(err)
	}
	return c, rep
}

// get GETs p through c and returns the answer.
func get(t *testing.T, c *appfile.Client, p string) string {
	t.Helper()
	req := httptest.NewRequest("GET", p, nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	w := httptest.NewRecorder()
	c.Handler.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("GET %s = %d %s", p, w.Code, w.Body)
	}
	return w.Body.String()
}

// TestImportDeviceTree checks that a DeviceTree's children are created
// below their parents (parentId), and exported below them again.
func TestImportDeviceTree(t *testing.T) {
	fsys := fstest.MapFS{
		"application.yaml": {Data: []byte(appYAML)},
		"devices.yaml": {Data: []byte("resourceType: DeviceTree\nresources:\n  - name: site\n    id: ~exportplaceholderid-device-site~\n" +
			"    deviceClass: system\n    children:\n      - name: line\n        id: ~exportplaceholderid-device-line~\n        deviceClass: system\n" +
			"        children:\n          - name: pump\n            id: ~exportplaceholderid-device-pump~\n            children: []\nversion: 1\n")},
	}
	c, rep := mustImport(t, fsys)
	if len(rep.Unresolved) != 0 || len(rep.Skipped) != 0 {
		t.Fatalf("report: unresolved %v, skipped %v", rep.Unresolved, rep.Skipped)
	}
	site, line, pump := rep.IDs["~exportplaceholderid-device-site~"], rep.IDs["~exportplaceholderid-device-line~"], rep.IDs["~exportplaceholderid-device-pump~"]
	got := get(t, c, "/applications/"+rep.ApplicationID+"/devices/"+pump)
	if !strings.Contains(got, `"parentId":"`+line+`"`) || !strings.Contains(got, `"ancestorIds":["`+site+`","`+line+`"]`) {
		t.Errorf("pump = %s, want it below line, below site", got)
	}
	back, _, err := (&appfile.Exporter{Client: c}).Export(t.Context(), rep.ApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	parents := map[string]string{}
	for _, d := range back.Of(appfile.KindDevice) {
		parents[d.Name()] = d.Parent
	}
	if parents["site"] != "" || parents["line"] == "" || parents["pump"] == "" || parents["line"] == parents["pump"] {
		t.Errorf("exported parents %v, want site > line > pump", parents)
	}
}
