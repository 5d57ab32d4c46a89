package nodes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	_ "github.com/weirhq/weir/nodes"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// input is a golden case's input.json: the press payload and the storage
// before the run. With runs, the flow runs once per entry instead, in order,
// sharing storage and node state; each entry's after moves the clock on.
type input struct {
	Data    any                        `json:"data"`
	Storage map[string]json.RawMessage `json:"storage"`
	Waiting []string                   `json:"waiting"` // reply ids requests wait for; replies to others find no waiter
	Devices []*weir.Device             `json:"devices"` // the application's devices (application id "app")
	Recipes []*weir.DeviceRecipe       `json:"recipes"` // the application's device recipes
	Events  []*weir.Event              `json:"events"`  // the application's events; new ones get ids 000000000000000000000001, …
	Tables  []goldenTable              `json:"tables"`  // the application's data tables, in a real SQLite store
	// The application's experience users and groups.
	ExperienceUsers  []*weir.ExperienceUser  `json:"experienceUsers"`
	ExperienceGroups []*weir.ExperienceGroup `json:"experienceGroups"`
	// EventLimit, when set, is how many events the run may create.
	EventLimit int `json:"eventLimit"`
	Runs       []struct {
		Data  any     `json:"data"`
		After float64 `json:"afterSeconds"`
	} `json:"runs"`
}

// outcome is a golden case's want.json.
type outcome struct {
	PathsCompleted int            `json:"pathsCompleted"`
	PathsFailed    int            `json:"pathsFailed"`
	Errors         []string       `json:"errors"`
	Debug          []debugLine    `json:"debug"`
	Storage        map[string]any `json:"storage"`
	Replies        []replyLine    `json:"replies,omitempty"`
	// Device nodes: the state reports stored per device, the commands sent
	// and how many reports the device triggers were handed.
	Devices  []string               `json:"devices,omitempty"`
	States   map[string][]stateLine `json:"states,omitempty"`
	Commands []commandLine          `json:"commands,omitempty"`
	Fired    int                    `json:"fired,omitempty"`
	// Event nodes: the events after the runs ("id level state subject"),
	// and how many creations and changes the Event triggers heard of.
	Events        []string `json:"events,omitempty"`
	EventsChanged int      `json:"eventsChanged,omitempty"`
	// The Losant API node: the REST calls made, "METHOD path?query body".
	APICalls []string `json:"apiCalls,omitempty"`
	// Data table nodes: each table's rows after the run and what the
	// dataTable triggers were told.
	Tables      map[string][]any `json:"tables,omitempty"`
	TableEvents []string         `json:"tableEvents,omitempty"`
	// Experience nodes: the users and groups a run leaves.
	ExperienceUsers  []string `json:"experienceUsers,omitempty"`
	ExperienceGroups []string `json:"experienceGroups,omitempty"`
}

// replyLine is a reply a waiting request received.
type replyLine struct {
	ReplyID    string            `json:"replyId"`
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies,omitempty"`
	Body       string            `json:"body"`
}

type debugLine struct {
	NodeID  string `json:"nodeId"`
	Level   string `json:"level"`
	Message string `json:"message"`
	Payload any    `json:"payload"`
}

// TestGoldenFlows runs every testdata/flows/<case>: flow.json holds a
// definition whose virtual button has key "button"; input.json the press
// data and initial storage; want.json the outcome.
func TestGoldenFlows(t *testing.T) {
	dirs, err := filepath.Glob("testdata/flows/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := runCase(t, dir)
			wantFile := filepath.Join(dir, "want.json")
			if *update {
				var b bytes.Buffer
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				_ = enc.Encode(got)
				if err := os.WriteFile(wantFile, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			var want outcome
			mustDecodeFile(t, wantFile, &want)
			// Round-trip got through JSON so both sides hold the same types.
			var norm outcome
			b, _ := json.Marshal(got)
			_ = json.Unmarshal(b, &norm)
			if diff := cmp.Diff(want, norm); diff != "" {
				t.Errorf("outcome mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func runCase(t *testing.T, dir string) outcome {
	var def weir.Definition
	mustDecodeFile(t, filepath.Join(dir, "flow.json"), &def)
	var in input
	mustDecodeFile(t, filepath.Join(dir, "input.json"), &in)
	if err := def.Validate(); err != nil {
		t.Fatalf("flow.json does not validate: %v", err)
	}
	g, err := engine.Compile(&def)
	if err != nil {
		t.Fatal(err)
	}
	store := newMemStorage(in.Storage)
	state := &memState{m: map[string]json.RawMessage{}}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var debug []debugLine
	var mu sync.Mutex
	env := &engine.Env{
		RunID: "run", ApplicationID: "app", FlowID: "flow", FlowVersion: "develop", FlowVersionID: "develop", Storage: store, State: state,
		Now: func() time.Time { return clock },
		Debug: func(m engine.DebugMessage) {
			mu.Lock()
			defer mu.Unlock()
			debug = append(debug, debugLine{m.NodeID, m.Level, m.Message, json.RawMessage(engine.EncodeValue(m.Payload))})
		},
	}
	devices := newMemDevices(in.Devices)
	env.Devices = devices.access()
	env.Devices.Recipes = memRecipes(in.Recipes)
	events := newGoldenEvents(t, in, func() time.Time { return clock })
	env.Events = events.access(in.EventLimit)
	api := &goldenAPI{devices: devices}
	env.API = api
	tables := newGoldenTables(t, in.Tables)
	env.Tables = tables.access()
	people := newMemPeople(in.ExperienceUsers, in.ExperienceGroups, func() time.Time { return clock })
	env.Experience = people.access()
	waiting := map[string]bool{}
	for _, id := range in.Waiting {
		waiting[id] = true
	}
	var replies []replyLine
	env.Reply = func(id string, r engine.Reply) error {
		mu.Lock()
		defer mu.Unlock()
		if !waiting[id] {
			return weir.Errorf(weir.NotFound, "No request is waiting for reply %s", id)
		}
		delete(waiting, id)
		replies = append(replies, replyLine{id, r.StatusCode, r.Headers, r.Cookies, string(r.Body)})
		return nil
	}
	runs := in.Runs
	if runs == nil {
		runs = append(runs, struct {
			Data  any     `json:"data"`
			After float64 `json:"afterSeconds"`
		}{Data: in.Data})
	}
	var out outcome
	for _, r := range runs {
		clock = clock.Add(time.Duration(r.After * float64(time.Second)))
		data, _ := json.Marshal(r.Data)
		decoded, _ := engine.DecodeValue(data)
		p := engine.Payload{
			"time": clock, "data": decoded, "flowId": "flow",
			"flowName": "golden", "triggerType": "virtualButton", "triggerId": "button",
			"globals": map[string]any{"threshold": 50.0},
		}
		res, err := g.Run(context.Background(), env, "button", p)
		if err != nil {
			t.Fatal(err)
		}
		out.PathsCompleted += res.PathsCompleted
		out.PathsFailed += res.PathsFailed
		for _, e := range res.Errors {
			out.Errors = append(out.Errors, e.NodeID+": "+e.Error.Name)
		}
	}
	out.Debug, out.Storage, out.Replies = debug, store.decoded(), replies
	out.Devices, out.States, out.Commands, out.Fired = devices.outcome()
	out.Events, out.EventsChanged = events.outcome()
	out.APICalls = api.outcome()
	out.Tables, out.TableEvents = tables.outcome(t, out.Debug)
	if len(in.ExperienceUsers)+len(in.ExperienceGroups) > 0 {
		out.ExperienceUsers, out.ExperienceGroups = people.outcome()
	}
	sort.SliceStable(out.Debug, func(i, j int) bool { return out.Debug[i].NodeID < out.Debug[j].NodeID })
	return out
}

// memState is an in-memory weir.NodeStateService for node tests; the stores
// pass the same contract in store/storetest.
type memState struct {
	mu sync.Mutex
	m  map[string]json.RawMessage
}

func (s *memState) NodeState(_ context.Context, _, key string) (json.RawMessage, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *memState) SwapNodeState(_ context.Context, _, key string, old, next json.RawMessage) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.m[key]
	if ok != (old != nil) || ok && string(cur) != string(old) {
		return false, nil
	}
	if next == nil {
		delete(s.m, key)
	} else {
		s.m[key] = next
	}
	return true, nil
}

func mustDecodeFile(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// memStorage is an in-memory weir.StorageService for node tests; the SQLite
// store passes the same contract in store/storetest.
type memStorage struct {
	mu sync.Mutex
	m  map[string]json.RawMessage
}

func newMemStorage(init map[string]json.RawMessage) *memStorage {
	s := &memStorage{m: map[string]json.RawMessage{}}
	for k, v := range init {
		s.m[k] = v
	}
	return s
}

func (s *memStorage) decoded() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for k, v := range s.m {
		var d any
		_ = json.Unmarshal(v, &d)
		out[k] = d
	}
	return out
}

func (s *memStorage) StorageEntries(context.Context, string) (map[string]json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]json.RawMessage{}
	for k, v := range s.m {
		out[k] = v
	}
	return out, nil
}

func (s *memStorage) StorageEntry(_ context.Context, _, key string) (json.RawMessage, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *memStorage) SetStorageEntry(_ context.Context, _, key string, v json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = v
	return nil
}

func (s *memStorage) DeleteStorageEntry(_ context.Context, _, key string) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.m[key]
	delete(s.m, key)
	return v, nil
}

func (s *memStorage) IncrStorageEntry(_ context.Context, _, key string, d float64) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur float64
	if v, ok := s.m[key]; ok {
		if err := json.Unmarshal(v, &cur); err != nil {
			return 0, weir.Errorf(weir.Validation, "Stored value is not a number")
		}
	}
	cur += d
	s.m[key] = json.RawMessage(strconv.FormatFloat(cur, 'f', -1, 64))
	return cur, nil
}

func (s *memStorage) ClearStorageEntries(context.Context, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.m)
	return nil
}

func (s *memStorage) StorageMetadata(context.Context, string) (weir.StorageMetadata, error) {
	return weir.StorageMetadata{}, nil
}

var _ weir.StorageService = (*memStorage)(nil)
