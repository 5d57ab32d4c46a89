package http

import (
	"net/http"
	"sync"

	"encoding/json"
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
