package nodes_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// goldenAPI is the REST API as the Losant API node's golden cases see it:
// it records each call ("METHOD path?query body") and answers devices.get
// with the case's devices, devices.post with 201 and its body, a device id
// of another application with 404 "Application was not found", and any
// other route as one weir does not serve. The real router answers these
// calls in cmd/weir's tests.
type goldenAPI struct {
	devices *memDevices
	mu      sync.Mutex
	calls   []string
}

func (a *goldenAPI) CallAPI(_ context.Context, applicationID string, c engine.APICall) (engine.APIResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	line := c.Method + " " + c.Path
	if len(c.Query) > 0 {
		q, _ := url.QueryUnescape(c.Query.Encode())
		line += "?" + q
	}
	if c.Body != nil {
		line += " " + string(c.Body)
	}
	a.calls = append(a.calls, line)
	prefix := "/applications/" + applicationID + "/"
	switch {
	case !strings.HasPrefix(c.Path, prefix):
		return answer(404, map[string]any{"type": "NotFound", "message": "Application was not found"}), nil
	case c.Method == "GET" && c.Path == prefix+"devices":
		items := []any{}
		for _, d := range a.devices.devices {
			items = append(items, map[string]any{"id": d.ID, "name": d.Name})
		}
		return answer(200, map[string]any{"items": items, "count": len(items), "totalCount": len(items)}), nil
	case c.Method == "POST" && c.Path == prefix+"devices":
		var v any
		_ = json.Unmarshal(c.Body, &v)
		return answer(201, v), nil
	}
	return engine.APIResult{}, weir.Errorf(weir.NotFound, "weir serves no action %s %s", c.Method, c.Path)
}

func answer(status int, v any) engine.APIResult {
	b, _ := json.Marshal(v)
	return engine.APIResult{StatusCode: status, Body: b}
}

func (a *goldenAPI) outcome() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls
}
