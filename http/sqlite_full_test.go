package http_test

import (
	"strings"
	"testing"
)

// TestSQLiteFullDisk fills the SQLite store (capped a little above its size,
// as a full disk would be): Set Storage Entry and presses answer 507 with a
// typed InsufficientStorage body and change nothing, reads keep working,
// the database passes integrity_check, deleting and clearing storage work,
// and writes succeed again once space is back.
func TestSQLiteFullDisk(t *testing.T) {
	ctx := t.Context()
	h, db, user := newSQLiteAPI(t, nil)

	_, b := h.do("POST", "/applications", user, `{"name":"Full"}`)
	app := decode(t, b)["id"].(string)
	_, b = h.do("POST", "/applications/"+app+"/flows", user, `{"name":"F","triggers":[{"type":"virtualButton","outputIds":[]}]}`)
	flow := decode(t, b)
	fp := "/applications/" + app + "/flows/" + flow["id"].(string)
	key := flow["triggers"].([]any)[0].(map[string]any)["key"].(string)

	pages, err := db.SetMaxPages(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetMaxPages(ctx, pages+12); err != nil {
		t.Fatal(err)
	}
	big := `"` + strings.Repeat("y", 12000) + `"`
	accepted := 0
	status, body := 200, []byte(nil)
	for ; accepted < 200; accepted++ {
		if status, body = h.do("PATCH", fp+"/storage", user, `{"key":"k`+string(rune('A'+accepted%26))+strings.Repeat("z", accepted/26)+`","value":`+big+`}`); status != 200 {
			break
		}
	}
	if status != 507 {
		t.Fatalf("writing until full: last answer %d %s, want 507", status, body)
	}
	mustConform(t, "error", body)
	if e := decode(t, body); e["type"] != "InsufficientStorage" {
		t.Errorf("full disk answered %s, want type InsufficientStorage", body)
	}
	if accepted == 0 {
		t.Fatal("nothing fitted under the cap; the test proves nothing")
	}
	if status, body := h.do("POST", fp+"/virtualButton", user, `{"key":"`+key+`","payload":{"pad":`+big+`}}`); status != 507 {
		t.Errorf("press when full = %d %s, want 507", status, body)
	}
	status, body = h.do("GET", fp+"/storage", user, nil)
	if got := decode(t, body); status != 200 || len(got) != accepted {
		t.Fatalf("storage when full = %d with %d keys, want 200 with the %d accepted", status, len(got), accepted)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	// Deleting and clearing free space, so they work on a full disk.
	if status, body := h.do("PATCH", fp+"/storage", user, `{"key":"kA"}`); status != 200 {
		t.Errorf("deleting a key when full = %d %s, want 200", status, body)
	}
	if status, body := h.do("DELETE", fp+"/storage", user, nil); status != 200 || string(body) != "{}\n" {
		t.Errorf("clearing storage when full = %d %s, want 200 {}", status, body)
	}

	if _, err := db.SetMaxPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if status, body := h.do("PATCH", fp+"/storage", user, `{"key":"after","value":`+big+`}`); status != 200 {
		t.Errorf("write once space is back = %d %s, want 200", status, body)
	}
	if status, body := h.do("POST", fp+"/virtualButton", user, `{"key":"`+key+`","payload":{"pad":`+big+`}}`); status != 200 {
		t.Errorf("press once space is back = %d %s, want 200", status, body)
	}
	t.Logf("%d writes of 12 KB accepted before the 507; writes and presses accepted again once space was back", accepted)
}
