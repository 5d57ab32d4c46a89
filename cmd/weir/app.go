package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/appfile"
	weirhttp "github.com/weirhq/weir/http"
)

const appUsage = `usage:
  weir app import DIR|ZIP --data DIR [--json]
  weir app export --application ID --data DIR OUTDIR
`

// runApp is the app subcommand: import and export whole applications as
// Losant application template directories.
func runApp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, appUsage)
		return fmt.Errorf("missing app command")
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, appUsage)
		return nil
	}
	switch args[0] {
	case "import":
		return runAppImport(ctx, args[1:], stdout, stderr)
	case "export":
		return runAppExport(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, appUsage)
	return fmt.Errorf("unknown app command %q", args[0])
}

// runAppImport creates an application from a template directory through
// the API's own routes, in process, and prints the new application's id on
// stdout and what it created and skipped on stderr.
func runAppImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg := appFlags("weir app import", stderr)
	asJSON := fs.Bool("json", false, "print the whole report as JSON on stdout instead of the id")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, appUsage)
		return fmt.Errorf("want one template directory or zip, got %d arguments", len(rest))
	}
	tpl, err := readTemplate(rest[0])
	if err != nil {
		return err
	}
	rep, err := withAPI(ctx, *cfg, "weir app import", func(c *appfile.Client) (*appfile.Report, error) {
		im := &appfile.Importer{Client: c, Fields: weirhttp.SchemaFields}
		return im.Import(ctx, tpl)
	})
	if err != nil {
		return err
	}
	rep.Skipped = append(tpl.Ignored, rep.Skipped...)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stderr, rep)
	_, err = fmt.Fprintln(stdout, rep.ApplicationID)
	return err
}

// readTemplate reads a template directory, or a zip of one (an export's
// zip, say).
func readTemplate(name string) (*appfile.Template, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return appfile.Read(os.DirFS(name))
	}
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, fmt.Errorf("%s is neither a directory nor a zip: %w", name, err)
	}
	defer zr.Close()
	fsys, err := appfile.ZipFS(&zr.Reader)
	if err != nil {
		return nil, err
	}
	return appfile.Read(fsys)
}

// printReport writes what an import created and skipped.
func printReport(w io.Writer, rep *appfile.Report) {
	fmt.Fprintf(w, "created: %s\n", countList(rep.Created))
	if len(rep.KeptNotRun) > 0 {
		fmt.Fprintf(w, "kept, not run: %s\n", countList(rep.KeptNotRun))
	}
	// One line per kind and reason; the names are listed after it.
	type group struct{ kind, reason string }
	var order []group
	names := map[group][]string{}
	for _, s := range rep.Skipped {
		g := group{s.Kind, s.Reason}
		if names[g] == nil {
			order = append(order, g)
		}
		names[g] = append(names[g], strconv.Quote(s.Name))
	}
	for _, g := range order {
		fmt.Fprintf(w, "skipped %d %s: %s: %s\n", len(names[g]), g.kind, g.reason, strings.Join(names[g], ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(rep.Dropped)) {
		fmt.Fprintf(w, "fields weir does not keep, %s: %s\n", k, strings.Join(rep.Dropped[k], ", "))
	}
	for _, l := range rep.LeftOut {
		fmt.Fprintf(w, "created without its %s, %s %q: %s\n", l.Field, l.Kind, l.Name, l.Reason)
	}
	if len(rep.Kept) > 0 {
		fmt.Fprintf(w, "placeholders naming nothing of the template, left as written: %s\n", strings.Join(rep.Kept, ", "))
	}
	if len(rep.Unresolved) > 0 {
		fmt.Fprintf(w, "references to skipped resources, left as written: %s\n", strings.Join(rep.Unresolved, ", "))
	}
}

// runAppExport writes an application as a template directory.
func runAppExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg := appFlags("weir app export", stderr)
	app := fs.String("application", "", "id of the application (required)")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if !weir.ValidID(*app) {
		return fmt.Errorf("--application must be a 24-hex-digit id")
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, appUsage)
		return fmt.Errorf("want one output directory, got %d arguments", len(rest))
	}
	var (
		skipped []appfile.Skip
		wrote   = map[string]int{}
	)
	_, err = withAPI(ctx, *cfg, "weir app export", func(c *appfile.Client) (*appfile.Report, error) {
		tpl, sk, err := (&appfile.Exporter{Client: c}).Export(ctx, strings.ToLower(*app))
		if err != nil {
			return nil, err
		}
		skipped = sk
		weirhttp.LeaveExports(tpl)
		wrote[appfile.KindApplication] = 1
		for _, r := range tpl.Resources {
			wrote[r.Kind]++
			wrote[appfile.KindDataTableRow] += len(r.Rows)
		}
		return nil, appfile.Write(rest[0], tpl)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote: %s\n", countList(wrote))
	for _, s := range skipped {
		fmt.Fprintf(stderr, "skipped %s: %s\n", s.Kind, s.Reason)
	}
	return nil
}

// countList renders counts by kind, "device 2, flow 5", sorted by kind and
// without zeros.
func countList(m map[string]int) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] > 0 {
			out = append(out, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	return strings.Join(out, ", ")
}

// appFlags returns the flag set of an app command with its store flags.
func appFlags(name string, stderr io.Writer) (*flag.FlagSet, *Config) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := DefaultConfig()
	str(fs, &cfg.DataDir, "data", "WEIR_DATA", "data directory")
	str(fs, &cfg.Store, "store", "WEIR_STORE", "postgres://… to use PostgreSQL instead of SQLite in the data directory")
	return fs, &cfg
}

// withAPI opens the data directory, builds the REST handler weir serve
// builds over its store, and calls fn with a client of it authenticated by
// a token made for the call and deleted after it.
func withAPI(ctx context.Context, cfg Config, name string, fn func(*appfile.Client) (*appfile.Report, error)) (*appfile.Report, error) {
	inst, err := openExistingInstance(cfg)
	if err != nil {
		return nil, err
	}
	defer inst.DB.Close()
	// It expires by itself should the process die before deleting it.
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	t := &weir.Token{OwnerID: inst.OwnerID, OwnerType: weir.OwnerUser, Name: name, Scope: []string{"all.User"},
		CreatorID: inst.OwnerID, CreatorType: "user", CreatorName: name, ExpirationDate: &expires}
	tok, err := inst.createToken(ctx, t)
	if err != nil {
		return nil, err
	}
	defer func() { _ = inst.DB.DeleteToken(context.WithoutCancel(ctx), t.ID) }()
	api := weirhttp.NewServer()
	api.Signer = inst.Signer
	api.MaxBodyBytes = 64 << 20 // a template's largest view or row batch, not a client's
	api.UseServices(inst.DB)
	return fn(&appfile.Client{Handler: api.Handler(), Token: tok})
}
