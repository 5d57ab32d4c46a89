package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// version is weir's version; release builds set it with
// -ldflags "-X main.version=v1.2.3". Otherwise it comes from the build
// information Go records (the module version, or the commit of a build
// from a clone).
var version = ""

// runVersion is the version subcommand.
func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("weir version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return ignoreHelp(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	_, err := fmt.Fprintln(stdout, "weir", versionString())
	return err
}

// versionString describes the running binary: its version, else its
// commit (with "+dirty" for uncommitted changes), and the Go version.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return cmp.Or(version, "unknown")
	}
	v := version
	if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if v == "" {
		v = "devel"
		if rev != "" {
			v += " " + rev[:min(len(rev), 12)] + dirty
		}
	}
	return v + " (" + info.GoVersion + ")"
}
