package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/weirhq/weir"
)

// errNoDeviceService is the internal error of device routes served without
// the device services.
var errNoDeviceService = errors.New("http: Server.Devices, States, Commands or Keys is not set")

var errNoRecipeService = errors.New("http: Server.Recipes, Devices or Keys is not set")

// deviceLinks are the resource links of a device.
var deviceLinks = map[string]string{
	"application": pathApplication,
	"devices":     pathDevices,
}

// deviceResponse is a device as the API returns it; Tags and Attributes
// replace the device's own in their array or object form.
type deviceResponse struct {
	*weir.Device
	DeviceID       string               `json:"deviceId"`
	Tags           any                  `json:"tags"`
	Attributes     any                  `json:"attributes"`
	ConnectionInfo *weir.ConnectionInfo `json:"connectionInfo,omitempty"`
	Type           string               `json:"_type"`
	Links          links                `json:"_links,omitempty"`
}

// newDeviceResponse shapes d as the request's tagsAsObject,
// attributesAsObject and excludeConnectionInfo parameters ask.
func newDeviceResponse(d *weir.Device, req *request) *deviceResponse {
	resp := &deviceResponse{
		Device:     d,
		DeviceID:   d.ID,
		Tags:       d.Tags,
		Attributes: d.Attributes,
		Type:       "device",
		Links: linksFor(req.links, pathDevice, deviceLinks,
			"{applicationId}", d.ApplicationID, "{deviceId}", d.ID),
	}
	if truthy(req.query["tagsAsObject"]) {
		resp.Tags = d.TagsObject()
	}
	if truthy(req.query["attributesAsObject"]) {
		m := make(map[string]weir.DeviceAttribute, len(d.Attributes))
		for _, a := range d.Attributes {
			m[a.Name] = a
		}
		resp.Attributes = m
	}
	if !truthy(req.query["excludeConnectionInfo"]) {
		ci := d.Connection
		resp.ConnectionInfo = &ci
	}
	return resp
}

// deviceBody is a schema-valid device post or patch body; absent fields are
// nil. Fields weir does not keep yet (system devices' settings, attribute
// tags) are refused rather than dropped. ParentID is the raw JSON: a string,
// or null for none.
type deviceBody struct {
	Name             *string                `json:"name"`
	Description      *string                `json:"description"`
	Tags             *[]weir.DeviceTag      `json:"tags"`
	Attributes       *[]deviceAttributeBody `json:"attributes"`
	DeviceClass      *string                `json:"deviceClass"`
	GatewayID        *string                `json:"gatewayId"`
	KeepDuplicates   *bool                  `json:"keepDuplicates"`
	ParentID         json.RawMessage        `json:"parentId"`
	SystemInterval   json.RawMessage        `json:"systemInterval"`
	EdgeAgentVersion json.RawMessage        `json:"edgeAgentVersion"`
}

// deviceAttributeBody is one attribute of a body.
type deviceAttributeBody struct {
	weir.DeviceAttribute
	AttributeTags json.RawMessage `json:"attributeTags"`
	System        json.RawMessage `json:"system"`
}

// decodeDeviceBody decodes a request's device body.
func decodeDeviceBody(req *request) (*deviceBody, error) {
	var in deviceBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, weir.Errorf(weir.Validation, "device is the wrong type")
	}
	for name, v := range map[string]json.RawMessage{"systemInterval": in.SystemInterval,
		"edgeAgentVersion": in.EdgeAgentVersion} {
		if len(v) > 0 && string(v) != "null" {
			return nil, weir.Errorf(weir.Validation, "device.%s is not supported yet", name)
		}
	}
	if in.Attributes != nil {
		for _, a := range *in.Attributes {
			if !emptyJSON(a.AttributeTags) || len(a.System) > 0 {
				return nil, weir.Errorf(weir.Validation, "device.attributes attributeTags and system are not supported yet")
			}
		}
	}
	return &in, nil
}

// emptyJSON reports whether raw is absent, null or {}: attribute tags that
// say nothing, as Losant's exports write them.
func emptyJSON(raw json.RawMessage) bool {
	s := strings.Join(strings.Fields(string(raw)), "")
	return s == "" || s == "null" || s == "{}"
}

// apply sets each field present in b on d and validates the result.
func (b *deviceBody) apply(d *weir.Device) error {
	if b.Name != nil {
		d.Name = *b.Name
	}
	if b.Description != nil {
		d.Description = *b.Description
	}
	if b.Tags != nil {
		d.Tags = *b.Tags
	}
	if b.Attributes != nil {
		d.Attributes = make([]weir.DeviceAttribute, 0, len(*b.Attributes))
		for _, a := range *b.Attributes {
			d.Attributes = append(d.Attributes, a.DeviceAttribute)
		}
	}
	if b.DeviceClass != nil {
		d.DeviceClass = *b.DeviceClass
	}
	if b.GatewayID != nil {
		d.GatewayID = *b.GatewayID
	}
	if b.KeepDuplicates != nil {
		d.KeepDuplicates = *b.KeepDuplicates
	}
	if len(b.ParentID) > 0 {
		d.ParentID = ""
		if string(b.ParentID) != "null" && json.Unmarshal(b.ParentID, &d.ParentID) != nil {
			return weir.Errorf(weir.Validation, "device.parentId is the wrong type")
		}
	}
	return d.Validate()
}

// findDevice returns the device the path names, or NotFound.
func (s *Server) findDevice(r *http.Request, req *request) (*weir.Device, error) {
	if s.Devices == nil || s.States == nil || s.Commands == nil || s.Keys == nil {
		return nil, errNoDeviceService
	}
	return s.Devices.FindDeviceByID(r.Context(), req.appID, req.deviceID)
}

// handleDeviceGet answers GET …/devices/{deviceId}.
func (s *Server) handleDeviceGet(w http.ResponseWriter, r *http.Request, req *request) error {
	d, err := s.findDevice(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newDeviceResponse(d, req))
	return nil
}

// handleDevicePatch answers PATCH …/devices/{deviceId}: the fields given
// replace the stored ones.
func (s *Server) handleDevicePatch(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeDeviceBody(req)
	if err != nil {
		return err
	}
	d, err := s.findDevice(r, req)
	if err != nil {
		return err
	}
	if err := in.apply(d); err != nil {
		return err
	}
	if err := s.Devices.UpdateDevice(r.Context(), d); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newDeviceResponse(d, req))
	return nil
}

// handleDeviceDelete answers DELETE …/devices/{deviceId} with
// {"success":true}; the device's history and commands go with it.
func (s *Server) handleDeviceDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	if err := s.Devices.DeleteDevice(r.Context(), req.appID, req.deviceID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
