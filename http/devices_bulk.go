package http

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/weirhq/weir"
)

// devicesQueryBody is a schema-valid devicesDeleteOrRestorePost or
// devicesRemoveDataPost body. The work is done before the answer, so email
// and callbackUrl are not used (weir sends no email) and forceJob changes
// nothing.
type devicesQueryBody struct {
	Query                 json.RawMessage `json:"query"`
	Start                 *float64        `json:"start"`
	End                   *float64        `json:"end"`
	Attributes            json.RawMessage `json:"attributes"`
	KeepConnectionHistory bool            `json:"keepConnectionHistory"`
	KeepCommandHistory    bool            `json:"keepCommandHistory"`
}

// multiCommandBody is a schema-valid multiDeviceCommand body.
type multiCommandBody struct {
	dataSelectionBody
	commandBody
}

// handleDevicesDelete answers POST /applications/{applicationId}/devices/delete:
// the devices the query matches are deleted with their history, and the
// answer is Losant's bulkDeleteResponse {removed, failed}.
func (s *Server) handleDevicesDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	ds, _, err := s.devicesByQuery(r, req)
	if err != nil {
		return err
	}
	var removed, failed int
	for _, d := range ds {
		switch err := s.Devices.DeleteDevice(r.Context(), req.appID, d.ID); {
		case err == nil:
			removed++
		case weir.ErrorTypeOf(err) == weir.NotFound: // deleted meanwhile
			failed++
		default:
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"removed": removed, "failed": failed})
	return nil
}

// handleDevicesRemoveData answers POST
// /applications/{applicationId}/devices/removeData: the state history (or
// only the values of attributes), connection log (unless
// keepConnectionHistory) and commands (unless keepCommandHistory) within
// start–end (milliseconds; default all) of the devices the query matches
// are deleted, then 202 as Losant answers.
func (s *Server) handleDevicesRemoveData(w http.ResponseWriter, r *http.Request, req *request) error {
	ds, in, err := s.devicesByQuery(r, req)
	if err != nil {
		return err
	}
	var attributes []string // nil: every attribute
	if raw := rawOrNil(in.Attributes); raw != nil {
		if err := json.Unmarshal(raw, &attributes); err != nil {
			return weir.Errorf(weir.Validation, "options.attributes must be a list of attribute names")
		}
		if attributes == nil {
			attributes = []string{}
		}
	}
	q := map[string]string{}
	for name, v := range map[string]*float64{"start": in.Start, "end": in.End} {
		if v != nil {
			ms, err := dataMillis("options."+name, v)
			if err != nil {
				return err
			}
			q[name] = strconv.FormatInt(*ms, 10)
		}
	}
	start, end := timeWindow(q, s.now())
	removal := weir.DataRemoval{Start: start, End: end, Attributes: attributes,
		KeepConnectionHistory: in.KeepConnectionHistory, KeepCommandHistory: in.KeepCommandHistory}
	for _, d := range ds {
		err := s.States.RemoveDeviceData(r.Context(), req.appID, d.ID, removal)
		if err != nil && weir.ErrorTypeOf(err) != weir.NotFound { // a device deleted meanwhile has no data
			return err
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"jobQueued": true, "success": true})
	return nil
}

// handleDevicesCommand answers POST /applications/{applicationId}/devices/command:
// the command is recorded for, and delivered to, every device that
// deviceIds, deviceTags or deviceQuery selects (at most
// weir.MaxDataDevices; a device token reaches only itself), as
// device.sendCommand does for one.
func (s *Server) handleDevicesCommand(w http.ResponseWriter, r *http.Request, req *request) error {
	var in multiCommandBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "multiDeviceCommand is the wrong type")
	}
	if in.DeviceIDs == nil && len(in.DeviceTags) == 0 && len(rawOrNil(in.DeviceQuery)) == 0 {
		return weir.Errorf(weir.Validation, "multiDeviceCommand needs deviceIds, deviceTags or deviceQuery")
	}
	if s.Devices == nil || s.Commands == nil {
		return errNoDeviceService
	}
	sel, err := dataSelection(in.dataSelectionBody, req)
	if err != nil {
		return err
	}
	ds, err := weir.SelectDevices(r.Context(), s.Devices, req.appID, sel, weir.MaxDataDevices)
	if err != nil {
		return err
	}
	at := s.now()
	if in.Time != nil {
		at = weir.ParseStateTime(in.Time, at)
	}
	for _, d := range ds {
		c := &weir.DeviceCommand{Name: in.Name, Payload: rawOrNil(in.Payload), Time: at}
		if err := s.deliverCommand(r, req.appID, d, c); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// devicesByQuery reads a body's required advanced device query and returns
// every device of the application it matches.
func (s *Server) devicesByQuery(r *http.Request, req *request) ([]*weir.Device, *devicesQueryBody, error) {
	var in devicesQueryBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, nil, weir.Errorf(weir.Validation, "options is the wrong type")
	}
	var v any
	if err := json.Unmarshal(in.Query, &v); err != nil {
		return nil, nil, weir.Errorf(weir.Validation, "options.query is the wrong type")
	}
	q, err := weir.ParseDeviceQuery(v)
	if err != nil {
		return nil, nil, weir.Errorf(weir.Validation, "options.query: %s", weir.ErrorMessage(err))
	}
	if s.Devices == nil || s.States == nil {
		return nil, nil, errNoDeviceService
	}
	ds, _, err := s.Devices.FindDevices(r.Context(), weir.DeviceFilter{ApplicationID: req.appID, Query: q})
	return ds, &in, err
}
