package nodes

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// losantActionsJSON is every action of Losant's REST client (losant-rest
// 2.8.1, MIT, LICENSE-losant-rest-2.8.1.txt beside it): its method, path
// template, query parameters (":json" ones are sent as JSON text) and body
// parameter, read from the client's lib/api/*.js.
//
//go:embed losant_api_actions.json
var losantActionsJSON []byte

// losantAction is one action of the table.
type losantAction struct {
	Method string   `json:"method"`
	Path   string   `json:"path"`
	Query  []string `json:"query"`
	Body   string   `json:"body"`
}

// losantActions is the table by "resource.action".
var losantActions = func() map[string]losantAction {
	var m map[string]losantAction
	if err := json.Unmarshal(losantActionsJSON, &m); err != nil {
		panic("nodes: losant_api_actions.json: " + err.Error())
	}
	return m
}()

// pathParam matches a {name} of a path template.
var pathParam = regexp.MustCompile(`\{(\w+)\}`)

func init() {
	engine.Register(engine.Spec{
		Type:     "LosantApiNode",
		Name:     "losantapi",
		Category: "data",
		Summary:  "Calls any REST action weir serves (resource and action as Losant's client names them) on the flow's own application, with the API's validation and errors.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "resource", Kind: "string", Required: true, Doc: "The resource, as Losant's client names it: devices, device, events, event, flows, dataTableRows, …"},
			{Name: "action", Kind: "string", Required: true, Doc: "The action: get, post, patch, delete, …; an action weir does not serve fails the run, naming it."},
			{Name: "params", Kind: "array", Doc: "The action's parameters, each {name, type, value}: type string renders value as a template, json as a JSON template, path reads the payload at value. applicationId defaults to the flow's application, the only one reachable."},
			{Name: "responsePath", Kind: "path", Doc: "Where to put {result: the answer's body}, or {error: {type, message, statusCode}} when the API refuses."},
		},
	}, buildLosantAPI)
}

type apiParam struct {
	name, kind string
	tmpl       *template.Template
	at         path.Path
}

type losantAPI struct {
	name      string // resource.action
	action    losantAction
	known     bool
	params    []apiParam
	token     bool // apiTokenTemplate set: calls as another token are refused
	result    path.Path
	hasResult bool
}

func buildLosantAPI(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Resource string `json:"resource"`
		Action   string `json:"action"`
		Params   []struct {
			Name  string      `json:"name"`
			Type  string      `json:"type"`
			Value engine.Text `json:"value"`
		} `json:"params"`
		APITokenTemplate      engine.Text `json:"apiTokenTemplate"`
		ApplicationIDTemplate engine.Text `json:"applicationIdTemplate"`
		ResponsePath          string      `json:"responsePath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.Resource == "" || cfg.Action == "" {
		return nil, engine.Errorf("Validation", "resource and action are required")
	}
	n := &losantAPI{name: cfg.Resource + "." + cfg.Action, token: strings.TrimSpace(string(cfg.APITokenTemplate)) != ""}
	n.action, n.known = losantActions[n.name]
	var err error
	if n.result, n.hasResult, err = engine.CompilePath("responsePath", cfg.ResponsePath, false); err != nil {
		return nil, err
	}
	if cfg.ApplicationIDTemplate != "" {
		cfg.Params = append(cfg.Params, struct {
			Name  string      `json:"name"`
			Type  string      `json:"type"`
			Value engine.Text `json:"value"`
		}{"applicationId", "string", cfg.ApplicationIDTemplate})
	}
	for i, p := range cfg.Params {
		field := "params[" + strconv.Itoa(i) + "]"
		if p.Name == "" {
			return nil, engine.Errorf("Validation", "%s.name is required", field)
		}
		ap := apiParam{name: p.Name, kind: p.Type}
		switch p.Type {
		case "", "string", "json":
			if ap.tmpl, err = engine.CompileTemplate(field+".value", string(p.Value)); err != nil {
				return nil, err
			}
		case "path":
			if ap.at, _, err = engine.CompilePath(field+".value", string(p.Value), true); err != nil {
				return nil, err
			}
		default:
			return nil, engine.Errorf("Validation", "%s.type must be string, json or path", field)
		}
		n.params = append(n.params, ap)
	}
	return n, nil
}

// Exec calls the action and writes {result} or {error} at responsePath. An
// action weir does not serve fails the run.
func (n *losantAPI) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if !n.known {
		return 0, engine.Errorf("Error", "Losant API action %s is not implemented by weir", n.name)
	}
	if env.API == nil {
		return 0, engine.Errorf("Error", "the Losant API is not available to this run")
	}
	call, err := n.call(env, p)
	if err != nil {
		return 0, setResult(p, n.result, n.hasResult, apiError(err, 400))
	}
	res, err := env.API.CallAPI(ctx, env.ApplicationID, call)
	switch {
	case weir.ErrorTypeOf(err) == weir.NotFound:
		return 0, engine.Errorf("Error", "Losant API action %s is not implemented by weir (%v)", n.name, weir.ErrorMessage(err))
	case err != nil:
		return 0, err
	}
	body, err := engine.DecodeValue(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return 0, setResult(p, n.result, n.hasResult, map[string]any{"result": body})
	}
	e, _ := body.(map[string]any)
	if e == nil {
		e = map[string]any{"type": "Error", "message": fmt.Sprint(body)}
	}
	e["statusCode"] = float64(res.StatusCode)
	return 0, setResult(p, n.result, n.hasResult, map[string]any{"error": e})
}

// apiError is the error a refused call writes: Losant's {type, message,
// statusCode}.
func apiError(err error, status int) map[string]any {
	return map[string]any{"error": map[string]any{"type": string(weir.ErrorTypeOf(err)), "message": weir.ErrorMessage(err),
		"statusCode": float64(status)}}
}

// call renders the parameters into the action's path, query and body.
func (n *losantAPI) call(env *engine.Env, p engine.Payload) (engine.APICall, error) {
	if n.token {
		return engine.APICall{}, weir.Errorf(weir.Validation, "apiTokenTemplate is not supported: the node calls as its own application")
	}
	values := map[string]any{}
	for _, ap := range n.params {
		v, err := ap.value(p)
		if err != nil {
			return engine.APICall{}, err
		}
		if v != nil {
			values[ap.name] = v
		}
	}
	if _, ok := values["applicationId"]; !ok {
		values["applicationId"] = env.ApplicationID
	}
	var missing error
	urlPath := pathParam.ReplaceAllStringFunc(n.action.Path, func(m string) string {
		name := m[1 : len(m)-1]
		s := scalarText(values[name])
		if s == "" && missing == nil {
			missing = weir.Errorf(weir.Validation, "%s is required", name)
		}
		return url.PathEscape(s)
	})
	if missing != nil {
		return engine.APICall{}, missing
	}
	query := url.Values{}
	for _, q := range n.action.Query {
		name, asJSON := strings.CutSuffix(q, ":json")
		v, ok := values[name]
		if !ok {
			continue
		}
		switch s, isText := v.(string); {
		case !asJSON:
			addQuery(query, name, v)
		case isText && json.Valid([]byte(s)):
			query.Set(name, s) // JSON text already
		default:
			query.Set(name, string(engine.EncodeValue(v)))
		}
	}
	call := engine.APICall{Method: n.action.Method, Path: urlPath, Query: query, FlowID: env.FlowID, Origin: env.Origin, Depth: env.Depth + 1}
	if v, ok := values[n.action.Body]; ok && n.action.Body != "" {
		if s, isText := v.(string); isText && json.Valid([]byte(s)) {
			call.Body = json.RawMessage(s)
		} else {
			call.Body = engine.EncodeValue(v)
		}
	}
	return call, nil
}

// value renders one parameter: nil when a string or JSON template renders
// blank or a path holds nothing.
func (ap apiParam) value(p engine.Payload) (any, error) {
	if ap.tmpl == nil {
		return ap.at.Get(p), nil
	}
	s, err := ap.tmpl.Render(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s: %v", ap.name, err)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if ap.kind != "json" {
		return s, nil
	}
	v, err := ap.tmpl.RenderJSON(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s: %v", ap.name, err)
	}
	return v, nil
}

// addQuery adds v as the query parameter name the way Losant's client
// (qs) encodes it: arrays and objects in brackets, name[0][key]=….
func addQuery(q url.Values, name string, v any) {
	switch x := v.(type) {
	case nil:
	case []any:
		for i, e := range x {
			addQuery(q, name+"["+strconv.Itoa(i)+"]", e)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			addQuery(q, name+"["+k+"]", x[k])
		}
	default:
		q.Add(name, scalarText(v))
	}
}

// scalarText is a parameter value as text: strings as they are, other
// scalars as JSON.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return strings.Trim(string(engine.EncodeValue(v)), `"`)
}
