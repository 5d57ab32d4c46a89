package http_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/ratelimit"
)

// heardEvents is an EventHandler that remembers each change: "old→new
// subject".
type heardEvents struct {
	mu    sync.Mutex
	heard []string
}

func (h *heardEvents) EventsChanged(_ context.Context, old, es []*weir.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, e := range es {
		from := "created"
		if old[i] != nil {
			from = old[i].State
		}
		h.heard = append(h.heard, from+"→"+e.State+" "+e.Subject)
	}
	return nil
}

// TestEventsOverSQLite drives the event routes over a real SQLite store:
// answers conform to Losant's schemas, the creation limit answers 429 with
// Retry-After and is not spent by refused events, and every refusal changes
// nothing.
func TestEventsOverSQLite(t *testing.T) {
	heard := &heardEvents{}
	h, _, app, user := newDeviceHarness(t, func(s *weirhttp.Server) {
		s.Events = s.Devices.(weir.EventService)
		s.EventHandler = heard
		s.EventLimiter = ratelimit.New(2, time.Minute)
	})
	base := "/applications/" + app
	must := h.mustAs(t, user)
	count := func() float64 { return must("GET", base+"/events", nil, 200, "events")["totalCount"].(float64) }

	// Refused events spend nothing of the limit of 2 and store nothing.
	for _, body := range []string{`{"level":"fatal","subject":"x"}`, `{"level":"info"}`, `{"level":"info","subject":"x","colour":"red"}`,
		`{"level":"info","subject":"x","deviceId":"5a1b2c3d4e5f60718293a4b5"}`} {
		status, b := h.do("POST", base+"/events", user, body)
		wantError(t, status, b, 400, weir.Validation, "")
	}
	if n := count(); n != 0 {
		t.Fatalf("%v events after refusals", n)
	}
	dev := must("POST", base+"/devices", `{"name":"Boiler"}`, 201, "")["id"].(string)
	fire := must("POST", base+"/events", `{"level":"critical","subject":"Fire","deviceId":"`+dev+`","eventTags":{"zone":"a"},"data":{"t":1}}`, 201, "event")
	if fire["deviceName"] != "Boiler" || fire["sourceType"] != "user" || fire["state"] != "new" {
		t.Fatalf("created %v", fire)
	}
	must("POST", base+"/events", `{"level":"info","subject":"door","state":"resolved","creationDate":{"$date":"2026-01-01T00:00:00Z"}}`, 201, "event")
	resp := h.send("POST", base+"/events", user, `{"level":"info","subject":"third"}`, nil)
	wantError(t, resp.StatusCode, mustRead(t, resp), 429, weir.TooManyRequests, "Over rate limit, request throttled")
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if n := count(); n != 2 {
		t.Fatalf("%v events, want 2", n)
	}

	id := fire["id"].(string)
	bad := []struct{ method, path, body string }{
		{"PATCH", base + "/events/" + id, `{"level":"fatal"}`},
		{"PATCH", base + "/events/" + id, `{"deviceId":"5a1b2c3d4e5f60718293a4b5"}`},
		{"PATCH", base + "/events?query=" + `{"$and":[{"state":{"$gtx":1}}]}`, `{"state":"resolved"}`},
		{"PATCH", base + "/events?state=closed", `{"state":"resolved"}`},
		{"POST", base + "/events/delete", `{"subject":{"$regex":"x"}}`},
		{"POST", base + "/events/delete", strings.Repeat(`{"$or":[`, 20) + `{}` + strings.Repeat(`]}`, 20)},
		{"GET", base + "/events?query=" + `{"colour":1}`, ""},
	}
	for _, c := range bad {
		status, b := h.do(c.method, c.path, user, c.body)
		wantError(t, status, b, 400, weir.Validation, "")
	}
	got := must("GET", base+"/events/"+id, nil, 200, "event")
	if got["level"] != "critical" || got["deviceId"] != dev || len(got["updates"].([]any)) != 0 {
		t.Fatalf("after refused changes: %v", got)
	}
	status, b := h.do("GET", base+"/events?query="+`{"$and":[{"level":{"$gtx":1}}]}`, user, nil)
	wantError(t, status, b, 400, weir.Validation, "query.$and[0].level.$gtx is not an operator")

	most := must("GET", base+"/events/mostRecentBySeverity", nil, 200, "eventPlusNewCount")
	if most["newCount"] != 1.0 || most["event"].(map[string]any)["id"] != id {
		t.Fatalf("mostRecentBySeverity = %v", most)
	}
	must("PATCH", base+"/events?filterField=subject&filter=fi*", `{"state":"acknowledged","comment":"seen"}`, 200, "success")
	acked := must("GET", base+"/events/"+id, nil, 200, "event")
	if acked["state"] != "acknowledged" || acked["updates"].([]any)[0].(map[string]any)["comment"] != "seen" {
		t.Fatalf("bulk patch left %v", acked)
	}
	if removed := must("POST", base+"/events/delete", `{"state":"resolved"}`, 200, "eventsDeleted"); removed["removed"] != 1.0 {
		t.Fatalf("delete by query = %v", removed)
	}
	must("DELETE", base+"/events/"+id, nil, 200, "success")
	status, b = h.do("GET", base+"/events/"+id, user, nil)
	wantError(t, status, b, 404, weir.NotFound, "Event was not found")
	heard.mu.Lock()
	defer heard.mu.Unlock()
	if want := "created→new Fire|created→resolved door|new→acknowledged Fire"; strings.Join(heard.heard, "|") != want {
		t.Errorf("the Event triggers heard %q, want %q", strings.Join(heard.heard, "|"), want)
	}
}
