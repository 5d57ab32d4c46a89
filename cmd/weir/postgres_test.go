package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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

// mustPostgresStore returns a --store URL of WEIR_TEST_POSTGRES_DSN with a
// schema of the test's own, dropped at cleanup; it skips t without a DSN.
func mustPostgresStore(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("WEIR_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set WEIR_TEST_POSTGRES_DSN to run PostgreSQL tests")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "weir_cmd_" + hex.EncodeToString(b)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return u.String()
}
