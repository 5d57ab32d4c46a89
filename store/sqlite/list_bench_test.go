package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/weirhq/weir"
)

// BenchmarkScanFlows reads 2,000 flows with a trigger each, as the
// background trigger scans do: in one listing, and a page of 1,000 at a
// time sorted by id (as engine.EachFlow reads them) and by name, so that the pages' cost
// shows as a ratio to the single listing of the same run.
func BenchmarkScanFlows(b *testing.B) {
	db := mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil)
	f := mustAppFlow(b, db)
	for i := range 2000 {
		g := &weir.Flow{ApplicationID: f.ApplicationID, Name: fmt.Sprintf("flow-%05d", i), FlowClass: weir.FlowClassCloud,
			Definition: weir.Definition{Triggers: []weir.Trigger{{Key: fmt.Sprintf("k%d", i), Type: "virtualButton"}}}}
		if err := db.CreateFlow(b.Context(), g); err != nil {
			b.Fatal(err)
		}
	}
	count := func(b *testing.B, n int) {
		if n != 2001 {
			b.Fatalf("read %d flows, want 2001", n)
		}
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			fs, _, err := db.FindFlows(b.Context(), weir.FlowFilter{})
			if err != nil {
				b.Fatal(err)
			}
			count(b, len(fs))
		}
	})
	// The pages as engine.EachFlow reads them (by id), and as they would
	// cost sorted by name. (The store may not import the engine.)
	pages := func(b *testing.B, sortField string) {
		for b.Loop() {
			n := 0
			for page := 0; ; page++ {
				fs, _, err := db.FindFlows(b.Context(), weir.FlowFilter{ListOptions: weir.ListOptions{PerPage: 1000, Page: page, SortField: sortField}})
				if err != nil {
					b.Fatal(err)
				}
				n += len(fs)
				if len(fs) < 1000 {
					break
				}
			}
			count(b, n)
		}
	}
	b.Run("pagesByID", func(b *testing.B) { pages(b, "id") })
	b.Run("pagesByName", func(b *testing.B) { pages(b, "") })
}
