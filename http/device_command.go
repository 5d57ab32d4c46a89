package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/weirhq/weir"
)

// commandBody is a schema-valid deviceCommand body.
type commandBody struct {
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload"`
	Time    any             `json:"time"`
}

// handleDeviceCommandPost answers POST …/devices/{deviceId}/command: the
// command is recorded, then delivered to the device if it is connected
// (at most once, as on Losant).
func (s *Server) handleDeviceCommandPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in commandBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "deviceCommand is the wrong type")
	}
	d, err := s.findDevice(r, req)
	if err != nil {
		return err
	}
	c := &weir.DeviceCommand{Name: in.Name, Payload: rawOrNil(in.Payload)}
	if in.Time != nil {
		c.Time = weir.ParseStateTime(in.Time, s.now())
	}
	if err := s.deliverCommand(r, req.appID, d, c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// deliverCommand records c as sent to d, delivers it if d is connected and
// tells the device command triggers.
func (s *Server) deliverCommand(r *http.Request, appID string, d *weir.Device, c *weir.DeviceCommand) error {
	if err := s.Commands.AddDeviceCommand(r.Context(), appID, d.ID, c); err != nil {
		return err
	}
	if s.CommandSender != nil {
		if err := s.CommandSender.SendCommand(r.Context(), appID, d.ID, c); err != nil {
			s.logger().Warn("http: command not delivered", "app_id", appID, "device_id", d.ID, "err", err)
		}
	}
	if s.DeviceEvents != nil {
		return s.DeviceEvents.DeviceCommand(r.Context(), d, c)
	}
	return nil
}

// commandResponse is one command as getCommand returns it.
type commandResponse struct {
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload,omitempty"`
	Time    time.Time       `json:"time"`
}

// handleDeviceCommandGet answers GET …/devices/{deviceId}/command: the
// latest commands sent (limit, default 1), newest first unless
// sortDirection=asc, within start/end/duration.
func (s *Server) handleDeviceCommandGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	start, end := timeWindow(req.query, s.now())
	limit, _ := strconv.Atoi(req.query["limit"])
	cs, err := s.Commands.FindDeviceCommands(r.Context(), weir.CommandFilter{
		ApplicationID: req.appID, DeviceID: req.deviceID, Start: start, End: end,
		Limit: limit, Ascending: req.query["sortDirection"] == "asc",
	})
	if err != nil {
		return err
	}
	out := make([]commandResponse, 0, len(cs))
	for _, c := range cs {
		out = append(out, commandResponse{Name: c.Name, Payload: c.Payload, Time: c.Time})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
