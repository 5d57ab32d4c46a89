package http

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// findFlow returns the flow the path names, or NotFound.
func (s *Server) findFlow(r *http.Request, req *request) (*weir.Flow, error) {
	return s.Flows.FindFlowByID(r.Context(), req.appID, req.flowID)
}

// handleStorageGet answers GET …/flows/{flowId}/storage with every key and
// its value (schema flowStorageEntries.json).
func (s *Server) handleStorageGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	return s.writeStorageEntries(w, r, req.flowID)
}

// handleStorageSet answers PATCH …/flows/{flowId}/storage: it sets one key,
// or deletes it when the body has no value.
func (s *Server) handleStorageSet(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "entry is the wrong type")
	}
	var value json.RawMessage
	if in.Value != nil { // present, possibly null
		var buf bytes.Buffer
		if err := json.Compact(&buf, in.Value); err != nil {
			return weir.Errorf(weir.Validation, "entry.value is the wrong type")
		}
		value = buf.Bytes()
	}
	if err := weir.ValidateStorageEntry(in.Key, value); err != nil {
		return err
	}
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if value == nil {
		if _, err := s.Storage.DeleteStorageEntry(r.Context(), req.flowID, in.Key); err != nil {
			return err
		}
	} else if err := s.Storage.SetStorageEntry(r.Context(), req.flowID, in.Key, value); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// handleStorageClear answers DELETE …/flows/{flowId}/storage: it removes
// every key and answers the (now empty) entries.
func (s *Server) handleStorageClear(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if err := s.Storage.ClearStorageEntries(r.Context(), req.flowID); err != nil {
		return err
	}
	return s.writeStorageEntries(w, r, req.flowID)
}

// handleStorageMetadata answers GET …/flows/{flowId}/storage-metadata.
func (s *Server) handleStorageMetadata(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	md, err := s.Storage.StorageMetadata(r.Context(), req.flowID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, md)
	return nil
}

// writeStorageEntries answers the flow's storage as one object. It carries
// no _type or _links: those would collide with storage keys.
func (s *Server) writeStorageEntries(w http.ResponseWriter, r *http.Request, flowID string) error {
	entries, err := s.Storage.StorageEntries(r.Context(), flowID)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = map[string]json.RawMessage{}
	}
	writeJSON(w, http.StatusOK, entries)
	return nil
}
