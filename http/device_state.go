package http

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// timeRangeParams are the query parameters selecting a window of a
// device's history: start and end in ms since the epoch (0 is now, a
// negative value is relative to now), or duration ms before end.
var timeRangeParams = []queryParam{
	{name: "start", kind: paramInt, min: -1 << 50, max: 1 << 50},
	{name: "end", kind: paramInt, min: -1 << 50, max: 1 << 50},
	{name: "duration", kind: paramInt, min: 0, max: 1 << 50},
	{name: "since", kind: paramInt, min: 0, max: 1 << 50},
}

// historyParams are getState's and getCommand's query parameters.
var historyParams = append([]queryParam{
	{name: "limit", kind: paramInt, def: "1", min: 1, max: weir.MaxStateLimit},
	{name: "sortDirection", kind: paramEnum, def: "desc", enum: []string{"asc", "desc"}},
}, timeRangeParams...)

// compositeParams are getCompositeState's query parameters.
var compositeParams = append([]queryParam{{name: "attributes", kind: paramString}}, timeRangeParams...)

// stateResponse is one state report as getState returns it.
type stateResponse struct {
	Time time.Time      `json:"time"`
	Data map[string]any `json:"data"`
}

// handleDeviceStatePost answers POST …/devices/{deviceId}/state: one state
// report or an array, each converted to the device's attributes and
// committed before the answer; reports with nothing left are ignored, as
// Losant ignores them.
func (s *Server) handleDeviceStatePost(w http.ResponseWriter, r *http.Request, req *request) error {
	states, err := weir.ParseStateReports(req.body, s.now())
	if err != nil {
		return err
	}
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	if s.DeviceLimiter != nil {
		if ok, wait := s.DeviceLimiter.Allow(req.deviceID); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return weir.Errorf(weir.TooManyRequests, "Over rate limit, request throttled")
		}
	}
	kept, d, err := s.States.AddDeviceStates(r.Context(), req.appID, req.deviceID, states)
	if err != nil {
		return err
	}
	if s.DeviceEvents != nil && len(kept) > 0 {
		if err := s.DeviceEvents.DeviceStates(r.Context(), d, kept); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// handleDeviceStateGet answers GET …/devices/{deviceId}/state: the latest
// reports (limit, default 1), newest first unless sortDirection=asc,
// within start/end/duration.
func (s *Server) handleDeviceStateGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	start, end := timeWindow(req.query, s.now())
	limit, _ := strconv.Atoi(req.query["limit"])
	states, err := s.States.FindDeviceStates(r.Context(), weir.StateFilter{
		ApplicationID: req.appID, DeviceID: req.deviceID, Start: start, End: end,
		Limit: limit, Ascending: req.query["sortDirection"] == "asc",
	})
	if err != nil {
		return err
	}
	out := make([]stateResponse, 0, len(states))
	for _, st := range states {
		out = append(out, stateResponse{Time: st.Time, Data: st.Data})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleDeviceCompositeState answers GET …/devices/{deviceId}/compositeState:
// the latest value and time of each attribute (of those listed in
// attributes, when given) within start/end.
func (s *Server) handleDeviceCompositeState(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	start, end := timeWindow(req.query, s.now())
	c, err := s.States.FindCompositeState(r.Context(), weir.StateFilter{
		ApplicationID: req.appID, DeviceID: req.deviceID, Start: start, End: end})
	if err != nil {
		return err
	}
	if list := req.query["attributes"]; list != "" {
		keep := map[string]bool{}
		for _, name := range strings.Split(list, ",") {
			keep[strings.TrimSpace(name)] = true
		}
		for name := range c {
			if !keep[name] {
				delete(c, name)
			}
		}
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// handleDeviceRemoveData answers DELETE …/devices/{deviceId}/data: the
// history within start/end (default all) is removed before the answer,
// 202 {"jobQueued":true,"success":true} as Losant answers.
func (s *Server) handleDeviceRemoveData(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	start, end := timeWindow(req.query, s.now())
	if err := s.States.RemoveDeviceData(r.Context(), req.appID, req.deviceID, weir.DataRemoval{Start: start, End: end}); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"jobQueued": true, "success": true})
	return nil
}

// connectionStatusBody is a schema-valid deviceConnectionStatus body.
type connectionStatusBody struct {
	Status             string `json:"status"`
	ConnectedAt        any    `json:"connectedAt"`
	DisconnectedAt     any    `json:"disconnectedAt"`
	DisconnectReason   string `json:"disconnectReason"`
	MessagesFromClient *int   `json:"messagesFromClient"`
	MessagesToClient   *int   `json:"messagesToClient"`
	IPAddress          string `json:"ipAddress"`
}

// handleDeviceConnectionStatus answers POST
// …/devices/{deviceId}/setConnectionStatus: the status is recorded, then
// connect or disconnect triggers hear of it.
func (s *Server) handleDeviceConnectionStatus(w http.ResponseWriter, r *http.Request, req *request) error {
	var in connectionStatusBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "connectionStatus is the wrong type")
	}
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	now := s.now()
	connected := in.Status == "connected"
	at := now
	if connected && in.ConnectedAt != nil {
		at = weir.ParseStateTime(in.ConnectedAt, now)
	} else if !connected && in.DisconnectedAt != nil {
		at = weir.ParseStateTime(in.DisconnectedAt, now)
	}
	entry := weir.DeviceLogEntry{Connected: connected, Time: at, IPAddress: in.IPAddress}
	if !connected {
		entry.DisconnectReason = in.DisconnectReason
		entry.MessagesFromClient, entry.MessagesToClient = derefInt(in.MessagesFromClient), derefInt(in.MessagesToClient)
	}
	d, err := s.Devices.SetConnectionStatus(r.Context(), req.appID, req.deviceID, entry)
	if err != nil {
		return err
	}
	if s.DeviceEvents != nil {
		info := map[string]any{"method": "rest", "secure": r.TLS != nil}
		if in.IPAddress != "" {
			info["address"] = in.IPAddress
		}
		if !connected {
			info["disconnectReason"] = entry.DisconnectReason
			info["messagesFromDevice"] = entry.MessagesFromClient
			info["messagesToDevice"] = entry.MessagesToClient
			if in.ConnectedAt != nil {
				info["connectedAt"] = weir.ParseStateTime(in.ConnectedAt, now)
			}
		}
		if err := s.DeviceEvents.DeviceConnection(r.Context(), d, connected, info); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// timeWindow turns validated start, end, duration and since parameters
// into a window; zero ends are unbounded. 0 means now and a negative value
// is relative to now, as Losant reads them.
func timeWindow(q map[string]string, now time.Time) (start, end time.Time) {
	at := func(v string) (time.Time, bool) {
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil || v == "":
			return time.Time{}, false
		case n == 0:
			return now, true
		case n < 0:
			return now.Add(time.Duration(n) * time.Millisecond), true
		}
		return time.UnixMilli(n).UTC(), true
	}
	if t, ok := at(q["end"]); ok {
		end = t
	}
	if t, ok := at(q["start"]); ok {
		start = t
	} else if t, ok := at(q["since"]); ok {
		start = t
	}
	if d, err := strconv.ParseInt(q["duration"], 10, 64); err == nil && d > 0 {
		e := end
		if e.IsZero() {
			e = now
		}
		start = e.Add(-time.Duration(d) * time.Millisecond)
	}
	return start, end
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
