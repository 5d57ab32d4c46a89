package weir_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/weirhq/weir"

// allowed lists, for each package of the module (by path prefix, longest
// match wins), the module packages it may import directly. Imports point
// toward the root; only cmd/weir knows concrete types.
var allowed = map[string][]string{
	"":                  {},
	"engine/js":         {},
	"engine/path":       {"engine/js"},
	"engine/template":   {"engine/js", "internal/nodejs"}, // internal/nodejs: tests only
	"engine/expr":       {"engine/js", "internal/nodejs"}, // internal/nodejs: tests only
	"internal/nodejs":   {"engine/js"},
	"engine":            {"", "engine/js", "engine/path", "engine/template", "engine/expr", "mock", "nodes"},                  // nodes: tests only
	"nodes":             {"", "engine", "engine/js", "engine/path", "engine/template", "engine/expr", "store/sqlite", "mock"}, // store/sqlite, mock: tests only
	"auth":              {"", "ratelimit"},
	"flowfile":          {""},
	"appfile":           {"", "flowfile", "auth", "http", "store/sqlite"}, // all but the root and flowfile: tests only
	"ratelimit":         {},
	"mqtt":              {},
	"broker":            {"", "auth", "ratelimit", "store/sqlite", "internal/testcert"}, // ratelimit, store/sqlite, internal/testcert: tests only
	"metrics":           {"", "mock"},
	"nats":              {"", "engine", "queuetest", "triggers", "mock"}, // all but the root: tests only
	"triggers":          {"", "engine", "mock", "store/sqlite"},          // mock, store/sqlite: tests only
	"store/storetest":   {""},
	"store/sqlstore":    {""},
	"store/sqlite":      {"", "store/sqlstore", "store/storetest", "queuetest"},
	"store/postgres":    {"", "store/sqlstore", "store/storetest", "queuetest"},
	"queuetest":         {""},
	"mock":              {""},
	"http":              {"", "appfile", "auth", "engine", "engine/js", "flowfile", "mock", "ratelimit", "store/sqlite"},
	"e2e":               {"internal/nodejs", "internal/pgtest"},
	"internal/pgtest":   {},
	"internal/testcert": {},
	"bench":             {"bench/loadgen"},
	"bench/loadgen":     {},
	"web":               {},
	"web/build":         {},
	"cmd/weir":          nil, // anything
}

// TestImports fails when a package imports a module package it should not.
// (http tests may use store/sqlite and mock; that is allowed above because
// go list reports test imports together with the package's own.)
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}:{{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		rule, ok := ruleFor(rel)
		if !ok {
			t.Errorf("package %s has no import rule in deps_test.go", rel)
			continue
		}
		if rule == nil {
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			if dep == rel || contains(rule, dep) {
				continue
			}
			t.Errorf("%s imports %s, which the layout forbids", displayName(rel), displayName(dep))
		}
	}
}

// ruleFor finds the rule with the longest matching prefix.
func ruleFor(rel string) ([]string, bool) {
	best, found := "", false
	for prefix := range allowed {
		if (rel == prefix || strings.HasPrefix(rel, prefix+"/") || prefix == "" && rel == "") && len(prefix) >= len(best) {
			best, found = prefix, true
		}
	}
	if !found {
		return nil, false
	}
	return allowed[best], true
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func displayName(rel string) string {
	if rel == "" {
		return "weir"
	}
	return rel
}
