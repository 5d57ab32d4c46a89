package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	_ "github.com/weirhq/weir/nodes" // the real node library
)

const (
	// fuzzDeadline is the time limit of each fuzzed run.
	fuzzDeadline = 25 * time.Millisecond
	// fuzzGrace is how long past its deadline a run may take to return: long
	// enough for a loaded machine, far shorter than a run that ignores it.
	fuzzGrace = 10 * time.Second
)

// fuzzSeeds are hand-written definitions: cycles, fan-out, loops, delays and
// functions that never end by themselves, dangling and self references.
var fuzzSeeds = []string{
	`{}`,
	`{"triggers":[],"nodes":[]}`,
	`{"triggers":[{"key":"k","type":"virtualButton","outputIds":[["a"]]}],"nodes":[{"id":"a","type":"DebugNode","outputIds":[["b"]]},{"id":"b","type":"DebugNode","outputIds":[["a"]]}]}`,
	`{"triggers":[{"key":"k","outputIds":[["a","a","missing"]]}],"nodes":[{"id":"a","type":"DebugNode","outputIds":[["a"]]}]}`,
	`{"triggers":[{"key":"k","outputIds":[["d"]]}],"nodes":[{"id":"d","type":"DelayNode","config":{"delay":"60"}}]}`,
	`{"triggers":[{"key":"k","outputIds":[["f"]]}],"nodes":[{"id":"f","type":"RawFunctionNode","config":{"script":"while (true) {}"}}]}`,
	`{"triggers":[{"key":"k","outputIds":[["l"]]}],"nodes":[{"id":"l","type":"LoopNode","config":{"sourceArrayPath":"data","loopType":"serial"},"outputIds":[[],["c"]]},{"id":"c","type":"LoopCapNode","meta":{"groupId":"l"}}]}`,
	`{"triggers":[{"key":"k","outputIds":[["s"]]}],"nodes":[{"id":"s","type":"StoreValueNode","config":{"keyName":"x","valueType":"string","value":"{{data}}"}}]}`,
	`{"triggers":[{"key":"k","outputIds":[["h"]]}],"nodes":[{"id":"h","type":"HttpNode","config":{"uriTemplate":"http://127.0.0.1:1/"}}]}`,
	`{"triggers":[{"key":"k","outputIds":[["w"]]}],"nodes":[{"id":"w","type":"WorkflowTriggerNode","config":{"triggerWorkflowId":"x","triggerVirtualButtonId":"y"}}]}`,
	`{"triggers":[{"key":"k","outputIds":[["x"]]}],"nodes":[{"id":"x","type":"NoSuchNode","config":"not an object"}]}`,
	`{"globals":[{"key":"g","json":"{"}],"triggers":[{"key":"","outputIds":[]}],"nodes":[{"id":"","type":"DebugNode"}]}`,
}

// FuzzCompile decodes arbitrary JSON into a definition, validates and
// compiles it, and runs every trigger on an empty payload with a short
// deadline. Properties: no panic, not even one a run recovers; Compile
// returns an error or a graph that runs; no run outlives its deadline by
// more than fuzzGrace.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	golden, err := filepath.Glob("../nodes/testdata/flows/*/flow.json")
	if err != nil || len(golden) == 0 {
		f.Fatalf("no golden flows to seed from: %v", err)
	}
	for _, name := range golden {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var def weir.Definition
		if err := json.Unmarshal(data, &def); err != nil {
			return
		}
		for i := range def.Nodes {
			// The fuzzer must not send requests to whatever URL it invents.
			if def.Nodes[i].Type == "HttpNode" {
				def.Nodes[i].Type = "DisabledHttpNode"
			}
		}
		_ = def.Validate()
		g, err := engine.Compile(&def)
		if err != nil {
			return
		}
		if g == nil {
			t.Fatal("Compile returned neither a graph nor an error")
		}
		if _, err := g.Run(context.Background(), fuzzEnv(), "no such trigger key", engine.Payload{}); weir.ErrorTypeOf(err) != weir.NotFound {
			t.Fatalf("Run of an unknown trigger: %v, want NotFound", err)
		}
		for _, tr := range def.Triggers {
			if tr.Key != "" {
				runWithDeadline(t, g, tr.Key)
			}
		}
	})
}

// runWithDeadline runs trigger key of g and fails t when the run does not
// return in time, returns an error, or recovered a node panic.
func runWithDeadline(t *testing.T, g *engine.Graph, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fuzzDeadline)
	defer cancel()
	type outcome struct {
		res *engine.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := g.Run(ctx, fuzzEnv(), key, engine.Payload{})
		done <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(fuzzDeadline + fuzzGrace):
		t.Fatalf("run of trigger %q still running %v past its %v deadline", key, fuzzGrace, fuzzDeadline)
	}
	if o.err != nil {
		t.Fatalf("run of trigger %q: %v", key, o.err)
	}
	if o.res == nil {
		t.Fatalf("run of trigger %q returned neither a result nor an error", key)
	}
	for _, e := range o.res.Errors {
		if msg := fmt.Sprint(e.Error); strings.Contains(msg, "failed unexpectedly") {
			t.Fatalf("node %s (%s) panicked: %s", e.NodeID, e.NodeType, msg)
		}
	}
}

// fuzzEnv is the environment of a fuzzed run: in-memory storage, a debug
// stream that discards, no way to press buttons or reply.
func fuzzEnv() *engine.Env {
	return &engine.Env{
		RunID: "run", ApplicationID: "app", FlowID: "flow", FlowVersion: weir.DevelopVersion, FlowVersionID: weir.DevelopVersion,
		Storage: &fuzzStorage{m: map[string]json.RawMessage{}},
		Debug:   func(engine.DebugMessage) {},
		Now:     func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Logger:  slog.New(slog.DiscardHandler),
	}
}

// fuzzStorage is the storage of one flow, in memory.
type fuzzStorage struct {
	mu sync.Mutex
	m  map[string]json.RawMessage
}

func (s *fuzzStorage) StorageEntries(context.Context, string) (map[string]json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]json.RawMessage, len(s.m))
	for k, v := range s.m {
		out[k] = v
	}
	return out, nil
}

func (s *fuzzStorage) StorageEntry(_ context.Context, _, key string) (json.RawMessage, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *fuzzStorage) SetStorageEntry(_ context.Context, _, key string, value json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = append(json.RawMessage(nil), value...)
	return nil
}

func (s *fuzzStorage) DeleteStorageEntry(_ context.Context, _, key string) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.m[key]
	delete(s.m, key)
	return v, nil
}

func (s *fuzzStorage) IncrStorageEntry(_ context.Context, _, key string, delta float64) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n float64
	if v, ok := s.m[key]; ok {
		if err := json.Unmarshal(v, &n); err != nil {
			return 0, weir.Errorf(weir.Validation, "storage entry %s is not a number", key)
		}
	}
	n += delta
	b, _ := json.Marshal(n)
	s.m[key] = b
	return n, nil
}

func (s *fuzzStorage) ClearStorageEntries(context.Context, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.m)
	return nil
}

func (s *fuzzStorage) StorageMetadata(context.Context, string) (weir.StorageMetadata, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md := weir.StorageMetadata{KeysCount: len(s.m)}
	for k, v := range s.m {
		md.MemoryUsed += len(k) + len(v)
	}
	return md, nil
}

var _ weir.StorageService = (*fuzzStorage)(nil)
