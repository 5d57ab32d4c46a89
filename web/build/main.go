// Command build bundles the console's source (web/src) into web/dist with
// esbuild's Go API: `go generate ./web` runs it after `npm ci` in web/.
// The output is deterministic (content-hashed names, no source maps, no
// timestamps), so the committed dist can be checked against the source by
// TestDistUpToDate.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "web/build:", err)
		os.Exit(1)
	}
}

func run() error {
	webDir, err := findWebDir()
	if err != nil {
		return err
	}
	files, err := bundle(webDir)
	if err != nil {
		return err
	}
	dist := filepath.Join(webDir, "dist")
	if err := os.RemoveAll(dist); err != nil {
		return err
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return err
	}
	var total int
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dist, name), data, 0o644); err != nil {
			return err
		}
		total += len(data)
	}
	fmt.Printf("web/dist: %d files, %d bytes\n", len(files), total)
	return nil
}

// findWebDir returns the web directory: the working directory when go
// generate runs in web/, else web/ below it.
func findWebDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for _, dir := range []string{wd, filepath.Join(wd, "web"), filepath.Dir(wd)} {
		if _, err := os.Stat(filepath.Join(dir, "src", "main.tsx")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no web/src/main.tsx below %s", wd)
}

// bundle builds the console from webDir/src and returns the files of dist
// by name: index.html (with the hashed asset names filled in), the script,
// the style sheet, their licence comments, licenses.txt (the licences of
// the bundled npm packages) and the static files of src/static.
func bundle(webDir string) (map[string][]byte, error) {
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "react")); err != nil {
		return nil, fmt.Errorf("run npm ci in %s first: %w", webDir, err)
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     webDir,
		EntryPoints:       []string{"src/main.tsx"},
		Outdir:            "dist",
		EntryNames:        "[name]-[hash]",
		AssetNames:        "[name]-[hash]",
		Bundle:            true,
		Write:             false,
		Format:            api.FormatESModule,
		Target:            api.ES2022,
		Platform:          api.PlatformBrowser,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		JSX:               api.JSXAutomatic,
		LegalComments:     api.LegalCommentsLinked,
		Charset:           api.CharsetUTF8,
		Define:            map[string]string{"process.env.NODE_ENV": `"production"`},
		Loader:            map[string]api.Loader{".svg": api.LoaderFile},
		LogLevel:          api.LogLevelSilent,
		Metafile:          true,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, fmt.Errorf("esbuild:\n%s", strings.Join(msgs, ""))
	}
	files := map[string][]byte{}
	var js, css string
	for _, f := range res.OutputFiles {
		name := filepath.Base(f.Path)
		files[name] = f.Contents
		switch {
		case strings.HasSuffix(name, ".js"):
			js = name
		case strings.HasSuffix(name, ".css"):
			css = name
		}
	}
	if js == "" || css == "" {
		return nil, fmt.Errorf("esbuild wrote no script or no style sheet")
	}
	notices, err := licenses(webDir, res.Metafile)
	if err != nil {
		return nil, err
	}
	files["licenses.txt"] = notices
	page, err := os.ReadFile(filepath.Join(webDir, "src", "index.html"))
	if err != nil {
		return nil, err
	}
	html := strings.NewReplacer("{{script}}", js, "{{style}}", css).Replace(string(page))
	files["index.html"] = []byte(html)
	static, err := os.ReadDir(filepath.Join(webDir, "src", "static"))
	if err != nil {
		return nil, err
	}
	for _, e := range static {
		data, err := os.ReadFile(filepath.Join(webDir, "src", "static", e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = data
	}
	return files, nil
}

// packageDir matches the npm package of a bundled file:
// node_modules/name/… or node_modules/@scope/name/….
var packageDir = regexp.MustCompile(`^node_modules/((?:@[^/]+/)?[^/]+)/`)

// licenses returns the licence texts of every npm package with a file in
// the bundle, by package name and version, so that the console ships the
// notices its libraries' licences ask for.
func licenses(webDir, metafile string) ([]byte, error) {
	var meta struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil, fmt.Errorf("esbuild metafile: %w", err)
	}
	pkgs := map[string]bool{}
	for in := range meta.Inputs {
		if m := packageDir.FindStringSubmatch(in); m != nil {
			pkgs[m[1]] = true
		}
	}
	names := make([]string, 0, len(pkgs))
	for name := range pkgs {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("The weir console bundles these npm packages; their licences follow.\n")
	for _, name := range names {
		dir := filepath.Join(webDir, "node_modules", filepath.FromSlash(name))
		var pkg struct{ Version, License string }
		data, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &pkg); err != nil {
			return nil, fmt.Errorf("%s/package.json: %w", name, err)
		}
		text, err := licenseText(dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(&b, "\n%s\n%s %s (%s)\n\n%s\n", strings.Repeat("=", 72), name, pkg.Version, pkg.License, strings.TrimSpace(text))
	}
	return []byte(b.String()), nil
}

// licenseText reads a package's licence file.
func licenseText(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		upper := strings.ToUpper(e.Name())
		if strings.HasPrefix(upper, "LICENSE") || strings.HasPrefix(upper, "LICENCE") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			return string(data), err
		}
	}
	return "", fmt.Errorf("no licence file")
}
