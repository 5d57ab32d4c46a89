package triggers_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/mock"
	"github.com/weirhq/weir/triggers"
)

// recorder is a queue that records enqueued runs and refuses a run id it
// has seen, like the stores do.
type recorder struct {
	mu   sync.Mutex
	runs []*weir.Run
	seen map[string]bool
}

func (r *recorder) queue() *mock.RunQueue {
	return &mock.RunQueue{EnqueueRunFn: func(_ context.Context, run *weir.Run) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.seen[run.ID] {
			return weir.Errorf(weir.Validation, "Run id %s is already queued", run.ID)
		}
		if r.seen == nil {
			r.seen = map[string]bool{}
		}
		r.seen[run.ID] = true
		r.runs = append(r.runs, run)
		return nil
	}}
}

func (r *recorder) times() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, run := range r.runs {
		out = append(out, run.FlowID+"@"+run.Time.Format("15:04:05"))
	}
	return out
}

func timerFlow(id string, enabled bool, config string) *weir.Flow {
	return &weir.Flow{ID: id, ApplicationID: "app", Enabled: enabled, Definition: weir.Definition{
		Triggers: []weir.Trigger{{Key: id + "-t", Type: "timer", Config: json.RawMessage(config)}},
	}}
}

func flowsOf(flows ...*weir.Flow) *mock.FlowService {
	return &mock.FlowService{FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
		return flows, len(flows), nil
	}}
}

func TestTimersFireOnTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The bubble's clock starts at 2000-01-01 00:00:00 UTC.
		rec := &recorder{}
		ts := &triggers.Timers{Queue: rec.queue(), Flows: flowsOf(
			timerFlow("every90s", true, `{"seconds": 90}`),
			timerFlow("cron", true, `{"cron": "*/2 * * * *", "tz": "America/New_York"}`),
			timerFlow("off", false, `{"seconds": 1}`),
			timerFlow("bad", true, `{"cron": "not a cron"}`),
		)}
		if err := ts.Open(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(4*time.Minute + time.Second)
		synctest.Wait()
		ts.Close()
		got := rec.times()
		want := map[string]bool{
			"every90s@00:01:30": true, "every90s@00:03:00": true,
			"cron@00:02:00": true, "cron@00:04:00": true,
		}
		if len(got) != len(want) {
			t.Fatalf("fired %v, want exactly %v", got, want)
		}
		for _, g := range got {
			if !want[g] {
				t.Errorf("unexpected firing %s (all: %v)", g, got)
			}
		}
		for _, run := range rec.runs {
			if run.TriggerType != "timer" || run.TriggerID != run.FlowID+"-t" || run.RelayType != "timer" || string(run.Data) != "{}" || !weir.ValidID(run.ID) {
				t.Errorf("run %+v, want a timer run with the key as trigger and relay id", run)
			}
		}
	})
}

func TestTimersTwoProcessesFireOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		flows := flowsOf(timerFlow("f", true, `{"seconds": 60}`))
		a := &triggers.Timers{Queue: rec.queue(), Flows: flows}
		b := &triggers.Timers{Queue: rec.queue(), Flows: flows}
		a.Open()
		b.Open()
		time.Sleep(2*time.Minute + time.Second)
		synctest.Wait()
		a.Close()
		b.Close()
		if got := rec.times(); len(got) != 2 {
			t.Errorf("two schedulers fired %v, want each tick once: f@00:01:00, f@00:02:00", got)
		}
	})
}

// TestTimersReadFlowsOnlyWhenChanged checks that the flows are listed again
// only when their stamp (count, last update) changed, or after a minute.
func TestTimersReadFlowsOnlyWhenChanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		flows := []*weir.Flow{timerFlow("a", true, `{"seconds": 3600}`)}
		listings := 0
		svc := &mock.FlowService{FindFlowsFn: func(_ context.Context, f weir.FlowFilter) ([]*weir.Flow, int, error) {
			mu.Lock()
			defer mu.Unlock()
			if f.PerPage == 1 && f.SortField == "lastUpdated" {
				last := flows[0]
				for _, g := range flows {
					if g.LastUpdated.After(last.LastUpdated) {
						last = g
					}
				}
				return []*weir.Flow{last}, len(flows), nil
			}
			listings++
			return append([]*weir.Flow(nil), flows...), len(flows), nil
		}}
		count := func() int { mu.Lock(); defer mu.Unlock(); return listings }
		rec := &recorder{}
		ts := &triggers.Timers{Queue: rec.queue(), Flows: svc}
		ts.Open()
		defer ts.Close()
		time.Sleep(30 * time.Second)
		if n := count(); n != 1 {
			t.Fatalf("%d listings in 30 s of unchanged flows, want 1", n)
		}
		b := timerFlow("b", true, `{"seconds": 20}`)
		b.LastUpdated = time.Now()
		mu.Lock()
		flows = append(flows, b)
		mu.Unlock()
		time.Sleep(25 * time.Second)
		synctest.Wait()
		if n := count(); n != 2 {
			t.Fatalf("%d listings after a flow was added, want 2", n)
		}
		if len(rec.times()) == 0 {
			t.Fatal("the added flow's timer never fired")
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := count(); n != 3 {
			t.Fatalf("%d listings a minute later, want 3 (one full read a minute)", n)
		}
	})
}
