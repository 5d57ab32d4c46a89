package http

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/weirhq/weir"
)

// maxNames is how many names, keys or values the name actions answer at
// most, as on Losant.
const maxNames = 1000

// nameParams are the query parameters the name actions share; tagValues
// adds key and attributeNames dataType, which their handlers read.
var nameParams = []queryParam{{name: "query", kind: paramString}, {name: "startsWith", kind: paramString}}

// deviceSummary is one device as devices.deviceNames lists it.
type deviceSummary struct {
	ID          string `json:"id"`
	DeviceClass string `json:"deviceClass"`
	Name        string `json:"name"`
}

// namesDevices returns the application's devices the query parameter
// (an advanced device query; none: every device) matches, and a test of
// the startsWith parameter (case-insensitive; none matches everything).
func (s *Server) namesDevices(r *http.Request, req *request) ([]*weir.Device, func(string) bool, error) {
	if s.Devices == nil {
		return nil, nil, errNoDeviceService
	}
	query, err := parseDeviceQuery(req.query["query"])
	if err != nil {
		return nil, nil, err
	}
	if err := s.deviceQueryExperience(r, req.appID, query); err != nil {
		return nil, nil, err
	}
	ds, _, err := s.Devices.FindDevices(r.Context(), weir.DeviceFilter{ApplicationID: req.appID, Query: query})
	if err != nil {
		return nil, nil, err
	}
	prefix := strings.ToLower(req.query["startsWith"])
	return ds, func(v string) bool { return strings.HasPrefix(strings.ToLower(v), prefix) }, nil
}

// sortedNames returns the distinct names of set, sorted, at most maxNames.
func sortedNames(set map[string]bool) []string {
	out := slices.Sorted(func(yield func(string) bool) {
		for n := range set {
			if !yield(n) {
				return
			}
		}
	})
	if len(out) > maxNames {
		out = out[:maxNames]
	}
	if out == nil {
		out = []string{} // [], not null
	}
	return out
}

// tagNames returns what pick takes from the devices' tags ("": nothing)
// that match accepts, distinct and sorted, at most maxNames.
func tagNames(ds []*weir.Device, pick func(weir.DeviceTag) string, match func(string) bool) []string {
	set := map[string]bool{}
	for _, d := range ds {
		for _, t := range d.Tags {
			if v := pick(t); v != "" && match(v) {
				set[v] = true
			}
		}
	}
	return sortedNames(set)
}

// handleDevicesTagKeys answers GET …/devices/tagKeys: the distinct tag keys
// of the devices the query matches, sorted, those starting with startsWith.
func (s *Server) handleDevicesTagKeys(w http.ResponseWriter, r *http.Request, req *request) error {
	ds, match, err := s.namesDevices(r, req)
	if err != nil {
		return err
	}
	keys := tagNames(ds, func(t weir.DeviceTag) string { return t.Key }, match)
	writeJSON(w, http.StatusOK, map[string][]string{"tagKeys": keys})
	return nil
}

// handleDevicesTagValues answers GET …/devices/tagValues?key=…: the
// distinct values of that tag key on the devices the query matches,
// sorted, those starting with startsWith.
func (s *Server) handleDevicesTagValues(w http.ResponseWriter, r *http.Request, req *request) error {
	key := req.query["key"]
	switch {
	case key == "":
		return weir.Errorf(weir.Validation, "key is required")
	case !validTagKey(key):
		return weir.Errorf(weir.Validation, "key pattern mismatch")
	}
	ds, match, err := s.namesDevices(r, req)
	if err != nil {
		return err
	}
	values := tagNames(ds, func(t weir.DeviceTag) string {
		if t.Key != key {
			return ""
		}
		return t.Value
	}, match)
	writeJSON(w, http.StatusOK, map[string]any{"tagKey": key, "tagValues": values})
	return nil
}

// attributeDataTypes are the data types an attribute may have.
var attributeDataTypes = []string{weir.AttributeString, weir.AttributeNumber, weir.AttributeGPS, weir.AttributeBoolean, weir.AttributeBlob}

// dataTypeParam matches the qs encoding of a dataType list: dataType[0].
var dataTypeParam = regexp.MustCompile(`^dataType\[\d+\]$`)

// parseDataTypes reads attributeNames' dataType parameter, one data type
// (dataType=number) or a list as Losant's client sends it
// (dataType[0]=number&dataType[1]=gps); nil: any.
func parseDataTypes(q url.Values) (map[string]bool, error) {
	var types []string
	for name, vs := range q {
		switch {
		case name == "dataType", dataTypeParam.MatchString(name):
			types = append(types, vs...)
		case strings.HasPrefix(name, "dataType"):
			return nil, weir.Errorf(weir.Validation, "dataType is the wrong type")
		}
	}
	if len(types) == 0 {
		return nil, nil
	}
	out := map[string]bool{}
	for _, t := range types {
		if !slices.Contains(attributeDataTypes, t) {
			return nil, weir.Errorf(weir.Validation, "dataType must be an enum value")
		}
		out[t] = true
	}
	return out, nil
}

// handleDevicesAttributeNames answers GET …/devices/attributeNames: the
// distinct attribute names of the devices the query matches, sorted, those
// of the data types dataType names (default any) starting with startsWith.
func (s *Server) handleDevicesAttributeNames(w http.ResponseWriter, r *http.Request, req *request) error {
	types, err := parseDataTypes(r.URL.Query())
	if err != nil {
		return err
	}
	ds, match, err := s.namesDevices(r, req)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, d := range ds {
		for _, a := range d.Attributes {
			if (types == nil || types[a.DataType]) && match(a.Name) {
				names[a.Name] = true
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string][]string{"attributeNames": sortedNames(names)})
	return nil
}

// handleDevicesDeviceNames answers GET …/devices/deviceNames: the id,
// class and name of the devices the query matches whose names start with
// startsWith, sorted by name, at most maxNames.
func (s *Server) handleDevicesDeviceNames(w http.ResponseWriter, r *http.Request, req *request) error {
	ds, match, err := s.namesDevices(r, req)
	if err != nil {
		return err
	}
	out := []deviceSummary{}
	for _, d := range ds {
		if match(d.Name) {
			out = append(out, deviceSummary{ID: d.ID, DeviceClass: d.DeviceClass, Name: d.Name})
		}
	}
	slices.SortStableFunc(out, func(a, b deviceSummary) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	if len(out) > maxNames {
		out = out[:maxNames]
	}
	writeJSON(w, http.StatusOK, map[string][]deviceSummary{"deviceSummary": out})
	return nil
}
