package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// fuzzBodyRoutes are the routes of matrixRoutes that take a body.
func fuzzBodyRoutes() []matrixRoute {
	var out []matrixRoute
	for _, rt := range matrixRoutes {
		if rt.body != "" {
			out = append(out, rt)
		}
	}
	return out
}

// fuzzQueryRoutes are the routes of matrixRoutes that list, log or count:
// every GET.
func fuzzQueryRoutes() []matrixRoute {
	var out []matrixRoute
	for _, rt := range matrixRoutes {
		if rt.method == http.MethodGet {
			out = append(out, rt)
		}
	}
	return out
}

// fuzzBodySeeds are bodies beyond each route's minimal one, by action.
var fuzzBodySeeds = map[string][]string{
	"applications.post": {`{"name":"n","description":"d","orgId":"575ec8687ae143cd83dc4a97"}`},
	"application.patch": {`{"name":"Renamed","globals":[{"key":"k","json":"1"},{"key":"k2","json":"{\"a\":[1,2]}"}]}`, `{"globals":[{"key":"","json":"{"}]}`},
	"applicationApiTokens.post": {
		`{"name":"ci","scope":["flow.*","all.Application.read"],"expirationDate":"2030-01-01T00:00:00.000Z","status":"active"}`,
		`{"name":"x","scope":[]}`,
	},
	"applicationApiToken.patch": {`{"status":"inactive"}`, `{"name":"renamed","description":""}`},
	"flows.post": {
		`{"name":"F2","triggers":[{"type":"virtualButton"}]}`,
		`{"name":"F3","enabled":true,"flowClass":"cloud","globals":[{"key":"g","json":"1"}],"triggers":[{"type":"webhook","key":"575ec8687ae143cd83dc4a97","outputIds":[["a"]]}],"nodes":[{"id":"a","type":"DebugNode","config":{},"outputIds":[["a"]]}]}`,
	},
	"flows.import": {
		`{}`,
		`{"flows":[{"id":"575ec8687ae143cd83dc4a97","name":"a","triggers":[{"type":"flow","config":{"flowId":"575ec8687ae143cd83dc4a97"}}]}],"flowVersions":[{"flowId":"575ec8687ae143cd83dc4a97","version":"v1","nodes":[],"triggers":[]}]}`,
	},
	"flow.patch": {
		`{"defaultVersionId":null}`, `{"defaultVersionId":"575ec8687ae143cd83dc4a97"}`, `{"enabled":false,"name":"x"}`,
		`{"nodes":[{"id":"x","type":"DebugNode","outputIds":[["y"]]}]}`,
	},
	"flow.setStorageEntry":     {`{"key":"a","value":[1,2,{"b":null}]}`, `{"key":"","value":null}`},
	"flow.pressVirtualButton":  {`{"key":"{button}","payload":{"x":1}}`, `{"key":"{button}","payload":"text","flowVersion":"v1"}`},
	"flowVersions.post":        {`{"version":"v1","notes":"again","nodes":[],"triggers":[]}`, `{"version":"develop"}`},
	"flowVersion.patch":        {`{"notes":"changed","enabled":false}`},
	"webhooks.post":            {`{"name":"Callback","responseCode":201,"verificationType":"basic","basicAuthUsername":"u","basicAuthPassword":"p","waitForReply":true}`},
	"experienceEndpoints.post": {`{"route":"/a/{b}/c","method":"post","description":"d","enabled":false,"access":"public"}`, `{"route":"/users/{x}"}`, `{"route":"no-slash"}`},
	"experienceEndpoint.patch": {`{"route":"/users/me","method":"delete"}`, `{"access":"authenticated"}`},
	"webhook.patch":            {`{"verificationType":"twilio"}`, `{"responseCode":99}`},
}

// FuzzRequestBodies sends arbitrary bytes as the body of every route that
// takes one, with a user token that may call every route. Properties: never
// a 5xx (a handler panic is one), every error answer is JSON with a type
// and a message, and a 4xx leaves the stores as they were.
func FuzzRequestBodies(f *testing.F) {
	routes := fuzzBodyRoutes()
	for i, rt := range routes {
		f.Add(uint8(i), []byte(rt.body))
		for _, b := range fuzzBodySeeds[rt.action] {
			f.Add(uint8(i), []byte(b))
		}
		f.Add(uint8(i), []byte(`{"unterminated":`))
		f.Add(uint8(i), []byte(`[]`))
	}
	golden, _ := filepath.Glob("../nodes/testdata/flows/*/flow.json")
	for _, name := range golden[:min(len(golden), 20)] {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for i, rt := range routes {
			if rt.action == "flow.patch" || rt.action == "flowVersions.post" {
				f.Add(uint8(i), b)
			}
		}
	}
	var env *fuzzEnv
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		rt.body = string(body)
		e := env.get(t, &env)
		w := e.request(rt, e.tok)
		checkFuzzAnswer(t, rt, w)
		if w.Code < 400 {
			e.restore(e.base)
		} else if !reflect.DeepEqual(e.base, e.snapshot()) {
			t.Errorf("%s %s = %d and changed the stores; body %q", rt.method, rt.path, w.Code, body)
		}
	})
}

// FuzzQueryParams sends arbitrary query strings to every GET route (the
// lists, logs, stats and errors among them) with a user token. Properties:
// never a 5xx, and every error answer is JSON with a type and a message.
func FuzzQueryParams(f *testing.F) {
	routes := fuzzQueryRoutes()
	seeds := []string{
		"", "_actions=false&_links=true&_embedded=true", "_links=false",
		"sortField=name&sortDirection=desc&page=0&perPage=1000&filterField=name&filter=F*",
		"page=-1", "perPage=0", "perPage=1001", "page=2147483648", "sortField=nope", "filter=%zz",
		"limit=5", "limit=-1", "since=0", "since=-2592000000", "since=abc",
		"start=-2592000000&end=0&resolution=60000", "resolution=1", "duration=86400000", "flowVersion=develop", "flowVersion=v1",
		"flowClass=edge", "flowClass=nope", "allVersions=true", "includeCustomNodes=yes", "triggerFilter[0][type]=webhook", "query=%7B%7D",
		"triggerFilter=%5B%7B%22key%22%3A%22k%22%7D%5D", "triggerFilter[1][key]=k&triggerFilter[0][type]=timer", "triggerFilter[0][x]=1",
		"query=%7B%22triggers%22%3A%7B%22type%22%3A%22timer%22%7D%7D&allVersions=true", "query=%7B%22%24or%22%3A%5B%7B%22name%22%3A%22a%22%7D%5D%7D",
		"access_token=x", "jwt=", "orgId=575ec8687ae143cd83dc4a97", "orgId=nope", "summaryExclude=flowCount&summaryInclude=x",
	}
	for i := range routes {
		f.Add(uint8(i), "")
	}
	for i, q := range seeds {
		f.Add(uint8(i%len(routes)), q)
	}
	var env *fuzzEnv
	f.Fuzz(func(t *testing.T, route uint8, query string) {
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // no HTTP/1 request line carries these
		}
		rt := routes[int(route)%len(routes)]
		e := env.get(t, &env)
		w := e.requestQuery(rt, e.tok, query)
		rt.path += "?" + query
		checkFuzzAnswer(t, rt, w)
	})
}

// fuzzEnv is one matrixEnv shared by every execution of a fuzz target
// (they run one after another in each fuzzing process), with a user token
// and the stores' state to go back to after a request that changed them.
// Building the server and stores once, instead of per input, is what makes
// the targets fast enough to find anything.
type fuzzEnv struct {
	*matrixEnv
	tok  string
	base storeSnapshot
}

// get returns *p, building it on first use, bound to this execution's t.
func (*fuzzEnv) get(t *testing.T, p **fuzzEnv) *fuzzEnv {
	if *p == nil {
		e := newMatrixEnv(t)
		*p = &fuzzEnv{matrixEnv: e, tok: e.harness().token(weir.OwnerUser, e.userID, "all.User")}
		(*p).base = e.snapshot()
	}
	(*p).t = t
	return *p
}

// checkFuzzAnswer fails t on a 5xx, or an error answer that is not JSON
// with a type and a message.
func checkFuzzAnswer(t *testing.T, rt matrixRoute, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code >= 500 {
		t.Fatalf("%s %s = %d; body %s", rt.method, rt.path, w.Code, w.Body)
	}
	if w.Code < 400 {
		return
	}
	var e struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Type == "" || e.Message == "" {
		t.Fatalf("%s %s = %d with body %q, want JSON with type and message", rt.method, rt.path, w.Code, w.Body)
	}
}
