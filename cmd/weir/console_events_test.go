package main

import (
	"fmt"
	"strings"
	"testing"
)

// apiEvent is an event as the journey reads it through the API.
type apiEvent struct {
	Level, State, Subject, Message, DeviceID string
	Data                                     any
	Updates                                  []struct {
		Comment     string
		State       string
		StateChange *struct{ Old, New string }
	}
}

// TestConsoleEvents creates an event in the console and checks it through
// the API; sees one created through the API in the list, counted by level;
// acknowledges, resolves, comments on and reopens it on its page, checking its
// state and updates through the API; filters by state, level and subject, pages,
// and deletes from the list and from an event's page.
func TestConsoleEvents(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.EventLimit = 0 // the journey makes events faster than one a second
	owner, appID, p := openAppTabWith(t, cfg, "events")
	eventsPath := "/applications/" + appID + "/events"
	p.waitFor("the empty list", `document.querySelector('#events .empty')?.textContent === 'No events yet.' && document.querySelector('#new-total')?.textContent === '0 new in all'`)

	var boiler struct{ ID string }
	owner.mustDo(201, "POST", "/applications/"+appID+"/devices", map[string]any{"name": "Boiler", "attributes": []any{}}, &boiler)

	// Data that is not JSON is refused in the page and creates nothing.
	p.click("#new-event-panel summary")
	p.waitFor("the devices to choose", `document.querySelectorAll('#new-event-device option').length === 2`)
	p.choose("#new-event-device", boiler.ID)
	p.fill("#new-event-tags", "zone=basement, shift=night")
	p.fill("#new-event-subject", "Boiler overheated")
	p.choose("#new-event-level", "critical")
	p.fill("#new-event-message", "Temperature above 90\nCheck the pump.")
	p.fill("#new-event-data", `{"temp": 93`)
	p.click("#create-event")
	p.waitFor("the data error", `document.querySelector('#new-event .error')?.textContent.includes('not JSON')`)
	var list struct {
		TotalCount int
		Items      []struct{ ID, Subject string }
	}
	owner.mustDo(200, "GET", eventsPath, nil, &list)
	if list.TotalCount != 0 {
		t.Fatalf("bad data created %d events", list.TotalCount)
	}
	p.fill("#new-event-data", `{"temp": 93, "unit": "C"}`)
	p.click("#create-event")
	p.waitFor("the event's page", `document.querySelector('#event-subject')?.textContent === 'Boiler overheated'`)
	boilerID := eval[string](p, `location.hash.split('/')[4]`)
	var ev apiEvent
	owner.mustDo(200, "GET", eventsPath+"/"+boilerID, nil, &ev)
	if got, want := mustJSON(ev), `{"Level":"critical","State":"new","Subject":"Boiler overheated","Message":"Temperature above 90\nCheck the pump.",`+
		`"DeviceID":"`+boiler.ID+`","Data":{"temp":93,"unit":"C"},"Updates":[]}`; got != want {
		t.Fatalf("created event %s, want %s", got, want)
	}
	var tagged struct{ EventTags map[string]string }
	owner.mustDo(200, "GET", eventsPath+"/"+boilerID, nil, &tagged)
	if got := mustJSON(tagged.EventTags); got != `{"shift":"night","zone":"basement"}` {
		t.Errorf("event tags %s", got)
	}
	if got := p.text("#event-message"); got != "Temperature above 90\nCheck the pump." {
		t.Errorf("message shows %q", got)
	}
	if got := p.text("#event .level"); !strings.EqualFold(got, "critical") {
		t.Errorf("level badge %q", got)
	}

	// One made through the API, on a device, shows in the list, newest
	// first, counted among the new ones by level.
	var dev struct{ ID string }
	owner.mustDo(201, "POST", "/applications/"+appID+"/devices", map[string]any{"name": "Front door", "attributes": []any{}}, &dev)
	var door struct{ ID string }
	owner.mustDo(201, "POST", eventsPath, map[string]any{"subject": "Door open", "level": "warning", "deviceId": dev.ID, "data": map[string]any{"minutes": 12}}, &door)
	p.click(`.crumbs a[href$="/events"]`)
	p.waitFor("both events, newest first", `[...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Door open,Boiler overheated'`)
	p.waitFor("the counts", `[...document.querySelectorAll('#event-counts .count')].map((e) => e.dataset.level + '=' + e.querySelector('.n').textContent).join() === 'info=0,warning=1,error=0,critical=1'`)
	if got := p.text("#most-severe a"); got != "Boiler overheated" {
		t.Errorf("most severe %q", got)
	}
	doorRow := fmt.Sprintf(`#event-list tr[data-id=%q]`, door.ID)
	if got := p.text(doorRow + " .level"); !strings.EqualFold(got, "warning") {
		t.Errorf("the door's badge %q", got)
	}

	// Acknowledge, then resolve, with comments; the device links to its page.
	p.click(doorRow + " .name")
	p.waitFor("the door's page", `document.querySelector('#event-subject')?.textContent === 'Door open'`)
	if got := p.text("#event-device-link"); got != "Front door" {
		t.Errorf("device link %q", got)
	}
	p.fill("#event-comment", "on my way")
	p.click("#acknowledge-event")
	p.waitFor("acknowledged", `document.querySelector('#event .event-state')?.textContent === 'acknowledged' && document.querySelectorAll('#event-updates tbody tr').length === 1`)
	p.fill("#event-update-data", `{"by": "Ann"}`)
	p.click("#resolve-event")
	p.waitFor("resolved", `document.querySelector('#event .event-state')?.textContent === 'resolved' && document.querySelectorAll('#event-updates tbody tr').length === 2`)
	if got := p.text("#event-updates tbody tr:first-child .change"); got != "state acknowledged → resolved" {
		t.Errorf("newest update shows %q", got)
	}
	owner.mustDo(200, "GET", eventsPath+"/"+door.ID, nil, &ev)
	if got, want := mustJSON(ev.Updates), `[{"Comment":"on my way","State":"acknowledged","StateChange":{"Old":"new","New":"acknowledged"}},`+
		`{"Comment":"","State":"resolved","StateChange":{"Old":"acknowledged","New":"resolved"}}]`; ev.State != "resolved" || got != want {
		t.Errorf("state %s, updates %s, want %s", ev.State, got, want)
	}
	var full struct{ Updates []struct{ Data any } }
	owner.mustDo(200, "GET", eventsPath+"/"+door.ID, nil, &full)
	if got := mustJSON(full.Updates[1].Data); got != `{"by":"Ann"}` {
		t.Errorf("resolve data %s", got)
	}
	// A comment alone is an update that keeps the state; reopened, the event is new again.
	p.fill("#event-comment", "door latch replaced")
	p.click("#comment-event")
	p.waitFor("the comment", `document.querySelectorAll('#event-updates tbody tr').length === 3 && document.querySelector('#event-updates tbody tr:first-child .comment').textContent === 'door latch replaced'`)
	p.click("#reopen-event")
	p.waitFor("reopened", `document.querySelector('#event .event-state')?.textContent === 'new' && document.querySelectorAll('#event-updates tbody tr').length === 4`)
	owner.mustDo(200, "GET", eventsPath+"/"+door.ID, nil, &ev)
	if got, want := mustJSON(ev.Updates[2:]), `[{"Comment":"door latch replaced","State":"resolved","StateChange":null},`+
		`{"Comment":"","State":"new","StateChange":{"Old":"resolved","New":"new"}}]`; ev.State != "new" || got != want {
		t.Errorf("state %s, updates %s, want %s", ev.State, got, want)
	}
	p.click("#resolve-event")
	p.waitFor("resolved again", `document.querySelector('#event .event-state')?.textContent === 'resolved'`)
	p.click("#event-device-link")
	p.waitFor("the device's page", `document.querySelector('#device-name')?.textContent === 'Front door'`)
	// 25 more page by 25, newest first.
	for i := range 25 {
		owner.mustDo(201, "POST", eventsPath, map[string]any{"subject": fmt.Sprintf("Reading %02d", i), "level": "info"}, nil)
	}
	eval[string](p, fmt.Sprintf(`location.hash = '#/applications/%s/events'`, appID))
	// Events made in the same millisecond come in the API's order: compare with it.
	owner.mustDo(200, "GET", eventsPath+"?perPage=25", nil, &list)
	subjects := make([]string, len(list.Items))
	for i, e := range list.Items {
		subjects[i] = e.Subject
	}
	p.waitFor("the first page, newest first", fmt.Sprintf(`document.querySelector('#events-pager .where')?.textContent === 'Page 1 of 2 (27 in all)' && [...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === %s`, jsString(strings.Join(subjects, ","))))
	p.click("#events-pager .next")
	p.waitFor("the second page", `[...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Door open,Boiler overheated'`)
	p.waitFor("the counts after resolving", `[...document.querySelectorAll('#event-counts .count')].map((e) => e.dataset.level + '=' + e.querySelector('.n').textContent).join() === 'info=25,warning=0,error=0,critical=1' && document.querySelector('#new-total').textContent === '26 new in all'`)

	// The state filter and the subject search.
	p.choose("#event-state-filter", "resolved")
	p.waitFor("the resolved one", `[...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Door open'`)
	p.choose("#event-state-filter", "new")
	p.waitFor("the new ones", `document.querySelector('#events-pager .where')?.textContent === 'Page 1 of 2 (26 in all)'`)
	p.choose("#event-state-filter", "acknowledged")
	p.waitFor("none acknowledged", `document.querySelector('#events .empty')?.textContent === 'No event matches.'`)
	p.choose("#event-state-filter", "")
	p.fill("#event-search", "BOIL*HEAT")
	p.waitFor("the search", `[...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Boiler overheated'`)
	p.choose("#event-level-filter", "warning")
	p.waitFor("no warning boiler", `document.querySelector('#events .empty')?.textContent === 'No event matches.'`)
	p.fill("#event-search", "")
	p.waitFor("the warning", `[...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Door open'`)
	p.choose("#event-state-filter", "new")
	p.waitFor("no new warning", `document.querySelector('#events .empty')?.textContent === 'No event matches.'`)
	p.choose("#event-level-filter", "critical")
	p.fill("#event-search", "boil*HEAT")
	p.waitFor("the new critical boiler", `[...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Boiler overheated'`)
	p.choose("#event-level-filter", "")
	p.choose("#event-state-filter", "")
	p.click(`#event-counts .count[data-level=critical]`)
	p.waitFor("the new critical ones", `document.querySelector('#event-level-filter').value === 'critical' && document.querySelector('#event-state-filter').value === 'new' && document.querySelector('#event-search').value === '' && [...document.querySelectorAll('#event-list .name')].map((e) => e.textContent).join() === 'Boiler overheated'`)
	p.choose("#event-level-filter", "")
	p.choose("#event-state-filter", "")

	// Deleted from the list, and from its own page.
	p.fill("#event-search", "")
	p.choose("#event-state-filter", "resolved")
	p.waitFor("the resolved one", `document.querySelectorAll('#event-list tbody tr').length === 1`)
	p.click(doorRow + " .delete")
	p.click(doorRow + " .confirm-delete")
	p.waitFor("the deletion", `document.querySelector('#events .empty')?.textContent === 'No event matches.'`)
	if code := owner.do("GET", eventsPath+"/"+door.ID, nil, nil); code != 404 {
		t.Errorf("deleted event answers %d", code)
	}
	p.choose("#event-state-filter", "")
	p.fill("#event-search", "boiler")
	p.waitFor("the boiler", `document.querySelectorAll('#event-list tbody tr').length === 1`)
	p.click(`#event-list .name`)
	p.waitFor("the boiler's page", `document.querySelector('#event-subject')?.textContent === 'Boiler overheated'`)
	p.click("#event .delete")
	p.click("#event .confirm-delete")
	p.waitFor("the list without it", `location.hash.endsWith('/events') && document.querySelectorAll('#event-list tbody tr').length === 25 && !document.querySelector('#events-pager')`)
	if code := owner.do("GET", eventsPath+"/"+boilerID, nil, nil); code != 404 {
		t.Errorf("deleted event answers %d", code)
	}

	// Every new event acknowledged at once, with a comment.
	p.click("#acknowledge-all")
	p.waitFor("none new", `document.querySelector('#new-total')?.textContent === '0 new in all' && !document.querySelector('#acknowledge-all')`)
	var acked struct {
		TotalCount int
		Items      []apiEvent
	}
	owner.mustDo(200, "GET", eventsPath+"?state=acknowledged&perPage=100", nil, &acked)
	if acked.TotalCount != 25 || acked.Items[0].Updates[0].Comment != "Acknowledged with all new events" {
		t.Errorf("%d acknowledged, first %+v", acked.TotalCount, acked.Items[0])
	}
	p.checkClean()
}
