package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
)

const tokenUsage = "usage: weir token create --data DIR [--scope S ...] [--application ID] [--name N] [--expires DUR]\n"

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// runToken is the token subcommand; only "create" exists.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprint(stdout, tokenUsage)
		return nil
	case len(args) == 0:
		fmt.Fprint(stderr, tokenUsage)
		return fmt.Errorf("missing token command")
	case args[0] != "create":
		fmt.Fprint(stderr, tokenUsage)
		return fmt.Errorf("unknown token command %q", args[0])
	}
	fs := flag.NewFlagSet("weir token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, tokenUsage+"\n"); fs.PrintDefaults() }
	cfg := DefaultConfig()
	str(fs, &cfg.DataDir, "data", "WEIR_DATA", "data directory")
	str(fs, &cfg.Store, "store", "WEIR_STORE", "postgres://… to use PostgreSQL instead of SQLite in the data directory")
	str(fs, &cfg.Addr, "addr", "WEIR_ADDR", "address weir serve listens on, for the console link printed on stderr")
	var scopes stringList
	fs.Var(&scopes, "scope", "a scope the token grants; repeatable (default all.User, or all.Application with --application)")
	app := fs.String("application", "", "bind the token to this application id")
	name := fs.String("name", "cli", "token name")
	expires := fs.String("expires", "", "lifetime, e.g. 1h or 30d (default: never)")
	rest, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return ignoreHelp(err)
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	t, err := tokenFromFlags(scopes, *app, *name, *expires)
	if err != nil {
		return err
	}
	inst, err := openExistingInstance(cfg)
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
		if !weirhttp.KnownScope(s) {
			return nil, fmt.Errorf("unknown scope %q: use a scope of Losant's API, such as all.User, all.User.read, all.Application, all.Application.read, flow.*, flow.get or flow.pressVirtualButton, or %s for a token that reads only /metrics", s, weirhttp.ScopeMetrics)
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
