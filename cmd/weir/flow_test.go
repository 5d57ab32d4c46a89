package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir/flowfile"
)

const templates = "../../flowfile/testdata/losant-library-templates/"

// buttonTemplate is a template flow whose virtual button key and debug node
// reference the flow's own placeholder.
const buttonTemplate = `resourceType: Flow
resources:
  - id: ~exportplaceholderid-flow-button~
    name: Button
    globals:
      - key: limit
        json: '5'
    nodes:
      - id: dbg
        type: DebugNode
        config:
          message: 'from ~exportplaceholderid-flow-button~'
        meta:
          label: Debug
          'y': 2
          x: 1
    triggers:
      - key: ~exportplaceholderid-flow-button~-0teBa51_yZl6G__
        type: virtualButton
        config: {}
        meta:
          label: Press
        outputIds:
          - - dbg
version: 1
`

func mustWrite(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFlowImportExport imports files into the data directory of a running
// instance, reads an imported flow through the API and exports the flows
// again.
func TestFlowImportExport(t *testing.T) {
	dir := t.TempDir()
	m, out := startMain(t, dir)
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "imports"}, &app)

	file := mustWrite(t, "button.yaml", buttonTemplate)
	corpus := templates + "workflows/nodes/signl4-alert/workflows/SIGNL4__Alert.yaml"
	var stdout, stderr bytes.Buffer
	args := []string{"flow", "import", file, corpus, "--application", app.ID, "--data", dir}
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("flow import: %v (%s)", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "\tdisabled\tButton") {
		t.Fatalf("flow import printed %q, want two disabled flows, Button first", stdout.String())
	}
	id := strings.Split(lines[0], "\t")[0]

	var flow struct {
		Enabled  bool
		Triggers []struct{ Key string }
		Nodes    []struct{ Config struct{ Message string } }
	}
	c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+id, nil, &flow)
	key := id + "-0teBa51_yZl6G__"
	if flow.Enabled || flow.Triggers[0].Key != key || flow.Nodes[0].Config.Message != "from "+id {
		t.Errorf("imported flow = %+v, want disabled, key %s, message naming the new id", flow, key)
	}

	stdout.Reset()
	if err := run(t.Context(), []string{"flow", "export", "--application", app.ID, "--flow", id, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("flow export: %v (%s)", err, stderr.String())
	}
	got, err := flowfile.Parse(stdout.Bytes())
	if err != nil {
		t.Fatalf("Parse(export): %v\n%s", err, stdout.String())
	}
	want, _ := flowfile.Parse([]byte(buttonTemplate))
	if _, err := want.Remap(app.ID, func() string { return id }); err != nil {
		t.Fatal(err)
	}
	if len(got.Flows) != 1 || got.Flows[0].ID != id {
		t.Fatalf("export = %s, want flow %s", stdout.String(), id)
	}
	if diff := cmp.Diff(want.Flows[0].Definition, got.Flows[0].Definition); diff != "" {
		t.Errorf("exported definition (-want +got):\n%s", diff)
	}

	stdout.Reset()
	if err := run(t.Context(), []string{"flow", "export", "--application", app.ID, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("flow export all: %v", err)
	}
	if all, err := flowfile.Parse(stdout.Bytes()); err != nil || len(all.Flows) != 2 {
		t.Errorf("export of the application = %v flows, %v; want 2", all, err)
	}
}

func TestFlowImportErrors(t *testing.T) {
	dir := t.TempDir()
	m, out := startMain(t, dir)
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "imports"}, &app)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	flowFile := templates + "workflows/nodes/signl4-alert/workflows/SIGNL4__Alert.yaml"
	versionFile := templates + "workflows/nodes/signl4-alert/workflowVersions/v1.0.0.yaml"
	bad := mustWrite(t, "bad.json", `{"flows":[{"name":"ok"},{"name":"bad","nodes":[{"id":"a","type":"DebugNode","outputIds":[["zz"]]}]}]}`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrVersions", []string{flowFile, versionFile}, "pass --skip-versions"},
		{"ErrNoWorkflows", []string{templates + "workflows/nodes/signl4-alert/application.yaml"}, "holds no workflows: resourceType Application"},
		{"ErrInvalid", []string{bad}, `flow "bad": Validation: Referenced output ID zz does not exist.`},
		{"ErrNoFile", nil, "missing FILE"},
		{"ErrApplication", []string{flowFile, "--application", "nope"}, "--application must be"},
		{"ErrUnknownApplication", []string{flowFile, "--application", "aaaaaaaaaaaaaaaaaaaaaaaa"}, "Application was not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"flow", "import", "--data", dir, "--application", app.ID}, tc.args...)
			err := run(t.Context(), args, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("flow import %v = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}

	// Nothing was stored; with --skip-versions the flow alone is imported.
	var stdout, stderr bytes.Buffer
	args := []string{"flow", "import", flowFile, versionFile, "--skip-versions", "--application", app.ID, "--data", dir}
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("flow import --skip-versions: %v", err)
	}
	if !strings.Contains(stderr.String(), "skipping 1 flow versions") {
		t.Errorf("stderr = %q, want a note about the skipped version", stderr.String())
	}
	stdout.Reset()
	if err := run(t.Context(), []string{"flow", "export", "--application", app.ID, "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if f, err := flowfile.Parse(stdout.Bytes()); err != nil || len(f.Flows) != 1 {
		t.Errorf("application holds %v, %v; want exactly the one flow imported last", f, err)
	}
}

func TestFlowCheck(t *testing.T) {
	supported := mustWrite(t, "ok.yaml", buttonTemplate)
	// Node and trigger types no Losant export uses, so that the case does not
	// change as weir implements more types.
	unsupported := mustWrite(t, "future.json", `{"name":"future","triggers":[{"type":"udp","key":"u","outputIds":[["a"]]}],`+
		`"nodes":[{"id":"a","type":"FutureNode","outputIds":[["b"]]},{"id":"b","type":"FutureNode"},{"id":"c","type":"OtherFutureNode"}]}`)
	// A Losant API node of an action Losant's client has and weir does not
	// serve (telemetry of an experience domain), beside one it serves.
	apiCalls := mustWrite(t, "api.json", `{"name":"api","nodes":[`+
		`{"id":"a","type":"LosantApiNode","config":{"resource":"devices","action":"get","params":[]}},`+
		`{"id":"b","type":"LosantApiNode","config":{"resource":"experienceDomain","action":"get","params":[]}}]}`)
	broken := mustWrite(t, "broken.json", "{\n \"name\": \"x\",\n \"nodes\": [}\n")
	invalid := mustWrite(t, "bad.json", `{"name":"bad","nodes":[{"id":"a","type":"DebugNode","outputIds":[["zz"]]}]}`)
	for _, tc := range []struct {
		name    string
		files   []string
		wantErr error
		want    []string
	}{
		{"OK", []string{supported}, nil, []string{"1 flows, 0 versions", "ok: every node and trigger is supported"}},
		{"ErrUnsupported", []string{supported, unsupported}, errNotSupported,
			[]string{"unsupported node types: FutureNode (2), OtherFutureNode (1)", "unsupported trigger types: udp (1)"}},
		{"ErrUnservedAPIAction", []string{apiCalls}, errNotSupported,
			[]string{`node b (LosantApiNode): weir serves no Losant API action experienceDomain.get`}},
		{"ErrInvalid", []string{invalid}, errInvalidFile, []string{"invalid: flow 0 (\"bad\")"}},
		{"ErrNoWorkflows", []string{templates + "workflows/index.yaml"}, errInvalidFile, []string{"not a flow file: it holds no workflows: a template directory index"}},
		{"ErrMissing", []string{filepath.Join(t.TempDir(), "nope.yaml")}, errUnreadable, []string{"nope.yaml: cannot read the file: no such file or directory"}},
		{"ErrNotJSON", []string{broken}, errInvalidFile, []string{"not a flow file: neither JSON (line 3, column 12: invalid character '}'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(t.Context(), append([]string{"flow", "check"}, tc.files...), &stdout, &bytes.Buffer{})
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("flow check = %v, want %v", err, tc.wantErr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("flow check printed\n%s\nwant it to contain %q", stdout.String(), w)
				}
			}
		})
	}

	// Several files: the error counts each kind of problem.
	err := run(t.Context(), []string{"flow", "check", supported, invalid, unsupported, "missing.yaml", broken}, io.Discard, io.Discard)
	want := "1 of 5 files: could not be read\n2 of 5 files: not a valid flow file\n1 of 5 files: uses features weir does not support yet"
	if err == nil || err.Error() != want {
		t.Errorf("flow check of five files = %v, want\n%s", err, want)
	}
}
