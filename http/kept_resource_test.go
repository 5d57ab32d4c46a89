package http_test

import (
	"testing"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// TestKeptResources: dashboards, notebooks and resource jobs posted to an
// application are listed back as posted, with id, applicationId and dates
// (the API's fields in a posted document are not kept); bad documents are
// refused, change nothing and never answer 500; one application's are not
// another's.
func TestKeptResources(t *testing.T) {
	h, _, user := newSQLiteAPI(t, func(s *weirhttp.Server, db *sqlite.DB) { s.Kept = db })
	app := func(name string) string {
		status, b := h.do("POST", "/applications", user, map[string]any{"name": name})
		if status != 201 {
			t.Fatalf("create application: %d %s", status, b)
		}
		return decode(t, b)["id"].(string)
	}
	a, b := app("A"), app("B")
	for _, coll := range []string{"dashboards", "notebooks", "resource-jobs"} {
		base := "/applications/" + a + "/" + coll
		status, body := h.do("POST", base, user, map[string]any{"name": "first", "id": "ignored", "applicationId": b,
			"blocks": []any{map[string]any{"blockType": "gauge", "config": map[string]any{"deviceId": "x"}}}})
		if status != 201 {
			t.Fatalf("POST %s = %d %s", base, status, body)
		}
		made := decode(t, body)
		if !weir.ValidID(made["id"].(string)) || made["id"] == "ignored" || made["applicationId"] != a || made["creationDate"] == nil {
			t.Errorf("POST %s answered %v", base, made)
		}
		for _, bad := range []any{[]any{1}, "text", map[string]any{"name": ""}, map[string]any{"name": 3}, map[string]any{"blocks": []any{}}} {
			status, body := h.do("POST", base, user, bad)
			wantError(t, status, body, 400, weir.Validation, "")
		}
		status, body = h.do("GET", base, user, nil)
		list := decode(t, body)
		items, _ := list["items"].([]any)
		if status != 200 || len(items) != 1 || list["totalCount"] != float64(1) {
			t.Fatalf("GET %s = %d %s, want the one posted", base, status, body)
		}
		got := items[0].(map[string]any)
		if got["id"] != made["id"] || got["name"] != "first" || len(got["blocks"].([]any)) != 1 {
			t.Errorf("GET %s item = %v, want %v", base, got, made)
		}
		if status, body := h.do("GET", "/applications/"+b+"/"+coll, user, nil); status != 200 || decode(t, body)["totalCount"] != float64(0) {
			t.Errorf("B's %s = %d %s, want none", coll, status, body)
		}
		if status, body := h.do("POST", "/applications/"+weir.NewID()+"/"+coll, user, map[string]any{"name": "x"}); status != 404 {
			t.Errorf("POST to a missing application's %s = %d %s, want 404", coll, status, body)
		}
	}
}
