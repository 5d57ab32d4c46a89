package http_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
)

// TestLimits checks each limit the README lists for the REST API at its
// edge: the largest accepted input passes, one more is refused with the
// documented status and type and changes nothing.
func TestLimits(t *testing.T) {
	if weirhttp.DefaultMaxBodyBytes != 1<<20 {
		t.Errorf("DefaultMaxBodyBytes = %d, the README says 1 MiB", weirhttp.DefaultMaxBodyBytes)
	}
	globals := func(n, size int) string {
		gs := make([]map[string]string, n)
		for i := range gs {
			gs[i] = map[string]string{"key": fmt.Sprintf("g%d", i), "json": `"` + strings.Repeat("j", size-2) + `"`}
		}
		b, _ := json.Marshal(map[string]any{"globals": gs})
		return string(b)
	}
	str := func(n int) string { return `"` + strings.Repeat("v", n-2) + `"` } // JSON text of n bytes
	for _, tc := range []struct {
		name, method, path, okBody, badBody string
		status                              int
		typ                                 weir.ErrorType
	}{
		{"StorageKeyLength", "PATCH", "/applications/{applicationId}/flows/{flowId}/storage",
			`{"key":"` + strings.Repeat("k", weir.MaxStorageKeyLength) + `","value":1}`,
			`{"key":"` + strings.Repeat("k", weir.MaxStorageKeyLength+1) + `","value":1}`, 400, weir.Validation},
		{"StorageValueSize", "PATCH", "/applications/{applicationId}/flows/{flowId}/storage",
			`{"key":"v","value":` + str(weir.MaxStorageValueSize) + `}`,
			`{"key":"v","value":` + str(weir.MaxStorageValueSize+1) + `}`, 400, weir.Validation},
		{"ApplicationGlobalsCount", "PATCH", "/applications/{applicationId}", globals(weir.MaxGlobals, 3), globals(weir.MaxGlobals+1, 3), 400, weir.Validation},
		{"ApplicationGlobalSize", "PATCH", "/applications/{applicationId}", globals(1, 32767), globals(1, 32768), 400, weir.Validation},
		{"FlowGlobalsCount", "PATCH", "/applications/{applicationId}/flows/{flowId}", globals(weir.MaxGlobals, 3), globals(weir.MaxGlobals+1, 3), 400, weir.Validation},
		{"ExperiencePasswordShort", "POST", "/applications/{applicationId}/experience/users",
			`{"email":"a@example.com","password":"` + strings.Repeat("p", weir.MinPasswordLength) + `"}`,
			`{"email":"a@example.com","password":"` + strings.Repeat("p", weir.MinPasswordLength-1) + `"}`, 400, weir.Validation},
		{"ExperiencePasswordLong", "POST", "/applications/{applicationId}/experience/users",
			`{"email":"a@example.com","password":"` + strings.Repeat("p", weir.MaxPasswordLength) + `"}`,
			`{"email":"a@example.com","password":"` + strings.Repeat("p", weir.MaxPasswordLength+1) + `"}`, 400, weir.Validation},
		{"ExperienceTagValue", "PATCH", "/applications/{applicationId}/experience/users/{experienceUserId}",
			`{"userTags":{"k":"` + strings.Repeat("t", 255) + `"}}`, `{"userTags":{"k":"` + strings.Repeat("t", 256) + `"}}`, 400, weir.Validation},
		{"PressBody", "POST", "/applications/{applicationId}/flows/{flowId}/virtualButton",
			`{"key":"{button}","payload":` + str(60<<10) + `}`,
			`{"key":"{button}","payload":` + str(65<<10) + `}`, 413, weir.PayloadTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newMatrixEnv(t)
			tok := e.harness().token(weir.OwnerUser, e.userID, "all.User")
			before := e.snapshot()
			w := e.request(matrixRoute{method: tc.method, path: tc.path, body: tc.badBody}, tok)
			var got struct{ Type weir.ErrorType }
			_ = json.Unmarshal(w.Body.Bytes(), &got)
			if w.Code != tc.status || got.Type != tc.typ {
				t.Fatalf("past the limit: %d %.200s, want %d %s", w.Code, w.Body, tc.status, tc.typ)
			}
			if !reflect.DeepEqual(before, e.snapshot()) {
				t.Fatal("a refused request changed the stores")
			}
			if w := e.request(matrixRoute{method: tc.method, path: tc.path, body: tc.okBody}, tok); w.Code != 200 && w.Code != 201 {
				t.Fatalf("at the limit: %d %.200s, want 200 or 201", w.Code, w.Body)
			}
		})
	}
}
