package http

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
)

// devicesResponse is a page of an application's devices.
type devicesResponse struct {
	Items []*deviceResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// deviceListParams are the query parameters of devices.get beyond paging.
var deviceListParams = append(listParams([]string{"name", "id", "creationDate", "lastUpdated", "deviceClass"}, []string{"name"}),
	queryParam{name: "excludeConnectionInfo", kind: paramBool, def: "false"},
	queryParam{name: "tagsAsObject", kind: paramBool, def: "false"},
	queryParam{name: "attributesAsObject", kind: paramBool, def: "false"},
	queryParam{name: "parentId", kind: paramString},
)

// handleDevicesGet answers GET /applications/{applicationId}/devices: one
// page of devices, filtered by name, deviceClass, tagFilter (every
// {key, value} pair must match a tag; either side may be left out) and
// parentId (the children of that device). A device token sees only its
// own device.
func (s *Server) handleDevicesGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Devices == nil {
		return errNoDeviceService
	}
	q := r.URL.Query()
	query, err := parseDeviceQuery(q.Get("query"))
	if err != nil {
		return err
	}
	if err := s.deviceQueryExperience(r, req.appID, query); err != nil {
		return err
	}
	tags, err := parseTagFilter(q)
	if err != nil {
		return err
	}
	classes, err := parseDeviceClasses(q)
	if err != nil {
		return err
	}
	parent := req.query["parentId"]
	if parent != "" && !weir.ValidID(parent) {
		return weir.Errorf(weir.Validation, "parentId pattern mismatch")
	}
	opts := listOptions(req.query)
	filter := weir.DeviceFilter{ApplicationID: req.appID, DeviceClass: classes, Tags: tags, ParentID: parent, ListOptions: opts}
	if query != nil {
		// The query replaces the other filters, as on Losant.
		filter.DeviceClass, filter.Tags, filter.Filter, filter.FilterField, filter.ParentID = nil, nil, "", "", ""
		filter.Query = query
	}
	if req.identity.OwnerType == weir.OwnerDevice {
		filter.IDs = []string{req.identity.OwnerID}
	}
	ds, total, err := s.Devices.FindDevices(r.Context(), filter)
	if err != nil {
		return err
	}
	resp := &devicesResponse{
		Items:         make([]*deviceResponse, 0, len(ds)),
		listPage:      newListPage(len(ds), total, opts),
		ApplicationID: req.appID,
		Type:          "devices",
		Links: linksFor(req.links, pathDevices, map[string]string{"application": pathApplication},
			"{applicationId}", req.appID),
	}
	for _, d := range ds {
		resp.Items = append(resp.Items, newDeviceResponse(d, req))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleDevicesPost answers POST /applications/{applicationId}/devices with
// 201 and the new device, a standalone one unless deviceClass says
// otherwise.
func (s *Server) handleDevicesPost(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeDeviceBody(req)
	if err != nil {
		return err
	}
	if s.Devices == nil {
		return errNoDeviceService
	}
	d := &weir.Device{ApplicationID: req.appID, DeviceClass: weir.DeviceStandalone}
	if err := in.apply(d); err != nil {
		return err
	}
	if err := s.Devices.CreateDevice(r.Context(), d); err != nil {
		return err
	}
	if s.DeviceEvents != nil {
		if err := s.DeviceEvents.DeviceCreated(r.Context(), d); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusCreated, newDeviceResponse(d, req))
	return nil
}

// parseDeviceQuery reads the query parameter: an advanced device query as
// JSON text; "" is none.
func parseDeviceQuery(text string) (*weir.DeviceQuery, error) {
	if text == "" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, weir.Errorf(weir.Validation, "query is not valid JSON")
	}
	return weir.ParseDeviceQuery(v)
}

// tagFilterParam matches the qs encoding of tagFilter entries:
// tagFilter[0][key] and tagFilter[0][value].
var tagFilterParam = regexp.MustCompile(`^tagFilter\[(\d+)\]\[(key|value)\]$`)

// parseTagFilter reads the tagFilter query parameter as Losant's client
// sends it (qs brackets), checking it as deviceTagFilter does.
func parseTagFilter(q url.Values) ([]weir.TagFilter, error) {
	byIndex := map[int]*weir.TagFilter{}
	maxIndex := -1
	for name, vs := range q {
		m := tagFilterParam.FindStringSubmatch(name)
		if m == nil {
			if strings.HasPrefix(name, "tagFilter") {
				return nil, weir.Errorf(weir.Validation, "tagFilter is the wrong type")
			}
			continue
		}
		i, err := strconv.Atoi(m[1])
		if err != nil || i > 99 || len(vs) != 1 {
			return nil, weir.Errorf(weir.Validation, "tagFilter is the wrong type")
		}
		f := byIndex[i]
		if f == nil {
			f = &weir.TagFilter{}
			byIndex[i] = f
		}
		if m[2] == "key" {
			if !validTagKey(vs[0]) {
				return nil, weir.Errorf(weir.Validation, "tagFilter key pattern mismatch")
			}
			f.Key = vs[0]
		} else {
			if n := len([]rune(vs[0])); n < 1 || n > 255 {
				return nil, weir.Errorf(weir.Validation, "tagFilter value must be between 1 and 255 characters")
			}
			f.Value = vs[0]
		}
		maxIndex = max(maxIndex, i)
	}
	var out []weir.TagFilter
	for i := 0; i <= maxIndex; i++ {
		if f := byIndex[i]; f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// deviceClasses are the values deviceClassFilter allows.
var deviceClasses = []string{weir.DeviceStandalone, weir.DeviceGateway, weir.DevicePeripheral, weir.DeviceFloating,
	weir.DeviceEdgeCompute, weir.DeviceSystem, weir.DeviceEmbedded}

// parseDeviceClasses reads deviceClass, one class or (qs) deviceClass[i]
// several; nil means any.
func parseDeviceClasses(q url.Values) ([]string, error) {
	var out []string
	for name, vs := range q {
		if name != "deviceClass" && !(strings.HasPrefix(name, "deviceClass[") && strings.HasSuffix(name, "]")) {
			continue
		}
		for _, v := range vs {
			ok := false
			for _, c := range deviceClasses {
				ok = ok || c == v
			}
			if !ok {
				return nil, weir.Errorf(weir.Validation, "deviceClass must be an enum value")
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// validTagKey reports whether s is 1–255 characters of [0-9a-zA-Z_-].
func validTagKey(s string) bool {
	if len(s) < 1 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
