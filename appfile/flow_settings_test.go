package appfile_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/weirhq/weir/appfile"
	weirhttp "github.com/weirhq/weir/http"
)

// serve sends one API request through c's handler and decodes the answer
// into out; it fails t unless the status is want.
func serve(t *testing.T, c *appfile.Client, want int, method, path, body string, out any) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	c.Handler.ServeHTTP(w, req)
	if w.Code != want {
		t.Fatalf("%s %s = %d %s", method, path, w.Code, w.Body)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRoundTripFlowSettings: weir's own flow setting keepPayloads goes out
// with an application export and comes back with its import.
func TestRoundTripFlowSettings(t *testing.T) {
	c := newClient(t)
	in, err := appfile.Read(os.DirFS("testdata/templates/blob-simulator"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&appfile.Importer{Client: c, Fields: weirhttp.SchemaFields}).Import(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	type flow struct {
		ID, Name string
		Weir     *struct{ KeepPayloads bool } `json:"weir"`
	}
	var flows struct{ Items []flow }
	serve(t, c, 200, "GET", "/applications/"+rep.ApplicationID+"/flows?perPage=1000", "", &flows)
	if len(flows.Items) == 0 {
		t.Fatal("the template imported no flow")
	}
	kept := flows.Items[0]
	serve(t, c, 200, "PATCH", "/applications/"+rep.ApplicationID+"/flows/"+kept.ID, `{"weir":{"keepPayloads":true}}`, nil)

	out, _, err := (&appfile.Exporter{Client: c}).Export(t.Context(), rep.ApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t)
	rep2, err := (&appfile.Importer{Client: c2, Fields: weirhttp.SchemaFields}).Import(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	var back struct{ Items []flow }
	serve(t, c2, 200, "GET", "/applications/"+rep2.ApplicationID+"/flows?perPage=1000", "", &back)
	n := 0
	for _, f := range back.Items {
		on := f.Weir != nil && f.Weir.KeepPayloads
		if on != (f.Name == kept.Name) {
			t.Errorf("flow %q keeps payloads: %v after the round trip", f.Name, on)
		}
		if on {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d flows keep payloads after the round trip, want 1 (%q)", n, kept.Name)
	}
}
