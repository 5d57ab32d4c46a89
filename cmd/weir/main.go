// Command weir runs the weir workflow engine and manages its data directory.
//
//	weir serve            run the server
//	weir token create     print a new API token
//	weir flow ...         import, export and check Losant flow files
//	weir backup, restore  copy the SQLite store while it runs, and back
//	weir version          print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "weir:", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("missing command")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr)
	case "flow":
		return runFlow(ctx, args[1:], stdout, stderr)
	case "app":
		return runApp(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 { // weir help flow import: that command's help
			return run(ctx, append(args[1:len(args):len(args)], "-h"), stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

const usage = `weir — a workflow engine that speaks Losant's API

Usage:
  weir serve [flags]                   run the server
  weir token create [flags]            print a new API token
  weir flow import FILE... [flags]     import Losant flow files into an application
  weir flow export [flags]             write an application's flows as a Losant file
  weir flow check FILE...              say whether weir can run the flows of files
  weir app import DIR [flags]          create an application from a Losant application template directory
  weir app export [flags] OUTDIR       write an application as a Losant application template directory
  weir backup --data DIR FILE          copy the SQLite store to FILE, also while weir serve runs
  weir restore --data DIR FILE         make a backup the store of a new data directory
  weir version                         print the version (also weir --version)

Every command takes -h for its flags (or: weir help COMMAND).
`
