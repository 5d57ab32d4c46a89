package http_test

import (
	"testing"

	weirhttp "github.com/weirhq/weir/http"
)

// TestSchemasCompile compiles every embedded schema: they are compiled on
// first use, so a broken one would otherwise fail only its route.
func TestSchemasCompile(t *testing.T) {
	if err := weirhttp.CompileSchemas(); err != nil {
		t.Fatal(err)
	}
}
