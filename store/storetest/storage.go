package storetest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// checkStorageLen fails t unless the flow's storage holds n keys.
func checkStorageLen(t *testing.T, s Store, flowID string, n int) {
	t.Helper()
	entries, err := s.StorageEntries(t.Context(), flowID)
	if err != nil {
		t.Fatalf("StorageEntries: %v", err)
	}
	if len(entries) != n {
		t.Fatalf("storage of flow %s has %d keys, want %d", flowID, len(entries), n)
	}
}

func mustSet(t *testing.T, s Store, flowID, key, value string) {
	t.Helper()
	if err := s.SetStorageEntry(t.Context(), flowID, key, json.RawMessage(value)); err != nil {
		t.Fatalf("SetStorageEntry(%q, %s): %v", key, value, err)
	}
}

func mustIncr(t *testing.T, s Store, flowID, key string, delta float64) float64 {
	t.Helper()
	n, err := s.IncrStorageEntry(t.Context(), flowID, key, delta)
	if err != nil {
		t.Fatalf("IncrStorageEntry(%q, %v): %v", key, delta, err)
	}
	return n
}

func testStorage(t *testing.T, open func(t *testing.T) Store) {
	values := map[string]string{
		"string": `"hello \"world\" ✓"`,
		"int":    `42`,
		"float":  `-3.25e-2`,
		"bool":   `true`,
		"null":   `null`,
		"array":  `[1, "two", {"three": 3}, [], null]`,
		"object": `{ "a": {"b": [true, false]}, "c": "" }`,
		"empty":  `{}`,
		strings.Repeat("k", weir.MaxStorageKeyLength): `"long ascii key"`,
		strings.Repeat("é", weir.MaxStorageKeyLength): `"long unicode key"`,
	}

	t.Run("SetGetOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		want := map[string]json.RawMessage{}
		for k, v := range values {
			mustSet(t, s, f.ID, k, v)
			want[k] = json.RawMessage(v)
		}
		for k, v := range values {
			got, ok, err := s.StorageEntry(t.Context(), f.ID, k)
			if err != nil || !ok {
				t.Fatalf("StorageEntry(%q) = %s, %v, %v; want %s", k, got, ok, err, v)
			}
			checkDiff(t, "value of "+k, got, json.RawMessage(v))
		}
		all, err := s.StorageEntries(t.Context(), f.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "entries", all, want)
	})

	t.Run("GetMissingOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		got, ok, err := s.StorageEntry(t.Context(), f.ID, "nope")
		if err != nil || ok || got != nil {
			t.Fatalf("StorageEntry(missing) = %s, %v, %v; want nil, false, nil", got, ok, err)
		}
		checkStorageLen(t, s, f.ID, 0)
	})

	t.Run("SetReplacesOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustSet(t, s, f.ID, "k", `1`)
		mustSet(t, s, f.ID, "k", `{"now": "an object"}`)
		got, _, err := s.StorageEntry(t.Context(), f.ID, "k")
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "value", got, json.RawMessage(`{"now":"an object"}`))
		checkStorageLen(t, s, f.ID, 1)
	})

	t.Run("FlowsIsolatedOK", func(t *testing.T) {
		s := open(t)
		f1, f2 := mustAppFlow(t, s), mustAppFlow(t, s)
		mustSet(t, s, f1.ID, "k", `1`)
		mustSet(t, s, f2.ID, "k", `2`)
		got, _, err := s.StorageEntry(t.Context(), f1.ID, "k")
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "value", got, json.RawMessage(`1`))
	})

	t.Run("DeleteReturnsPreviousOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustSet(t, s, f.ID, "k", `{"a": 1}`)
		mustSet(t, s, f.ID, "other", `2`)
		prev, err := s.DeleteStorageEntry(t.Context(), f.ID, "k")
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "previous value", prev, json.RawMessage(`{"a":1}`))
		if _, ok, _ := s.StorageEntry(t.Context(), f.ID, "k"); ok {
			t.Fatal("key still exists after DeleteStorageEntry")
		}
		checkStorageLen(t, s, f.ID, 1)
	})

	t.Run("DeleteMissingOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		prev, err := s.DeleteStorageEntry(t.Context(), f.ID, "nope")
		if err != nil || prev != nil {
			t.Fatalf("DeleteStorageEntry(missing) = %s, %v; want nil, nil", prev, err)
		}
	})

	t.Run("ClearOK", func(t *testing.T) {
		s := open(t)
		f, other := mustAppFlow(t, s), mustAppFlow(t, s)
		for k, v := range values {
			mustSet(t, s, f.ID, k, v)
		}
		mustSet(t, s, other.ID, "k", `1`)
		if err := s.ClearStorageEntries(t.Context(), f.ID); err != nil {
			t.Fatal(err)
		}
		checkStorageLen(t, s, f.ID, 0)
		checkStorageLen(t, s, other.ID, 1)
	})

	t.Run("MetadataOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		m, err := s.StorageMetadata(t.Context(), f.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "empty metadata", m, weir.StorageMetadata{})
		want := weir.StorageMetadata{}
		for k, v := range values {
			mustSet(t, s, f.ID, k, v)
			want.KeysCount++
			want.MemoryUsed += len(k) + len(compact([]byte(v)))
		}
		if m, err = s.StorageMetadata(t.Context(), f.ID); err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "metadata", m, want)
	})

	t.Run("SetFlowNotFound", func(t *testing.T) {
		s := open(t)
		err := s.SetStorageEntry(t.Context(), weir.NewID(), "k", json.RawMessage(`1`))
		checkError(t, err, weir.NotFound, "Flow was not found")
		_, err = s.IncrStorageEntry(t.Context(), weir.NewID(), "k", 1)
		checkError(t, err, weir.NotFound, "Flow was not found")
	})

	t.Run("IncrAbsentStartsAtZeroOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		if got := mustIncr(t, s, f.ID, "n", 5); got != 5 {
			t.Fatalf("IncrStorageEntry(absent, 5) = %v, want 5", got)
		}
		v, _, err := s.StorageEntry(t.Context(), f.ID, "n")
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "stored value", v, json.RawMessage(`5`))
	})

	t.Run("IncrFloatsAndNegativesOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustSet(t, s, f.ID, "n", `1.5`)
		for _, tc := range []struct{ delta, want float64 }{
			{-4, -2.5},
			{0.25, -2.25},
			{2.25, 0},
			{-1e3, -1000},
		} {
			if got := mustIncr(t, s, f.ID, "n", tc.delta); got != tc.want {
				t.Fatalf("IncrStorageEntry(%v) = %v, want %v", tc.delta, got, tc.want)
			}
		}
		v, _, err := s.StorageEntry(t.Context(), f.ID, "n")
		if err != nil {
			t.Fatal(err)
		}
		var n float64
		if err := json.Unmarshal(v, &n); err != nil || n != -1000 {
			t.Fatalf("stored value = %s (%v), want the JSON number -1000", v, err)
		}
	})

	t.Run("IncrErrNotNumber", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		for _, v := range []string{`"5"`, `true`, `null`, `[1]`, `{"n": 1}`} {
			mustSet(t, s, f.ID, "k", v)
			_, err := s.IncrStorageEntry(t.Context(), f.ID, "k", 1)
			checkError(t, err, weir.Validation, "")
			got, _, err := s.StorageEntry(t.Context(), f.ID, "k")
			if err != nil {
				t.Fatal(err)
			}
			checkDiff(t, "value after failed incr", got, json.RawMessage(v))
		}
	})

	t.Run("IncrConcurrentOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		const goroutines, increments = 50, 20
		var wg sync.WaitGroup
		errs := make(chan error, goroutines*increments)
		for range goroutines {
			wg.Go(func() {
				for range increments {
					if _, err := s.IncrStorageEntry(t.Context(), f.ID, "count", 1); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent IncrStorageEntry: %v", err)
		}
		if got := mustIncr(t, s, f.ID, "count", 0); got != goroutines*increments {
			t.Fatalf("count = %v, want %d", got, goroutines*increments)
		}
	})
}
