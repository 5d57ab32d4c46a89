package http

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/weirhq/weir"
)

// triggerVirtualButton is the type of a virtual button trigger.
const triggerVirtualButton = "virtualButton"

// handleButtonPress answers POST …/flows/{flowId}/virtualButton: it enqueues
// one run of the named version (else the flow's default version), durably,
// before answering {"success":true}. The key must name a virtual button of
// that version. A disabled flow or version answers the same and runs nothing.
func (s *Server) handleButtonPress(w http.ResponseWriter, r *http.Request, req *request) error {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "button is the wrong type")
	}
	var key, version string
	_ = json.Unmarshal(in["key"], &key) // schema-checked: a string
	if raw, ok := in["flowVersion"]; ok {
		_ = json.Unmarshal(raw, &version)
	}

	f, err := s.findFlow(r, req)
	if err != nil {
		return err
	}
	name, def, enabled, err := s.pressedVersion(r, req, f, version)
	if err != nil {
		return err
	}
	trig := findButton(def, key)
	if trig == nil {
		return weir.Errorf(weir.NotFound, "Virtual button was not found")
	}
	if !f.Enabled || !enabled {
		writeJSON(w, http.StatusOK, success)
		return nil
	}
	if s.ButtonLimiter != nil {
		if ok, wait := s.ButtonLimiter.Allow(f.ID + "/" + key); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return weir.Errorf(weir.TooManyRequests, "Over rate limit, request throttled")
		}
	}

	data, err := buttonData(in, trig)
	if err != nil {
		return err
	}
	run := &weir.Run{
		ID:            weir.NewID(),
		ApplicationID: f.ApplicationID,
		FlowID:        f.ID,
		FlowVersion:   name,
		TriggerType:   triggerVirtualButton,
		TriggerKey:    key,
		TriggerID:     key,
		Time:          time.UnixMilli(s.now().UnixMilli()).UTC(),
		Data:          data,
	}
	if req.identity.OwnerType == weir.OwnerUser {
		run.RelayType, run.RelayID = "user", req.identity.OwnerID
	} else {
		run.RelayType, run.RelayID = "apiToken", req.identity.TokenID
	}
	if err := s.Runs.EnqueueRun(r.Context(), run); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// pressedVersion resolves the version a press runs: the one named (develop,
// or a version id or name), else the flow's default version. It returns the
// version's name, definition and enabled flag, or NotFound.
func (s *Server) pressedVersion(r *http.Request, req *request, f *weir.Flow, named string) (string, *weir.Definition, bool, error) {
	idOrName := named
	if named == "" && f.DefaultVersionID != nil {
		idOrName = *f.DefaultVersionID
	}
	if idOrName == "" || idOrName == weir.DevelopVersion {
		return weir.DevelopVersion, &f.Definition, true, nil
	}
	v, err := s.findVersion(r, req, idOrName)
	if err != nil {
		return "", nil, false, err
	}
	return v.Version, &v.Definition, v.Enabled, nil
}

// findButton returns the definition's virtual button trigger with key, or
// nil.
func findButton(d *weir.Definition, key string) *weir.Trigger {
	for i := range d.Triggers {
		t := &d.Triggers[i]
		if t.Type == triggerVirtualButton && t.Key == key {
			return t
		}
	}
	return nil
}

// buttonData is the run's data: the request's payload when present (any
// JSON, null included), else the button's configured meta.payload text
// parsed as JSON, else {}.
func buttonData(in map[string]json.RawMessage, t *weir.Trigger) (json.RawMessage, error) {
	if raw, ok := in["payload"]; ok {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, weir.Errorf(weir.Validation, "button.payload is the wrong type")
		}
		return buf.Bytes(), nil
	}
	var meta struct {
		Payload string `json:"payload"`
	}
	if len(t.Meta) > 0 {
		_ = json.Unmarshal(t.Meta, &meta)
	}
	text := bytes.TrimSpace([]byte(meta.Payload))
	if len(text) == 0 {
		return json.RawMessage(`{}`), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, text); err != nil {
		return nil, weir.Errorf(weir.Validation, "the button's default payload is not valid JSON; send a payload")
	}
	return buf.Bytes(), nil
}
