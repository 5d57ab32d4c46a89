package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// openAppTab starts weir with an application and a browser signed in
// with the owner token, on the application's tab.
func openAppTab(t *testing.T, tab string) (owner *client, appID string, p *browserPage) {
	t.Helper()
	return openAppTabWith(t, DefaultConfig(), tab)
}

// openAppTabWith is openAppTab on a weir run with cfg.
func openAppTabWith(t *testing.T, cfg Config, tab string) (owner *client, appID string, p *browserPage) {
	t.Helper()
	m, owner := openMain(t, cfg)
	var app struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	p = mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s", m.Addr(), app.ID))
	p.click("#apptab-" + tab)
	return owner, app.ID, p
}

// TestConsoleDevices creates a device in the console, reports its state
// through the REST API and sees it on the device's page, with the chart;
// sends a command from the page and finds it recorded through the API;
// then searches and deletes the device on the list.
func TestConsoleDevices(t *testing.T) {
	t.Parallel()
	owner, appID, p := openAppTab(t, "devices")
	devicesPath := "/applications/" + appID + "/devices"
	p.fill("#new-device-name", "Thermometer")
	p.fill("#new-device-tags", "floor=2, kind=sensor")
	p.fill(".attr-row:nth-child(1) .attr-name", "temp")
	p.click("#new-device .add-attribute")
	p.fill(".attr-row:nth-child(2) .attr-name", "label")
	p.choose(".attr-row:nth-child(2) .attr-type", "string")
	p.click("#create-device")
	p.waitFor("the device's page", `document.querySelector('#device-name')?.textContent === 'Thermometer'`)
	deviceID := eval[string](p, `location.hash.split('/')[4]`)
	var dev struct {
		Name       string
		Tags       []struct{ Key, Value string }
		Attributes []struct{ Name, DataType string }
	}
	owner.mustDo(200, "GET", devicesPath+"/"+deviceID, nil, &dev)
	if want := `{"Name":"Thermometer","Tags":[{"Key":"floor","Value":"2"},{"Key":"kind","Value":"sensor"}],` +
		`"Attributes":[{"Name":"temp","DataType":"number"},{"Name":"label","DataType":"string"}]}`; mustJSON(dev) != want {
		t.Fatalf("created device %s, want %s", mustJSON(dev), want)
	}

	// State reported through the API shows on the open page, charted.
	devicePath := devicesPath + "/" + deviceID
	now := time.Now().UTC().Truncate(time.Second)
	owner.mustDo(200, "POST", devicePath+"/state", []map[string]any{
		{"time": now.Add(-time.Minute).Format(time.RFC3339), "data": map[string]any{"temp": 19.5}},
		{"time": now.Format(time.RFC3339), "data": map[string]any{"temp": 21.25, "label": "warm"}},
	}, nil)
	p.waitFor("the last state", `document.querySelector('#composite tr[data-attr=temp] .value')?.textContent === '21.25'`)
	if got := p.text("#composite tr[data-attr=label] .value"); got != "warm" {
		t.Errorf("label shows %q", got)
	}
	p.waitFor("the chart's two points", `document.querySelectorAll('#state-chart circle').length === 2`)
	if rows := eval[int](p, `document.querySelectorAll('#history tbody tr').length`); rows != 2 {
		t.Errorf("history lists %d reports, want 2", rows)
	}
	// The last hour charts the mean per bucket, from data.timeSeriesQuery.
	p.choose("#chart-range", "hour")
	p.waitFor("the time-series chart", `document.querySelectorAll('#state-chart circle').length >= 1 && [...document.querySelectorAll('#state-chart circle title')].every((e) => /: (19.5|21.25|20.375)$/.test(e.textContent))`)
	p.choose("#chart-range", "recent")

	// Edit: a tag and an attribute more.
	p.click("#edit-device-open")
	p.fill("#edit-device-tags", "floor=3, kind=sensor")
	p.click("#edit-device .add-attribute")
	p.fill("#edit-device .attr-row:nth-child(3) .attr-name", "humidity")
	p.click("#save-device")
	p.waitFor("the edit", `!document.querySelector('#edit-device') && document.querySelector('#composite tr[data-attr=humidity]')`)
	owner.mustDo(200, "GET", devicesPath+"/"+deviceID, nil, &dev)
	if want := `{"Name":"Thermometer","Tags":[{"Key":"floor","Value":"3"},{"Key":"kind","Value":"sensor"}],` +
		`"Attributes":[{"Name":"temp","DataType":"number"},{"Name":"label","DataType":"string"},{"Name":"humidity","DataType":"number"}]}`; mustJSON(dev) != want {
		t.Errorf("edited device %s, want %s", mustJSON(dev), want)
	}

	// A payload that is not JSON is refused in the page; a good one is sent.
	p.fill("#command-name", "setTarget")
	p.fill("#command-payload", `{"target": 22`)
	p.click("#send-command")
	p.waitFor("the payload error", `document.querySelector('#send-command-form .error')?.textContent.includes('not JSON')`)
	var cmds []struct {
		Name    string
		Payload any
	}
	owner.mustDo(200, "GET", devicePath+"/command?limit=10", nil, &cmds)
	if len(cmds) != 0 {
		t.Fatalf("a bad payload sent commands %+v", cmds)
	}
	p.fill("#command-payload", `{"target": 22, "unit": "C"}`)
	p.click("#send-command")
	p.waitFor("the command sent", `document.querySelector('#command-sent')?.textContent === 'Sent setTarget.'`)
	owner.mustDo(200, "GET", devicePath+"/command?limit=10", nil, &cmds)
	if got, want := mustJSON(cmds), `[{"Name":"setTarget","Payload":{"target":22,"unit":"C"}}]`; got != want {
		t.Errorf("commands %s, want %s", got, want)
	}
	p.waitFor("the command in the list", `document.querySelector('#commands li')?.textContent.includes('setTarget')`)

	// The list shows status, last seen and last state, pages, finds by
	// name, and deletes.
	owner.mustDo(201, "POST", devicesPath, map[string]any{"name": "Hygrometer", "attributes": []any{}}, nil)
	owner.mustDo(200, "POST", devicePath+"/setConnectionStatus", map[string]any{"status": "connected"}, nil)
	for i := range 25 {
		owner.mustDo(201, "POST", devicesPath, map[string]any{"name": fmt.Sprintf("Probe %02d", i), "attributes": []any{}}, nil)
	}
	p.click(`.crumbs a[href$="/devices"]`)
	p.waitFor("the first page", `document.querySelectorAll('#devices tbody tr').length === 25 && document.querySelector('#devices-pager .where').textContent === 'Page 1 of 2 (27 in all)'`)
	p.click("#devices-pager .next")
	p.waitFor("the second page", `[...document.querySelectorAll('#devices tbody .name')].map((e) => e.textContent).join() === 'Probe 24,Thermometer'`)
	p.choose("#device-sort", "sortField=creationDate&sortDirection=desc")
	var newest struct{ Items []struct{ Name string } }
	owner.mustDo(200, "GET", devicesPath+"?sortField=creationDate&sortDirection=desc&perPage=25", nil, &newest)
	names := make([]string, len(newest.Items))
	for i, d := range newest.Items {
		names[i] = d.Name
	}
	p.waitFor("the newest first", fmt.Sprintf(`[...document.querySelectorAll('#devices tbody .name')].map((e) => e.textContent).join() === %s`, jsString(strings.Join(names, ","))))
	p.choose("#device-sort", "sortField=name")
	p.fill("#device-search", "o")
	p.fill("#device-search", "ometer")
	p.waitFor("the list", `document.querySelectorAll('#devices tbody tr').length === 2`)
	row := fmt.Sprintf(`#devices tr[data-id=%q]`, deviceID)
	p.waitFor("the last state on the list", fmt.Sprintf(`document.querySelector('%s .last-state')?.textContent.includes('temp: 21.25')`, row))
	p.waitFor("the connection status", fmt.Sprintf(`document.querySelector('%s .status')?.textContent === 'Connected'`, row))
	if got := p.text(row + " .last-seen"); !strings.Contains(got, "ago") {
		t.Errorf("last seen %q", got)
	}
	if got := p.text(`#devices tr:not([data-id="` + deviceID + `"]) .status`); got != "Never connected" {
		t.Errorf("the other device's status %q", got)
	}
	p.fill("#device-search", "hygro")
	p.waitFor("the search", `document.querySelectorAll('#devices tbody tr').length === 1 && document.querySelector('#devices tbody .name').textContent === 'Hygrometer'`)
	p.fill("#device-search", "ometer")
	p.waitFor("the list again", `document.querySelectorAll('#devices tbody tr').length === 2`)
	p.fill("#device-tag-filter", "floor=3, kind")
	p.waitFor("the tag filter", `document.querySelectorAll('#devices tbody tr').length === 1 && document.querySelector('#devices tbody .name').textContent === 'Thermometer'`)
	p.fill("#device-tag-filter", "floor=2")
	p.waitFor("no match", `document.querySelector('#devices .empty')?.textContent === 'No device matches.'`)
	p.fill("#device-tag-filter", "")
	p.waitFor("the list again", `document.querySelectorAll('#devices tbody tr').length === 2`)
	p.click(row + " .delete")
	p.click(row + " .confirm-delete")
	p.waitFor("the deletion", fmt.Sprintf(`!document.querySelector('%s')`, row))
	if code := owner.do("GET", devicePath, nil, nil); code != 404 {
		t.Errorf("deleted device answers %d", code)
	}
	// Deleted from its own page, a device leaves the console on the list.
	p.click(`#devices .name`)
	p.waitFor("Hygrometer's page", `document.querySelector('#device-name')?.textContent === 'Hygrometer'`)
	p.click("#device .delete")
	p.click("#device .confirm-delete")
	p.waitFor("the list without it", `location.hash.endsWith('/devices') && document.querySelectorAll('#devices tbody tr').length === 25 && document.querySelector('#devices .name').textContent === 'Probe 00'`)
	var left struct{ TotalCount int }
	owner.mustDo(200, "GET", devicesPath+"?filterField=name&filter=ometer", nil, &left)
	if left.TotalCount != 0 {
		t.Errorf("%d devices named …ometer left", left.TotalCount)
	}
	p.checkClean()
}

// TestConsoleDeviceHierarchy opens a device in the middle of a hierarchy
// made through the API: its page names its parent and lists its children,
// each a link to its page; a top device says it has no parent, a leaf
// that it has no children.
func TestConsoleDeviceHierarchy(t *testing.T) {
	t.Parallel()
	owner, appID, p := openAppTab(t, "devices")
	devicesPath := "/applications/" + appID + "/devices"
	create := func(name, parent string) string {
		t.Helper()
		body := map[string]any{"name": name, "attributes": []any{}}
		if parent != "" {
			body["parentId"] = parent
		}
		var d struct{ ID string }
		owner.mustDo(201, "POST", devicesPath, body, &d)
		return d.ID
	}
	site := create("Site", "")
	line := create("Line 1", site)
	pump := create("Pump", line)
	fan := create("Fan", line)
	create("Elsewhere", "")

	eval[string](p, fmt.Sprintf("location.hash = '#/applications/%s/devices/%s'", appID, line))
	p.waitFor("Line 1's page", `document.querySelector('#device-name')?.textContent === 'Line 1'`)
	p.waitFor("its parent", `document.querySelector('#device-parent a')?.textContent === 'Site'`)
	p.waitFor("its children by name", `[...document.querySelectorAll('#device-children li a')].map((e) => e.textContent).join() === 'Fan,Pump'`)
	if got := eval[string](p, `[...document.querySelectorAll('#device-children li')].map((e) => e.dataset.id).join()`); got != fan+","+pump {
		t.Errorf("children ids %q, want %s,%s", got, fan, pump)
	}

	p.click(`#device-children li[data-id="` + pump + `"] a`)
	p.waitFor("Pump's page", `document.querySelector('#device-name')?.textContent === 'Pump' && document.querySelector('#device-parent a')?.textContent === 'Line 1'`)
	p.waitFor("no children", `document.querySelector('#device-no-children') && !document.querySelector('#device-children')`)

	p.click(`#device-parent a`)
	p.waitFor("Line 1 again", `document.querySelector('#device-name')?.textContent === 'Line 1'`)
	p.click(`#device-parent a`)
	p.waitFor("Site's page, a top device", `document.querySelector('#device-name')?.textContent === 'Site' && document.querySelector('#device-parent').textContent.includes('none') && [...document.querySelectorAll('#device-children li a')].map((e) => e.textContent).join() === 'Line 1'`)
	p.checkClean()
}
