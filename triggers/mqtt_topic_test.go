package triggers_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
	"github.com/weirhq/weir/triggers"
)

func TestMatchTopic(t *testing.T) {
	tests := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/+", "a", false},
		{"a/+/c", "a//c", true},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"#", "x/y", true},
		{"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"A/b", "a/b", false},
	}
	for _, tc := range tests {
		if got := triggers.MatchTopic(tc.filter, tc.topic); got != tc.want {
			t.Errorf("MatchTopic(%q, %q) = %v, want %v", tc.filter, tc.topic, got, tc.want)
		}
	}
}

func TestValidTopicFilter(t *testing.T) {
	for f, want := range map[string]bool{
		"a/b": true, "a/+/c": true, "a/#": true, "#": true, "+": true, "/a": true,
		"": false, "a/#/b": false, "a+/b": false, "a/b#": false, "a/\x00": false,
	} {
		if got := triggers.ValidTopicFilter(f); got != want {
			t.Errorf("ValidTopicFilter(%q) = %v, want %v", f, got, want)
		}
	}
}

// fakeBroker records the filters it is asked to subscribe.
type fakeBroker struct {
	mu      sync.Mutex
	filters []string
	calls   int
}

func (b *fakeBroker) SetFilters(_ context.Context, filters []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.filters = slices.Sorted(slices.Values(filters))
	b.calls++
	return nil
}

func (b *fakeBroker) state() ([]string, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.filters), b.calls
}

func mqttFlow(id string, enabled bool, triggersJSON string) *weir.Flow {
	var ts []weir.Trigger
	if err := json.Unmarshal([]byte(triggersJSON), &ts); err != nil {
		panic(err)
	}
	return &weir.Flow{ID: id, ApplicationID: "app", Enabled: enabled, Definition: weir.Definition{Triggers: ts}}
}

// waitFor polls cond until it holds or 5 s have passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestMQTTTopics(t *testing.T) {
	var mu sync.Mutex
	flows := []*weir.Flow{
		mqttFlow("f1", true, `[{"type":"mqttTopic","key":"home/+/temp","config":{}},{"type":"virtualButton","key":"b"}]`),
		mqttFlow("f2", true, `[{"type":"mqttTopic","key":"home/#","config":{"integrationId":"local"}},
			{"type":"mqttTopic","key":"losant/dev/state","config":{}},{"type":"mqttTopic","key":"$SYS/x","config":{}},
			{"type":"mqttTopic","key":"bad/#/x","config":{}},{"type":"mqttTopic","key":"ext","config":{"integrationId":"external"}}]`),
		mqttFlow("off", false, `[{"type":"mqttTopic","key":"home/off","config":{}}]`),
	}
	fs := &mock.FlowService{FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(flows), len(flows), nil
	}}
	rec := &recorder{}
	broker := &fakeBroker{}
	at := time.Date(2026, 3, 4, 5, 6, 7, 8e6, time.UTC)
	m := &triggers.MQTTTopics{Flows: fs, Queue: rec.queue(), Broker: broker, Refresh: time.Hour, Now: func() time.Time { return at }}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitFor(t, "the first subscription", func() bool { _, n := broker.state(); return n >= 1 })
	if got, _ := broker.state(); !slices.Equal(got, []string{"home/#", "home/+/temp"}) {
		t.Fatalf("subscribed %v, want home/# and home/+/temp (not disabled, device, system, invalid or external filters)", got)
	}

	m.Deliver("home/kitchen/temp", []byte("21.5"))
	m.Deliver("away/x", []byte("ignored"))
	rec.mu.Lock()
	runs := slices.Clone(rec.runs)
	rec.mu.Unlock()
	type runView struct{ Flow, Key, TriggerType, TriggerID, Data string }
	var got []runView
	for _, r := range runs {
		got = append(got, runView{r.FlowID, r.TriggerKey, r.TriggerType, r.TriggerID, string(r.Data)})
		if !r.Time.Equal(at.Truncate(time.Millisecond)) || r.RelayType != "public" || r.FlowVersion != weir.DevelopVersion {
			t.Errorf("run %+v: want the delivery time, relay public and develop", r)
		}
	}
	want := []runView{
		{"f1", "home/+/temp", "mqttTopic", "home/kitchen/temp", `"21.5"`},
		{"f2", "home/#", "mqttTopic", "home/kitchen/temp", `{"message":"21.5","topic":"home/kitchen/temp"}`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}

	// The flows change: f1 is disabled, off is enabled.
	mu.Lock()
	flows[0].Enabled, flows[2].Enabled = false, true
	mu.Unlock()
	m.Changed()
	waitFor(t, "the changed subscription", func() bool {
		f, _ := broker.state()
		return slices.Equal(f, []string{"home/#", "home/off"})
	})
	if got := m.Filters(); !slices.Equal(got, []string{"home/#", "home/off"}) {
		t.Errorf("Filters() = %v after the change", got)
	}
}

func TestMQTTTopics_NeedsBroker(t *testing.T) {
	if err := (&triggers.MQTTTopics{}).Open(); err == nil {
		t.Error("Open without a broker succeeded")
	}
}

// origins recognises the messages listed in it, once each.
type origins map[string]string // topic + " " + payload → flow id

func (o origins) Take(topic string, payload []byte) (string, bool) {
	k := topic + " " + string(payload)
	id, ok := o[k]
	delete(o, k)
	return id, ok
}

func TestMQTTTopics_RelayFlow(t *testing.T) {
	fs := &mock.FlowService{FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
		return []*weir.Flow{mqttFlow("listener", true, `[{"type":"mqttTopic","key":"t/#","config":{}}]`)}, 1, nil
	}}
	rec := &recorder{}
	broker := &fakeBroker{}
	m := &triggers.MQTTTopics{Flows: fs, Queue: rec.queue(), Broker: broker, Refresh: time.Hour,
		Origins: origins{"t/a x": "publisher", "t/none x": "publisher"}}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitFor(t, "the subscription", func() bool { f, _ := broker.state(); return len(f) == 1 })

	m.Deliver("t/a", []byte("x"))    // published by a flow
	m.Deliver("t/a", []byte("x"))    // the same again, from elsewhere
	m.Deliver("t/b", []byte("x"))    // another topic
	m.Deliver("u/none", []byte("x")) // no trigger: no run
	m.Deliver("t/none", []byte("x")) // recognised
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var got []string
	for _, r := range rec.runs {
		got = append(got, r.TriggerID+" "+r.RelayType+" "+r.RelayID)
	}
	want := []string{
		"t/a flow publisher",
		"t/a public 000000000000000000000000",
		"t/b public 000000000000000000000000",
		"t/none flow publisher",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

// TestMQTTTopics_DataARunCanCarry: an MQTT message enters a run as a
// string, so the messages a JSON body check would refuse (a number out of
// a float64's range, text that is not UTF-8) still start runs whose data
// passes that check and decodes to the message.
func TestMQTTTopics_DataARunCanCarry(t *testing.T) {
	flows := []*weir.Flow{mqttFlow("f1", true, `[{"type":"mqttTopic","key":"in","config":{}}]`)}
	fs := &mock.FlowService{FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
		return flows, len(flows), nil
	}}
	rec := &recorder{}
	broker := &fakeBroker{}
	m := &triggers.MQTTTopics{Flows: fs, Queue: rec.queue(), Broker: broker, Refresh: time.Hour}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitFor(t, "the subscription", func() bool { _, n := broker.state(); return n >= 1 })
	messages := []string{`{"n":1e400}`, strings.Repeat("9", 400), "\xff\xfe not UTF-8"}
	wants := []string{messages[0], messages[1], "\uFFFD\uFFFD not UTF-8"}
	for _, msg := range messages {
		m.Deliver("in", []byte(msg))
	}
	rec.mu.Lock()
	runs := slices.Clone(rec.runs)
	rec.mu.Unlock()
	if len(runs) != len(messages) {
		t.Fatalf("%d runs for %d messages", len(runs), len(messages))
	}
	for i, r := range runs {
		if _, err := engine.CheckJSON(r.Data, "data"); err != nil {
			t.Errorf("message %q: run data %s refused: %v", messages[i], r.Data, err)
		}
		v, err := engine.DecodeValue(r.Data)
		if want := wants[i]; err != nil || v != want {
			t.Errorf("message %q: run data decodes to %#v, %v, want %q", messages[i], v, err, want)
		}
	}
}
