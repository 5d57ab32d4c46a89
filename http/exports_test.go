package http_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// callbackReceiver is an HTTP server that hands over the bodies POSTed to it.
func callbackReceiver(t *testing.T) (string, <-chan map[string]any) {
	t.Helper()
	got := make(chan map[string]any, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got <- body
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/done", got
}

// awaitCallback waits for one callback body.
func awaitCallback(t *testing.T, got <-chan map[string]any) map[string]any {
	t.Helper()
	select {
	case b := <-got:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no export callback")
		return nil
	}
}

// fetchCSV downloads an export's URL (no token: files are public) and
// reads it as CSV.
func fetchCSV(t *testing.T, url string) [][]string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatalf("export %q is not CSV: %v", b, err)
	}
	return recs
}

// exportAPI is an API over SQLite with every service the exports read, an
// all.User token, a new application and must, which fails t unless a
// request answers want.
type exportAPI struct {
	h    *harness
	db   *sqlite.DB
	user string
	app  string
}

func newExportAPI(t *testing.T) *exportAPI {
	h, db, user := newSQLiteAPI(t, func(s *weirhttp.Server, db *sqlite.DB) {
		s.Tables, s.Files, s.Events = db, db, db
		s.Devices, s.States, s.Commands, s.Keys = db, db, db, db
		s.ExportClient = &http.Client{Timeout: 5 * time.Second}
	})
	e := &exportAPI{h: h, db: db, user: user}
	e.app = e.must(t, "POST", "/applications", `{"name":"Exports"}`, 201)["id"].(string)
	return e
}

// mustFn returns must for t.
func (e *exportAPI) mustFn(t *testing.T) func(method, path string, body any, want int) map[string]any {
	return func(method, path string, body any, want int) map[string]any {
		t.Helper()
		return e.must(t, method, path, body, want)
	}
}

func (e *exportAPI) must(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	status, b := e.h.do(method, path, e.user, body)
	if status != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, status, b, want)
	}
	return decode(t, b)
}

func TestRowsExport(t *testing.T) {
	e := newExportAPI(t)
	h, app, must := e.h, e.app, e.mustFn(t)
	tables := "/applications/" + app + "/data-tables"
	tb := must("POST", tables, `{"name":"stock list","columns":[{"name":"sku","dataType":"string","constraint":"unique"},
		{"name":"qty","dataType":"number","constraint":"optional"},{"name":"ok","dataType":"boolean","constraint":"optional"}]}`, 201)["id"].(string)
	rows := tables + "/" + tb + "/rows"
	must("POST", rows, `[{"sku":"a,1","qty":2,"ok":true},{"sku":"b"},{"sku":"c","qty":5}]`, 201)

	url, got := callbackReceiver(t)
	status, b := h.do("POST", rows+"/export", e.user, `{"callbackUrl":"`+url+`","query":{"qty":{"$gte":2}},"queryOptions":{"sortColumn":"qty","sortDirection":"desc"}}`)
	if status != 202 {
		t.Fatalf("export = %d %s, want 202", status, b)
	}
	mustConform(t, "jobEnqueuedResult", b)
	job := decode(t, b)["jobId"].(string)
	cb := awaitCallback(t, got)
	if cb["jobId"] != job || cb["success"] != true || cb["count"] != 2.0 || cb["truncated"] != false {
		t.Fatalf("callback = %v, want job %s, 2 rows", cb, job)
	}
	link := cb["url"].(string)
	if !strings.HasPrefix(link, h.srv.URL+"/files/"+app+"/exports/data-table-stock_list-"+job+".csv") {
		t.Errorf("url = %s", link)
	}
	recs := fetchCSV(t, link)
	if len(recs) != 3 || strings.Join(recs[0], "|") != "id|createdAt|updatedAt|sku|qty|ok" {
		t.Fatalf("csv = %q", recs)
	}
	if r := recs[1]; r[3] != "c" || r[4] != "5" || r[5] != "" || recs[2][3] != "a,1" || recs[2][5] != "true" {
		t.Errorf("csv rows = %q, want c then a,1", recs[1:])
	}
	if _, err := time.Parse(time.RFC3339Nano, recs[1][1]); err != nil || len(recs[1][0]) != 24 {
		t.Errorf("row id/createdAt = %q", recs[1][:3])
	}

	// limit and offset window the rows; no destination: the file is still made.
	must("POST", rows+"/export", `{"queryOptions":{"sortColumn":"sku","limit":1,"offset":1}}`, 202)
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _, err := e.db.FindApplicationFiles(t.Context(), weir.ApplicationFileFilter{ApplicationID: app, Directory: "/exports/", Status: "completed"})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("files = %d, want 2 exports", len(files))
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Refused before any work: email only, a bad callback, a bad query, an unknown table.
	for _, c := range []struct {
		path, body string
		status     int
		msg        string
	}{
		{rows + "/export", `{"email":"ops@example.com"}`, 400, "weir sends no email"},
		{rows + "/export", `{"callbackUrl":"ftp://example.com/x"}`, 400, "callbackUrl must be"},
		{rows + "/export", `{"callbackUrl":"/relative"}`, 400, ""},
		{rows + "/export", `{"query":{"nope":1}}`, 400, ""},
		{rows + "/export", `{"queryOptions":{"limit":-1}}`, 400, ""},
		{tables + "/" + weir.NewID() + "/rows/export", `{}`, 404, ""},
	} {
		status, b := h.do("POST", c.path, e.user, c.body)
		if status != c.status || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s = %d %s, want %d %q", c.body, status, b, c.status, c.msg)
		}
	}
}

func TestEventsExport(t *testing.T) {
	e := newExportAPI(t)
	h, app, must := e.h, e.app, e.mustFn(t)
	events := "/applications/" + app + "/events"
	first := must("POST", events, `{"subject":"Door open","level":"warning","message":"north, gate","data":{"n":1},"eventTags":{"zone":"n"}}`, 201)["id"].(string)
	time.Sleep(5 * time.Millisecond)
	must("POST", events, `{"subject":"Hot","level":"critical"}`, 201)
	time.Sleep(5 * time.Millisecond)
	must("POST", events, `{"subject":"Info","level":"info"}`, 201)

	url, got := callbackReceiver(t)
	status, b := h.do("POST", events+"/export", e.user, `{"callbackUrl":"`+url+`","query":{"level":{"$in":["warning","critical"]}}}`)
	if status != 202 {
		t.Fatalf("export = %d %s, want 202", status, b)
	}
	mustConform(t, "jobEnqueuedResult", b)
	cb := awaitCallback(t, got)
	if cb["success"] != true || cb["count"] != 2.0 {
		t.Fatalf("callback = %v, want 2 events", cb)
	}
	recs := fetchCSV(t, cb["url"].(string))
	if len(recs) != 3 || strings.Join(recs[0], "|") != "id|creationDate|lastUpdated|level|state|subject|message|deviceId|deviceName|sourceType|sourceId|sourceName|eventTags|data|updates" {
		t.Fatalf("csv = %q", recs)
	}
	if r := recs[1]; r[0] != first || r[3] != "warning" || r[4] != "new" || r[5] != "Door open" || r[6] != "north, gate" ||
		r[12] != `{"zone":"n"}` || r[13] != `{"n":1}` || recs[2][5] != "Hot" {
		t.Errorf("csv rows = %q", recs[1:])
	}

	// JSON, every event.
	must("POST", events+"/export", `{"callbackUrl":"`+url+`","format":"json","excludeUpdates":true}`, 202)
	cb = awaitCallback(t, got)
	resp, err := http.Get(cb["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var all []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil || len(all) != 3 || all[2]["subject"] != "Info" {
		t.Errorf("json export = %v, %v", all, err)
	}
	resp.Body.Close()

	for _, c := range []struct{ body, msg string }{
		{`{"email":"ops@example.com"}`, "weir sends no email"},
		{`{"format":"xml"}`, ""},
		{`{"query":{"level":{"$gtx":1}}}`, ""},
	} {
		status, b := h.do("POST", events+"/export", e.user, c.body)
		if status != 400 || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s = %d %s, want 400 %q", c.body, status, b, c.msg)
		}
	}
}

func TestDevicesExport(t *testing.T) {
	e := newExportAPI(t)
	h, app, must := e.h, e.app, e.mustFn(t)
	devices := "/applications/" + app + "/devices"
	pump := must("POST", devices, `{"name":"pump","deviceClass":"standalone","tags":[{"key":"floor","value":"1"},{"key":"floor","value":"2"}],
		"attributes":[{"name":"temp","dataType":"number"},{"name":"on","dataType":"boolean"}]}`, 201)["id"].(string)
	must("POST", devices, `{"name":"fan","deviceClass":"standalone","tags":[{"key":"zone","value":"n"}]}`, 201)
	must("POST", devices, `{"name":"zz-other","deviceClass":"standalone"}`, 201)

	url, got := callbackReceiver(t)
	status, b := h.do("POST", devices+"/export?callbackUrl="+url, e.user, `{"query":{"name":{"$in":["pump","fan"]}}}`)
	if status != 202 {
		t.Fatalf("export = %d %s, want 202", status, b)
	}
	mustConform(t, "jobEnqueuedResult", b)
	cb := awaitCallback(t, got)
	if cb["success"] != true || cb["count"] != 2.0 || !strings.Contains(cb["url"].(string), "/exports/devices-") {
		t.Fatalf("callback = %v, want 2 devices", cb)
	}
	recs := fetchCSV(t, cb["url"].(string))
	want := "id|name|description|deviceClass|gatewayId|creationDate|lastUpdated|connectionStatus|attributes|tag:floor|tag:zone"
	if len(recs) != 3 || strings.Join(recs[0], "|") != want {
		t.Fatalf("csv = %q, want header %s", recs, want)
	}
	if r := recs[2]; r[0] != pump || r[1] != "pump" || r[7] != "disconnected" || r[8] != "temp;on" || r[9] != "1;2" || r[10] != "" || recs[1][10] != "n" {
		t.Errorf("csv rows = %q", recs[1:])
	}
	status, b = h.do("POST", devices+"/export?email=ops@example.com", e.user, `{}`)
	if status != 400 || !strings.Contains(string(b), "sends no email") {
		t.Errorf("email only = %d %s", status, b)
	}
}

func TestDeviceExport(t *testing.T) {
	e := newExportAPI(t)
	h, app, must := e.h, e.app, e.mustFn(t)
	dev := must("POST", "/applications/"+app+"/devices", `{"name":"meter","deviceClass":"standalone",
		"attributes":[{"name":"temp","dataType":"number"},{"name":"loc","dataType":"gps"}]}`, 201)["id"].(string)
	path := "/applications/" + app + "/devices/" + dev
	t0 := time.Now().Add(-3 * time.Minute).Truncate(time.Second).UTC()
	ms := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).UnixMilli(), 10) }
	must("POST", path+"/state", `[{"time":`+ms(0)+`,"data":{"temp":25.2,"loc":"17.06,-18.96"}},{"time":`+ms(time.Minute)+`,"data":{"temp":25.1}},
		{"time":`+ms(2*time.Minute)+`,"data":{"temp":30}}]`, 200)

	url, got := callbackReceiver(t)
	status, b := h.do("POST", path+"/export?callbackUrl="+url+"&end="+ms(90*time.Second), e.user, `{"options":{"includeID":false}}`)
	if status != 202 {
		t.Fatalf("export = %d %s, want 202", status, b)
	}
	mustConform(t, "jobEnqueuedResult", b)
	cb := awaitCallback(t, got)
	if cb["success"] != true || cb["count"] != 2.0 {
		t.Fatalf("callback = %v, want 2 states", cb)
	}
	recs := fetchCSV(t, cb["url"].(string))
	want := [][]string{{"Timestamp", "ISO Date", "temp", "loc"}, {ms(0), t0.Format("2006-01-02T15:04:05.000Z"), "25.2", "17.06,-18.96"},
		{ms(time.Minute), t0.Add(time.Minute).Format("2006-01-02T15:04:05.000Z"), "25.1", ""}}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("csv = %q, want %q", recs, want)
	}
	must("POST", "/applications/"+app+"/devices/"+weir.NewID()+"/export", `{}`, 404)
}

func TestDataExport(t *testing.T) {
	e := newExportAPI(t)
	h, app, must := e.h, e.app, e.mustFn(t)
	devices := "/applications/" + app + "/devices"
	t0 := time.Now().Add(-3 * time.Minute).Truncate(time.Second).UTC()
	ms := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).UnixMilli(), 10) }
	var ids []string
	for i, name := range []string{"b-meter", "a-meter", "c-other"} {
		id := must("POST", devices, `{"name":"`+name+`","deviceClass":"standalone","tags":[{"key":"kind","value":"`+name[2:]+`"}],
			"attributes":[{"name":"v`+strconv.Itoa(i%2)+`","dataType":"number"}]}`, 201)["id"].(string)
		must("POST", devices+"/"+id+"/state", `{"time":`+ms(time.Duration(i)*time.Second)+`,"data":{"v`+strconv.Itoa(i%2)+`":`+strconv.Itoa(i)+`}}`, 200)
		ids = append(ids, id)
	}
	url, got := callbackReceiver(t)
	must("POST", "/applications/"+app+"/data/export", `{"callbackUrl":"`+url+`","deviceTags":[{"key":"kind","value":"meter"}],"options":{"includeDate":false}}`, 202)
	cb := awaitCallback(t, got)
	if cb["success"] != true || cb["count"] != 2.0 {
		t.Fatalf("callback = %v, want 2 states", cb)
	}
	want := [][]string{{"Timestamp", "Device ID", "v1", "v0"}, {ms(time.Second), ids[1], "1", ""}, {ms(0), ids[0], "", "0"}}
	if recs := fetchCSV(t, cb["url"].(string)); !reflect.DeepEqual(recs, want) {
		t.Errorf("csv = %q, want %q", recs, want)
	}

	// A device's own token exports its own data only.
	key := must("POST", "/applications/"+app+"/keys", `{"description":"other","deviceIds":["`+ids[2]+`"]}`, 201)
	status, b := h.do("POST", "/auth/device", "", `{"deviceId":"`+ids[2]+`","key":"`+key["key"].(string)+`","secret":"`+key["secret"].(string)+`"}`)
	if status != 200 {
		t.Fatalf("auth/device = %d %s", status, b)
	}
	devTok := decode(t, b)["token"].(string)
	if status, b := h.do("POST", "/applications/"+app+"/data/export", devTok, `{"callbackUrl":"`+url+`"}`); status != 202 {
		t.Fatalf("device export = %d %s", status, b)
	}
	cb = awaitCallback(t, got)
	if recs := fetchCSV(t, cb["url"].(string)); len(recs) != 2 || recs[1][2] != ids[2] {
		t.Errorf("device's export = %q, want its one state", recs)
	}
}
