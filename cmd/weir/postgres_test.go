package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/weirhq/weir/internal/pgtest"
)

// TestServeOnPostgres runs weir on PostgreSQL (WEIR_TEST_POSTGRES_DSN), in a
// schema of its own, and presses a button through the whole stack.
func TestServeOnPostgres(t *testing.T) {
	store := mustPostgresStore(t)
	var out bytes.Buffer
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.Store = "127.0.0.1:0", t.TempDir(), "warn", store
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err != nil {
		t.Fatalf("Open() on PostgreSQL: %v", err)
	}
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	for range 3 {
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": 70}}, nil)
	}
	var storage map[string]any
	waitFor(t, 15*time.Second, "three increments in PostgreSQL", func() bool {
		c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		return storage["hits"] == 3.0
	})
}

// mustPostgresStore returns a --store URL with a schema of the test's own
// (pgtest.Store); it skips t without WEIR_TEST_POSTGRES_DSN.
func mustPostgresStore(t testing.TB) string {
	t.Helper()
	return pgtest.Store(t, "weir_cmd_")
}
