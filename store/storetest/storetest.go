// Package storetest is the conformance suite every weir store must pass:
// call Run from the store's tests with a function opening an empty store.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/weirhq/weir"
)

// Store is everything a weir store implements.
type Store interface {
	weir.ApplicationService
	weir.FlowService
	weir.TokenService
	weir.StorageService
	weir.LogService
	weir.RunQueue
}

// Run runs the suite. open must return a new, empty store for each call and
// close it in t.Cleanup.
//
// Besides the root interfaces' documented contracts, the suite pins down:
// times are kept to the millisecond; JSON values and raw configs keep their
// content (whitespace may change); PerPage <= 0 returns every item; sortField
// is one of name, id, creationDate, lastUpdated (else Validation); storage
// writes to a missing flow return NotFound; reads of a missing flow's
// storage or logs return nothing.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Application", func(t *testing.T) { testApplications(t, open) })
	t.Run("Flow", func(t *testing.T) { testFlows(t, open) })
	t.Run("Token", func(t *testing.T) { testTokens(t, open) })
	t.Run("Storage", func(t *testing.T) { testStorage(t, open) })
	t.Run("Effects", func(t *testing.T) { testEffects(t, open) })
	t.Run("Log", func(t *testing.T) { testLogs(t, open) })
	t.Run("RunQueue", func(t *testing.T) { testRunQueue(t, open) })
}

// cmpOpts compares domain values: empty and nil collections are equal, and
// JSON texts are compared compacted.
var cmpOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(weir.Definition{}, "Hash"), // a store-set content hash, not stored data
	cmp.FilterValues(func(a, b json.RawMessage) bool { return len(a) > 0 || len(b) > 0 },
		cmp.Comparer(func(a, b json.RawMessage) bool { return compact(a) == compact(b) })),
}

// compact returns m without insignificant whitespace, or m itself if it is
// not JSON.
func compact(m []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, m); err != nil {
		return string(m)
	}
	return buf.String()
}

// checkError fails t unless err is an *weir.Error of type typ and, when msg
// is not empty, has message msg.
func checkError(t *testing.T, err error, typ weir.ErrorType, msg string) {
	t.Helper()
	if got := weir.ErrorTypeOf(err); got != typ {
		t.Fatalf("error type = %q (%v), want %q", got, err, typ)
	}
	if msg != "" {
		if got := weir.ErrorMessage(err); got != msg {
			t.Fatalf("error message = %q, want %q", got, msg)
		}
	}
}

// checkDiff fails t if got and want differ.
func checkDiff(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

// checkTimeSet fails t unless tm is set and kept to the millisecond.
func checkTimeSet(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.IsZero() {
		t.Fatalf("%s is zero", what)
	}
	if !tm.Equal(tm.Truncate(time.Millisecond)) {
		t.Fatalf("%s = %v, want millisecond precision", what, tm)
	}
}

// ms returns tm truncated to the millisecond.
func ms(tm time.Time) time.Time { return tm.UTC().Truncate(time.Millisecond) }

func mustCreateApplication(t *testing.T, s Store, a *weir.Application) *weir.Application {
	t.Helper()
	if a.OwnerID == "" {
		a.OwnerID, a.OwnerType = "5a1b2c3d4e5f60718293a4b5", weir.OwnerUser
	}
	if err := s.CreateApplication(t.Context(), a); err != nil {
		t.Fatalf("CreateApplication(%q): %v", a.Name, err)
	}
	return a
}

func mustCreateFlow(t *testing.T, s Store, f *weir.Flow) *weir.Flow {
	t.Helper()
	if f.FlowClass == "" {
		f.FlowClass = weir.FlowClassCloud
	}
	if err := s.CreateFlow(t.Context(), f); err != nil {
		t.Fatalf("CreateFlow(%q): %v", f.Name, err)
	}
	return f
}

func mustCreateToken(t *testing.T, s Store, tok *weir.Token) *weir.Token {
	t.Helper()
	if tok.Status == "" {
		tok.Status = weir.TokenActive
	}
	if err := s.CreateToken(t.Context(), tok); err != nil {
		t.Fatalf("CreateToken(%q): %v", tok.Name, err)
	}
	return tok
}

// mustAppFlow creates an application with one flow and returns the flow.
func mustAppFlow(t *testing.T, s Store) *weir.Flow {
	t.Helper()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	return mustCreateFlow(t, s, &weir.Flow{ApplicationID: a.ID, Name: "flow"})
}

func mustEnqueue(t *testing.T, s Store, f *weir.Flow, data string) *weir.Run {
	t.Helper()
	r := &weir.Run{
		ApplicationID: f.ApplicationID,
		FlowID:        f.ID,
		FlowVersion:   weir.DevelopVersion,
		TriggerType:   "virtualButton",
		TriggerKey:    f.ID + "-button",
		TriggerID:     f.ID + "-button",
		Time:          ms(time.Now()),
		Data:          json.RawMessage(data),
	}
	if err := s.EnqueueRun(t.Context(), r); err != nil {
		t.Fatalf("EnqueueRun: %v", err)
	}
	return r
}

// mustLog enqueues a run of f and completes it with e, writing the entry.
func mustLog(t *testing.T, s Store, f *weir.Flow, e *weir.LogEntry) {
	t.Helper()
	r := mustEnqueue(t, s, f, `{}`)
	if e.ApplicationID == "" {
		e.ApplicationID, e.FlowID = f.ApplicationID, f.ID
	}
	if e.FlowVersion == "" {
		e.FlowVersion, e.FlowVersionID = weir.DevelopVersion, weir.DevelopVersion
	}
	if err := s.CompleteRun(t.Context(), r, e); err != nil {
		t.Fatalf("CompleteRun: %v", err)
	}
}

// claim calls ClaimRuns with a deadline of d and returns its result.
func claim(t *testing.T, s Store, n int, d time.Duration) ([]*weir.Run, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return s.ClaimRuns(ctx, n)
}

// checkQueueEmpty fails t if a run can be claimed within a short wait.
func checkQueueEmpty(t *testing.T, s Store) {
	t.Helper()
	runs, err := claim(t, s, 100, 100*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRuns on an empty queue = %d runs, %v; want context.DeadlineExceeded", len(runs), err)
	}
}

// claimAll claims runs until want distinct ones arrived or the deadline of
// a few seconds passes; a run handed out twice fails t.
func claimAll(t *testing.T, s Store, want int) map[string]*weir.Run {
	t.Helper()
	got := map[string]*weir.Run{}
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < want {
		if time.Now().After(deadline) {
			t.Fatalf("claimed %d runs before the deadline, want %d", len(got), want)
		}
		runs, err := claim(t, s, want-len(got), time.Until(deadline))
		if err != nil {
			t.Fatalf("ClaimRuns after %d of %d runs: %v", len(got), want, err)
		}
		for _, r := range runs {
			if _, dup := got[r.ID]; dup {
				t.Fatalf("run %s claimed twice while leased", r.ID)
			}
			got[r.ID] = r
		}
	}
	return got
}
