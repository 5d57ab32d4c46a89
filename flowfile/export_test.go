package flowfile_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/flowfile"
)

func TestExport(t *testing.T) {
	def := "5f0c5a8e1c9d440000a1b2c9"
	in := &weir.Flow{
		ID: "5f0c5a8e1c9d440000a1b2c3", ApplicationID: "5f0c5a8e1c9d440000a1b2c0", Name: "Multi\nline: yes",
		Enabled: true, FlowClass: weir.FlowClassEdge, DefaultVersionID: &def,
		Description: "d", IconData: "data:image/png;base64,AA==", Stats: weir.FlowStats{RunCount: 9},
		Weir: weir.FlowSettings{KeepPayloads: true},
		Definition: weir.Definition{
			Triggers: []weir.Trigger{{Key: "5f0c5a8e1c9d440000a1b2c3-abc", Type: "virtualButton",
				Config: []byte(`{}`), Meta: []byte(`{"y":1,"x":2.50,"big":12345678901234567890,"label":"~","n":null,"t":true}`),
				OutputIDs: [][]string{{"n1"}}}},
			Nodes: []weir.Node{
				{ID: "n1", Type: "DebugNode", Config: []byte(`{"message":"line1\nline2  \n"}`), OutputIDs: [][]string{}},
				{Type: "AnnotationNode"},
			},
			Globals:          []weir.Global{{Key: "g", JSON: `{"a":1}`}},
			CustomNodeConfig: []byte(`{"outputCount":1}`), MinimumAgentVersion: "1.2.3",
		},
	}
	b, err := flowfile.Export(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "resourceType: Flow\nresources:\n  - ") || !strings.HasSuffix(s, "version: 1\n") {
		t.Errorf("Export =\n%s\nwant a resourceType: Flow envelope", s)
	}
	if strings.Contains(s, "applicationId") || strings.Contains(s, "stats") {
		t.Errorf("Export =\n%s\nwant no server-maintained fields", s)
	}
	if !strings.Contains(s, "    weir:\n      keepPayloads: true\n") {
		t.Errorf("Export =\n%s\nwant weir's own settings", s)
	}
	off := *in
	off.Weir = weir.FlowSettings{}
	if b, _ := flowfile.Export(&off); strings.Contains(string(b), "weir") {
		t.Errorf("Export of a flow with weir's settings off =\n%s\nwant no weir key", b)
	}
	f, err := flowfile.Parse(b)
	if err != nil {
		t.Fatalf("Parse(Export()): %v\n%s", err, s)
	}
	want := *in
	want.ApplicationID, want.Stats = "", weir.FlowStats{}
	want.Triggers[0].Meta = []byte(`{"y":1,"x":2.50,"big":12345678901234567890,"label":"~","n":null,"t":true}`)
	if diff := cmp.Diff(&want, f.Flows[0]); diff != "" {
		t.Errorf("Parse(Export()) (-want +got):\n%s", diff)
	}
}

func TestExportVersions(t *testing.T) {
	in := &flowfile.Version{ID: "~exportplaceholderid-flowVersion-v1~", FlowID: "~exportplaceholderid-flow-a~",
		Version: "v1", Notes: "first", Enabled: true,
		Definition: weir.Definition{Triggers: []weir.Trigger{}, Nodes: []weir.Node{}, Globals: []weir.Global{}}}
	b, err := flowfile.ExportVersions(in)
	if err != nil {
		t.Fatal(err)
	}
	f, err := flowfile.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*flowfile.Version{in}, f.Versions); diff != "" {
		t.Errorf("Parse(ExportVersions()) (-want +got):\n%s\n%s", diff, b)
	}
}

func TestExportBadConfig(t *testing.T) {
	_, err := flowfile.Export(&weir.Flow{Name: "x", Definition: weir.Definition{Nodes: []weir.Node{{Type: "DebugNode", Config: []byte(`{`)}}}})
	if err == nil {
		t.Error("Export with a config that is not JSON succeeded, want an error")
	}
}
