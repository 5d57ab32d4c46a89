// Command refserver is the bench's yardstick: the least a server must do to
// answer S1 and S3 as weir does, with nothing else. It has two modes:
//
//   - ceiling: net/http, S1's request parsing and reply, counters in
//     memory; no durability.
//   - floor: the same, plus one SQLite transaction per request (the
//     counter's increment and a log row holding the request's data),
//     group-committed by a single writer as weir's embedded store does, with
//     the reply sent only after the commit. This is the minimum S1's promise
//     (a 2xx means the run's effects are committed) costs on that store.
//
// Routes: POST /s1 (S1: {"value":v} increments "s1" when v > 50 and answers
// {"count":n}, else {"count":null}); POST /press (S3: a button press, bearer
// token from REFSERVER_TOKEN, increments "presses" and logs the run); GET
// /count (the counters and the logged runs); GET /health.
//
//	refserver -mode floor -addr 127.0.0.1:8080 -data /tmp/floor.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then lets the requests in flight finish and
// commits what they wrote.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "", "ceiling (counters in memory) or floor (SQLite, reply after commit)")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	data := fs.String("data", "", "floor: the SQLite database file (created when missing)")
	syncFull := fs.Bool("sync", false, "floor: synchronous=FULL (fsync every commit) instead of NORMAL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var c counter
	switch *mode {
	case "ceiling":
		c = &memCounter{}
	case "floor":
		if *data == "" {
			return errors.New("-mode floor needs -data")
		}
		f, err := openFloor(*data, *syncFull)
		if err != nil {
			return err
		}
		c = f
	default:
		return fmt.Errorf("-mode must be ceiling or floor, not %q", *mode)
	}
	defer c.close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newServer(c, os.Getenv("REFSERVER_TOKEN")), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "refserver: %s on %s\n", *mode, ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}
