package http

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/weirhq/weir"
)

// dataExport is the body of data.export: the devices (by id, tags or
// query; none: every device), and the window, attributes and columns of
// device.export; a device's token exports its own data only.
type dataExport struct {
	stateExport
	dataSelectionBody
}

// handleDataExport answers POST /applications/{applicationId}/data/export
// with 202 and a job that writes the state history of the selected
// devices within start and end, device after device (by name), each
// oldest first, at most MaxExportRows states: device.export's CSV, whose
// attribute columns are the body's attributes, else every attribute of the
// selected devices in order of appearance (export.go).
func (s *Server) handleDataExport(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Devices == nil || s.States == nil {
		return errNoDeviceService
	}
	var in dataExport
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "query is the wrong type")
	}
	sel, err := dataSelection(in.dataSelectionBody, req)
	if err != nil {
		return err
	}
	f := weir.DeviceFilter{ApplicationID: req.appID, IDs: sel.IDs, Tags: sel.Tags, Query: sel.Query,
		ListOptions: weir.ListOptions{SortField: "name", SortDirection: "asc"}}
	if sel.Only != "" { // a device's own data only
		if f.IDs != nil && !slices.Contains(f.IDs, sel.Only) {
			f.IDs = []string{}
		} else {
			f.IDs = []string{sel.Only}
		}
	}
	start, end := in.window(nil, s.now())
	if err := in.check(s); err != nil {
		return err
	}
	ds, _, err := s.Devices.FindDevices(r.Context(), f)
	if err != nil {
		return err
	}
	var attrs []string
	for _, d := range ds {
		for _, a := range attributeNames(d) {
			if !slices.Contains(attrs, a) {
				attrs = append(attrs, a)
			}
		}
	}
	c := in.columns(attrs)
	appID := req.appID
	return s.startExport(w, r, req, in.exportDestination, "data", "csv", func(ctx context.Context) (*exportFile, error) {
		b := s.newCSV(c.header())
		for _, d := range ds {
			more, err := s.writeStates(ctx, b, c, appID, d.ID, start, end)
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
		return b.file(), nil
	})
}
