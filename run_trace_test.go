package weir_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

func TestRunTraceText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		trace *weir.RunTrace
	}{
		{name: "Nil"},
		{name: "NoSteps", trace: &weir.RunTrace{Trigger: "k", Steps: []weir.TraceStep{}}},
		{name: "Path", trace: &weir.RunTrace{Trigger: "button-1", Omitted: 3, Steps: []weir.TraceStep{
			{NodeID: "a", From: -1, Via: 0, Output: 1, Start: 0.012, Time: 1.5},
			{NodeID: "loop", From: 0, Via: 1, Output: 0, Start: 1.6, Time: 20.25},
			{NodeID: "b c\n\"d\" é", From: 1, Via: 1, Output: -1, Start: 2, Time: 0.001, Failed: true},
		}}},
		{name: "CustomNodes", trace: &weir.RunTrace{Trigger: "k", Steps: []weir.TraceStep{
			{NodeID: "call", From: -1, Output: 0, Start: 0.1, Time: 3, Inner: &weir.RunTrace{Trigger: "customNodeStart", FlowID: "c1", Omitted: 2,
				Steps: []weir.TraceStep{
					{NodeID: "in", From: -1, Output: 0, Start: 0.2, Time: 1},
					{NodeID: "nested", From: 0, Output: -1, Start: 1.2, Time: 1, Failed: true, Inner: &weir.RunTrace{
						Trigger: "customNodeStart", FlowID: "c2 \"x\"", Steps: []weir.TraceStep{{NodeID: "deep", From: -1, Start: 1.3, Time: 0.5}}}},
					{NodeID: "after", From: 1, Start: 2.3, Time: 0.1},
				}}},
			{NodeID: "plain", From: 0, Start: 3.2, Time: 0.1},
			{NodeID: "empty", From: 1, Start: 3.4, Time: 0.1, Inner: &weir.RunTrace{Trigger: "customNodeStart", Steps: []weir.TraceStep{}}},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := weir.EncodeRunTrace(tc.trace)
			got, err := weir.DecodeRunTrace(text)
			if err != nil {
				t.Fatalf("DecodeRunTrace(%q) error %v", text, err)
			}
			if diff := cmp.Diff(tc.trace, got); diff != "" {
				t.Errorf("DecodeRunTrace(EncodeRunTrace(t)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRunTraceErrMalformed(t *testing.T) {
	for _, text := range []string{"x", "t2 0 \"k\"", "t1 x \"k\"", "t1 0 k", "t1 0 \"k\"\n1 2 3", "t1 0 \"k\"\n-1 0 0 0 0 id",
		"t1 0 \"k\"\n-1 0 0 0 0 g \"id\"",
		"t1 0 \"k\"\n>t 0 \"c\"",                                                        // an inner trace without its step
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>-1 0 0 0 0 \"b\"",                               // an inner step without its trace's start
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>t 0 \"c\"\n>t 0 \"c\"",                          // two inner traces of one step
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>t 0 \"c\"\n>>-1 0 0 0 0 \"b\"",                  // two levels deeper
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>t 0 \"c\"\n-1 0 0 0 0 \"b\"\n>-1 0 0 0 0 \"c\"", // back under another step
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>t x \"c\"",
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\nt 0 \"c\"",
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>t 0 \"c\" \"\"", // an empty flow id
		"t1 0 \"k\"\n-1 0 0 0 0 \"a\"\n>t 0 \"c\"x",     // junk after the trigger
		"t1 0 \"k\" \"f\" x"} {
		if got, err := weir.DecodeRunTrace(text); err == nil {
			t.Errorf("DecodeRunTrace(%q) = %+v, want an error", text, got)
		}
	}
}
