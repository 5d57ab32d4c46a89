package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// debugFlags returns the serve flags that make weir serve its runtime
// profiles, and the address they are on, when -profile is set.
func (b *bench) debugFlags() ([]string, error) {
	if b.o.profile == "" {
		return nil, nil
	}
	if err := os.MkdirAll(b.o.profile, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	b.debugAddr = "127.0.0.1:" + strconv.Itoa(port)
	return []string{"--debug-addr", b.debugAddr}, nil
}

// profiled runs fn, a scenario of round on sys, and when -profile is set
// and this is weir's first round of sc on the main server, takes a CPU
// profile of weir while fn runs, into the -profile directory as sc.pprof.
func (b *bench) profiled(ctx context.Context, round int, sc, sys string, fn func() error) error {
	if b.debugAddr == "" || round != 0 || sys != sysWeir || sc == "S1s" {
		return fn()
	}
	secs := max(1, int(b.o.duration/time.Second))
	done := make(chan error, 1)
	go func() { done <- b.fetchProfile(ctx, b.debugAddr, filepath.Join(b.o.profile, sc+".pprof"), secs) }()
	err := fn()
	if perr := <-done; perr != nil {
		b.notes = append(b.notes, fmt.Sprintf("profile of %s: %v", sc, perr))
	}
	return err
}

// fetchProfile writes a CPU profile of secs seconds of the weir serving
// its profiles at addr to file.
func (b *bench) fetchProfile(ctx context.Context, addr, file string, secs int) error {
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs)
	if err := fetchPprof(ctx, url, file); err != nil {
		return err
	}
	b.sayf("wrote %s", file)
	return nil
}

// fetchPprof writes the profile weir serves at url to file.
func fetchPprof(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
