package flowfile_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/flowfile"
)

// editorExport is a flow as the editor's export button writes it, bundling
// a custom node it uses.
const editorExport = `{
  "_exportDate": "2024-01-02T03:04:05.000Z", "_type": "flow", "version": "develop",
  "id": "5f0c5a8e1c9d440000a1b2c3", "name": "Button", "enabled": true,
  "triggers": [{"key": "5f0c5a8e1c9d440000a1b2c3-0teBa51_yZl6G__", "type": "virtualButton",
    "config": {"b": 1,  "a": [2]}, "meta": {"label": "Go", "x": 1}, "outputIds": [["n1"]]}],
  "nodes": [{"id": "n1", "type": "DebugNode", "config": {"message":  "hi"}, "meta": {"y": 2, "x": 1}}],
  "globals": [{"key": "limit", "json": "42"}],
  "customNodes": [{"id": "5f0c5a8e1c9d440000a1b2c4", "name": "Helper", "flowClass": "customNode",
    "triggers": [{"key": "customNodeStart", "type": "customNodeStart"}], "nodes": []}],
  "customNodeVersions": [{"id": "5f0c5a8e1c9d440000a1b2c5", "flowId": "5f0c5a8e1c9d440000a1b2c4", "version": "v1",
    "triggers": [], "nodes": []}]
}`

const bulkBody = `{"flows": [{"id": "5f0c5a8e1c9d440000a1b2c3", "name": "A", "flowClass": "edge"},
  {"name": "B", "triggers": [{"type": "timer", "key": "7Q5JXpfGQ2fZFUcuecRow"}]}],
  "flowVersions": [{"flowId": "5f0c5a8e1c9d440000a1b2c3", "version": "v2", "notes": "n", "enabled": true}]}`

const templateFlow = `resourceType: Flow
resources:
  - id: ~exportplaceholderid-flow-alerting~
    name: Alerting
    flowClass: cloud
    exportHash: abc
    globals:
      - key: threshold
        json: '5'
    nodes:
      - id: n1
        type: DebugNode
        config:
          message: '{{data.x}}'
        meta:
          'y': 140
          x: 40
        outputIds: []
    triggers:
      - key: ~exportplaceholderid-flow-alerting~-0teBa51_yZl6G__
        type: virtualButton
        config: {}
        meta:
          label: Press
        outputIds:
          - - n1
      - key: ~exportplaceholderid-device-turbofan~
        type: deviceId
version: 1
`

const templateVersion = `resourceType: FlowVersion
resources:
  - flowId: ~exportplaceholderid-flow-alerting~
    id: ~exportplaceholderid-flowVersion-v100~
    version: v1.0.0
    enabled: true
    globals: []
    nodes: []
    triggers: []
version: 1
`

const templateExperience = `resourceType: ExperienceFlowVersion
resources:
  - enabled: true
    flowId: ~exportplaceholderid-flow-getItems~
    id: ~exportplaceholderid-flowVersion-getItems~
    name: 'GET /items'
    globals: []
    nodes: []
    triggers:
      - key: ~exportplaceholderid-experienceEndpoint-getItems~
        type: endpoint
    version: develop
version: 1
`

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name         string
		in           string
		format       flowfile.Format
		flows        []string // id/name/class/enabled of each flow
		versions     []string // id/flowId/version of each version
		placeholders []string
		noWorkflows  string
	}{
		{name: "EditorExport", in: editorExport, format: flowfile.FormatFlow,
			flows:    []string{"5f0c5a8e1c9d440000a1b2c3/Button/cloud/true", "5f0c5a8e1c9d440000a1b2c4/Helper/customNode/false"},
			versions: []string{"5f0c5a8e1c9d440000a1b2c5/5f0c5a8e1c9d440000a1b2c4/v1"}},
		{name: "RESTFlow", in: `{"id":"5f0c5a8e1c9d440000a1b2c3","flowId":"5f0c5a8e1c9d440000a1b2c3","name":"R","flowClass":"experience","triggers":[],"nodes":[],"stats":{"runCount":3}}`,
			format: flowfile.FormatFlow, flows: []string{"5f0c5a8e1c9d440000a1b2c3/R/experience/false"}},
		{name: "Bulk", in: bulkBody, format: flowfile.FormatBulk,
			flows:    []string{"5f0c5a8e1c9d440000a1b2c3/A/edge/false", "/B/cloud/false"},
			versions: []string{"/5f0c5a8e1c9d440000a1b2c3/v2"}},
		{name: "TemplateFlowYAML", in: templateFlow, format: flowfile.FormatTemplate,
			flows:        []string{"~exportplaceholderid-flow-alerting~/Alerting/cloud/false"},
			placeholders: []string{"~exportplaceholderid-device-turbofan~", "~exportplaceholderid-flow-alerting~"}},
		{name: "TemplateFlowJSON", in: `{"resourceType":"Flow","resources":[{"id":"~exportplaceholderid-flow-a~","name":"A"}],"version":1}`,
			format: flowfile.FormatTemplate, flows: []string{"~exportplaceholderid-flow-a~/A/cloud/false"},
			placeholders: []string{"~exportplaceholderid-flow-a~"}},
		{name: "TemplateFlowVersion", in: templateVersion, format: flowfile.FormatTemplate,
			versions:     []string{"~exportplaceholderid-flowVersion-v100~/~exportplaceholderid-flow-alerting~/v1.0.0"},
			placeholders: []string{"~exportplaceholderid-flow-alerting~", "~exportplaceholderid-flowVersion-v100~"}},
		{name: "TemplateExperienceFlowVersion", in: templateExperience, format: flowfile.FormatTemplate,
			flows: []string{"~exportplaceholderid-flow-getItems~/GET /items/experience/true"},
			placeholders: []string{"~exportplaceholderid-experienceEndpoint-getItems~", "~exportplaceholderid-flow-getItems~",
				"~exportplaceholderid-flowVersion-getItems~"}},
		{name: "TemplateDashboard", in: "resourceType: Dashboard\nresources:\n  - name: D\nversion: 1\n", format: flowfile.FormatTemplate,
			noWorkflows: "resourceType Dashboard holds no workflows"},
		{name: "TemplateIndex", in: "name: Workflows\ndescription: x\nresourceTypes: null\n", format: flowfile.FormatIndex,
			noWorkflows: "a template directory index (name, description, resourceTypes), not a resource file"},
		{name: "EmptyBulk", in: `{"flows":[]}`, format: flowfile.FormatBulk,
			noWorkflows: "the file lists no flows or flow versions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := flowfile.Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var flows, versions []string
			for _, fl := range f.Flows {
				flows = append(flows, strings.Join([]string{fl.ID, fl.Name, fl.FlowClass, itoaBool(fl.Enabled)}, "/"))
			}
			for _, v := range f.Versions {
				versions = append(versions, strings.Join([]string{v.ID, v.FlowID, v.Version}, "/"))
			}
			if f.Format != tc.format || f.NoWorkflows != tc.noWorkflows {
				t.Errorf("Parse = format %q, NoWorkflows %q; want %q, %q", f.Format, f.NoWorkflows, tc.format, tc.noWorkflows)
			}
			if diff := cmp.Diff(tc.flows, flows); diff != "" {
				t.Errorf("flows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.versions, versions); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.placeholders, f.Placeholders); diff != "" {
				t.Errorf("placeholders (-want +got):\n%s", diff)
			}
			if err := f.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// TestParseKeepsContent checks that JSON configs and metas keep their bytes
// and that keys, ids and globals come through.
func TestParseKeepsContent(t *testing.T) {
	f, err := flowfile.Parse([]byte(editorExport))
	if err != nil {
		t.Fatal(err)
	}
	fl := f.Flows[0]
	want := weir.Definition{
		Triggers: []weir.Trigger{{Key: "5f0c5a8e1c9d440000a1b2c3-0teBa51_yZl6G__", Type: "virtualButton",
			Config: []byte(`{"b": 1,  "a": [2]}`), Meta: []byte(`{"label": "Go", "x": 1}`), OutputIDs: [][]string{{"n1"}}}},
		Nodes:   []weir.Node{{ID: "n1", Type: "DebugNode", Config: []byte(`{"message":  "hi"}`), Meta: []byte(`{"y": 2, "x": 1}`)}},
		Globals: []weir.Global{{Key: "limit", JSON: "42"}},
	}
	if diff := cmp.Diff(want, fl.Definition); diff != "" {
		t.Errorf("definition (-want +got):\n%s", diff)
	}

	// YAML keeps key order when converted.
	f, err = flowfile.Parse([]byte(templateFlow))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(f.Flows[0].Nodes[0].Meta); got != `{"y":140,"x":40}` {
		t.Errorf("YAML meta = %s, want {\"y\":140,\"x\":40}", got)
	}
	if got := f.Flows[0].Triggers[0].Key; got != "~exportplaceholderid-flow-alerting~-0teBa51_yZl6G__" {
		t.Errorf("trigger key = %q, want the placeholder-derived key verbatim", got)
	}
}

func TestParseYAMLFeatures(t *testing.T) {
	in := `
base: &base
  message: hi
  level: 2
resourceType: Flow
resources:
  - name: Anchors
    nodes:
      - id: a
        type: DebugNode
        config:
          <<: *base
          level: 3
          hex: 0x10
          half: .5
          stamp: 2024-01-02
          nothing: ~
          yes: yes
`
	f, err := flowfile.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(f.Flows[0].Nodes[0].Config)
	want := `{"level":3,"hex":16,"half":0.5,"stamp":"2024-01-02","nothing":null,"yes":"yes","message":"hi"}`
	if got != want {
		t.Errorf("config = %s, want %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\nname: x\n"
	for _, tc := range []struct{ name, in, want string }{
		{"Empty", "  \n", "empty file"},
		{"NotObject", `[1, 2]`, "must be an object"},
		{"Scalar", `hello`, "must be an object"},
		{"Garbage", "{a: [", "neither JSON (line 1, column 2: invalid character 'a' looking for beginning of object key string) nor YAML"},
		{"GarbageYAML", "a: [", "neither JSON nor YAML"},
		{"Unknown", `{"foo": 1}`, "neither a flow"},
		{"NoResourceType", `{"resources": []}`, "no resourceType"},
		{"FlowsWrongType", `{"flows": {}}`, "flows has the wrong type"},
		{"NodesWrongType", `{"name": "x", "nodes": {}}`, "nodes must not be a object"},
		{"Infinity", "name: x\nglobals: .inf\n", "no JSON equivalent"},
		{"AliasBomb", bomb, "too many values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := flowfile.Parse([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q) error = %v, want one containing %q", tc.name, err, tc.want)
			}
		})
	}
}

func TestValidateNamesCulprit(t *testing.T) {
	f, err := flowfile.Parse([]byte(`{"flows": [{"name": "ok"}, {"name": "bad", "nodes": [{"id": "a", "type": "DebugNode", "outputIds": [["zz"]]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Validate()
	if err == nil || weir.ErrorTypeOf(err) != weir.Validation || !strings.Contains(err.Error(), `flow 1 ("bad")`) ||
		weir.ErrorMessage(err) != "Referenced output ID zz does not exist." {
		t.Errorf("Validate = %v, want a Validation error naming flow 1", err)
	}
}

func itoaBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
