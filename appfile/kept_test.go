package appfile_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weirhq/weir/appfile"
)

// TestRoundTripKept: the blob simulator's dashboard is kept, not run: the
// import reports it so (and creates it, skipping nothing of it), the
// stored dashboard names the imported device and application by their new
// ids, and the export writes it back with placeholders (roundTrip checks
// it equals the template's).
func TestRoundTripKept(t *testing.T) {
	c := newClient(t)
	rep := roundTrip(t, c, "testdata/templates/blob-simulator")
	if rep.KeptNotRun[appfile.KindDashboard] != 1 || rep.Created[appfile.KindDashboard] != 0 {
		t.Errorf("kept, not run: %v; created %v; want the dashboard kept, not created", rep.KeptNotRun, rep.Created)
	}
	for _, s := range rep.Skipped {
		if s.Kind == appfile.KindDashboard {
			t.Errorf("skipped the dashboard: %s", s.Reason)
		}
	}
	var list struct {
		Items []map[string]any
	}
	req := httptest.NewRequestWithContext(t.Context(), "GET", "/applications/"+rep.ApplicationID+"/dashboards", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	w := httptest.NewRecorder()
	c.Handler.ServeHTTP(w, req)
	if err := json.Unmarshal(w.Body.Bytes(), &list); w.Code != 200 || err != nil {
		t.Fatalf("GET dashboards = %d %s", w.Code, w.Body)
	}
	if len(list.Items) != 1 {
		t.Fatalf("dashboards = %v", list.Items)
	}
	b, _ := json.Marshal(list.Items[0])
	if strings.Contains(string(b), "~exportplaceholderid-") || !strings.Contains(string(b), rep.ApplicationID) {
		t.Errorf("the stored dashboard does not name the new application and device: %s", b)
	}
}
