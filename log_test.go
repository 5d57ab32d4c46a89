package weir_test

import (
	"testing"

	"github.com/weirhq/weir"
)

func TestLogEntryOf(t *testing.T) {
	run := &weir.Run{ApplicationID: "a", FlowID: "f"}
	e := weir.LogEntry{RunCount: 1}.Of(run)
	if e.ApplicationID != "a" || e.FlowID != "f" || e.FlowVersion != weir.DevelopVersion || !weir.ValidID(e.ID) {
		t.Errorf("Of(run without version) = %+v, want the run's ids, develop and a new id", e)
	}
	run.FlowVersion = "v1"
	e = weir.LogEntry{ID: "x", FlowID: "g", FlowVersion: "v2"}.Of(run)
	if e.ID != "x" || e.FlowID != "g" || e.FlowVersion != "v2" || e.ApplicationID != "a" {
		t.Errorf("Of(run) = %+v, want the entry's own fields kept", e)
	}
	run.ID = "r1"
	if e = (weir.LogEntry{}).Of(run); e.ID != "r1" {
		t.Errorf("Of(run r1).ID = %q, want the run's ID", e.ID)
	}
}

func TestStorageKeyCap(t *testing.T) {
	for n, want := range map[int]int{-1: 0, 0: weir.DefaultMaxStorageKeys, 5: 5} {
		if got := weir.StorageKeyCap(n); got != want {
			t.Errorf("StorageKeyCap(%d) = %d, want %d", n, got, want)
		}
	}
}
