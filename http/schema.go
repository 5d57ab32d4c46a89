package http

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

//go:embed schemas/*.json
var schemaFS embed.FS

// schemaBase prefixes the embedded schema names to give them URLs.
const schemaBase = "https://schemas.weir.invalid/"

// schemas compiles the embedded schemas, each on first use: compiled, they
// take some 15 MB that a server answering only webhooks never needs, and
// even decoded (before compiling) some 5 MB, so a schema is read from the
// binary only when first compiled.
var schemas = mustLoadSchemas()

// actionScopes maps an action ("flow.get") to the scopes it accepts.
var actionScopes = mustLoadScopes()

// schemaSet is the embedded schemas by file name without ".json" (e.g.
// "flowPatch"), listed at start, read and compiled when first asked for.
type schemaSet struct {
	mu       sync.Mutex
	c        *jsonschema.Compiler
	names    map[string]bool
	compiled map[string]*jsonschema.Schema
}

func mustLoadSchemas() *schemaSet {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(schemaLoader{})
	names, err := fs.Glob(schemaFS, "schemas/*.json")
	if err != nil {
		panic(err)
	}
	set := &schemaSet{c: c, names: map[string]bool{}, compiled: map[string]*jsonschema.Schema{}}
	for _, name := range names {
		if base := strings.TrimSuffix(path.Base(name), ".json"); base != "scopes" {
			set.names[base] = true
		}
	}
	return set
}

// schemaLoader reads an embedded schema when the compiler first needs it.
type schemaLoader struct{}

// Load decodes the embedded schema that url names.
func (schemaLoader) Load(url string) (any, error) {
	name, ok := strings.CutPrefix(url, schemaBase)
	if !ok || strings.Contains(name, "/") {
		return nil, fmt.Errorf("http: no embedded schema %s", url)
	}
	b, err := schemaFS.ReadFile("schemas/" + name + ".json")
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// get returns the compiled schema named name; ok is false when there is no
// such schema.
func (s *schemaSet) get(name string) (sch *jsonschema.Schema, ok bool, err error) {
	if !s.names[name] {
		return nil, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch := s.compiled[name]; sch != nil {
		return sch, true, nil
	}
	sch, err = s.c.Compile(schemaBase + name)
	if err != nil {
		return nil, true, fmt.Errorf("http: compile schema %s: %w", name, err)
	}
	s.compiled[name] = sch
	return sch, true, nil
}

// weirActions are the actions weir serves that Losant's REST clients do not
// publish, with the scopes accepted for them. flow.debug is in Losant's token
// scope list; reading a debug stream is a read, so the .read groups may.
var weirActions = map[string][]string{
	// weir's own Prometheus metrics, instance-wide: user tokens only, and a
	// token of scope metrics.get reads nothing else.
	"metrics.get": {"all.User", "all.User.read", ScopeMetrics},
	"flow.debug": {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization",
		"all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read",
		"flow.*", "flow.debug"},
	// weir's live trace stream (trace.go): a read, granted as the debug
	// stream is (flow.debug is the scope a token can name).
	"flow.trace": {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization",
		"all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read",
		"flow.*", "flow.debug"},
	// One logged run with its kept payload (replay.go): a read of the log.
	"flow.getLogEntry": append(webhookScopes(true, "flow.*", "flow.log"), "flow.getLogEntry"),
	// weir's replay of a logged run (replay.go): it starts a run, so it
	// takes a write scope, as pressing a button does.
	"flow.replay": webhookScopes(false, "flow.*", "flow.replay"),
	// Losant's Webhooks and Webhook resources, which the embedded client
	// schemas do not cover.
	"webhooks.get":   webhookScopes(true, "webhooks.*", "webhooks.get"),
	"webhooks.post":  webhookScopes(false, "webhooks.*", "webhooks.post"),
	"webhook.get":    webhookScopes(true, "webhook.*", "webhook.get"),
	"webhook.patch":  webhookScopes(false, "webhook.*", "webhook.patch"),
	"webhook.delete": webhookScopes(false, "webhook.*", "webhook.delete"),
	// Losant's Experience Endpoints and Experience Endpoint resources, with
	// the same scope groups.
	"experienceEndpoints.get":   webhookScopes(true, "experienceEndpoints.*", "experienceEndpoints.get"),
	"experienceEndpoints.post":  webhookScopes(false, "experienceEndpoints.*", "experienceEndpoints.post"),
	"experienceEndpoint.get":    webhookScopes(true, "experienceEndpoint.*", "experienceEndpoint.get"),
	"experienceEndpoint.patch":  webhookScopes(false, "experienceEndpoint.*", "experienceEndpoint.patch"),
	"experienceEndpoint.delete": webhookScopes(false, "experienceEndpoint.*", "experienceEndpoint.delete"),
	// Losant's Application Keys and Application Key resources (access keys
	// for devices), with the same scope groups.
	"applicationKeys.get":   webhookScopes(true, "applicationKeys.*", "applicationKeys.get"),
	"applicationKeys.post":  webhookScopes(false, "applicationKeys.*", "applicationKeys.post"),
	"applicationKey.get":    webhookScopes(true, "applicationKey.*", "applicationKey.get"),
	"applicationKey.patch":  webhookScopes(false, "applicationKey.*", "applicationKey.patch"),
	"applicationKey.delete": webhookScopes(false, "applicationKey.*", "applicationKey.delete"),
	// Losant's Device Recipes and Device Recipe resources, with the same
	// scope groups (the losant-rest 2.8.1 doc comments).
	"deviceRecipes.get":       webhookScopes(true, "deviceRecipes.*", "deviceRecipes.get"),
	"deviceRecipes.post":      webhookScopes(false, "deviceRecipes.*", "deviceRecipes.post"),
	"deviceRecipe.get":        webhookScopes(true, "deviceRecipe.*", "deviceRecipe.get"),
	"deviceRecipe.patch":      webhookScopes(false, "deviceRecipe.*", "deviceRecipe.patch"),
	"deviceRecipe.delete":     webhookScopes(false, "deviceRecipe.*", "deviceRecipe.delete"),
	"deviceRecipe.bulkCreate": webhookScopes(false, "deviceRecipe.*", "deviceRecipe.bulkCreate"),
}

// webhookScopes returns the scopes a webhook action accepts: the all.*
// groups, bounded ones included, their .read variants for reads, and own.
func webhookScopes(read bool, own ...string) []string {
	var out []string
	for _, g := range []string{"all.Application", "all.Organization", "all.User"} {
		out = append(out, g, g+".bounded")
		if read {
			out = append(out, g+".read")
		}
	}
	return append(out, own...)
}

func mustLoadScopes() map[string]map[string]bool {
	b, err := schemaFS.ReadFile("schemas/scopes.json")
	if err != nil {
		panic(err)
	}
	var doc struct {
		Actions map[string]struct {
			Scopes []string `json:"scopes"`
		} `json:"actions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(fmt.Sprintf("http: scopes.json: %v", err))
	}
	for action, scopes := range weirActions {
		doc.Actions[action] = struct {
			Scopes []string `json:"scopes"`
		}{scopes}
	}
	out := make(map[string]map[string]bool, len(doc.Actions))
	for action, a := range doc.Actions {
		set := make(map[string]bool, len(a.Scopes))
		for _, s := range a.Scopes {
			set[s] = true
		}
		out[action] = set
	}
	return out
}

// decodeBody checks b as every body entering weir is checked
// (engine.CheckJSON: JSON whose numbers a run can carry) and validates it
// against the named schema ("": the handler checks it). It returns the
// value as text, or a Validation error whose message reads like Losant's:
// "<param>.<field> <reason>".
func decodeBody(b []byte, param, schema string) (json.RawMessage, error) {
	raw, err := engine.CheckJSON(bytes.TrimSpace(b), param)
	if err != nil || schema == "" {
		return raw, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s is not valid JSON", param)
	}
	if err := validateValue(doc, param, schema); err != nil {
		return nil, err
	}
	return raw, nil
}

// validateValue validates a decoded JSON value against the named schema.
func validateValue(doc any, param, schema string) error {
	sch, ok, err := schemas.get(schema)
	if err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("http: no schema %q", schema)
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("http: validate %s: %w", schema, err)
	}
	return weir.Errorf(weir.Validation, "%s", validationMessage(param, ve))
}

// validationMessage turns the first leaf of a schema error tree into an
// is-my-json-valid style message such as "flow.name is the wrong type".
func validationMessage(param string, ve *jsonschema.ValidationError) string {
	e := ve
	for len(e.Causes) > 0 {
		switch e.ErrorKind.(type) {
		case *kind.OneOf, *kind.AnyOf:
			// Alternatives failed. When all but one failed on their "type"
			// discriminator (typed trigger variants), report that one's
			// error; otherwise report the oneOf itself.
			if c := onlyCandidate(e.Causes); c != nil {
				e = c
				continue
			}
		default:
			e = e.Causes[0]
			continue
		}
		break
	}
	field := strings.Join(append([]string{param}, e.InstanceLocation...), ".")
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		return field + "." + k.Missing[0] + " is required"
	case *kind.Type:
		return field + " is the wrong type"
	case *kind.AdditionalProperties, *kind.FalseSchema:
		return field + " has additional properties"
	case *kind.Pattern:
		return field + " pattern mismatch"
	case *kind.Enum, *kind.Const:
		return field + " must be an enum value"
	case *kind.MaxLength:
		return field + " has longer length than allowed"
	case *kind.MinLength:
		return field + " has less length than allowed"
	case *kind.MaxItems:
		return field + " has more items than allowed"
	case *kind.MinItems:
		return field + " has less items than allowed"
	case *kind.MaxProperties:
		return field + " has more properties than allowed"
	case *kind.MinProperties:
		return field + " has less properties than allowed"
	case *kind.UniqueItems:
		return field + " must be unique"
	case *kind.Minimum, *kind.ExclusiveMinimum:
		return field + " is less than minimum"
	case *kind.Maximum, *kind.ExclusiveMaximum:
		return field + " is more than maximum"
	case *kind.MultipleOf:
		return field + " has a remainder"
	case *kind.Format:
		return field + " must be " + k.Want + " format"
	case *kind.OneOf:
		return field + " no (or more than one) schemas match"
	case *kind.AnyOf:
		return field + " no schemas match"
	case *kind.Not:
		return field + " negative schema matches"
	case *kind.Dependency, *kind.DependentRequired:
		return field + " dependencies not set"
	default:
		return field + " is invalid"
	}
}

// onlyCandidate returns the one alternative of a failed oneOf/anyOf that did
// not fail on a "type" property's enum, or nil if there is not exactly one.
func onlyCandidate(alts []*jsonschema.ValidationError) *jsonschema.ValidationError {
	var found *jsonschema.ValidationError
	for _, a := range alts {
		if failsOnTypeEnum(a) {
			continue
		}
		if found != nil {
			return nil
		}
		found = a
	}
	return found
}

// failsOnTypeEnum reports whether e, or any error below it, is an enum
// mismatch of a property named "type".
func failsOnTypeEnum(e *jsonschema.ValidationError) bool {
	if _, ok := e.ErrorKind.(*kind.Enum); ok {
		loc := e.InstanceLocation
		if len(loc) > 0 && loc[len(loc)-1] == "type" {
			return true
		}
	}
	for _, c := range e.Causes {
		if failsOnTypeEnum(c) {
			return true
		}
	}
	return false
}
