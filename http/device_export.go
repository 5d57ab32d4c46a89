package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/weirhq/weir"
)

// deviceExportParams are device.export's query parameters.
var deviceExportParams = []queryParam{timeRangeParams[0], timeRangeParams[1],
	{name: "email", kind: paramString}, {name: "callbackUrl", kind: paramString}, {name: "includeBlobData", kind: paramString}}

// deviceExport is the body of device.export; what it gives overrides the
// query parameters.
type deviceExport struct {
	exportDestination
	Attributes []string `json:"attributes"`
	Start      *float64 `json:"start"`
	End        *float64 `json:"end"`
	Options    struct {
		IncludeDate *bool `json:"includeDate"`
		IncludeID   *bool `json:"includeID"`
	} `json:"options"`
}

// handleDeviceExport answers POST …/devices/{deviceId}/export with 202 and
// a job that writes the device's state history within start and end (ms
// since the epoch, 0 now, negative relative to now; default all of it),
// oldest first, at most MaxExportRows, as Losant's CSV: Timestamp (ms),
// ISO Date (unless options.includeDate is false), Device ID (unless
// options.includeID is false), then one column per attribute (the body's
// attributes, else the device's) (export.go).
func (s *Server) handleDeviceExport(w http.ResponseWriter, r *http.Request, req *request) error {
	d, err := s.findDevice(r, req)
	if err != nil {
		return err
	}
	var in deviceExport
	if len(req.body) > 0 {
		if err := json.Unmarshal(req.body, &in); err != nil {
			return weir.Errorf(weir.Validation, "query is the wrong type")
		}
	}
	q := map[string]string{"start": "1", "end": "0"}
	for _, k := range []string{"start", "end"} {
		if v := req.query[k]; v != "" {
			q[k] = v
		}
	}
	if in.Start != nil {
		q["start"] = strconv.FormatInt(int64(*in.Start), 10)
	}
	if in.End != nil {
		q["end"] = strconv.FormatInt(int64(*in.End), 10)
	}
	start, end := timeWindow(q, s.now())
	if in.Email == "" && in.CallbackURL == "" {
		in.Email, in.CallbackURL = req.query["email"], req.query["callbackUrl"]
	}
	if err := in.check(s); err != nil {
		return err
	}
	attrs := in.Attributes
	if attrs == nil {
		for _, a := range d.Attributes {
			attrs = append(attrs, a.Name)
		}
	}
	header := []string{"Timestamp"}
	withDate := in.Options.IncludeDate == nil || *in.Options.IncludeDate
	withID := in.Options.IncludeID == nil || *in.Options.IncludeID
	if withDate {
		header = append(header, "ISO Date")
	}
	if withID {
		header = append(header, "Device ID")
	}
	header = append(header, attrs...)
	return s.startExport(w, r, req, in.exportDestination, "device-"+exportFileName(d.Name), "csv", func(ctx context.Context) (*exportFile, error) {
		b := s.newCSV(header)
		f := weir.StateFilter{ApplicationID: req.appID, DeviceID: d.ID, Start: start, End: end, Limit: weir.MaxStateLimit, Ascending: true}
		for {
			states, err := s.States.FindDeviceStates(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, st := range states {
				rec := []string{strconv.FormatInt(st.Time.UnixMilli(), 10)}
				if withDate {
					rec = append(rec, st.Time.UTC().Format("2006-01-02T15:04:05.000Z"))
				}
				if withID {
					rec = append(rec, d.ID)
				}
				for _, a := range attrs {
					rec = append(rec, csvCell(st.Data[a]))
				}
				if !b.add(rec) {
					return b.file(), nil
				}
			}
			if len(states) < weir.MaxStateLimit {
				return b.file(), nil
			}
			f.Start = states[len(states)-1].Time.Add(time.Millisecond)
		}
	})
}
