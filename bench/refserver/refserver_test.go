package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestS1 checks both modes answer S1 as weir's S1 flow does, refuse bad
// bodies and presses without the token with typed errors, and count a
// burst of concurrent requests exactly: for the floor, every acknowledged
// request is in the database, counter and log row, after it is reopened.
func TestS1(t *testing.T) {
	for _, mode := range []string{"ceiling", "floor"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "floor.db")
			c := mustOpen(t, mode, path)
			srv := httptest.NewServer(newServer(c, "secret"))
			defer srv.Close()

			for i, tc := range []struct{ body, want string }{
				{`{"value":75}`, `{"count":1}`},
				{`{"value":75,"other":[1,2]}`, `{"count":2}`},
				{`{"value":10}`, `{"count":null}`},
				{`{}`, `{"count":null}`},
			} {
				if got := mustPost(t, srv.URL+"/s1", "", tc.body, http.StatusOK); got != tc.want {
					t.Errorf("request %d: POST /s1 %s = %s, want %s", i, tc.body, got, tc.want)
				}
			}
			for _, body := range []string{`{"value":`, `[1]`, `"x"`} {
				if got := mustPost(t, srv.URL+"/s1", "", body, http.StatusBadRequest); !strings.Contains(got, `"type":"Validation"`) {
					t.Errorf("POST /s1 %s = %s, want a Validation error", body, got)
				}
			}
			press := `{"key":"k","payload":{"temp":35}}`
			mustPost(t, srv.URL+"/press", "Bearer wrong", press, http.StatusUnauthorized)
			mustPost(t, srv.URL+"/press", "", press, http.StatusUnauthorized)
			mustPost(t, srv.URL+"/press", "Bearer secret", `{"payload":{}}`, http.StatusBadRequest)

			// The burst: 16 clients, 50 requests each, on S1 and presses.
			var mu sync.Mutex
			acked := map[string]int64{}
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Go(func() {
					for range 50 {
						url, auth, body, kind := srv.URL+"/s1", "", `{"value":75}`, "s1"
						if i%2 == 1 {
							url, auth, body, kind = srv.URL+"/press", "Bearer secret", press, "presses"
						}
						if post(url, auth, body) == http.StatusOK {
							mu.Lock()
							acked[kind]++
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			want := map[string]int64{"s1": acked["s1"] + 2, "presses": acked["presses"], "runs": acked["s1"] + 4 + acked["presses"]}
			if acked["s1"] != 400 || acked["presses"] != 400 {
				t.Errorf("acknowledged %v of 400 each", acked)
			}
			if got := mustCounts(t, srv.URL); !equal(got, want) {
				t.Errorf("GET /count = %v, want %v", got, want)
			}
			srv.Close()
			if err := c.close(); err != nil {
				t.Fatal(err)
			}
			if mode == "ceiling" {
				return
			}
			c = mustOpen(t, mode, path)
			defer c.close()
			if got, err := c.counts(); err != nil || !equal(got, want) {
				t.Errorf("after reopening, counts() = %v, %v, want %v", got, err, want)
			}
		})
	}
}

func mustOpen(t *testing.T, mode, path string) counter {
	t.Helper()
	if mode == "ceiling" {
		return &memCounter{}
	}
	f, err := openFloor(path, false)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// post sends body and returns the status, 0 on a transport error.
func post(url, auth, body string) int {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func mustPost(t *testing.T, url, auth, body string, status int) string {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Errorf("POST %s %s: %d %s, want %d", url, body, resp.StatusCode, b, status)
	}
	return string(bytes.TrimSpace(b))
}

func mustCounts(t *testing.T, base string) map[string]int64 {
	t.Helper()
	resp, err := http.Get(base + "/count")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
