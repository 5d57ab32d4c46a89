package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// runToken is the token subcommand; only "create" exists.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "usage: weir token create --data DIR [--scope S ...] [--application ID] [--name N] [--expires DUR]\n")
		return fmt.Errorf("unknown token command")
	}
	fs := flag.NewFlagSet("weir token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := DefaultConfig()
	str(fs, &cfg.DataDir, "data", "WEIR_DATA", "data directory")
	str(fs, &cfg.Store, "store", "WEIR_STORE", "postgres://… to use PostgreSQL instead of SQLite in the data directory")
	str(fs, &cfg.Addr, "addr", "WEIR_ADDR", "address weir serve listens on, for the console link printed on stderr")
	var scopes stringList
	fs.Var(&scopes, "scope", "a scope the token grants; repeatable (default all.User, or all.Application with --application)")
	app := fs.String("application", "", "bind the token to this application id")
	name := fs.String("name", "cli", "token name")
	expires := fs.String("expires", "", "lifetime, e.g. 1h or 30d (default: never)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	t, err := tokenFromFlags(scopes, *app, *name, *expires)
	if err != nil {
		return err
	}
	inst, err := openInstance(cfg)
	if err != nil {
		return err
	}
	defer inst.DB.Close()
	if t.OwnerType == weir.OwnerUser {
		t.OwnerID = inst.OwnerID
	} else if _, err := inst.DB.FindApplicationByID(ctx, t.OwnerID); err != nil {
		return err
	}
	t.CreatorID, t.CreatorType, t.CreatorName = inst.OwnerID, "user", "weir token create"
	tok, err := inst.createToken(ctx, t)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdout, tok); err != nil {
		return err
	}
	// The link goes to stderr, so that scripts reading stdout get the token
	// alone, as before.
	fmt.Fprintf(stderr, "Console (signed in with this token): %s\n", consoleLink(cfg.Addr, tok))
	return nil
}

// tokenFromFlags builds the token record the flags describe.
func tokenFromFlags(scopes []string, app, name, expires string) (*weir.Token, error) {
	t := &weir.Token{Name: name, Scope: scopes, OwnerType: weir.OwnerUser}
	if app != "" {
		if !weir.ValidID(app) {
			return nil, fmt.Errorf("--application must be a 24-hex-digit id")
		}
		t.OwnerType, t.OwnerID = weir.OwnerApplication, app
	}
	if len(t.Scope) == 0 {
		t.Scope = []string{"all.User"}
		if app != "" {
			t.Scope = []string{"all.Application"}
		}
	}
	for _, s := range t.Scope {
		if s == "" || strings.ContainsAny(s, " \t\n") {
			return nil, fmt.Errorf("invalid scope %q", s)
		}
	}
	if expires != "" {
		d, err := parseDuration(expires)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("--expires: invalid duration %q", expires)
		}
		at := time.Now().Add(d).UTC().Truncate(time.Millisecond)
		t.ExpirationDate = &at
	}
	return t, nil
}
