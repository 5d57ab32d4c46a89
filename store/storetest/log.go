package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// checkLogLen fails t unless the flow has n log entries.
func checkLogLen(t *testing.T, s Store, flowID string, n int) {
	t.Helper()
	entries, err := s.FindLogEntries(t.Context(), flowID, weir.LogFilter{Limit: 1000})
	if err != nil {
		t.Fatalf("FindLogEntries: %v", err)
	}
	if len(entries) != n {
		t.Fatalf("flow %s has %d log entries, want %d", flowID, len(entries), n)
	}
}

// wallTimes returns the WallTime of each entry, which the log tests use to
// tell entries apart.
func wallTimes(entries []*weir.LogEntry) []float64 {
	var out []float64
	for _, e := range entries {
		out = append(out, e.WallTime)
	}
	return out
}

func testLogs(t *testing.T, open func(t *testing.T) Store) {
	base := ms(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))

	// mustLogs writes entries with WallTime 1…5 at base+0s, +1s, +1s, +2s, +3s.
	mustLogs := func(t *testing.T, s Store, f *weir.Flow) {
		t.Helper()
		for i, off := range []int{0, 1, 1, 2, 3} {
			mustLog(t, s, f, &weir.LogEntry{Time: base.Add(time.Duration(off) * time.Second), WallTime: float64(i + 1), RunCount: 1})
		}
	}

	t.Run("FindEntryOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		e := &weir.LogEntry{
			ApplicationID:  f.ApplicationID,
			FlowID:         f.ID,
			FlowVersion:    "v2",
			FlowVersionID:  weir.NewID(),
			Time:           base,
			RunCount:       1,
			PathsCompleted: 3,
			PathsFailed:    1,
			WallTime:       12.5,
			Errors: []weir.RunError{{
				Time:          base.Add(-time.Millisecond),
				NodeID:        "n1",
				NodeLabel:     "Function",
				NodeType:      "RawFunctionNode",
				FlowVersion:   "v2",
				FlowVersionID: "vid",
				Error:         weir.ErrorDetails{Name: "TypeError", Message: "x is undefined"},
			}},
			Trace: &weir.RunTrace{Trigger: "button", Omitted: 2, Steps: []weir.TraceStep{
				{NodeID: "n0", From: -1, Output: 1, Start: 0.004, Time: 2.5},
				{NodeID: "n1", From: 0, Via: 1, Output: -1, Start: 2.51, Time: 9.875, Failed: true},
				{NodeID: "call", From: 0, Via: 0, Output: 0, Start: 2.6, Time: 1.5, Inner: &weir.RunTrace{ // a custom node's run
					Trigger: "customNodeStart", FlowID: "custom", Steps: []weir.TraceStep{{NodeID: "in", From: -1, Start: 2.7, Time: 0.5}}}},
			}},
		}
		mustLog(t, s, f, e)
		got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d entries, want 1", len(got))
		}
		want := *e
		want.ID = got[0].ID
		checkDiff(t, "entry", got[0], &want)
	})

	t.Run("NewestFirstOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustLogs(t, s, f)
		got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "entries", wallTimes(got), []float64{5, 4, 3, 2, 1})
	})

	t.Run("LimitOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustLogs(t, s, f)
		got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "entries", wallTimes(got), []float64{5, 4})
	})

	t.Run("SinceInclusiveOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustLogs(t, s, f)
		got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 10, Since: base.Add(time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "entries", wallTimes(got), []float64{5, 4, 3, 2})
	})

	t.Run("FlowVersionIDOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustLogs(t, s, f)
		mustLog(t, s, f, &weir.LogEntry{FlowVersion: "v1", FlowVersionID: "vid1", Time: base, WallTime: 10})
		got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 10, FlowVersionID: "vid1"})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "entries", wallTimes(got), []float64{10})
	})

	t.Run("PerFlowOK", func(t *testing.T) {
		s := open(t)
		f, other := mustAppFlow(t, s), mustAppFlow(t, s)
		mustLogs(t, s, f)
		mustLog(t, s, other, &weir.LogEntry{Time: base, WallTime: 10})
		got, err := s.FindLogEntries(t.Context(), other.ID, weir.LogFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "entries", wallTimes(got), []float64{10})
		checkLogLen(t, s, weir.NewID(), 0)
	})

	t.Run("KeptPayloadOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		kept := &weir.RunPayload{Kept: true, Size: 40, Redacted: []string{"data.headers.authorization"},
			TriggerType: "webhook", TriggerKey: "w1", TriggerID: "w1",
			Data:       json.RawMessage(`{"headers": {"authorization": "[redacted]"}, "body": {"temp": 41.50}}`),
			Experience: json.RawMessage(`{"user": null}`), Device: json.RawMessage(`{"deviceId": "d1"}`)}
		replay := &weir.LogEntry{Time: base.Add(time.Second), WallTime: 2, ReplayOf: "r0", Payload: kept}
		mustLog(t, s, f, replay)
		tooLarge := &weir.RunPayload{Size: 70000, Reason: "too large", TriggerType: "virtualButton", TriggerKey: "b"}
		other := &weir.LogEntry{Time: base, WallTime: 1, Payload: tooLarge}
		mustLog(t, s, f, other)
		mustLog(t, s, f, &weir.LogEntry{Time: base.Add(-time.Second), WallTime: 0.5})

		// A list carries each payload's note, not its data.
		list, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("got %d entries, want 3", len(list))
		}
		checkDiff(t, "replay's note", list[0].Payload, kept.Note())
		checkDiff(t, "replayOf", list[0].ReplayOf, "r0")
		checkDiff(t, "note not kept", list[1].Payload, tooLarge)
		if list[2].Payload != nil || list[2].ReplayOf != "" {
			t.Errorf("an entry without payload: payload %+v, replayOf %q", list[2].Payload, list[2].ReplayOf)
		}
		// One run's entry, by its run ID, with the payload in full.
		got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{RunID: replay.ID, WithPayload: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != replay.ID || got[0].WallTime != 2 {
			t.Fatalf("entry of run %s: %+v", replay.ID, got)
		}
		checkDiff(t, "kept payload", got[0].Payload, kept)
		got, err = s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{RunID: other.ID, WithPayload: true})
		if err != nil || len(got) != 1 {
			t.Fatalf("entry of run %s: %v, %v", other.ID, got, err)
		}
		checkDiff(t, "payload not kept", got[0].Payload, tooLarge)
		if got, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{RunID: weir.NewID()}); err != nil || len(got) != 0 {
			t.Fatalf("entry of an unknown run: %v, %v", got, err)
		}
	})
}
