package appfile_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/appfile"
)

// futureRoutes serves, in memory and in Losant's shapes, resources weir
// does not serve yet (data tables and their rows, experience groups, users
// and views), and hands every other request to next: an import and export
// must pick such resources up the day weir serves them, with no change.
// Its rows route takes one row per request, as a server that does not take
// arrays would.
type futureRoutes struct {
	next  http.Handler
	mu    sync.Mutex
	items map[string][]map[string]any // collection path -> resources
}

var futureRE = regexp.MustCompile(`^(/applications/[0-9a-f]{24}/(?:data-tables/[0-9a-f]{24}/rows|data-tables|experience/groups|experience/users|experience/views))(?:/([0-9a-f]{24}))?$`)

func (f *futureRoutes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := futureRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		f.next.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	coll, id := m[1], m[2]
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	var body any
	if r.Method == "POST" || r.Method == "PATCH" {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			reply(400, map[string]string{"type": "Validation", "message": "body is not JSON"})
			return
		}
	}
	doc, _ := body.(map[string]any)
	switch {
	case r.Method == "POST" && id == "":
		if doc == nil {
			reply(400, map[string]string{"type": "Validation", "message": "one row at a time"})
			return
		}
		doc["id"] = weir.NewID()
		delete(doc, "password")
		f.items[coll] = append(f.items[coll], doc)
		reply(201, doc)
	case r.Method == "GET" && id == "":
		list := f.items[coll]
		if list == nil {
			list = []map[string]any{}
		}
		reply(200, map[string]any{"items": list, "count": len(list), "totalCount": len(list)})
	case id != "" && (r.Method == "GET" || r.Method == "PATCH"):
		for _, it := range f.items[coll] {
			if it["id"] == id {
				for k, v := range doc {
					it[k] = v
				}
				reply(200, it)
				return
			}
		}
		reply(404, map[string]string{"type": "NotFound", "message": "not found"})
	default:
		reply(405, map[string]string{"type": "MethodNotAllowed", "message": r.Method})
	}
}

// TestRoundTripFutureRoutes imports the boilerplate template (data tables
// with rows, experience groups, users and views) through weir with those
// routes added: every one is created, no reference to a created resource is
// left a placeholder (a group tagged with its own id, a page naming its
// layout, a user naming its groups), and the export reads back equal.
func TestRoundTripFutureRoutes(t *testing.T) {
	c := newClient(t)
	f := &futureRoutes{next: c.Handler, items: map[string][]map[string]any{}}
	c.Handler = f
	rep := roundTrip(t, c, "testdata/templates/connected-product-foundation")
	for kind, want := range map[string]int{appfile.KindDataTable: 5, appfile.KindDataTableRow: 47, appfile.KindExperienceGroup: 7,
		appfile.KindExperienceUser: 3, appfile.KindExperienceView: 72} {
		if got := rep.Created[kind]; got != want {
			t.Errorf("created %d %s, want %d", got, kind, want)
		}
	}
	for _, s := range rep.Skipped {
		if strings.Contains(s.Reason, "data-tables") || strings.Contains(s.Reason, "experience/groups") ||
			strings.Contains(s.Reason, "experience/users") || strings.Contains(s.Reason, "experience/views") {
			t.Errorf("skipped %s %q: %s", s.Kind, s.Name, s.Reason)
		}
	}
	b, _ := json.Marshal(f.items)
	for _, kind := range []string{"dataTable", "experienceGroup", "experienceUser", "experienceView"} {
		if i := bytes.Index(b, []byte("~exportplaceholderid-"+kind+"-")); i >= 0 {
			t.Errorf("a stored resource still names a %s by its placeholder: …%s…", kind, b[max(0, i-80):min(len(b), i+80)])
		}
	}
}
