package flowfile_test

import (
	"os"
	"testing"

	"github.com/weirhq/weir/flowfile"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// exports and parses again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{editorExport, bulkBody, templateFlow, templateVersion, templateExperience, remapFile, "{}", "a: *b"} {
		f.Add([]byte(s))
	}
	for _, p := range []string{
		"workflows/nodes/signl4-alert/workflows/SIGNL4__Alert.yaml",
		"workflows/nodes/signl4-alert/workflowVersions/v1.0.0.yaml",
		"experiences/components/device-state-stream/experience/develop/workflows/GET__device-state-stream__deviceId_.yaml",
		"workflows/index.yaml",
	} {
		b, err := os.ReadFile(corpusDir + "/" + p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := flowfile.Parse(data)
		if err != nil {
			return
		}
		_ = file.Validate()
		b, err := flowfile.Export(file.Flows...)
		if err != nil {
			t.Fatalf("Export of parsed flows: %v", err)
		}
		if _, err := flowfile.Parse(b); err != nil {
			t.Fatalf("Parse(Export()): %v\n%s", err, b)
		}
		if _, err := file.Remap("", func() string { return "000000000000000000000001" }); err != nil {
			return
		}
	})
}
