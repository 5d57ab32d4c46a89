package flowfile_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/flowfile"
)

// corpusDir holds Losant's public application templates (MIT, see
// LICENSE.txt there): real-world workflow exports.
const corpusDir = "testdata/losant-library-templates"

// Figures of the corpus, asserted so that a parser change that drops files
// shows up.
const (
	corpusFiles         = 196
	corpusWorkflowFiles = 121 // 38 Flow, 14 FlowVersion, 69 ExperienceFlowVersion
)

// corpusFile is one parsed corpus file.
type corpusFile struct {
	path string
	data []byte
	file *flowfile.File
}

func mustParseCorpus(t *testing.T) []corpusFile {
	t.Helper()
	var out []corpusFile
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := flowfile.Parse(data)
		if err != nil {
			t.Errorf("Parse(%s): %v", path, err)
			return nil
		}
		out = append(out, corpusFile{path: path, data: data, file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpus parses every template file, validates every workflow, and
// checks that non-workflow files say why they hold none.
func TestCorpus(t *testing.T) {
	files := mustParseCorpus(t)
	var workflowFiles, flows, versions int
	reasons := map[string]int{}
	for _, cf := range files {
		f := cf.file
		if f.NoWorkflows != "" {
			if len(f.Flows)+len(f.Versions) != 0 {
				t.Errorf("%s: NoWorkflows = %q but %d flows, %d versions", cf.path, f.NoWorkflows, len(f.Flows), len(f.Versions))
			}
			reasons[f.NoWorkflows]++
			continue
		}
		workflowFiles++
		flows += len(f.Flows)
		versions += len(f.Versions)
		if err := f.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", cf.path, err)
		}
	}
	if len(files) != corpusFiles || workflowFiles != corpusWorkflowFiles {
		t.Errorf("corpus: %d files parsed, %d with workflows; want %d, %d", len(files), workflowFiles, corpusFiles, corpusWorkflowFiles)
	}
	var lines []string
	for r, n := range reasons {
		lines = append(lines, r+": "+itoa(n))
	}
	sort.Strings(lines)
	t.Logf("corpus: %d files parsed; %d hold workflows (%d flows, %d versions), all valid; %d hold none:\n  %s",
		len(files), workflowFiles, flows, versions, len(files)-workflowFiles, strings.Join(lines, "\n  "))
}

// TestCorpusRoundTrip checks export(parse(x)) against x for every workflow
// file: every trigger, node and global comes back, compared as decoded JSON.
func TestCorpusRoundTrip(t *testing.T) {
	n := 0
	for _, cf := range mustParseCorpus(t) {
		if cf.file.NoWorkflows != "" {
			continue
		}
		t.Run(strings.TrimPrefix(cf.path, corpusDir+"/"), func(t *testing.T) {
			want := sourceDefinitions(t, cf.data)
			got := roundTrip(t, cf.file)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip mismatch (-source +exported):\n%s", diff)
			}
		})
		n++
	}
	t.Logf("round-tripped %d workflow files", n)
}

// roundTrip exports the flows and versions of f, parses the exports and
// returns their definitions as decoded JSON, flows first.
func roundTrip(t *testing.T, f *flowfile.File) []any {
	t.Helper()
	var out []any
	if len(f.Flows) > 0 {
		b, err := flowfile.Export(f.Flows...)
		if err != nil {
			t.Fatalf("Export: %v", err)
		}
		g, err := flowfile.Parse(b)
		if err != nil {
			t.Fatalf("Parse(Export()): %v\n%s", err, b)
		}
		if len(g.Flows) != len(f.Flows) {
			t.Fatalf("Parse(Export()) has %d flows, want %d", len(g.Flows), len(f.Flows))
		}
		for i, fl := range g.Flows {
			if fl.ID != f.Flows[i].ID || fl.Name != f.Flows[i].Name || fl.FlowClass != f.Flows[i].FlowClass {
				t.Errorf("flow %d = %s %q %s, want %s %q %s", i, fl.ID, fl.Name, fl.FlowClass, f.Flows[i].ID, f.Flows[i].Name, f.Flows[i].FlowClass)
			}
			out = append(out, decodedDefinition(t, &fl.Definition))
		}
	}
	if len(f.Versions) > 0 {
		b, err := flowfile.ExportVersions(f.Versions...)
		if err != nil {
			t.Fatalf("ExportVersions: %v", err)
		}
		g, err := flowfile.Parse(b)
		if err != nil {
			t.Fatalf("Parse(ExportVersions()): %v\n%s", err, b)
		}
		for _, v := range g.Versions {
			out = append(out, decodedDefinition(t, &v.Definition))
		}
	}
	return out
}

// sourceDefinitions decodes the triggers, nodes and globals of every
// resource of a template file straight from its YAML, without flowfile's
// types: the reference the round trip is compared with.
func sourceDefinitions(t *testing.T, data []byte) []any {
	t.Helper()
	var env struct {
		Resources []map[string]any `yaml:"resources"`
	}
	if err := yamlUnmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	out := make([]any, 0, len(env.Resources))
	for _, r := range env.Resources {
		out = append(out, normalise(map[string]any{
			"triggers": r["triggers"], "nodes": r["nodes"], "globals": r["globals"],
		}))
	}
	return out
}

// decodedDefinition is a definition as decoded JSON.
func decodedDefinition(t *testing.T, d *weir.Definition) any {
	t.Helper()
	b, err := json.Marshal(map[string]any{"triggers": d.Triggers, "nodes": d.Nodes, "globals": d.Globals})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return normalise(v)
}

// normalise makes a YAML- or JSON-decoded value comparable: numbers become
// float64, absent or empty outputIds become [], empty lists become nil.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalise(e)
		}
		for _, k := range []string{"triggers", "nodes"} {
			if list, ok := out[k].([]any); ok {
				for _, e := range list {
					if m, ok := e.(map[string]any); ok {
						if ids, ok := m["outputIds"].([]any); !ok || len(ids) == 0 {
							m["outputIds"] = nil
						}
					}
				}
			}
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalise(e)
		}
		return out
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
