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

// stateExport is what device.export and data.export share: the window,
// the attributes and the optional columns.
type stateExport struct {
	exportDestination
	Attributes []string `json:"attributes"`
	Start      *float64 `json:"start"`
	End        *float64 `json:"end"`
	Options    struct {
		IncludeDate *bool `json:"includeDate"`
		IncludeID   *bool `json:"includeID"`
	} `json:"options"`
}

// window returns the export's time window: the body's start and end, else
// q's, else all of the history (start 1, end 0: now).
func (e *stateExport) window(q map[string]string, now time.Time) (start, end time.Time) {
	w := map[string]string{"start": "1", "end": "0"}
	for _, k := range []string{"start", "end"} {
		if v := q[k]; v != "" {
			w[k] = v
		}
	}
	if e.Start != nil {
		w["start"] = strconv.FormatInt(int64(*e.Start), 10)
	}
	if e.End != nil {
		w["end"] = strconv.FormatInt(int64(*e.End), 10)
	}
	return timeWindow(w, now)
}

// stateColumns is the column layout of a state export: Timestamp (ms),
// ISO Date and Device ID when asked (the default), then the attributes.
type stateColumns struct {
	attrs            []string
	withDate, withID bool
}

func (e *stateExport) columns(attrs []string) stateColumns {
	if e.Attributes != nil {
		attrs = e.Attributes
	}
	return stateColumns{attrs: attrs, withDate: e.Options.IncludeDate == nil || *e.Options.IncludeDate,
		withID: e.Options.IncludeID == nil || *e.Options.IncludeID}
}

func (c stateColumns) header() []string {
	h := []string{"Timestamp"}
	if c.withDate {
		h = append(h, "ISO Date")
	}
	if c.withID {
		h = append(h, "Device ID")
	}
	return append(h, c.attrs...)
}

// writeStates adds the device's states within [start, end], oldest first,
// to b; false when b is full.
func (s *Server) writeStates(ctx context.Context, b *csvBuilder, c stateColumns, appID, deviceID string, start, end time.Time) (bool, error) {
	f := weir.StateFilter{ApplicationID: appID, DeviceID: deviceID, Start: start, End: end, Limit: weir.MaxStateLimit, Ascending: true}
	for {
		states, err := s.States.FindDeviceStates(ctx, f)
		if err != nil {
			return false, err
		}
		for _, st := range states {
			rec := []string{strconv.FormatInt(st.Time.UnixMilli(), 10)}
			if c.withDate {
				rec = append(rec, st.Time.UTC().Format("2006-01-02T15:04:05.000Z"))
			}
			if c.withID {
				rec = append(rec, deviceID)
			}
			for _, a := range c.attrs {
				rec = append(rec, csvCell(st.Data[a]))
			}
			if !b.add(rec) {
				return false, nil
			}
		}
		if len(states) < weir.MaxStateLimit {
			return true, nil
		}
		f.Start = states[len(states)-1].Time.Add(time.Millisecond)
	}
}

// attributeNames returns the names of d's attributes, in order.
func attributeNames(d *weir.Device) []string {
	names := make([]string, len(d.Attributes))
	for i, a := range d.Attributes {
		names[i] = a.Name
	}
	return names
}

// handleDeviceExport answers POST …/devices/{deviceId}/export with 202 and
// a job that writes the device's state history within start and end (ms
// since the epoch, 0 now, negative relative to now; default all of it;
// the body's values win), oldest first, at most MaxExportRows, as Losant's
// CSV (stateColumns; the attributes are the body's, else the device's)
// (export.go).
func (s *Server) handleDeviceExport(w http.ResponseWriter, r *http.Request, req *request) error {
	d, err := s.findDevice(r, req)
	if err != nil {
		return err
	}
	var in stateExport
	if len(req.body) > 0 {
		if err := json.Unmarshal(req.body, &in); err != nil {
			return weir.Errorf(weir.Validation, "query is the wrong type")
		}
	}
	start, end := in.window(req.query, s.now())
	if in.Email == "" && in.CallbackURL == "" {
		in.Email, in.CallbackURL = req.query["email"], req.query["callbackUrl"]
	}
	if err := in.check(s); err != nil {
		return err
	}
	c := in.columns(attributeNames(d))
	return s.startExport(w, r, req, in.exportDestination, "device-"+exportFileName(d.Name), "csv", func(ctx context.Context) (*exportFile, error) {
		b := s.newCSV(c.header())
		if _, err := s.writeStates(ctx, b, c, req.appID, d.ID, start, end); err != nil {
			return nil, err
		}
		return b.file(), nil
	})
}
