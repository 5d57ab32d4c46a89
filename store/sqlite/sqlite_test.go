package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlite"
	"github.com/weirhq/weir/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}

// mustOpenDB opens the database at path, after configure (if not nil) has
// adjusted it, and closes it when t ends.
func mustOpenDB(t testing.TB, path string, configure func(db *sqlite.DB)) *sqlite.DB {
	t.Helper()
	db := sqlite.NewDB(path)
	if configure != nil {
		configure(db)
	}
	if err := db.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// mustClose closes db, failing t on error.
func mustClose(t testing.TB, db *sqlite.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// mustAppFlow creates an application with one flow.
func mustAppFlow(t testing.TB, db *sqlite.DB) *weir.Flow {
	t.Helper()
	a := &weir.Application{Name: "app", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	f := &weir.Flow{ApplicationID: a.ID, Name: "flow", FlowClass: weir.FlowClassCloud}
	if err := db.CreateFlow(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustEnqueue(t testing.TB, db *sqlite.DB, f *weir.Flow) *weir.Run {
	t.Helper()
	r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
		Data: json.RawMessage(`{"n":1}`)}
	if err := db.EnqueueRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func mustClaim(t testing.TB, db *sqlite.DB, n int) []*weir.Run {
	t.Helper()
	runs, err := db.ClaimRuns(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func ids(runs []*weir.Run) map[string]int {
	out := map[string]int{}
	for _, r := range runs {
		out[r.ID] = r.Attempt
	}
	return out
}

func TestReopen(t *testing.T) {
	t.Run("KeepsDataOK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "weir.db")
		db := mustOpenDB(t, path, nil)
		f := mustAppFlow(t, db)
		if err := db.SetStorageEntry(t.Context(), f.ID, "k", json.RawMessage(`{"a": [1, 2]}`)); err != nil {
			t.Fatal(err)
		}
		tok := &weir.Token{Name: "t", OwnerID: f.ApplicationID, OwnerType: weir.OwnerApplication, Status: weir.TokenActive}
		if err := db.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		r := mustEnqueue(t, db, f)
		if err := db.CompleteRun(t.Context(), r, &weir.LogEntry{Time: time.Now(), RunCount: 1}); err != nil {
			t.Fatal(err)
		}
		mustClose(t, db)

		db = mustOpenDB(t, path, nil)
		got, err := db.FindFlowByID(t.Context(), f.ApplicationID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Stats.RunCount != 1 || got.Stats.ByVersion[weir.DevelopVersion].RunCount != 1 {
			t.Errorf("stats after reopen = %+v, want one develop run", got.Stats)
		}
		if v, ok, err := db.StorageEntry(t.Context(), f.ID, "k"); err != nil || !ok || string(v) != `{"a":[1,2]}` {
			t.Errorf("storage after reopen = %s, %v, %v", v, ok, err)
		}
		if _, err := db.FindTokenByID(t.Context(), tok.ID); err != nil {
			t.Errorf("token after reopen: %v", err)
		}
		if logs, err := db.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 10}); err != nil || len(logs) != 1 {
			t.Errorf("logs after reopen = %d, %v; want 1", len(logs), err)
		}
	})

	t.Run("ReoffersUnfinishedRunsOK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "weir.db")
		db := mustOpenDB(t, path, nil)
		f := mustAppFlow(t, db)
		r1, r2, r3 := mustEnqueue(t, db, f), mustEnqueue(t, db, f), mustEnqueue(t, db, f)
		claimed := mustClaim(t, db, 2)
		if len(claimed) != 2 || claimed[0].ID != r1.ID || claimed[1].ID != r2.ID {
			t.Fatalf("claimed %v, want r1 and r2 in order", ids(claimed))
		}
		if err := db.CompleteRun(t.Context(), r1, &weir.LogEntry{Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		mustClose(t, db)

		// Attempt counts the deliveries before the reopen: r2 was
		// delivered once, r3 never.
		db = mustOpenDB(t, path, nil)
		got := ids(mustClaim(t, db, 10))
		want := map[string]int{r2.ID: 1, r3.ID: 0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("claimed after reopen (-want +got):\n%s", diff)
		}
		mustClose(t, db)
		mustClose(t, db) // closing twice records nothing twice

		db = mustOpenDB(t, path, nil)
		got = ids(mustClaim(t, db, 10))
		want = map[string]int{r2.ID: 2, r3.ID: 1}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("claimed after a second reopen (-want +got):\n%s", diff)
		}
	})
}

func TestLeaseExpiryReoffersOK(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := make(chan time.Time, 1)
	clock <- now
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), func(db *sqlite.DB) {
		db.LeaseDuration = time.Minute
		db.Now = func() time.Time {
			t := <-clock
			clock <- t
			return t
		}
	})
	setNow := func(t time.Time) { <-clock; clock <- t }

	f := mustAppFlow(t, db)
	r := mustEnqueue(t, db, f)
	if got := ids(mustClaim(t, db, 10)); got[r.ID] != 0 || len(got) != 1 {
		t.Fatalf("first claim = %v, want %s attempt 0", got, r.ID)
	}
	setNow(now.Add(time.Minute))
	got := ids(mustClaim(t, db, 10))
	if a, ok := got[r.ID]; !ok || a != 1 || len(got) != 1 {
		t.Fatalf("claim after lease expiry = %v, want %s attempt 1", got, r.ID)
	}
}

func TestMigrationsIdempotentOK(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	for range 3 {
		db := mustOpenDB(t, path, nil)
		mustAppFlow(t, db)
		mustClose(t, db)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var names []string
	rows, err := raw.Query(`SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	want, _ := filepath.Glob("migrations/*.sql") // every migration, once, in order
	if !slices.Equal(names, want) {
		t.Fatalf("schema_migrations = %v, want %v", names, want)
	}
	var apps int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM applications`).Scan(&apps); err != nil || apps != 3 {
		t.Fatalf("applications after 3 opens = %d, %v; want 3", apps, err)
	}
}

func TestCloseDrainsWritesOK(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	f := mustAppFlow(t, db)
	errs := make(chan error, 100)
	for range 100 {
		go func() {
			_, err := db.IncrStorageEntry(t.Context(), f.ID, "n", 1)
			errs <- err
		}()
	}
	// Every increment either committed before Close returned or failed.
	var ok int
	for range 100 {
		if err := <-errs; err == nil {
			ok++
		}
	}
	if ok != 100 {
		t.Fatalf("%d of 100 increments succeeded", ok)
	}
}

// benchParallelism is how many callers per CPU the write benchmarks run, as
// concurrent HTTP requests would: group commit needs company to batch.
const benchParallelism = 32

func BenchmarkEnqueueRun(b *testing.B) {
	b.Run("Normal", func(b *testing.B) { benchmarkEnqueueRun(b, false) })
	b.Run("Sync", func(b *testing.B) { benchmarkEnqueueRun(b, true) })
}

func benchmarkEnqueueRun(b *testing.B, sync bool) {
	db := mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), func(db *sqlite.DB) { db.Sync = sync })
	f := mustAppFlow(b, db)
	data := json.RawMessage(`{"body":{"temp":21.5,"device":"abc"},"query":{}}`)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
				TriggerType: "webhook", TriggerKey: "k", Time: time.Now(), Data: data}
			if err := db.EnqueueRun(b.Context(), r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportBatchSize(b, db)
}

func BenchmarkIncrStorageEntry(b *testing.B) {
	db := mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil)
	f := mustAppFlow(b, db)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.IncrStorageEntry(b.Context(), f.ID, "count", 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportBatchSize(b, db)
}

// BenchmarkIncrStorageEntryEffect is BenchmarkIncrStorageEntry with each
// increment named as a new effect, as the engine names a run's writes.
func BenchmarkIncrStorageEntryEffect(b *testing.B) {
	db := mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil)
	f := mustAppFlow(b, db)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		run := weir.NewID()
		for i := 0; pb.Next(); i++ {
			ctx := weir.WithEffect(b.Context(), weir.Effect{RunID: run, Step: strconv.Itoa(i)})
			if _, err := db.IncrStorageEntry(ctx, f.ID, "count", 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportBatchSize(b, db)
}

// reportBatchSize reports the mean number of operations per commit.
func reportBatchSize(b *testing.B, db *sqlite.DB) {
	if batches, ops := db.BatchStats(); batches > 0 {
		b.ReportMetric(float64(ops)/float64(batches), "ops/commit")
	}
}

func TestCloseWakesClaimersOK(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.ClaimRuns(t.Context(), 1)
		done <- err
	}()
	mustClose(t, db)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("ClaimRuns after Close returned no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ClaimRuns still blocked 5s after Close")
	}
	if _, err := db.IncrStorageEntry(t.Context(), weir.NewID(), "k", 1); err == nil {
		t.Fatal("IncrStorageEntry after Close returned no error")
	}
	if _, err := db.FindApplicationByID(t.Context(), weir.NewID()); weir.ErrorTypeOf(err) != weir.Internal {
		t.Fatalf("FindApplicationByID after Close = %v, want an internal error", err)
	}
}

// BenchmarkRunCycle measures a run's whole life in the queue: enqueue,
// claim, complete with a log entry and stats.
func BenchmarkRunCycle(b *testing.B) {
	b.Run("NoWrites", func(b *testing.B) { benchmarkRunCycle(b, 0, false, nil) })
	b.Run("NoWritesTraced", func(b *testing.B) { benchmarkRunCycle(b, 0, false, benchTrace) })
	b.Run("TwoIncrs", func(b *testing.B) { benchmarkRunCycle(b, 2, false, nil) })
	b.Run("TwoIncrEffects", func(b *testing.B) { benchmarkRunCycle(b, 2, true, nil) })
}

// benchTrace is the trace of a run through five nodes, as a small
// webhook flow's.
var benchTrace = &weir.RunTrace{Trigger: "k", Steps: []weir.TraceStep{
	{NodeID: "Fz3EkNUC7VQ0pZ3r1lZ9a", From: -1, Output: 1, Start: 0.012, Time: 0.031},
	{NodeID: "Hk2l0V3nkRbmGuE8v9x1X", From: 0, Via: 1, Start: 0.045, Time: 0.102},
	{NodeID: "Q7lN3q8WmKx2p0bZcYt4e", From: 1, Start: 0.15, Time: 0.011},
	{NodeID: "Zr9tP1uJ6vHs3wXe0aD2f", From: 2, Start: 0.163, Time: 0.248},
	{NodeID: "b5GkL8nM2cV7xQ1zW4yTr", From: 3, Start: 0.415, Time: 0.02},
}}

// benchmarkRunCycle enqueues, claims and completes runs, each making incrs
// storage increments in between, named as the run's effects or not, and
// logged with trace (nil: none).
func benchmarkRunCycle(b *testing.B, incrs int, effects bool, trace *weir.RunTrace) {
	db := mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil)
	f := mustAppFlow(b, db)
	data := json.RawMessage(`{"body":{"temp":21.5,"device":"abc"},"query":{}}`)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
				TriggerType: "webhook", TriggerKey: "k", Time: time.Now(), Data: data}
			if err := db.EnqueueRun(b.Context(), r); err != nil {
				b.Error(err)
				return
			}
			runs, err := db.ClaimRuns(b.Context(), 1)
			if err != nil {
				b.Error(err)
				return
			}
			for i := range incrs {
				ctx := b.Context()
				if effects {
					ctx = weir.WithEffect(ctx, weir.Effect{RunID: runs[0].ID, Step: strconv.Itoa(i)})
				}
				if _, err := db.IncrStorageEntry(ctx, f.ID, "count", 1); err != nil {
					b.Error(err)
					return
				}
			}
			e := &weir.LogEntry{FlowVersionID: weir.DevelopVersion, Time: time.Now(), RunCount: 1, PathsCompleted: 1, WallTime: 0.5,
				Trace: trace}
			if err := db.CompleteRun(b.Context(), runs[0], e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportBatchSize(b, db)
}

func TestFlowVersionConformance(t *testing.T) {
	storetest.RunFlowVersions(t, func(t *testing.T) storetest.VersionStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}

func TestEnqueueRunRefusesPastMaxQueued(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), func(db *sqlite.DB) { db.MaxQueued = 3 })
	f := mustAppFlow(t, db)
	for i := range 3 {
		if err := db.EnqueueRun(t.Context(), &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, Data: []byte(`{}`)}); err != nil {
			t.Fatalf("EnqueueRun %d: %v", i, err)
		}
	}
	err := db.EnqueueRun(t.Context(), &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, Data: []byte(`{}`)})
	if weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("4th EnqueueRun = %v, want Unavailable", err)
	}
	runs, err := db.ClaimRuns(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CompleteRun(t.Context(), runs[0], nil); err != nil {
		t.Fatal(err)
	}
	if err := db.EnqueueRun(t.Context(), &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, Data: []byte(`{}`)}); err != nil {
		t.Errorf("EnqueueRun after one run finished: %v", err)
	}
}

// TestFirstClaimWritesNothing checks that a run is stored with its first
// delivery counted: claiming it commits nothing, a later claim records its
// count, and a run never claimed before a kill counts that one delivery.
func TestFirstClaimWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenDB(t, path, nil)
	f := mustAppFlow(t, db)
	claimed, waiting := mustEnqueue(t, db, f), mustEnqueue(t, db, f)
	_, before := db.BatchStats()
	if got := ids(mustClaim(t, db, 1)); got[claimed.ID] != 0 || len(got) != 1 {
		t.Fatalf("first claim = %v, want %s with Attempt 0", got, claimed.ID)
	}
	if _, after := db.BatchStats(); after != before {
		t.Errorf("the first claim of a run committed %d writes, want none", after-before)
	}
	if err := db.Kill(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenDB(t, path, nil)
	got := ids(mustClaim(t, db, 10))
	want := map[string]int{claimed.ID: 1, waiting.ID: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("claimed after a kill (-want +got):\n%s", diff)
	}
	if err := db.Kill(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenDB(t, path, nil)
	got = ids(mustClaim(t, db, 10))
	want = map[string]int{claimed.ID: 2, waiting.ID: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("claimed after a second kill (-want +got):\n%s", diff)
	}
}
