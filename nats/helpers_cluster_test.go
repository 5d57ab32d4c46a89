package nats_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/nats"
)

// mustClusterClient connects one more "process" to the NATS server of
// WEIR_TEST_NATS_URL, or skips the test when it is unset.
func mustClusterClient(t testing.TB) *nats.Client {
	t.Helper()
	url := os.Getenv("WEIR_TEST_NATS_URL")
	if url == "" {
		t.Skip("set WEIR_TEST_NATS_URL (e.g. nats://127.0.0.1:4222) to run the NATS cluster tests")
	}
	c, err := nats.Dial(url, "weir-test")
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// uniquePrefix returns a subject and bucket prefix no other test uses.
func uniquePrefix(t testing.TB) string {
	return "weirtest_" + strings.ToLower(weir.NewKey(10))
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
