package http

import (
	"net/http"
	"strconv"

	"github.com/weirhq/weir"
)

// handleDeviceLogGet answers GET …/devices/{deviceId}/logs: the device's
// latest connection log entries (limit, default 1), newest first unless
// sortDirection=asc, within start/end/duration (or since). A device keeps
// its newest weir.MaxDeviceLogEntries entries.
func (s *Server) handleDeviceLogGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.DeviceLogs == nil {
		return errNoDeviceService
	}
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	start, end := timeWindow(req.query, s.now())
	limit, _ := strconv.Atoi(req.query["limit"])
	entries, err := s.DeviceLogs.FindDeviceLogEntries(r.Context(), weir.DeviceLogFilter{
		ApplicationID: req.appID, DeviceID: req.deviceID, Start: start, End: end,
		Limit: limit, Ascending: req.query["sortDirection"] == "asc",
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, entries)
	return nil
}
