package http

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/weirhq/weir"
)

// devicesExport is the body of devices.export; its email and callbackUrl
// may also come as query parameters, which win.
type devicesExport struct {
	exportDestination
	Query  json.RawMessage `json:"query"`
	Format string          `json:"format"`
}

// deviceExportHeader is the start of a devices CSV's column layout; one
// column per tag key, "tag:{key}", follows.
var deviceExportHeader = []string{"id", "name", "description", "deviceClass", "gatewayId", "creationDate", "lastUpdated",
	"connectionStatus", "attributes"}

// handleDevicesExport answers POST /applications/{applicationId}/devices/export
// with 202 and a job that writes the devices the body's query matches
// (every device without one), by name, at most MaxExportRows: a CSV
// (deviceExportHeader, the attribute names joined by ";", then a column
// per tag key holding the key's values joined by ";") or, with format json,
// a JSON array of the devices as device.get returns them (export.go).
func (s *Server) handleDevicesExport(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Devices == nil {
		return errNoDeviceService
	}
	var in devicesExport
	if len(req.body) > 0 {
		if err := json.Unmarshal(req.body, &in); err != nil {
			return weir.Errorf(weir.Validation, "options is the wrong type")
		}
	}
	if v := req.query["email"]; v != "" {
		in.Email = v
	}
	if v := req.query["callbackUrl"]; v != "" {
		in.CallbackURL = v
	}
	f := weir.DeviceFilter{ApplicationID: req.appID, ListOptions: weir.ListOptions{SortField: "name", SortDirection: "asc"}}
	if given(in.Query) {
		q, err := parseDeviceQuery(string(in.Query))
		if err != nil {
			return err
		}
		f.Query = q
	}
	if err := in.check(s); err != nil {
		return err
	}
	ext := exportExt(in.Format)
	return s.startExport(w, r, req, in.exportDestination, "devices", ext, func(ctx context.Context) (*exportFile, error) {
		var ds []*weir.Device
		truncated := false
		f.PerPage = exportPageSize
		for f.Page = 0; ; f.Page++ {
			page, _, err := s.Devices.FindDevices(ctx, f)
			if err != nil {
				return nil, err
			}
			ds = append(ds, page...)
			if len(ds) > MaxExportRows {
				ds, truncated = ds[:MaxExportRows], true
				break
			}
			if len(page) < exportPageSize {
				break
			}
		}
		if ext == "json" {
			return s.devicesJSON(ds, truncated), nil
		}
		return s.devicesCSV(ds, truncated), nil
	})
}

// devicesCSV writes ds as a CSV with a column per tag key.
func (s *Server) devicesCSV(ds []*weir.Device, truncated bool) *exportFile {
	var keys []string
	for _, d := range ds {
		for _, t := range d.Tags {
			if !slices.Contains(keys, t.Key) {
				keys = append(keys, t.Key)
			}
		}
	}
	slices.Sort(keys)
	header := slices.Clone(deviceExportHeader)
	for _, k := range keys {
		header = append(header, "tag:"+k)
	}
	b := s.newCSV(header)
	for _, d := range ds {
		status := "disconnected"
		if d.Connection.Connected != nil && *d.Connection.Connected {
			status = "connected"
		}
		attrs := make([]string, len(d.Attributes))
		for i, a := range d.Attributes {
			attrs[i] = a.Name
		}
		rec := []string{d.ID, d.Name, d.Description, d.DeviceClass, d.GatewayID, csvCell(d.CreationDate), csvCell(d.LastUpdated),
			status, strings.Join(attrs, ";")}
		for _, k := range keys {
			var vals []string
			for _, t := range d.Tags {
				if t.Key == k {
					vals = append(vals, t.Value)
				}
			}
			rec = append(rec, strings.Join(vals, ";"))
		}
		if !b.add(rec) {
			break
		}
	}
	b.f.truncated = b.f.truncated || truncated
	return b.file()
}

// devicesJSON writes ds as a JSON array.
func (s *Server) devicesJSON(ds []*weir.Device, truncated bool) *exportFile {
	b := s.newJSON()
	for _, d := range ds {
		if !b.add(newDeviceResponse(d, &request{})) {
			break
		}
	}
	b.f.truncated = b.f.truncated || truncated
	return b.file()
}
