package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/postgres"
	"github.com/weirhq/weir/store/storetest"
)

func TestConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}

func TestFlowVersionConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunFlowVersions(t, func(t *testing.T) storetest.VersionStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}

// mustDSN returns WEIR_TEST_POSTGRES_DSN or skips t.
func mustDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("WEIR_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set WEIR_TEST_POSTGRES_DSN to run PostgreSQL tests")
	}
	return dsn
}

// mustSchema returns the name of a new schema, not yet created, that is
// dropped with everything in it when t ends.
func mustSchema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "weir_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		mustExec(t, dsn, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	})
	return schema
}

// mustConnect opens a connection of its own to dsn, which may hold pool
// settings, and closes it when t ends.
func mustConnect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// mustExec runs sql on a connection of its own.
func mustExec(t testing.TB, dsn, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn := mustConnect(t, dsn)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// mustOpenDB opens the schema, after configure (if not nil) has adjusted
// the DB, and closes it when t ends (before the schema is dropped).
func mustOpenDB(t testing.TB, dsn, schema string, configure func(db *postgres.DB)) *postgres.DB {
	t.Helper()
	db := postgres.NewDB(dsn)
	db.Schema = schema
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

func mustClose(t testing.TB, db *postgres.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// mustAppFlow creates an application with one flow.
func mustAppFlow(t testing.TB, db *postgres.DB) *weir.Flow {
	t.Helper()
	a := &weir.Application{Name: "app", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	f := &weir.Flow{ApplicationID: a.ID, Name: "flow", FlowClass: weir.FlowClassCloud}
	if err := db.CreateFlow(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustEnqueue(t testing.TB, db *postgres.DB, f *weir.Flow) *weir.Run {
	t.Helper()
	r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
		Data: json.RawMessage(`{"n":1}`)}
	if err := db.EnqueueRun(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// mustClaim claims up to n runs, failing t if none come within 10s.
func mustClaim(t testing.TB, db *postgres.DB, n int) []*weir.Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runs, err := db.ClaimRuns(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// ids maps the ID of each run to its Attempt.
func ids(runs []*weir.Run) map[string]int {
	out := map[string]int{}
	for _, r := range runs {
		out[r.ID] = r.Attempt
	}
	return out
}

func TestReopen(t *testing.T) {
	dsn := mustDSN(t)

	t.Run("KeepsDataOK", func(t *testing.T) {
		schema := mustSchema(t, dsn)
		db := mustOpenDB(t, dsn, schema, nil)
		f := mustAppFlow(t, db)
		if err := db.SetStorageEntry(t.Context(), f.ID, "k", json.RawMessage(`{"a": [1, 2]}`)); err != nil {
			t.Fatal(err)
		}
		r := mustEnqueue(t, db, f)
		if err := db.CompleteRun(t.Context(), r, &weir.LogEntry{Time: time.Now(), RunCount: 1}); err != nil {
			t.Fatal(err)
		}
		mustClose(t, db)

		db = mustOpenDB(t, dsn, schema, nil)
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
	})

	// Close offers again the runs the DB leased, so a reopened DB (or any
	// other) gets them at once. Attempt counts the earlier delivery: unlike
	// SQLite's, the count is stored and survives the reopen.
	t.Run("ReoffersUnfinishedRunsOK", func(t *testing.T) {
		schema := mustSchema(t, dsn)
		db := mustOpenDB(t, dsn, schema, nil)
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

		db = mustOpenDB(t, dsn, schema, nil)
		got := ids(mustClaim(t, db, 10))
		want := map[string]int{r2.ID: 1, r3.ID: 0}
		if len(got) != len(want) || got[r2.ID] != 1 || got[r3.ID] != 0 {
			t.Fatalf("claimed after reopen %v, want %v", got, want)
		}
	})

	// A process that dies leaves its leases behind; its successor with the
	// same Instance takes them back on Open instead of waiting for expiry.
	t.Run("InstanceReclaimsLeasesOK", func(t *testing.T) {
		schema := mustSchema(t, dsn)
		crashed := mustOpenDB(t, dsn, schema, func(db *postgres.DB) { db.Instance = "node-1" })
		other := mustOpenDB(t, dsn, schema, func(db *postgres.DB) { db.Instance = "node-2" })
		f := mustAppFlow(t, crashed)
		r1, r2 := mustEnqueue(t, crashed, f), mustEnqueue(t, crashed, f)
		if got := ids(mustClaim(t, crashed, 1)); len(got) != 1 {
			t.Fatalf("claimed %v, want r1", got)
		}
		if got := ids(mustClaim(t, other, 1)); len(got) != 1 {
			t.Fatalf("claimed %v, want r2", got)
		}

		successor := mustOpenDB(t, dsn, schema, func(db *postgres.DB) { db.Instance = "node-1" })
		got := ids(mustClaim(t, successor, 10))
		if len(got) != 1 || got[r1.ID] != 1 {
			t.Fatalf("successor claimed %v, want only %s (attempt 1); %s stays leased by node-2", got, r1.ID, r2.ID)
		}
	})
}

func TestLeaseExpiryReoffersOK(t *testing.T) {
	dsn := mustDSN(t)
	db := mustOpenDB(t, dsn, mustSchema(t, dsn), func(db *postgres.DB) {
		db.LeaseDuration = 300 * time.Millisecond
		db.PollInterval = time.Minute // the wait must end at the lease expiry, not a poll
	})
	f := mustAppFlow(t, db)
	r := mustEnqueue(t, db, f)
	if got := ids(mustClaim(t, db, 10)); got[r.ID] != 0 || len(got) != 1 {
		t.Fatalf("first claim = %v, want %s attempt 0", got, r.ID)
	}
	start := time.Now()
	got := ids(mustClaim(t, db, 10))
	if a, ok := got[r.ID]; !ok || a != 1 || len(got) != 1 {
		t.Fatalf("claim after lease expiry = %v, want %s attempt 1", got, r.ID)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("re-offer took %v, want about the 300ms lease", d)
	}
}

// TestClaimAcrossDBsOK runs claimers on two DBs sharing a schema, as two
// processes would, while both enqueue: every run is handed out exactly once.
func TestClaimAcrossDBsOK(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	dbs := []*postgres.DB{mustOpenDB(t, dsn, schema, nil), mustOpenDB(t, dsn, schema, nil)}
	f := mustAppFlow(t, dbs[0])
	total := 1000
	if testing.Short() {
		total = 200
	}
	const claimersPerDB = 4

	var (
		mu      sync.Mutex
		claimed = map[string]int{}
		count   int
		wg      sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	errs := make(chan error, 2*claimersPerDB+2)
	for _, db := range dbs {
		wg.Go(func() {
			for range total / len(dbs) {
				r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, Data: json.RawMessage(`{}`)}
				if err := db.EnqueueRun(ctx, r); err != nil {
					errs <- err
					return
				}
			}
		})
		for range claimersPerDB {
			wg.Go(func() {
				for {
					mu.Lock()
					done := count >= total
					mu.Unlock()
					if done {
						return
					}
					runs, err := db.ClaimRuns(ctx, 7)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					for _, r := range runs {
						claimed[r.ID]++
					}
					count += len(runs)
					done = count >= total
					mu.Unlock()
					if done {
						cancel() // wakes the other claimers
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, context.Canceled) || count < total {
			t.Fatalf("enqueue or claim after %d of %d runs: %v", count, total, err)
		}
	}
	if count != total || len(claimed) != total {
		t.Fatalf("claimed %d runs, %d distinct; want %d once each", count, len(claimed), total)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Fatalf("run %s claimed %d times", id, n)
		}
	}
}

// TestConcurrentOpenMigratesOnceOK opens three DBs on a new schema at once:
// all succeed and each migration is recorded once.
func TestConcurrentOpenMigratesOnceOK(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	var wg sync.WaitGroup
	dbs := make([]*postgres.DB, 3)
	errs := make([]error, len(dbs))
	for i := range dbs {
		dbs[i] = postgres.NewDB(dsn)
		dbs[i].Schema = schema
		wg.Go(func() { errs[i] = dbs[i].Open() })
	}
	wg.Wait()
	for i, db := range dbs {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { db.Close() })
		mustAppFlow(t, db)
	}

	conn := mustConnect(t, dsn)
	rows, _ := conn.Query(t.Context(), `SELECT name FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+` ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Glob("migrations/*.sql") // every migration, once, in order
	if !slices.Equal(names, want) {
		t.Fatalf("schema_migrations = %v, want %v", names, want)
	}
	var apps int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{schema, "applications"}.Sanitize()).Scan(&apps); err != nil || apps != 3 {
		t.Fatalf("applications after 3 opens = %d, %v; want 3", apps, err)
	}
}

// TestIncrSpellsNumbersLikeGoOK checks that the sums IncrStorageEntry stores
// are spelled as encoding/json spells them, as the SQLite store stores them.
func TestIncrSpellsNumbersLikeGoOK(t *testing.T) {
	dsn := mustDSN(t)
	db := mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	f := mustAppFlow(t, db)
	for _, tc := range []struct{ start, delta float64 }{
		{0, 0}, {1.5, -4}, {0.1, 0.2}, {1e-7, 0}, {1.5e-7, 1e-9}, {1e-6, 0}, {9.99e-7, 0},
		{1e20, 0}, {1e21, 0}, {1e21, -1e5}, {123456789.123, 1}, {-1e300, -1e300}, {5e-324, 0},
		{1e15, 1}, {1e16, 0}, {-0.00001, 0}, {2.5e-5, 0}, {1.7976931348623157e308, 0}, {1, 1e-17},
		{math.Pi, math.E}, {-123.456e-10, 0}, {4.2e100, 0}, {1e-100, 0},
	} {
		want, _ := json.Marshal(tc.start + tc.delta)
		start, _ := json.Marshal(tc.start)
		if err := db.SetStorageEntry(t.Context(), f.ID, "n", start); err != nil {
			t.Fatal(err)
		}
		sum, err := db.IncrStorageEntry(t.Context(), f.ID, "n", tc.delta)
		if err != nil {
			t.Fatalf("IncrStorageEntry(%s, %v): %v", start, tc.delta, err)
		}
		if sum != tc.start+tc.delta {
			t.Errorf("IncrStorageEntry(%s, %v) = %v, want %v", start, tc.delta, sum, tc.start+tc.delta)
		}
		got, _, err := db.StorageEntry(t.Context(), f.ID, "n")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("stored %s + %v = %s, want %s", start, tc.delta, got, want)
		}
	}
}

func TestIncrErrNotFinite(t *testing.T) {
	dsn := mustDSN(t)
	db := mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	f := mustAppFlow(t, db)
	for _, tc := range []struct {
		stored string
		delta  float64
	}{
		{`1.7976931348623157e308`, 1.7976931348623157e308},
		{`1e400`, 1},
		{`1`, math.Inf(1)},
		{`1`, math.NaN()},
	} {
		if err := db.SetStorageEntry(t.Context(), f.ID, "n", json.RawMessage(tc.stored)); err != nil {
			t.Fatal(err)
		}
		_, err := db.IncrStorageEntry(t.Context(), f.ID, "n", tc.delta)
		if got := weir.ErrorTypeOf(err); got != weir.Validation {
			t.Errorf("IncrStorageEntry(%s, %v) error = %v, want Validation", tc.stored, tc.delta, err)
		}
		if got, _, _ := db.StorageEntry(t.Context(), f.ID, "n"); string(got) != tc.stored {
			t.Errorf("stored value after failed incr = %s, want %s", got, tc.stored)
		}
	}
}

func TestCloseWakesClaimersOK(t *testing.T) {
	dsn := mustDSN(t)
	db := postgres.NewDB(dsn)
	db.Schema = mustSchema(t, dsn)
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
	mustClose(t, db) // twice is harmless
	if _, err := db.FindApplicationByID(t.Context(), weir.NewID()); weir.ErrorTypeOf(err) != weir.Internal {
		t.Fatalf("FindApplicationByID after Close = %v, want an internal error", err)
	}
}

// benchParallelism is how many callers per CPU the write benchmarks run, as
// concurrent HTTP requests would.
const benchParallelism = 32

func BenchmarkEnqueueRun(b *testing.B) {
	dsn := mustDSN(b)
	db := mustOpenDB(b, dsn, mustSchema(b, dsn), nil)
	f := mustAppFlow(b, db)
	data := json.RawMessage(`{"body":{"temp":21.5,"device":"abc"},"query":{}}`)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
				TriggerType: "webhook", TriggerKey: "k", Time: time.Now(), Data: data}
			if err := db.EnqueueRun(context.Background(), r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkIncrStorageEntry(b *testing.B) {
	dsn := mustDSN(b)
	db := mustOpenDB(b, dsn, mustSchema(b, dsn), nil)
	f := mustAppFlow(b, db)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.IncrStorageEntry(context.Background(), f.ID, "count", 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkIncrStorageEntryEffect is BenchmarkIncrStorageEntry with each
// increment named as a new effect, as the engine names a run's writes.
func BenchmarkIncrStorageEntryEffect(b *testing.B) {
	dsn := mustDSN(b)
	db := mustOpenDB(b, dsn, mustSchema(b, dsn), nil)
	f := mustAppFlow(b, db)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		run := weir.NewID()
		for i := 0; pb.Next(); i++ {
			ctx := weir.WithEffect(context.Background(), weir.Effect{RunID: run, Step: strconv.Itoa(i)})
			if _, err := db.IncrStorageEntry(ctx, f.ID, "count", 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRunCycle measures a run's whole life in the queue: enqueue,
// claim, complete with a log entry and stats.
func BenchmarkRunCycle(b *testing.B) {
	dsn := mustDSN(b)
	db := mustOpenDB(b, dsn, mustSchema(b, dsn), nil)
	f := mustAppFlow(b, db)
	data := json.RawMessage(`{"body":{"temp":21.5,"device":"abc"},"query":{}}`)
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
				TriggerType: "webhook", TriggerKey: "k", Time: time.Now(), Data: data}
			if err := db.EnqueueRun(ctx, r); err != nil {
				b.Error(err)
				return
			}
			runs, err := db.ClaimRuns(ctx, 1)
			if err != nil {
				b.Error(err)
				return
			}
			e := &weir.LogEntry{FlowVersionID: weir.DevelopVersion, Time: time.Now(), RunCount: 1, PathsCompleted: 1, WallTime: 0.5}
			if err := db.CompleteRun(ctx, runs[0], e); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
