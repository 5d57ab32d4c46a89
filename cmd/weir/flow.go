package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/flowfile"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/triggers"
)

const flowUsage = `usage:
  weir flow import FILE... --application ID --data DIR [--skip-versions]
  weir flow export --application ID [--flow ID ...] --data DIR
  weir flow check FILE...
`

// firedTriggers are the trigger types weir starts runs for. Others are
// stored and exported unchanged but never fire.
var firedTriggers = map[string]bool{
	engine.TriggerVirtualButton: true, engine.TriggerFlowError: true, engine.TriggerCustomNodeStart: true,
	triggers.TriggerTimer: true, "webhook": true, "endpoint": true, engine.TriggerRequest: true,
	triggers.TriggerMQTTTopic: true,
	triggers.TriggerDeviceID:  true, triggers.TriggerDeviceTag: true,
	triggers.TriggerDeviceIDConnect: true, triggers.TriggerDeviceTagConnect: true,
	triggers.TriggerDeviceIDDisconnect: true, triggers.TriggerDeviceTagDisconnect: true,
	triggers.TriggerDeviceCreate: true,
	triggers.TriggerEvent:        true,
	triggers.TriggerDataTable:    true,

	triggers.TriggerDeviceCommand: true, triggers.TriggerDeviceIDInactivity: true, triggers.TriggerDeviceTagInactivity: true,
}

// What flow check found wrong with a file; each makes it exit with status 1.
var (
	errUnreadable   = errors.New("could not be read")
	errInvalidFile  = errors.New("not a valid flow file")
	errNotSupported = errors.New("uses features weir does not support yet")
)

// runFlow is the flow subcommand: import, export and check flow files.
func runFlow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, flowUsage)
		return fmt.Errorf("missing flow command")
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, flowUsage)
		return nil
	}
	switch args[0] {
	case "import":
		return runFlowImport(ctx, args[1:], stdout, stderr)
	case "export":
		return runFlowExport(ctx, args[1:], stdout, stderr)
	case "check":
		return runFlowCheck(args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, flowUsage)
	return fmt.Errorf("unknown flow command %q", args[0])
}

// runFlowImport creates the flows of the files in an application of the data
// directory, the way POST …/flows/import does: new ids with references
// rewritten, disabled unless a file says enabled, all or nothing. The files
// are read as one, so versions and flow references may span files.
func runFlowImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("weir flow import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := DefaultConfig()
	str(fs, &cfg.DataDir, "data", "WEIR_DATA", "data directory")
	str(fs, &cfg.Store, "store", "WEIR_STORE", "postgres://… to use PostgreSQL instead of SQLite in the data directory")
	app := fs.String("application", "", "id of the application to import into (required)")
	skipVersions := fs.Bool("skip-versions", false, "import the flows of files that also hold flow versions, which weir cannot store yet")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if !weir.ValidID(*app) {
		return fmt.Errorf("--application must be a 24-hex-digit id")
	}
	file, err := readFlowFiles(files)
	if err != nil {
		return err
	}
	if len(file.Versions) > 0 {
		if !*skipVersions {
			return fmt.Errorf("the files hold %d flow versions, which weir cannot store yet; pass --skip-versions to import only the flows", len(file.Versions))
		}
		fmt.Fprintf(stderr, "skipping %d flow versions\n", len(file.Versions))
		file.Versions = nil
	}
	if len(file.Flows) == 0 {
		return fmt.Errorf("the files hold no flows")
	}
	inst, err := openExistingInstance(cfg)
	if err != nil {
		return err
	}
	defer inst.DB.Close()
	if _, err := inst.DB.FindApplicationByID(ctx, *app); err != nil {
		return err
	}
	if _, err := file.Remap(*app, weir.NewID); err != nil {
		return err
	}
	for _, f := range file.Flows {
		f.ApplicationID = *app
		f.CreatedByType, f.CreatedByID = "user", inst.OwnerID
		f.LastUpdatedByType, f.LastUpdatedByID = "user", inst.OwnerID
		f.Definition.AssignTriggerKeys(f.ID)
		if err := f.Validate(); err != nil {
			return fmt.Errorf("flow %q: %w", f.Name, err)
		}
	}
	for i, f := range file.Flows {
		if err := inst.DB.CreateFlow(ctx, f); err != nil {
			for _, done := range file.Flows[:i] {
				_ = inst.DB.DeleteFlow(context.WithoutCancel(ctx), done.ApplicationID, done.ID)
			}
			return fmt.Errorf("flow %q: %w", f.Name, err)
		}
	}
	for _, f := range file.Flows {
		state := "disabled"
		if f.Enabled {
			state = "enabled"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", f.ID, state, f.Name)
	}
	return nil
}

// runFlowExport writes flows of an application as a template file.
func runFlowExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("weir flow export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := DefaultConfig()
	str(fs, &cfg.DataDir, "data", "WEIR_DATA", "data directory")
	str(fs, &cfg.Store, "store", "WEIR_STORE", "postgres://… to use PostgreSQL instead of SQLite in the data directory")
	app := fs.String("application", "", "id of the application (required)")
	var ids stringList
	fs.Var(&ids, "flow", "id of a flow to export; repeatable (default: every flow of the application)")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if !weir.ValidID(*app) {
		return fmt.Errorf("--application must be a 24-hex-digit id")
	}
	inst, err := openExistingInstance(cfg)
	if err != nil {
		return err
	}
	defer inst.DB.Close()
	var flows []*weir.Flow
	if len(ids) == 0 {
		if _, err := inst.DB.FindApplicationByID(ctx, *app); err != nil {
			return err
		}
		if flows, _, err = inst.DB.FindFlows(ctx, weir.FlowFilter{ApplicationID: *app, ListOptions: weir.ListOptions{SortField: "name"}}); err != nil {
			return err
		}
	}
	for _, id := range ids {
		f, err := inst.DB.FindFlowByID(ctx, *app, strings.ToLower(id))
		if err != nil {
			return fmt.Errorf("flow %s: %w", id, err)
		}
		flows = append(flows, f)
	}
	b, err := flowfile.Export(flows...)
	if err != nil {
		return err
	}
	_, err = stdout.Write(b)
	return err
}

// runFlowCheck parses and validates flow files, compiles their definitions
// and lists what weir does not implement yet. It returns an error naming
// how many files could not be read (errUnreadable), are not valid flow
// files (errInvalidFile) or use what weir does not support
// (errNotSupported), and nil when every flow is valid and supported.
func runFlowCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("weir flow check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, flowUsage)
		return fmt.Errorf("missing FILE")
	}
	count := map[error]int{}
	for _, name := range files {
		if err := checkFile(name, stdout); err != nil {
			count[err]++
		}
	}
	var errs []error
	for _, e := range []error{errUnreadable, errInvalidFile, errNotSupported} {
		if n := count[e]; n > 0 {
			errs = append(errs, fmt.Errorf("%d of %d files: %w", n, len(files), e))
		}
	}
	return errors.Join(errs...)
}

// checkFile reports on one file and returns what is wrong with it, if
// anything: errUnreadable, errInvalidFile or errNotSupported.
func checkFile(name string, w io.Writer) error {
	data, err := os.ReadFile(name)
	if err != nil {
		reason := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		fmt.Fprintf(w, "%s: cannot read the file: %s\n", name, reason)
		return errUnreadable
	}
	file, err := flowfile.Parse(data)
	if err != nil {
		fmt.Fprintf(w, "%s: not a flow file: %s\n", name, strings.TrimPrefix(err.Error(), "flowfile: "))
		return errInvalidFile
	}
	if file.NoWorkflows != "" {
		fmt.Fprintf(w, "%s: not a flow file: it holds no workflows: %s\n", name, file.NoWorkflows)
		return errInvalidFile
	}
	fmt.Fprintf(w, "%s: %d flows, %d versions\n", name, len(file.Flows), len(file.Versions))
	if err := file.Validate(); err != nil {
		fmt.Fprintf(w, "  invalid: %v\n", err)
		return errInvalidFile
	}
	c := &checker{nodes: map[string]int{}, triggers: map[string]int{}}
	for _, f := range file.Flows {
		c.definition(fmt.Sprintf("flow %q", f.Name), &f.Definition)
	}
	for _, v := range file.Versions {
		c.definition(fmt.Sprintf("version %q", v.Version), &v.Definition)
	}
	if !c.report(w) {
		return errNotSupported
	}
	return nil
}

// servedActions are the REST actions a Losant API node can call.
var servedActions = weirhttp.Actions()

// losantAPIAction returns the "resource.action" a Losant API node calls,
// or "" for any other node.
func losantAPIAction(n weir.Node) string {
	if n.Type != "LosantApiNode" {
		return ""
	}
	var cfg struct{ Resource, Action string }
	_ = json.Unmarshal(n.Config, &cfg)
	return cfg.Resource + "." + cfg.Action
}

// checker collects what a file uses that weir does not support.
type checker struct {
	nodes, triggers map[string]int // unsupported type -> uses
	problems        []string       // nodes whose config does not build
}

func (c *checker) definition(where string, d *weir.Definition) {
	if _, err := engine.Compile(d); err != nil {
		c.problems = append(c.problems, fmt.Sprintf("%s does not compile: %v", where, err))
		return
	}
	for _, t := range d.Triggers {
		if !firedTriggers[t.Type] {
			c.triggers[t.Type]++
		}
	}
	for _, n := range d.Nodes {
		_, build, ok := engine.Lookup(n.Type)
		if !ok {
			c.nodes[n.Type]++
			continue
		}
		if _, err := build(&engine.NodeConfig{ID: n.ID, Type: n.Type, Config: n.Config}); err != nil {
			c.problems = append(c.problems, fmt.Sprintf("%s: node %s (%s): %v", where, n.ID, n.Type, err))
		}
		if action := losantAPIAction(n); action != "" && !servedActions[action] {
			c.problems = append(c.problems, fmt.Sprintf("%s: node %s (%s): weir serves no Losant API action %s", where, n.ID, n.Type, action))
		}
	}
}

func (c *checker) report(w io.Writer) bool {
	if len(c.nodes)+len(c.triggers)+len(c.problems) == 0 {
		fmt.Fprintln(w, "  ok: every node and trigger is supported")
		return true
	}
	if len(c.nodes) > 0 {
		fmt.Fprintf(w, "  unsupported node types: %s\n", counts(c.nodes))
	}
	if len(c.triggers) > 0 {
		fmt.Fprintf(w, "  unsupported trigger types: %s\n", counts(c.triggers))
	}
	for _, p := range c.problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	return false
}

// counts renders "A (2), B (1)" sorted by name.
func counts(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		names[i] = fmt.Sprintf("%s (%d)", k, m[k])
	}
	return strings.Join(names, ", ")
}

// readFlowFiles parses the files and merges them into one.
func readFlowFiles(names []string) (*flowfile.File, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("missing FILE")
	}
	all := &flowfile.File{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := flowfile.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if f.NoWorkflows != "" {
			return nil, fmt.Errorf("%s holds no workflows: %s", name, f.NoWorkflows)
		}
		all.Merge(f)
	}
	return all, nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// ignoreHelp turns -h into success: the usage was printed already.
func ignoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
