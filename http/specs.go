package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// specField is one config field of a node or trigger type, as GET /specs
// answers it. path locates the field in the node or trigger object:
// "config.x", "key" or "meta.x".
type specField struct {
	Name     string   `json:"name"`
	Path     string   `json:"path"`
	Kind     string   `json:"kind"`
	Default  string   `json:"default,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Required bool     `json:"required,omitempty"`
	Doc      string   `json:"doc,omitempty"`
}

// specResponse is one node or trigger type.
type specResponse struct {
	Type     string      `json:"type"`
	Name     string      `json:"name"`
	Category string      `json:"category"`
	Summary  string      `json:"summary"`
	Outputs  []string    `json:"outputs"`
	Fields   []specField `json:"fields"`
}

// specsJSON is the GET /specs document, built once: the registry is fixed
// after start-up.
var specsJSON = sync.OnceValues(func() ([]byte, error) {
	doc := struct {
		Nodes    []specResponse `json:"nodes"`
		Triggers []specResponse `json:"triggers"`
	}{Nodes: []specResponse{}, Triggers: []specResponse{}}
	for _, s := range engine.Specs() {
		doc.Nodes = append(doc.Nodes, newSpecResponse(s, "config."))
	}
	for _, s := range engine.TriggerSpecs() {
		doc.Triggers = append(doc.Triggers, newSpecResponse(s, ""))
	}
	return json.Marshal(doc)
})

func newSpecResponse(s engine.Spec, prefix string) specResponse {
	r := specResponse{Type: s.Type, Name: s.Name, Category: s.Category, Summary: s.Summary,
		Outputs: s.Outputs, Fields: []specField{}}
	if r.Outputs == nil {
		r.Outputs = []string{}
	}
	for _, f := range s.Fields {
		r.Fields = append(r.Fields, specField{Name: f.Name, Path: prefix + f.Name, Kind: f.Kind,
			Default: f.Default, Enum: f.Enum, Required: f.Required, Doc: f.Doc})
	}
	return r
}

// handleSpecs answers GET /specs with the node and trigger types this
// server runs, their outputs and config fields (the console's palette and
// forms). Any valid token may read it.
func (s *Server) handleSpecs(w http.ResponseWriter, r *http.Request) {
	id, err := s.authenticate(r)
	if err == nil && id == nil {
		err = weir.Errorf(weir.Forbidden, msgForbidden)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := specsJSON()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Write(data)
}

// nodeProblem is a node whose config does not build, as POST /specs/check
// answers it.
type nodeProblem struct {
	NodeID  string `json:"nodeId"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// handleSpecsCheck answers POST /specs/check: given {"nodes": [...]} (nodes
// of a flow definition), it builds each node of a type this server runs, as
// a run would, and lists those whose config does not build, with the
// reason. Nothing is stored; any valid token may ask. The console marks the
// nodes so before a press finds the problem.
func (s *Server) handleSpecsCheck(w http.ResponseWriter, r *http.Request) {
	id, err := s.authenticate(r)
	if err == nil && id == nil {
		err = weir.Errorf(weir.Forbidden, msgForbidden)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Nodes []weir.Node `json:"nodes"`
	}
	max := s.MaxBodyBytes
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, max)).Decode(&in); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, r, weir.Errorf(weir.PayloadTooLarge, "Request body is larger than %d bytes", max))
		} else {
			s.writeError(w, r, weir.Errorf(weir.Validation, "body must be an object with a nodes array of flow nodes"))
		}
		return
	}
	problems := []nodeProblem{}
	for _, n := range in.Nodes {
		_, build, ok := engine.Lookup(n.Type)
		if !ok {
			continue // an unknown type is kept as it is; the console says so itself
		}
		if _, err := build(&engine.NodeConfig{ID: n.ID, Type: n.Type, Config: n.Config}); err != nil {
			msg := err.Error()
			var ne *engine.NodeError
			if errors.As(err, &ne) {
				msg = ne.Message
			}
			problems = append(problems, nodeProblem{NodeID: n.ID, Type: n.Type, Message: msg})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"problems": problems})
}
