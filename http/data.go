package http

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// dataSelectionBody is the device selection of a data query body.
type dataSelectionBody struct {
	DeviceIDs   []string         `json:"deviceIds"`
	DeviceTags  []weir.TagFilter `json:"deviceTags"`
	DeviceQuery json.RawMessage  `json:"deviceQuery"`
}

// timeSeriesBody is a schema-valid timeSeriesQuery body.
type timeSeriesBody struct {
	dataSelectionBody
	Start       *float64        `json:"start"`
	End         *float64        `json:"end"`
	Duration    *float64        `json:"duration"`
	Resolution  *float64        `json:"resolution"`
	Aggregation json.RawMessage `json:"aggregation"`
	Attributes  []string        `json:"attributes"`
	Limit       *float64        `json:"limit"`
	Order       string          `json:"order"`
}

// lastValueBody is a schema-valid lastValueQuery body.
type lastValueBody struct {
	dataSelectionBody
	Attribute string   `json:"attribute"`
	End       *float64 `json:"end"`
}

// timeSeriesResponse is Losant's timeSeriesData.
type timeSeriesResponse struct {
	Start       time.Time                     `json:"start"`
	End         time.Time                     `json:"end"`
	Resolution  *int64                        `json:"resolution"`
	Aggregation any                           `json:"aggregation"` // a name, or TIMEATVALUE's {type, options}
	Limit       *int                          `json:"limit"`
	Order       string                        `json:"order"`
	Devices     map[string]*weir.DeviceSeries `json:"devices"`
}

// handleTimeSeriesQuery answers POST …/data/time-series-query: the selected
// devices' attributes over the time range, aggregated per resolution bucket
// (or the reports themselves with NONE). A device token reads only its own
// device.
func (s *Server) handleTimeSeriesQuery(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Data == nil {
		return errNoDeviceService
	}
	var in timeSeriesBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "query is the wrong type")
	}
	q := &weir.TimeSeriesQuery{ApplicationID: req.appID, Attributes: in.Attributes}
	if len(q.Attributes) == 0 {
		q.Attributes = nil // none listed: every attribute
	}
	sel, err := dataSelection(in.dataSelectionBody, req)
	if err != nil {
		return err
	}
	q.Devices = sel
	var p weir.TimeSeriesParams
	for _, f := range []struct {
		name string
		in   *float64
		out  **int64
	}{{"start", in.Start, &p.Start}, {"end", in.End, &p.End}, {"duration", in.Duration, &p.Duration},
		{"resolution", in.Resolution, &p.Resolution}, {"limit", in.Limit, &p.Limit}} {
		if *f.out, err = dataMillis(f.name, f.in); err != nil {
			return err
		}
	}
	if p.Aggregation, p.Value, err = dataAggregation(in.Aggregation); err != nil {
		return err
	}
	p.Order = in.Order
	if err := weir.NewTimeSeriesQuery(q, p, s.now()); err != nil {
		return err
	}
	res, err := s.Data.QueryTimeSeries(r.Context(), q)
	if err != nil {
		return err
	}
	out := timeSeriesResponse{Start: q.Start, End: q.End, Aggregation: q.Aggregation, Order: "asc", Devices: res.Devices}
	if q.Descending {
		out.Order = "desc"
	}
	if q.Aggregation == weir.AggregationTimeAtValue {
		out.Aggregation = map[string]any{"type": q.Aggregation, "options": map[string]any{"value": q.Value}}
	}
	if q.Aggregation == weir.AggregationNone {
		out.Limit = &q.Limit
	} else {
		ms := q.Resolution.Milliseconds()
		out.Resolution = &ms
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleLastValueQuery answers POST …/data/last-value-query: the latest
// value of the attribute of each selected device that reported it, at or
// before end (default now).
func (s *Server) handleLastValueQuery(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Data == nil {
		return errNoDeviceService
	}
	var in lastValueBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "query is the wrong type")
	}
	if in.Attribute == "" {
		return weir.Errorf(weir.Validation, "query.attribute is required")
	}
	sel, err := dataSelection(in.dataSelectionBody, req)
	if err != nil {
		return err
	}
	q := &weir.LastValueQuery{ApplicationID: req.appID, Devices: sel, Attribute: in.Attribute}
	end, err := dataMillis("end", in.End)
	if err != nil {
		return err
	}
	if end != nil && *end != 0 {
		q.End = weir.DataTime(*end, s.now())
	}
	res, err := s.Data.QueryLastValues(r.Context(), q)
	if err != nil {
		return err
	}
	out := make(map[string]stateResponse, len(res))
	for id, st := range res {
		out[id] = stateResponse{Time: st.Time, Data: st.Data}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// dataSelection reads a body's device selection; a device token's is
// narrowed to its own device.
func dataSelection(in dataSelectionBody, req *request) (weir.DeviceSelection, error) {
	sel := weir.DeviceSelection{IDs: in.DeviceIDs, Tags: in.DeviceTags}
	for i, id := range sel.IDs {
		sel.IDs[i] = strings.ToLower(id)
	}
	if len(in.DeviceQuery) > 0 && string(in.DeviceQuery) != "null" {
		var v any
		if err := json.Unmarshal(in.DeviceQuery, &v); err != nil {
			return sel, weir.Errorf(weir.Validation, "query.deviceQuery is the wrong type")
		}
		dq, err := weir.ParseDeviceQuery(v)
		if err != nil {
			return sel, weir.Errorf(weir.Validation, "query.deviceQuery: %s", weir.ErrorMessage(err))
		}
		sel.Query = dq
	}
	if req.identity.OwnerType == weir.OwnerDevice {
		sel.Only = req.identity.OwnerID
	}
	return sel, nil
}

// dataMillis reads a millisecond field; nil stays nil. Values beyond
// ±2^50 ms (some 35 000 years) are Validation.
func dataMillis(name string, v *float64) (*int64, error) {
	if v == nil {
		return nil, nil
	}
	if math.IsNaN(*v) || math.Abs(*v) > 1<<50 {
		return nil, weir.Errorf(weir.Validation, "query.%s is out of range", name)
	}
	n := int64(*v)
	return &n, nil
}

// dataAggregation reads the aggregation field: a name, or {type, options}
// with TIMEATVALUE's options.value.
func dataAggregation(raw json.RawMessage) (string, any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		return name, nil, nil
	}
	var obj struct {
		Type    string `json:"type"`
		Options struct {
			Value any `json:"value"`
		} `json:"options"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", nil, weir.Errorf(weir.Validation, "query.aggregation is the wrong type")
	}
	return obj.Type, obj.Options.Value, nil
}
